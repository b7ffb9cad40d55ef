"""Every tensor op of the registry, differentiated and checked.

For each op an example function ``sum(sin(op(...)))`` is differentiated
with the tensor engine; the gradient must have the variable's shape and
match central differences computed here, entry by entry, at non-square
sizes. Its printed NumPy text must evaluate (in the printed-text namespace)
and parse back to the same values, and the lowered function must agree
with ``evaluate``. A new op without an example fails
``test_every_op_has_an_example``.
"""

import zlib

import numpy as np
import pytest
from _tensor_helpers import fd_gradient, random_point, symbols_of

import symgraph as sg
from symgraph.tensor import TOPS
from symgraph.tensor.node import make

S = sg.tensor
X, Y, A, u, v, a = sg.tensors("X:n,m Y:n,m A:n,n u:n v:m a")
I4, K4 = sg.tensors("I4:2,3,5,6 K4:4,3,2,2")
Img, Ker = sg.tensors("Img:5,6 Ker:2,3")

# op -> (expression, kind of point); sizes n=3, m=4
EXAMPLES = {
    "add": (X + Y, "normal"), "sub": (X - v, "normal"), "mul": (X * a, "normal"),
    "div": (X / (Y * Y + 1), "normal"), "pow": (X ** 3, "normal"),
    "neg": (-(X @ v), "normal"), "sin": (S.sin(X), "normal"), "cos": (S.cos(X), "normal"),
    "tan": (S.tan(X / 4), "normal"), "exp": (S.exp(X), "normal"),
    "log": (S.log(X), "positive"), "sqrt": (S.sqrt(X), "positive"),
    "tanh": (S.tanh(X), "normal"), "sinh": (S.sinh(X), "normal"),
    "cosh": (S.cosh(X), "normal"), "atan": (S.atan(X), "normal"),
    "asin": (S.asin(X / 4), "normal"), "acos": (S.acos(X / 4), "normal"),
    "log1p": (S.log1p(X), "positive"), "expm1": (S.expm1(X), "normal"),
    "sigmoid": (S.sigmoid(X), "normal"), "softplus": (S.softplus(X), "normal"),
    "relu": (S.relu(X) * Y, "normal"), "abs": (S.abs(X) * Y, "normal"),
    "sign": (S.sign(X) + X, "normal"), "heaviside": (S.heaviside(X, 0.5) + X, "normal"),
    "where": (S.where(X, X * Y, -X), "normal"),
    "maximum": (S.maximum(X, Y), "normal"), "minimum": (S.minimum(X, Y), "normal"),
    "leaky_relu": (S.leaky_relu(X, 0.1), "normal"), "elu": (S.elu(X, 1.5), "normal"),
    "matmul": (X.T @ A @ X, "normal"), "transpose": (X.T * Y.T, "normal"),
    "sum": (S.sum(X * Y, axis=1) + S.sum(X, axis=(0, 1)), "normal"),
    "broadcast_like": (make("broadcast_like", S.sum(Y, axis=1, keepdims=True), X) * X, "normal"),
    "expand_dims": (sg.parse("X * expand_dims(sum(Y, axis=1), 1)", shapes=[X, Y]), "normal"),
    "reshape": (S.reshape(X, ("m", "n")) @ u, "normal"), "outer": (S.outer(u, v) * X, "normal"),
    "trace": (S.trace(A @ A) + S.trace(A), "normal"), "det": (S.det(A), "near_identity"),
    "logdet": (S.logdet(A), "near_identity"), "inv": (S.inv(A), "near_identity"),
    "diag": (S.diag(S.diag(A) * u), "normal"), "norm": (S.norm(X) + S.norm(u, 1), "normal"),
    "softmax": (S.softmax(X, axis=0) * Y, "normal"),
    "log_softmax": (S.log_softmax(X, axis=1) * Y, "normal"),
    "logsumexp": (S.logsumexp(X, axis=0) + S.logsumexp(X), "normal"),
    "eye": (A @ S.eye("n") + A, "normal"),
    "fill": (sg.parse("X * ones((n, m)) + zeros(m) + full((n, 1), 2.0) * X", shapes=[X]), "normal"),
    "correlate2d": (S.correlate2d(Img, Ker) + S.sum(S.correlate2d(Img, Ker, "full")), "normal"),
    "convolve2d": (S.convolve2d(Img, Ker) + S.sum(S.convolve2d(Img, Ker, "full")), "normal"),
    "flip": (sg.parse("correlate2d(flip(Img), Ker)", shapes=[Img, Ker]), "normal"),
    "conv2d": (S.conv2d(I4, K4, stride=(1, 2), padding=1), "normal"),
    "max_pool2d": (S.max_pool2d(I4, 2, stride=(2, 1)), "normal"),
    "avg_pool2d": (S.avg_pool2d(I4, (2, 3), stride=1), "normal"),
}  # fmt: skip
# ops that only appear inside gradients: exercised by differentiating twice
SECOND_ORDER = {"conv2d_grad_input", "conv2d_grad_weight", "max_pool2d_grad",
                "avg_pool2d_grad"}  # fmt: skip
SIZES = {"n": 3, "m": 4}


