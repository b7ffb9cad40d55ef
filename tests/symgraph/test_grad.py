"""Reverse mode: grad, jacobian and hessian against SymPy, the CS231n worked
examples, and the size of gradient DAGs (no expression swell)."""

import math

import numpy as np
import pytest
import sympy as sp
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from strategies import dag_scale, expressions, real_sympy, safe_points

import symgraph as sg

SYMS = sg.symbols("x y z")
x, y, z = SYMS

_SETTINGS = settings(
    max_examples=80,
    deadline=None,
    suppress_health_check=[HealthCheck.filter_too_much, HealthCheck.too_slow],
)


def _sympy_at(expr, real, point):
    """Value of a SymPy expression (in real symbols) at a point {node: float}."""
    subs = {real[s.value]: sp.Float(v, 17) for s, v in point.items() if s.value in real}
    v = complex(expr.xreplace(subs).evalf(17))
    assert abs(v.imag) <= 1e-9 * max(1.0, abs(v.real)), (expr, v)
    return v.real


def _close(got, expected, scale=1.0):
    return math.isclose(got, expected, rel_tol=1e-7, abs_tol=1e-9 * max(1.0, scale))


# ----- against sympy.diff, numerically ---------------------------------------------------
@_SETTINGS
@given(st.data())
def test_grad_agrees_with_sympy_diff_at_random_points(data):
    f = data.draw(expressions(SYMS, max_depth=4), label="f")
    point = data.draw(safe_points(f, SYMS), label="point")
    grads = sg.grad(f, list(SYMS))
    s, real = real_sympy(f.to_sympy())
    for sym, g in zip(SYMS, grads):
        expected_expr = sp.diff(s, real[sym.value]) if sym.value in real else sp.S.Zero
        if expected_expr.has(sp.Derivative):
            continue  # SymPy left it unevaluated (e.g. sign(acos(u)))
        expected = _sympy_at(expected_expr, real, point)
        with np.errstate(all="ignore"):
            got = sg.evaluate(g, point)
        # rounding errors scale with the largest intermediate value
        scale = dag_scale([f, g], point)
        assert _close(got, expected, scale), (str(f), sym, str(g), got, expected)


# ----- against sympy.diff, symbolically (rational functions) ---------------------------
@settings(max_examples=60, deadline=None)
@given(expressions(SYMS, max_depth=3, rational=True))
def test_grad_is_symbolically_sympys_diff_on_rational_expressions(f):
    s = f.to_sympy()
    for sym, g in zip(SYMS, sg.grad(f, list(SYMS))):
        diff = sp.diff(s, sp.Symbol(sym.value)) - g.to_sympy()
        # for rational functions cancel() is a decision procedure (and cheap)
        assert sp.cancel(diff) == 0, (str(f), sym, str(g))


@pytest.mark.parametrize(
    "text",
    [
        "x**3*y - y/x",
        "(x + y)**2 * z",
        "1/(1 + x**2)",
        "x*y*z - x/y + 3",
        "((x - y)/(x + y))**2",
    ],
)
def test_grad_simplifies_to_sympys_diff(text):
    f = sg.parse(text)
    s = f.to_sympy()
    for sym, g in zip(SYMS, sg.grad(f, list(SYMS))):
        assert sp.simplify(sp.diff(s, sp.Symbol(sym.value)) - g.to_sympy()) == 0


def test_grad_of_transcendental_matches_sympy_symbolically():
    f = sg.parse("sin(x**2) * exp(y) + log(1 + z**2) + tanh(x*y)")
    s = f.to_sympy()
    for sym, g in zip(SYMS, sg.grad(f, list(SYMS))):
        assert sp.simplify(sp.diff(s, sp.Symbol(sym.value)) - g.to_sympy()) == 0


# ----- hessian and jacobian ------------------------------------------------------------
@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.filter_too_much]
)
@given(st.data())
def test_hessian_agrees_with_sympy_hessian(data):
    f = data.draw(expressions(SYMS, max_depth=3), label="f")
    point = data.draw(safe_points(f, SYMS), label="point")
    H = sg.hessian(f, list(SYMS))
    assert H.shape == (3, 3) and H.dtype == object
    s, real = real_sympy(f.to_sympy())
    syms = [real.get(v.value, sp.Symbol(v.value, real=True)) for v in SYMS]
    expected = sp.hessian(s, syms)
    with np.errstate(all="ignore"):
        got = sg.evaluate(H, point)
    for i in range(3):
        for j in range(3):
            if expected[i, j].has(sp.Derivative):
                continue
            e = _sympy_at(expected[i, j], real, point)
            scale = dag_scale([f, H[i, j]], point)
            assert _close(got[i, j], e, scale), (str(f), i, j, got[i, j], e)


