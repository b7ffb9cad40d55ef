"""Elementwise primitives: unary functions, activations and ``where``.

Part of the registry in :mod:`numeric.registry`. Each rule is written with the
engine's own operations (``g * cos(x)``, ``where(...)``), so it differentiates
again; a one-input function's JVP is its VJP applied to the tangent (a
diagonal Jacobian is its own transpose). Rules at kinks follow the toolkit's
one convention (PyTorch's); see ``docs/numeric.md``. Rules that pick a branch
use ``where``, which selects, so a non-finite value in the branch not taken
never reaches a gradient. The helpers here (``_unary``, ``_binary``, ``full``)
are shared by :mod:`numeric.prims.arithmetic` and :mod:`numeric.prims.special`.
"""

from __future__ import annotations

import numpy as np
import scipy.special

from numeric.errors import ShapeError
from numeric.prims.reduce import broadcast_to, unbroadcast
from numeric.registry import (
    UNDEFINED,
    defjvp,
    defjvp_elementwise,
    defprim,
    defvjp,
    needs_grad,
)
from numeric.tape import apply


def _unary(name, impl, doc):
    """Register a one-input primitive and return (primitive, public function)."""
    prim = defprim(name, impl, 1)

    def fn(x):
        return apply(prim, x)

    fn.__name__ = fn.__qualname__ = name
    fn.__doc__ = doc
    return prim, fn


def _binary_impl(name, ufunc):
    def impl(x, y):
        try:
            return ufunc(x, y)
        except ValueError:
            raise ShapeError(
                f"{name}: shapes {np.shape(x)} and {np.shape(y)} cannot be "
                "broadcast together"
            ) from None

    return impl


def _binary(name, ufunc, doc):
    prim = defprim(name, _binary_impl(name, ufunc), 2)

    def fn(x, y):
        return apply(prim, x, y)

    fn.__name__ = fn.__qualname__ = name
    fn.__doc__ = doc
    return prim, fn


def full(t, shape):
    """The tangent ``t`` broadcast to the output's ``shape`` when it is smaller."""
    return t if t.shape == shape else broadcast_to(t, shape)


def _add_dots(a, b, shape):
    """``a + b`` where either may be None (a zero tangent), of ``shape``."""
    if a is None:
        return None if b is None else full(b, shape)
    return full(a, shape) if b is None else full(a + b, shape)


# ----- where -----


def _where_impl(cond, x, y):
    try:
        return np.where(cond, x, y)
    except ValueError:
        raise ShapeError(
            f"where: shapes {np.shape(cond)}, {np.shape(x)} and {np.shape(y)} "
            "cannot be broadcast together"
        ) from None


where_p = defprim("where", _where_impl, 3)


def where(cond, x, y):
    """Elementwise ``x`` where ``cond`` is true, else ``y`` (no gradient to cond)."""
    return apply(where_p, cond, x, y)


def where_vjp(g, ans, cond, x, y):
    # selection, not multiplication: a nan/inf in g where the other branch was
    # taken cannot leak into this branch's cotangent
    gx = unbroadcast(where(cond, g, 0.0), x.shape) if needs_grad(x) else None
    gy = unbroadcast(where(cond, 0.0, g), y.shape) if needs_grad(y) else None
    return (UNDEFINED, gx, gy)


def where_jvp(dots, ans, cond, x, y):
    _, dx, dy = dots
    return full(
        where(cond, 0.0 if dx is None else dx, 0.0 if dy is None else dy), ans.shape
    )


defvjp(where_p, where_vjp)
defjvp(where_p, where_jvp)

# ----- Unary functions -----


def _softplus_impl(x):
    with np.errstate(under="ignore"):  # log1p(exp(-|x|)) underflows for |x| > 745
        return np.logaddexp(0.0, x)


negative_p, negative = _unary("negative", np.negative, "Elementwise ``-x``.")
exp_p, exp = _unary("exp", np.exp, "Elementwise ``e**x``.")
log_p, log = _unary("log", np.log, "Elementwise natural logarithm.")
log1p_p, log1p = _unary(
    "log1p", np.log1p, "Elementwise ``log(1 + x)``, accurate near 0."
)
expm1_p, expm1 = _unary(
    "expm1", np.expm1, "Elementwise ``exp(x) - 1``, accurate near 0."
)
sin_p, sin = _unary("sin", np.sin, "Elementwise sine.")
cos_p, cos = _unary("cos", np.cos, "Elementwise cosine.")
tan_p, tan = _unary("tan", np.tan, "Elementwise tangent.")
tanh_p, tanh = _unary("tanh", np.tanh, "Elementwise hyperbolic tangent.")
sinh_p, sinh = _unary("sinh", np.sinh, "Elementwise hyperbolic sine.")
cosh_p, cosh = _unary("cosh", np.cosh, "Elementwise hyperbolic cosine.")
atan_p, atan = _unary("atan", np.arctan, "Elementwise inverse tangent.")
asin_p, asin = _unary("asin", np.arcsin, "Elementwise inverse sine.")
acos_p, acos = _unary("acos", np.arccos, "Elementwise inverse cosine.")
sqrt_p, sqrt = _unary("sqrt", np.sqrt, "Elementwise square root; sqrt'(0) = +inf.")
sigmoid_p, sigmoid = _unary(
    "sigmoid", scipy.special.expit, "Logistic sigmoid, stable for large |x|."
)
softplus_p, softplus = _unary(
    "softplus",
    lambda x: _softplus_impl(x),
    "``log(1 + exp(x))`` computed stably as ``logaddexp(0, x)``.",
)
relu_p, relu = _unary(
    "relu", lambda x: np.maximum(x, 0.0), "``max(x, 0)``; relu'(0) = 0."
)
abs_p, abs = _unary("abs", np.abs, "Elementwise absolute value; abs'(0) = 0.")
sign_p, sign = _unary(
    "sign", np.sign, "Elementwise sign (-1, 0 or 1); its derivative is zero."
)


