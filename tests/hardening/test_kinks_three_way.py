"""The conventions at non-differentiable points, held three ways exactly.

At every kink of every op the symbolic engine (``sg.grad`` then
``sg.evaluate``, and ``sg.lambdify`` of the same gradient), the numeric engine
(``nm.grad``, and the graph layer ``G.gradients`` where it has the op) and
generated code (``sg.codegen``'s ``f_grad``) must give the documented value,
bit for bit:

relu'(0) = 0; leaky_relu'(0) = slope; elu'(0) = alpha; abs'(0) = 0;
maximum/minimum at a tie: 1/2 each; reduce max with ties: split evenly;
max_pool2d ties: all to the first in row-major order; sqrt'(0) = +inf;
atan2 at the origin: 0 for both partials (PyTorch 2.x).

The expected values are the documented table, written out here: an
independent reference for all three.
"""

import numpy as np
import pytest

import numeric as nm
import numeric.graph as G
import symgraph as sg

x, y = sg.symbols("x y")


def _codegen_grad(f, wrt, point):
    """Gradient from the generated module's ``f_grad`` (exec of our own output)."""
    codegen = getattr(sg, "codegen", None)
    if codegen is None:
        pytest.skip("sg.codegen does not exist yet")
    namespace = {}
    source = codegen(f, wrt, name="k")  # our own generated code, not user text
    exec(compile(source, "<codegen>", "exec"), namespace)
    _value, grads = namespace["k_grad"](*point)
    return np.array([np.asarray(g, dtype=float) for g in grads])


def _symbolic_three(f, wrt, point):
    """(evaluate, lambdify, codegen) gradients of ``f`` at ``point``."""
    g = sg.grad(f, wrt)
    at = dict(zip(wrt, point))
    by_evaluate = np.array([float(sg.evaluate(gi, at)) for gi in g])
    by_lambdify = np.array(sg.lambdify(wrt, g)(*point), dtype=float)
    by_codegen = _codegen_grad(f, wrt, point)
    return by_evaluate, by_lambdify, by_codegen


def _graph_grad(build, point):
    """Gradient through the TF1-style graph layer (placeholders at ``point``)."""
    with G.Graph().as_default():
        ps = [G.placeholder((), name=f"p{i}") for i in range(len(point))]
        loss = build(*ps)
        grads = G.gradients(loss, ps)
        with G.Session() as sess:
            out = sess.run(grads, {p: np.float64(v) for p, v in zip(ps, point)})
    return np.array(out, dtype=float)


# (id, symbolic f of (x, y), numeric fn of (x, y), graph fn or None, point,
#  the documented gradient)
UNARY = [
    ("relu_at_0", sg.relu(x), nm.relu, G.relu, 0.0, 0.0),
    ("leaky_relu_default_at_0", sg.leaky_relu(x), nm.leaky_relu,
     G.leaky_relu, 0.0, 0.01),
    ("leaky_relu_0.2_at_0", sg.leaky_relu(x, 0.2),
     lambda v: nm.leaky_relu(v, 0.2), lambda v: G.leaky_relu(v, 0.2), 0.0, 0.2),
    ("elu_default_at_0", sg.elu(x), nm.elu, G.elu, 0.0, 1.0),
    ("elu_0.5_at_0", sg.elu(x, 0.5), lambda v: nm.elu(v, 0.5),
     lambda v: G.elu(v, 0.5), 0.0, 0.5),
    ("abs_at_0", sg.abs(x), nm.abs, G.abs, 0.0, 0.0),
    ("abs_at_minus_0", sg.abs(x), nm.abs, G.abs, -0.0, 0.0),
    ("relu_at_minus_0", sg.relu(x), nm.relu, G.relu, -0.0, 0.0),
]  # fmt: skip


@pytest.mark.parametrize(
    "f, num, graph_fn, at, expected",
    [c[1:] for c in UNARY],
    ids=[c[0] for c in UNARY],
)
def test_unary_kink_convention_three_ways(f, num, graph_fn, at, expected):
    with np.errstate(all="raise"):
        for got in _symbolic_three(f, [x], (at,)):
            assert got.tolist() == [expected]
        assert float(nm.grad(num)(np.float64(at))) == expected
        assert _graph_grad(graph_fn, (at,)).tolist() == [expected]


@pytest.mark.parametrize("at", [0.0, 1.5, -2.0])
def test_maximum_minimum_tie_half_each_three_ways(at):
    for sym, num, graph_fn in [
        (sg.maximum, nm.maximum, G.maximum),
        (sg.minimum, nm.minimum, G.minimum),
    ]:
        with np.errstate(all="raise"):
            for got in _symbolic_three(sym(x, y), [x, y], (at, at)):
                assert got.tolist() == [0.5, 0.5]
            g = nm.grad(num, argnums=(0, 1))(np.float64(at), np.float64(at))
            assert [float(v) for v in g] == [0.5, 0.5]
            assert _graph_grad(graph_fn, (at, at)).tolist() == [0.5, 0.5]


def test_parsed_max_min_tie_half_each():
    with np.errstate(all="raise"):
        for text in ("max(x, y)", "min(x, y)"):
            for got in _symbolic_three(sg.parse(text), [x, y], (3.0, 3.0)):
                assert got.tolist() == [0.5, 0.5]


def test_atan2_at_the_origin_has_zero_partials_three_ways():
    # PyTorch 2.x: atan2's backward at (0, 0) is (0, -0); symgraph's atan2 and
    # numeric's arctan2 agree
    with np.errstate(invalid="ignore", divide="ignore"):  # 0/0 in the branch not taken
        for got in _symbolic_three(sg.atan2(x, y), [x, y], (0.0, 0.0)):
            assert got.tolist() == [0.0, 0.0]
        g = nm.grad(nm.arctan2, argnums=(0, 1))(np.float64(0.0), np.float64(0.0))
        assert [float(v) for v in g] == [0.0, 0.0]
    with np.errstate(all="raise"):  # away from the origin: x/r2 and -y/r2
        g = nm.grad(nm.arctan2, argnums=(0, 1))(np.float64(1.0), np.float64(2.0))
        assert np.allclose([float(v) for v in g], [2 / 5, -1 / 5])