def test_hessian_of_a_quadratic_is_exact():
    f = sg.parse("3*x**2 + 2*x*y - y**2 + z")
    H = sg.hessian(f, [x, y, z])
    assert H.shape == (3, 3)
    np.testing.assert_array_equal(
        sg.evaluate(H, {x: 1, y: 2, z: 3}), [[6, 2, 0], [2, -2, 0], [0, 0, 0]]
    )
    # symmetric as a DAG value and against sympy
    X, Y, Z = sp.symbols("x y z")
    assert sp.Matrix(sg.to_sympy(H).tolist()) == sp.hessian(f.to_sympy(), (X, Y, Z))


def test_jacobian_shapes_and_values():
    outs = [x * y, sg.sin(z), x + y + z]
    J = sg.jacobian(outs, [x, y, z])
    assert J.shape == (3, 3) and J.dtype == object
    got = sg.evaluate(J, {x: 2, y: 3, z: 0})
    np.testing.assert_allclose(got, [[3, 2, 0], [0, 0, 1], [1, 1, 1]])
    # object array outputs and wrt: shape outputs.shape + wrt.shape
    W = sg.symbols_array("w", (2, 3))
    F = np.array([[W[0, 0] * W[1, 2], sg.exp(W[0, 1])]], dtype=object)  # shape (1, 2)
    J2 = sg.jacobian(F, W)
    assert J2.shape == (1, 2, 2, 3)
    vals = {w: float(i + 1) for i, w in enumerate(W.ravel())}
    got2 = sg.evaluate(J2, vals)
    assert (
        got2[0, 0, 0, 0] == 6.0
        and got2[0, 0, 1, 2] == 1.0
        and got2[0, 1, 0, 1] == math.exp(2)
    )
    assert np.count_nonzero(got2) == 3
    # a single output and a single symbol
    assert sg.jacobian(x * x, [x]).shape == (1,)
    assert sg.jacobian(x * x, x).shape == (1,)
    assert sg.jacobian([x * y], np.array([x, y], dtype=object)).shape == (1, 2)
    # against sympy's Matrix.jacobian
    X, Y, Z = sp.symbols("x y z")
    M = sp.Matrix([o.to_sympy() for o in outs]).jacobian([X, Y, Z])
    assert sp.simplify(M - sp.Matrix(sg.to_sympy(J).tolist())) == sp.zeros(3, 3)


def test_gradient_wrt_a_symbol_not_in_the_expression_is_zero():
    w = sg.symbols("w")
    g = sg.grad(x * y, [x, w, y])
    assert g[1] is sg.parse("0")
    assert sg.evaluate(g, {x: 2, y: 3}) == [3.0, 0.0, 2.0]
    assert sg.grad(sg.parse("7"), [x]) == [sg.parse("0")]
    assert sg.grad(3, [x]) == [sg.parse("0")]
    # a symbol only inside a parameter or a condition gets zero too
    assert sg.grad(sg.where(w, x, y), [w])[0] is sg.parse("0")


def test_grad_wrt_object_array_returns_the_same_shape():
    W = sg.symbols_array("W", (2, 3))
    f = sum(((i + 1) * (j + 2)) * W[i, j] ** 2 for i in range(2) for j in range(3))
    G = sg.grad(f, W)
    assert isinstance(G, np.ndarray) and G.shape == (2, 3) and G.dtype == object
    vals = dict.fromkeys(W.ravel(), 1.0)
    np.testing.assert_allclose(sg.evaluate(G, vals), [[4, 6, 8], [8, 12, 16]])
    G0 = sg.grad(x, np.empty((0, 2), dtype=object))
    assert G0.shape == (0, 2)


@pytest.mark.parametrize("fn", [sg.grad, sg.jacobian, sg.hessian])
def test_a_symbol_given_twice_is_refused_by_every_derivative(fn):
    for wrt in ([x, x], "x, x", np.array([[x, y], [y, z]], dtype=object)):
        with pytest.raises(sg.DuplicateSymbolError, match=r"'[xy]' appears twice"):
            fn(x * y, wrt)


def test_grad_wrt_names():
    assert sg.grad(x * y, "x") == [y]
    assert sg.grad(x * y, "x, y") == sg.grad(x * y, "x y") == [y, x]