def test_every_op_has_an_example():
    from symgraph.tensor.ops_elementwise import ELEMENTWISE

    missing = sorted(set(TOPS) - set(EXAMPLES) - SECOND_ORDER - set(ELEMENTWISE))
    assert not missing, f"tensor ops without a test example: {missing}"


def _interval(op, i):
    """Where to draw argument i of a lifted op: inside its declared domain
    (when the scalar registry declares one), else (0.2, 0.8)."""
    from symgraph.ops import OPS

    domain = getattr(OPS[op], "domain", None)
    if not domain or domain[i] is None:
        return 0.2, 0.8
    lo, hi = (max(float(b), -2.0) if k == 0 else min(float(b), 2.0)
              for k, b in enumerate(domain[i]))  # fmt: skip
    return lo + 0.1 * (hi - lo), hi - 0.1 * (hi - lo)


def _elementwise_ops():
    from symgraph.tensor.ops_elementwise import ELEMENTWISE

    return sorted(ELEMENTWISE)


@pytest.mark.parametrize("op", _elementwise_ops())
def test_every_lifted_op_matches_finite_differences(op):
    # generated from the scalar registry: a new op is tested with no new test
    from symgraph.ops import OPS

    nargs = OPS[op].nargs
    args = [sg.tensors({f"a{i}": ("n", "m")}) for i in range(nargs)]
    f = S.sum(S.sin(sg.tensor.elementwise(op, *args)))
    rng = np.random.default_rng(7)
    point = {
        a.value: rng.uniform(*_interval(op, i), (3, 4)) for i, a in enumerate(args)
    }
    for a in args:
        g = sg.grad(f, a)
        got = np.asarray(sg.evaluate(g, point))
        assert got.shape == (3, 4)
        np.testing.assert_allclose(got, fd_gradient(f, a, point), rtol=1e-5, atol=1e-6)


def _loss(out):
    return S.sum(S.sin(out))


@pytest.mark.parametrize("op", sorted(EXAMPLES), ids=sorted(EXAMPLES))
def test_gradient_matches_finite_differences(op):
    expr, kind = EXAMPLES[op]
    f = _loss(expr)
    symbols = symbols_of(f)
    point = random_point(symbols, SIZES, seed=zlib.crc32(op.encode()) % 1000, kind=kind)
    grads = sg.grad(f, symbols)
    for s, g in zip(symbols, grads):
        got = np.asarray(sg.evaluate(g, point), dtype=float)
        assert got.shape == np.shape(point[s.value]), (
            f"d/d{s.value} has the wrong shape"
        )
        want = fd_gradient(f, s, point)
        np.testing.assert_allclose(
            got, want, rtol=1e-5, atol=1e-6, err_msg=f"{op}: d/d{s.value}"
        )


@pytest.mark.parametrize("op", sorted(EXAMPLES), ids=sorted(EXAMPLES))
def test_printed_gradient_evaluates_and_parses_back(op):
    expr, kind = EXAMPLES[op]
    f = _loss(expr)
    symbols = symbols_of(f)
    point = random_point(symbols, SIZES, seed=1, kind=kind)
    namespace = S.numpy_namespace()
    dims = {"n": 3, "m": 4}
    for g in sg.grad(f, symbols):
        want = np.asarray(sg.evaluate(g, point))
        text = str(g)
        # our own printed text (not user input): it is valid NumPy
        value = eval(text, {"__builtins__": {}}, {**namespace, **point, **dims})
        np.testing.assert_allclose(value, want, rtol=1e-10, atol=1e-12, err_msg=text)
        back = sg.parse(text, shapes=symbols)
        np.testing.assert_allclose(
            sg.evaluate(back, point), want, rtol=1e-10, atol=1e-12
        )


@pytest.mark.parametrize("op", sorted(EXAMPLES), ids=sorted(EXAMPLES))
def test_lambdify_agrees_with_evaluate(op):
    expr, kind = EXAMPLES[op]
    f = _loss(expr)
    symbols = symbols_of(f)
    point = random_point(symbols, SIZES, seed=2, kind=kind)
    outputs = [f, *sg.grad(f, symbols)]
    fn = sg.lambdify(symbols, outputs)
    got = fn(*[point[s.value] for s in symbols])
    for a, b in zip(got, sg.evaluate(outputs, point)):
        np.testing.assert_allclose(a, b, rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("op", ["conv2d", "avg_pool2d", "correlate2d", "convolve2d",
                                "inv", "softmax", "logsumexp", "matmul", "sum", "norm"])  # fmt: skip
def test_second_order_matches_finite_differences_of_the_gradient(op):
    # d/dt <grad f(x + t d), c> = <H d, c>: differentiate <grad f, c> again
    expr, kind = EXAMPLES[op]
    f = _loss(expr)
    x = symbols_of(f)[0]
    C = sg.tensors({"Cdir": tuple(x.shape)})
    g = sg.grad(f, x)
    h = sg.grad(S.sum(g * C), x)
    point = random_point(symbols_of(f), SIZES, seed=3, kind=kind)
    point["Cdir"] = np.random.default_rng(4).standard_normal(np.shape(point[x.value]))
    got = np.asarray(sg.evaluate(h, point))
    want = fd_gradient(S.sum(g * C), x, point)
    np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-6)