def test_sqrt_at_zero_is_plus_inf_three_ways():
    with np.errstate(divide="ignore"):
        for got in _symbolic_three(sg.sqrt(x), [x], (0.0,)):
            assert got.tolist() == [np.inf]
        assert float(nm.grad(nm.sqrt)(np.float64(0.0))) == np.inf
        assert _graph_grad(G.sqrt, (0.0,)).tolist() == [np.inf]


@pytest.mark.parametrize(
    "values, expected",
    [
        ([1.0, 3.0, 3.0, 2.0, 3.0], [0, 1 / 3, 1 / 3, 0, 1 / 3]),
        ([2.0, 2.0], [0.5, 0.5]),
        ([-1.0, -1.0, -1.0, -1.0], [0.25] * 4),
        ([0.0, 5.0], [0.0, 1.0]),
    ],
)
def test_reduce_max_ties_split_evenly_numeric_and_graph(values, expected):
    a = np.array(values)
    with np.errstate(all="raise"):
        np.testing.assert_array_equal(nm.grad(nm.max)(a), expected)
        with G.Graph().as_default():
            p = G.placeholder((len(values),), name="v")
            (g,) = G.gradients(G.reduce_max(p), [p])
            with G.Session() as sess:
                np.testing.assert_array_equal(sess.run(g, {p: a}), expected)


def test_reduce_max_of_two_tied_matches_symbolic_maximum():
    # For two entries a reduce max is one maximum(): the engines must agree.
    a = np.array([4.0, 4.0])
    with np.errstate(all="raise"):
        numeric_grad = nm.grad(nm.max)(a)
        for got in _symbolic_three(sg.maximum(x, y), [x, y], tuple(a)):
            np.testing.assert_array_equal(got, numeric_grad)


@pytest.mark.parametrize("point", [(1.0, 1.0, 1.0), (1.0, 2.0, 2.0), (5.0, -1.0, 5.0)])
def test_parsed_nary_max_ties_split_evenly_like_reduce_max(point):
    z = sg.symbols("z")
    g = sg.grad(sg.parse("max(x, y, z)"), [x, y, z])
    assert (
        sg.parse("max(x, y, z)").op == "max"
    )  # the n-ary reduction, not nested maximum
    with np.errstate(all="raise"):
        numeric_grad = nm.grad(nm.max)(np.array(point))
        for got in _symbolic_three(sg.parse("max(x, y, z)"), [x, y, z], point):
            np.testing.assert_array_equal(got, numeric_grad)
    got = [float(sg.evaluate(gi, dict(zip((x, y, z), point)))) for gi in g]
    np.testing.assert_array_equal(got, numeric_grad)


# ----- max_pool2d: ties go to the first entry in row-major order ---------------
POOL_CASES = [
    # (input H x W, window, stride)
    (np.ones((2, 2)), 2, None),
    (np.array([[1.0, 5.0], [5.0, 5.0]]), 2, None),
    (np.array([[0.0, 0.0, 0.0], [0.0, 0.0, 0.0], [0.0, 0.0, 0.0]]), 2, 1),
    (np.array([[3.0, 1.0, 3.0, 3.0], [2.0, 3.0, 3.0, 0.0],
               [7.0, 7.0, -1.0, -1.0], [7.0, 7.0, -1.0, -1.0]]), 2, None),
    (np.array([[1.0, 2.0, 2.0], [2.0, 2.0, 1.0]]), (2, 3), None),
]  # fmt: skip


def _first_max_reference(a, size, stride):
    """Loops: each window's upstream weight goes to its first maximal entry."""
    kh, kw = (size, size) if isinstance(size, int) else size
    sh, sw = (kh, kw) if stride is None else ((stride, stride))
    out_h, out_w = (a.shape[0] - kh) // sh + 1, (a.shape[1] - kw) // sw + 1
    weights = np.arange(1.0, out_h * out_w + 1).reshape(out_h, out_w)
    grad = np.zeros_like(a)
    for i in range(out_h):
        for j in range(out_w):
            win = a[i * sh : i * sh + kh, j * sw : j * sw + kw]
            r, c = divmod(int(np.argmax(win)), kw)  # argmax: first in row-major
            grad[i * sh + r, j * sw + c] += weights[i, j]
    return weights, grad


@pytest.mark.parametrize("case", range(len(POOL_CASES)))
def test_max_pool2d_ties_to_first_three_ways(case):
    a, size, stride = POOL_CASES[case]
    weights, expected = _first_max_reference(a, size, stride)
    X = sg.symbols_array("X", a.shape)
    L = sum((weights * sg.max_pool2d(X, size, stride)).ravel())
    wrt = list(X.ravel())
    with np.errstate(all="raise"):
        for got in _symbolic_three(L, wrt, tuple(a.ravel())):
            np.testing.assert_array_equal(got.reshape(a.shape), expected)
        num = nm.grad(lambda v: nm.sum(nm.max_pool2d(v, size, stride) * weights))
        np.testing.assert_array_equal(num(a[None, None])[0, 0], expected)
        values = sg.evaluate(sg.max_pool2d(X, size, stride), dict(zip(wrt, a.ravel())))
        np.testing.assert_array_equal(
            values, nm.max_pool2d(nm.tensor(a[None, None]), size, stride).data[0, 0]
        )