def test_grad_wrt_tuple_and_single_symbol():
    assert sg.grad(x * y, (x, y)) == [y, x]
    assert sg.grad(x * y, x) == [y]


# ----- CS231n worked examples --------------------------------------------------------
def test_cs231n_add_multiply_example():
    f = (x + y) * z
    assert sg.evaluate(f, {x: -2, y: 5, z: -4}) == -12.0
    assert sg.evaluate(sg.grad(f, [x, y, z]), {x: -2, y: 5, z: -4}) == [-4.0, -4.0, 3.0]


def test_cs231n_sigmoid_neuron_example():
    w0, w1, w2, x0, x1 = sg.symbols("w0 w1 w2 x0 x1")
    f = sg.sigmoid(w0 * x0 + w1 * x1 + w2)
    at = {w0: 2, w1: -3, w2: -3, x0: -1, x1: -2}
    assert math.isclose(sg.evaluate(f, at), 0.7310585786300049)
    dw = sg.evaluate(sg.grad(f, [w0, w1, w2]), at)
    dx = sg.evaluate(sg.grad(f, [x0, x1]), at)
    np.testing.assert_allclose(dw, [-0.19661193, -0.39322387, 0.19661193], atol=5e-9)
    np.testing.assert_allclose(dx, [0.39322387, -0.5898358], atol=5e-9)
    # the same with the sigmoid written out, as in the notes' circuit
    g = 1 / (1 + sg.exp(-(w0 * x0 + w1 * x1 + w2)))
    np.testing.assert_allclose(sg.evaluate(sg.grad(g, [w0, w1, w2, x0, x1]), at),
                               dw + dx, atol=5e-9)  # fmt: skip


# ----- no expression swell ---------------------------------------------------------------
SWELL_FACTOR = 4  # gradient DAG (forward included) <= 4x the forward DAG


@pytest.mark.parametrize("depth", [10, 100, 400])
def test_deep_shared_chain_has_no_swell(depth):
    x0 = sg.symbols("x0")
    xk = x0
    for _ in range(depth):
        xk = sg.sin(xk) * xk + x0
    forward = sg.count_nodes(xk)
    assert forward == 3 * depth + 1  # sin, mul, add per step, and x0
    g = sg.grad(xk, [x0])
    total = sg.count_nodes([xk] + g)
    assert total <= SWELL_FACTOR * forward, (total, forward, total / forward)
    # the gradient is right: compare with forward-mode by hand
    v, dv = 0.3, 1.0
    for _ in range(depth):
        v, dv = math.sin(v) * v + 0.3, (math.cos(v) * v + math.sin(v)) * dv + 1.0
    assert math.isclose(sg.evaluate(g[0], {x0: 0.3}), dv, rel_tol=1e-9)


def test_deep_chain_hessian_stays_linear():
    x0 = sg.symbols("x0")
    xk = x0
    for _ in range(200):
        xk = sg.sin(xk) * xk + x0
    forward = sg.count_nodes(xk)
    H = sg.hessian(xk, [x0])
    # each reverse sweep is a constant factor: the Hessian is a second one
    assert sg.count_nodes([xk, *H.ravel()]) <= SWELL_FACTOR**2 * forward


@pytest.mark.parametrize("hidden, inputs", [(3, 2), (8, 5)])
def test_scalarized_mlp_loss_has_no_swell(hidden, inputs):
    W1 = sg.symbols_array("W1", (hidden, inputs))
    W2 = sg.symbols_array("W2", (hidden,))
    X = sg.symbols_array("x", (inputs,))
    target = sg.symbols("target")
    h = [sg.tanh(sum(W1[i, j] * X[j] for j in range(inputs))) for i in range(hidden)]
    out = sum(W2[i] * h[i] for i in range(hidden))
    loss = (out - target) ** 2
    forward = sg.count_nodes(loss)
    wrt = list(W1.ravel()) + list(W2)
    grads = sg.grad(loss, wrt)
    total = sg.count_nodes([loss] + grads)
    assert total <= SWELL_FACTOR * forward, (total, forward, total / forward)
    # and the values are right (against a hand-written NumPy backward pass)
    rng = np.random.default_rng(0)
    w1, w2, xv, t = (
        rng.normal(size=(hidden, inputs)),
        rng.normal(size=hidden),
        rng.normal(size=inputs),
        0.7,
    )
    pre = w1 @ xv
    hv = np.tanh(pre)
    o = w2 @ hv
    dout = 2 * (o - t)
    dw2 = dout * hv
    dw1 = np.outer(dout * w2 * (1 - hv**2), xv)
    vals = {
        **dict(zip(W1.ravel(), w1.ravel())),
        **dict(zip(W2, w2)),
        **dict(zip(X, xv)),
        target: t,
    }
    got = sg.evaluate(grads, vals)
    np.testing.assert_allclose(got, list(dw1.ravel()) + list(dw2), rtol=1e-10)