def negative_vjp(g, ans, x):
    return (negative(g),)


def exp_vjp(g, ans, x):
    return (g * ans,)


def log_vjp(g, ans, x):
    return (g / x,)


def log1p_vjp(g, ans, x):
    return (g / (1.0 + x),)


def expm1_vjp(g, ans, x):
    return (g * (ans + 1.0),)


def sin_vjp(g, ans, x):
    return (g * cos(x),)


def cos_vjp(g, ans, x):
    return (negative(g * sin(x)),)


def tan_vjp(g, ans, x):
    # tan' = 1 + tan**2
    return (g * (1.0 + ans * ans),)


def tanh_vjp(g, ans, x):
    return (g * (1.0 - ans * ans),)


def sinh_vjp(g, ans, x):
    return (g * cosh(x),)


def cosh_vjp(g, ans, x):
    return (g * sinh(x),)


def atan_vjp(g, ans, x):
    return (g / (1.0 + x * x),)


def asin_vjp(g, ans, x):
    return (g / sqrt(1.0 - x * x),)


def acos_vjp(g, ans, x):
    return (negative(g / sqrt(1.0 - x * x)),)


def sqrt_vjp(g, ans, x):
    # 1 / (2 sqrt(x)): +inf at x = 0, as the convention says
    return (g / (2.0 * ans),)


def sigmoid_vjp(g, ans, x):
    return (g * ans * (1.0 - ans),)


def softplus_vjp(g, ans, x):
    return (g * sigmoid(x),)


def relu_vjp(g, ans, x):
    # relu'(0) = 0
    return (where(x.data > 0, g, 0.0),)


def abs_vjp(g, ans, x):
    # abs'(0) = 0 (the minimum-norm subgradient)
    return (where(x.data > 0, g, where(x.data < 0, negative(g), 0.0)),)


def sign_vjp(g, ans, x):
    # zero everywhere it is defined (PyTorch gives 0 at 0 too): structurally zero
    return (None,)


defvjp(negative_p, negative_vjp)
defvjp(exp_p, exp_vjp)
defvjp(log_p, log_vjp)
defvjp(log1p_p, log1p_vjp)
defvjp(expm1_p, expm1_vjp)
defvjp(sin_p, sin_vjp)
defvjp(cos_p, cos_vjp)
defvjp(tan_p, tan_vjp)
defvjp(tanh_p, tanh_vjp)
defvjp(sinh_p, sinh_vjp)
defvjp(cosh_p, cosh_vjp)
defvjp(atan_p, atan_vjp)
defvjp(asin_p, asin_vjp)
defvjp(acos_p, acos_vjp)
defvjp(sqrt_p, sqrt_vjp)
defvjp(sigmoid_p, sigmoid_vjp)
defvjp(softplus_p, softplus_vjp)
defvjp(relu_p, relu_vjp)
defvjp(abs_p, abs_vjp)
defvjp(sign_p, sign_vjp)

# a diagonal Jacobian is its own transpose: each JVP is the VJP of the tangent
for _prim in (
    negative_p, exp_p, log_p, log1p_p, expm1_p, sin_p, cos_p, tan_p, tanh_p,
    sinh_p, cosh_p, atan_p, asin_p, acos_p, sqrt_p, sigmoid_p, softplus_p,
    relu_p, abs_p, sign_p,
):  # fmt: skip
    defjvp_elementwise(_prim)

# ----- Parametrised activations -----


def _leaky_relu_impl(x, negative_slope):
    return np.where(x > 0, x, x * negative_slope)


leaky_relu_p = defprim("leaky_relu", _leaky_relu_impl, 1)


def leaky_relu(x, negative_slope=0.01):
    """``x`` for x > 0, else ``negative_slope * x``; the slope at 0 is
    ``negative_slope``."""
    return apply(leaky_relu_p, x, negative_slope=float(negative_slope))


def leaky_relu_vjp(g, ans, x, negative_slope):
    return (where(x.data > 0, g, g * negative_slope),)


defvjp(leaky_relu_p, leaky_relu_vjp)
defjvp_elementwise(leaky_relu_p)


def _elu_impl(x, alpha):
    # expm1 of min(x, 0): the branch not taken cannot overflow
    return np.where(x > 0, x, alpha * np.expm1(np.minimum(x, 0.0)))


elu_p = defprim("elu", _elu_impl, 1)


def elu(x, alpha=1.0):
    """``x`` for x > 0, else ``alpha * (exp(x) - 1)``; elu'(0) = alpha (the left
    limit, as in PyTorch)."""
    return apply(elu_p, x, alpha=float(alpha))


def elu_vjp(g, ans, x, alpha):
    # for x <= 0: d/dx alpha*(e^x - 1) = alpha*e^x = ans + alpha
    return (where(x.data > 0, g, g * (ans + alpha)),)


defvjp(elu_p, elu_vjp)
defjvp_elementwise(elu_p)
