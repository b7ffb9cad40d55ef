"""More elementwise functions: base-2/10 logarithms and powers, inverse
hyperbolics, ``arctan2``, ``mod`` and ``clip``.

Part of the registry in :mod:`numeric.registry`, beside
:mod:`numeric.prims.elementwise`. One-input functions get their JVP from their
VJP (a diagonal Jacobian is its own transpose); ``arctan2``, ``mod`` and
``clip`` have both rules written out. ``clip`` passes the gradient to ``x``
where ``lo <= x <= hi``, bounds included, as PyTorch's ``clamp`` does.
"""

from __future__ import annotations

import numpy as np

from numeric.errors import ArgumentError, ShapeError
from numeric.prims.elementwise import (
    _add_dots,
    _binary,
    _unary,
    cosh,
    full,
    negative,
    sinh,
    where,
)
from numeric.prims.reduce import unbroadcast
from numeric.registry import (
    defjvp,
    defjvp_elementwise,
    defprim,
    defvjp,
    needs_grad,
)
from numeric.tape import apply

__all__ = [
    "arccosh",
    "arcsinh",
    "arctan2",
    "arctanh",
    "clip",
    "exp2",
    "log2",
    "log10",
    "mod",
]

_LN2 = float(np.log(2.0))
_LN10 = float(np.log(10.0))

# ----- Logarithms and powers in other bases -----

log2_p, log2 = _unary("log2", np.log2, "Elementwise base-2 logarithm.")
log10_p, log10 = _unary("log10", np.log10, "Elementwise base-10 logarithm.")
exp2_p, exp2 = _unary("exp2", np.exp2, "Elementwise ``2**x``.")


def log2_vjp(g, ans, x):
    return (g / (x * _LN2),)


def log10_vjp(g, ans, x):
    return (g / (x * _LN10),)


def exp2_vjp(g, ans, x):
    return (g * ans * _LN2,)


defvjp(log2_p, log2_vjp)
defvjp(log10_p, log10_vjp)
defvjp(exp2_p, exp2_vjp)

# ----- Inverse hyperbolic functions -----

arcsinh_p, arcsinh = _unary("arcsinh", np.arcsinh, "Elementwise inverse sinh.")
arccosh_p, arccosh = _unary(
    "arccosh", np.arccosh, "Elementwise inverse cosh (x >= 1); arccosh'(1) = +inf."
)
arctanh_p, arctanh = _unary(
    "arctanh", np.arctanh, "Elementwise inverse tanh (|x| < 1)."
)


def arcsinh_vjp(g, ans, x):
    # d asinh(x) = 1 / sqrt(x**2 + 1) = 1 / cosh(asinh(x))
    return (g / cosh(ans),)


def arccosh_vjp(g, ans, x):
    # d acosh(x) = 1 / sqrt(x**2 - 1) = 1 / sinh(acosh(x)): +inf at x = 1
    return (g / sinh(ans),)


def arctanh_vjp(g, ans, x):
    return (g / (1.0 - x * x),)


defvjp(arcsinh_p, arcsinh_vjp)
defvjp(arccosh_p, arccosh_vjp)
defvjp(arctanh_p, arctanh_vjp)

for _prim in (log2_p, log10_p, exp2_p, arcsinh_p, arccosh_p, arctanh_p):
    defjvp_elementwise(_prim)

# ----- arctan2 -----

arctan2_p, arctan2 = _binary(
    "arctan2",
    np.arctan2,
    "Elementwise angle of the point ``(x, y)``: ``arctan2(y, x)`` in (-pi, pi]; "
    "at the origin both partials are 0, as in PyTorch (2.x) and symgraph's atan2.",
)


def _arctan2_partials(y, x):
    # d/dy = x / (x**2 + y**2), d/dx = -y / (x**2 + y**2); at the origin 0/0 is
    # taken as 0 (PyTorch's rule), through a safe denominator so no NaN forms
    r2 = x * x + y * y
    origin = r2.data == 0 if hasattr(r2, "data") else np.asarray(r2) == 0
    safe = where(origin, 1.0, r2)
    return x / safe, negative(y) / safe