def test_adjoints_reuse_forward_outputs():
    # exp' = exp: the gradient of exp(x) is the forward node itself
    e = sg.exp(x)
    assert sg.grad(e, [x])[0] is e
    # tanh' = 1 - tanh**2 is written with the forward tanh node
    from symgraph.traverse import toposort

    t = sg.tanh(x)
    assert t in toposort(sg.grad(t, [x]))
    assert sg.count_nodes([t] + sg.grad(t, [x])) == 6  # x, t, 1, 2, t**2, 1 - t**2


# ----- the sweep: rules, undefined partials, deep gates ---------------------------------
def test_a_chain_of_500_nested_where_differentiates_linearly_without_recursion():
    cs = sg.symbols(" ".join(f"c{i}" for i in range(500)))
    f = sg.sqrt(x)
    for i, c in enumerate(cs):
        f = sg.where(c, f, 3 * x) if i % 2 else sg.where(c, 2 * x, f)
    (g,) = sg.grad(f, [x])
    assert sg.count_nodes(g) <= 4 * sg.count_nodes(f)
    route = {f"c{i}": (1.0 if i % 2 else -1.0) for i in range(500)}  # down to sqrt
    with np.errstate(divide="ignore"):
        assert sg.evaluate(g, {**route, "x": 0.0}) == math.inf  # the taken sqrt'(0)
        assert sg.evaluate(g, {**route, "c0": 1.0, "x": 0.0}) == 2.0  # not poisoned
    h = 1e-6
    fd = (
        sg.evaluate(f, {**route, "x": 4 + h}) - sg.evaluate(f, {**route, "x": 4 - h})
    ) / (2 * h)
    assert math.isclose(sg.evaluate(g, {**route, "x": 4.0}), fd, rel_tol=1e-8)


def test_an_undefined_partial_raises_a_named_error_never_zero():
    from symgraph.opdef import OPS, UNDEFINED, defop

    defop(
        "floor_div_test",
        2,
        formula=lambda sp, a, b: sp.floor(a / b),
        numpy=lambda a, b: np.floor_divide(a, b),
        partials=lambda a, b, out: (sg.parse("0"), UNDEFINED),
        np_src="np.floor_divide({0}, {1})",
        numeric=lambda nm, a, b: nm.tensor(np.floor_divide(a, b)),
        doc="test op",
        public=False,
    )
    try:
        f = sg.parse("floor_div_test(x, y) + y")
        assert sg.grad(f, [x])[0] is sg.parse("0")  # y is not on x's path
        with pytest.raises(
            sg.UndefinedGradientError, match=r"floor_div_test.*argument 2 \(y\)"
        ):
            sg.grad(f, [y])
    finally:
        del OPS["floor_div_test"]


def test_heaviside_passes_its_value_at_zero_to_h0():
    (g,) = sg.grad(sg.heaviside(x, y), [y])
    assert sg.evaluate(g, {x: 0.0, y: 3.0}) == 1.0
    assert sg.evaluate(g, {x: 0.5, y: 3.0}) == 0.0
    assert sg.evaluate(g, {x: -0.5, y: 3.0}) == 0.0


def test_maximum_of_two_infinities_is_a_tie():
    g = sg.grad(sg.maximum(x, y), [x, y])
    assert sg.evaluate(g, {x: math.inf, y: math.inf}) == [0.5, 0.5]
    g = sg.grad(sg.parse("max(x, y, z)"), [x, y, z])
    assert sg.evaluate(g, {x: -math.inf, y: -math.inf, z: -math.inf}) == [1 / 3] * 3


def test_tie_partials_are_exactly_sympys_derivative():
    X, Y = sp.symbols("x y")
    for fn, ref in ((sg.maximum, sp.Max), (sg.minimum, sp.Min)):
        g = sg.grad(fn(x, y), [x, y])
        assert [d.to_sympy() for d in g] == [sp.diff(ref(X, Y), v) for v in (X, Y)]