def arctan2_vjp(g, ans, y, x):
    dy, dx = _arctan2_partials(y, x)
    return (
        unbroadcast(g * dy, y.shape) if needs_grad(y) else None,
        unbroadcast(g * dx, x.shape) if needs_grad(x) else None,
    )


def arctan2_jvp(dots, ans, y, x):
    dy, dx = _arctan2_partials(y, x)
    ty, tx = dots
    return _add_dots(
        None if ty is None else ty * dy, None if tx is None else tx * dx, ans.shape
    )


defvjp(arctan2_p, arctan2_vjp)
defjvp(arctan2_p, arctan2_jvp)

# ----- mod -----

mod_p, mod = _binary(
    "mod",
    np.mod,
    "Elementwise remainder with the sign of ``y`` (``np.mod``): "
    "``x - floor(x / y) * y``; d/dx = 1, d/dy = -floor(x / y).",
)


def _floor_ratio(x, y):
    # piecewise constant: a constant for differentiation (its derivative is 0
    # wherever it is defined)
    return np.floor(np.divide(x.data, y.data))


def mod_vjp(g, ans, x, y):
    return (
        unbroadcast(g, x.shape) if needs_grad(x) else None,
        unbroadcast(g * -_floor_ratio(x, y), y.shape) if needs_grad(y) else None,
    )


def mod_jvp(dots, ans, x, y):
    dx, dy = dots
    return _add_dots(
        None if dx is None else full(dx, ans.shape),
        None if dy is None else dy * -_floor_ratio(x, y),
        ans.shape,
    )


defvjp(mod_p, mod_vjp)
defjvp(mod_p, mod_jvp)

# ----- clip -----


def _clip_impl(x, lo, hi):
    try:
        return np.clip(x, lo, hi)
    except ValueError:
        raise ShapeError(
            f"clip: shapes {np.shape(x)}, {np.shape(lo)} and {np.shape(hi)} "
            "cannot be broadcast together"
        ) from None


clip_p = defprim("clip", _clip_impl, 3)


def clip(x, a_min=None, a_max=None):
    """Limit ``x`` to ``[a_min, a_max]``, like ``np.clip``.

    Gradient convention (PyTorch's ``clamp``): ``x`` gets the gradient where
    ``a_min <= x <= a_max``, bounds included; ``a_min`` gets it where
    ``x < a_min``, and ``a_max`` where ``x > a_max`` (or everywhere
    ``a_min > a_max``, whose result is ``a_max``, as in NumPy).

    Parameters
    ----------
    x : array_like or Tensor
    a_min, a_max : array_like, Tensor or None
        The bounds (broadcasting); one of them may be None.

    Returns
    -------
    Tensor

    Raises
    ------
    ArgumentError
        If both bounds are None.
    ShapeError
        If the shapes do not broadcast.

    Examples
    --------
    >>> import numeric as nm
    >>> nm.grad(lambda x: nm.sum(nm.clip(x, 0.0, 1.0)))(np.array([-1.0, 0.0, 1.0, 2.0]))
    array([0., 1., 1., 0.])
    """
    if a_min is None and a_max is None:
        raise ArgumentError("clip: a_min and a_max cannot both be None")
    lo = -np.inf if a_min is None else a_min
    hi = np.inf if a_max is None else a_max
    return apply(clip_p, x, lo, hi)


def _clip_masks(x, lo, hi):
    """Where x, lo and hi each decide the result (disjoint; each entry has one)."""
    xd, lod, hid = x.data, lo.data, hi.data
    to_hi = (xd > hid) | (lod > hid)
    to_lo = (xd < lod) & ~to_hi
    return ~(to_hi | to_lo), to_lo, to_hi


def clip_vjp(g, ans, x, lo, hi):
    masks = _clip_masks(x, lo, hi)
    return tuple(
        unbroadcast(where(m, g, 0.0), t.shape) if needs_grad(t) else None
        for m, t in zip(masks, (x, lo, hi))
    )


def clip_jvp(dots, ans, x, lo, hi):
    masks = _clip_masks(x, lo, hi)
    out = None
    for m, d in zip(masks, dots):
        if d is not None:
            term = where(m, d, 0.0)
            out = term if out is None else out + term
    return full(out, ans.shape)


defvjp(clip_p, clip_vjp)
defjvp(clip_p, clip_jvp)
