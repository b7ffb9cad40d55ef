"""The calculus-course functions (sec, csc, cot and their inverses, the
inverse and reciprocal hyperbolic functions, atan2, log2, log10, exp2,
log(x, b), logaddexp, logsumexp) end to end: textbook derivatives checked
with sympy.diff and simplify, the branches the registry's samplers do not
draw, the conventions at their edges, parse and SymPy round trips, and the
generated Python and C code against evaluate.

The registry tests (test_registry.py) check every partial of these ops
against sympy.diff, 50-digit finite differences and the numeric engine;
here each function is checked as a user meets it.
"""

import math
import warnings

import numpy as np
import pytest
import sympy as sp
from symgraph_codegen._codegen_helpers import CC, c_value_grad, compile_c, load
from sympy.codegen import cfunctions as cf

import symgraph as sg
from symgraph.opdef import OPS

x, y, z = sg.symbols("x y z")
X, Y = sp.symbols("x y")
T = sp.Symbol("t", positive=True)

NEW_OPS = ["sec", "csc", "cot", "asec", "acsc", "acot", "asinh", "acosh", "atanh",
           "sech", "csch", "coth", "asech", "acsch", "acoth", "atan2", "log2",
           "log10", "exp2", "logaddexp", "logsumexp"]  # fmt: skip


def _d(f, at, wrt=x):
    with np.errstate(all="ignore"):
        return sg.evaluate(sg.grad(f, [wrt])[0], at)


# ----- textbook derivatives, symbolically ---------------------------------------------
# (expression, d/dx as a calculus book writes it, x in terms of t > 0 inside the
# domain, where the two forms agree)
TEXTBOOK = [
    ("sec(x)", sp.sec(X) * sp.tan(X), X),
    ("csc(x)", -sp.csc(X) * sp.cot(X), X),
    ("cot(x)", -(sp.csc(X) ** 2), X),
    ("asec(x)", 1 / (sp.Abs(X) * sp.sqrt(X**2 - 1)), 1 + T),
    ("acsc(x)", -1 / (sp.Abs(X) * sp.sqrt(X**2 - 1)), 1 + T),
    ("acot(x)", -1 / (1 + X**2), X),
    ("asinh(x)", 1 / sp.sqrt(X**2 + 1), X),
    ("acosh(x)", 1 / sp.sqrt(X**2 - 1), 1 + T),
    ("atanh(x)", 1 / (1 - X**2), X),
    ("sech(x)", -sp.sech(X) * sp.tanh(X), X),
    ("csch(x)", -sp.csch(X) * sp.coth(X), X),
    ("coth(x)", -(sp.csch(X) ** 2), X),
    ("asech(x)", -1 / (X * sp.sqrt(1 - X**2)), 1 / (1 + T)),
    ("acsch(x)", -1 / (sp.Abs(X) * sp.sqrt(1 + X**2)), T),
    ("acoth(x)", 1 / (1 - X**2), 1 + T),
    ("log(x, 2)", 1 / (X * sp.log(2)), T),
    ("log2(x)", 1 / (X * sp.log(2)), T),
    ("log10(x)", 1 / (X * sp.log(10)), T),
    ("exp2(x)", 2**X * sp.log(2), X),
    ("logaddexp(x, y)", sp.exp(X) / (sp.exp(X) + sp.exp(Y)), X),
    ("logsumexp(x, y, 2)", sp.exp(X) / (sp.exp(X) + sp.exp(Y) + sp.exp(2)), X),
]


@pytest.mark.parametrize(
    "text, textbook, inside", TEXTBOOK, ids=[c[0] for c in TEXTBOOK]
)
def test_textbook_derivative_is_what_symgraph_gives(text, textbook, inside):
    f = sg.parse(text)
    ours = sg.grad(f, [x])[0].to_sympy()
    # SymPy's own derivative of the formula, and the book's, agree with ours
    for reference in (sp.diff(f.to_sympy(), X), textbook):
        gap = sp.expand_func(ours - reference).subs(X, inside)
        assert sp.simplify(gap) == 0, (text, ours, reference)


@pytest.mark.parametrize(
    "name, points",
    [
        ("asec", [-3.0, -1.5, -1.01, 1.01, 2.0]),
        ("acsc", [-3.0, -1.5, -1.01, 1.01, 2.0]),
        ("acoth", [-3.0, -1.5, -1.01, 1.01, 2.0]),
        ("acsch", [-2.0, -1e-3, 1e-3, 0.5]),
        ("acot", [-2.0, -0.1, 0.1, 2.0]),
        ("atanh", [-0.999, -0.3, 0.3, 0.999]),
        ("asinh", [-1e8, -3.0, -1e-9, 1e-9, 3.0]),
    ],
)
def test_derivative_on_every_branch_matches_sympy(name, points):
    """Including x < -1 for asec, acsc and acoth, which the samplers of the
    registry tests (one interval per argument) do not draw."""
    f = OPS[name]
    node = getattr(sg, name)(x)
    dexpr = sp.diff(f.formula(sp, X), X)
    for p in points:
        expected = complex(dexpr.subs(X, sp.Float(p, 30)).evalf(30))
        assert abs(expected.imag) < 1e-12
        got = _d(node, {x: p})
        assert math.isclose(got, expected.real, rel_tol=1e-12), (name, p, got)
        value = complex(f.formula(sp, sp.Float(p, 30)).evalf(30)).real
        assert math.isclose(sg.evaluate(node, {x: p}), value, rel_tol=1e-13)


def test_atan2_partials_in_every_quadrant():
    g = sg.grad(sg.atan2(y, x), [y, x])
    for px, py in [(1.0, 2.0), (-1.0, 2.0), (-1.0, -2.0), (1.0, -2.0), (-3.0, 0.5)]:
        r2 = px * px + py * py
        dy, dx = sg.evaluate(g, {x: px, y: py})
        assert math.isclose(dy, px / r2, rel_tol=1e-15)
        assert math.isclose(dx, -py / r2, rel_tol=1e-15)
        assert sg.evaluate(sg.atan2(y, x), {x: px, y: py}) == math.atan2(py, px)


# ----- conventions at the edges -----------------------------------------------------------
def test_atan2_gradient_at_the_origin_is_zero_in_every_engine():
    """PyTorch's convention (since its fix of NaN atan2 gradients at (0, 0))."""
    f = sg.atan2(y, x)
    with np.errstate(invalid="ignore"):  # the branch not taken computes 0/0
        assert sg.evaluate(sg.grad(f, [y, x]), {x: 0.0, y: 0.0}) == [0.0, 0.0]
    assert sg.evaluate(f, {x: 0.0, y: 0.0}) == 0.0
    assert sg.evaluate(f, {x: -1.0, y: -0.0}) == -math.pi  # NumPy's signed zero
    report = sg.check(f, [y, x], at={x: 0.0, y: 0.0})
    np.testing.assert_array_equal(report.points[0].numeric, [0.0, 0.0])
    np.testing.assert_array_equal(report.points[0].symbolic, [0.0, 0.0])
    # the gate keeps the origin from poisoning a gradient through atan2
    h = sg.atan2(sg.sin(y), x * x) * 3
    with np.errstate(invalid="ignore"):
        assert sg.evaluate(sg.grad(h, [y, x]), {x: 0.0, y: 0.0}) == [0.0, 0.0]


def test_atan2_at_the_origin_matches_torch():
    torch = pytest.importorskip("torch")
    ty = torch.tensor(0.0, requires_grad=True)
    tx = torch.tensor(0.0, requires_grad=True)
    torch.atan2(ty, tx).backward()
    with np.errstate(invalid="ignore"):
        got = sg.evaluate(sg.grad(sg.atan2(y, x), [y, x]), {x: 0.0, y: 0.0})
    assert got == [float(ty.grad), float(tx.grad)]


@pytest.mark.parametrize(
    "name, at, expected",
    [("acosh", 1.0, math.inf), ("asech", 1.0, -math.inf), ("asec", 1.0, math.inf),
     ("asec", -1.0, math.inf), ("acsc", 1.0, -math.inf), ("atanh", 1.0, math.inf),
     ("acot", 0.0, -1.0)],
)  # fmt: skip
def test_derivative_at_the_edge_of_the_domain(name, at, expected):
    assert _d(getattr(sg, name)(x), {x: at}) == expected


def test_acot_branch_and_jump_at_zero():
    f = sg.acot(x)
    assert sg.evaluate(f, {x: 0.0}) == math.pi / 2  # SymPy's acot(0) = pi/2
    assert float(sp.acot(0)) == math.pi / 2
    assert sg.evaluate(f, {x: -1e-300}) == pytest.approx(-math.pi / 2)
    assert sg.evaluate(f, {x: -1.0}) == pytest.approx(-math.pi / 4)


def test_logsumexp_is_stable_and_its_gradient_is_softmax():
    f = sg.logsumexp(x, y, z)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no overflow warning either
        assert sg.evaluate(f, {x: 1000.0, y: 1000.0, z: -1000.0}) == pytest.approx(
            1000.0 + math.log(2)
        )
        g = sg.evaluate(sg.grad(f, [x, y, z]), {x: 1000.0, y: 999.0, z: -1000.0})
    e = np.exp(np.array([1000.0, 999.0, -1000.0]) - 1000.0)
    # exp(x_i - out) (PyTorch's formula too): out = 1000.31... carries a
    # rounding error of 1e-13, which the weights inherit
    np.testing.assert_allclose(g, e / e.sum(), rtol=1e-12)
    # scipy agrees on the value, and the numeric engine on the gradient
    scipy_special = pytest.importorskip("scipy.special")
    point = {x: 0.3, y: -1.2, z: 2.5}
    assert sg.evaluate(f, point) == pytest.approx(
        scipy_special.logsumexp([0.3, -1.2, 2.5]), rel=1e-15
    )
    assert sg.check(f, [x, y, z], at=point).ok
    # two entries are logaddexp, as in the parser
    assert sg.logsumexp(x, y) is sg.logaddexp(x, y) is sg.parse("logsumexp(x, y)")
    assert sg.parse("logaddexp(x, y, z)") is f is sg.logsumexp(np.array([x, y, z]))
    with pytest.raises(TypeError, match="at least 2"):
        sg.logsumexp(x)


def test_sech_and_csch_do_not_overflow():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert sg.evaluate(sg.sech(x), {x: 1000.0}) == 0.0
        assert sg.evaluate(sg.csch(x), {x: -1000.0}) == -0.0
        assert _d(sg.sech(x), {x: 800.0}) == -0.0
    assert sg.evaluate(sg.csch(x), {x: 1e-300}) == pytest.approx(1e300, rel=1e-15)


def test_three_way_check_on_a_mixed_expression():
    f = sg.parse(
        "sec(x) * acosh(y + 2) + atanh(x / 3) * coth(y + 2) + log(x**2 + 1, 10)"
    )
    report = sg.check(f, [x, y], at=[{x: 0.4, y: 0.3}, {x: -1.1, y: 0.9}])
    assert report.ok, str(report)


# ----- names, parsing and the SymPy bridge ----------------------------------------------------
@pytest.mark.parametrize(
    "alias, name",
    [("arcsec", "asec"), ("arccsc", "acsc"), ("arccot", "acot"), ("cosec", "csc"),
     ("arcsinh", "asinh"), ("arccosh", "acosh"), ("arctanh", "atanh"),
     ("arsinh", "asinh"), ("arcosh", "acosh"), ("artanh", "atanh"),
     ("arcsech", "asech"), ("arccsch", "acsch"), ("arccoth", "acoth"),
     ("arctan2", "atan2")],
)  # fmt: skip
def test_aliases_parse_to_the_op(alias, name):
    args = "y, x" if name == "atan2" else "x"
    assert sg.parse(f"{alias}({args})").op == name


def test_log_with_a_base_is_sympys_form_and_round_trips():
    f = sg.parse("log(x, 2)")
    assert f is sg.log(x) / sg.log(2)
    assert f.to_sympy() == sp.log(X, 2)
    assert sg.from_sympy(sp.log(X, 2)) is f
    assert sg.parse("log(x, b)").to_sympy() == sp.log(X, sp.Symbol("b"))
    assert sg.evaluate(f, {x: 8.0}) == pytest.approx(3.0, rel=1e-15)
    with pytest.raises(sg.ParseError, match="takes 1 or 2 arguments, got 3"):
        sg.parse("log(x, 2, 3)")


SYMPY_CLASSES = [
    (sp.sec(X), "sec"), (sp.csc(X), "csc"), (sp.cot(X), "cot"),
    (sp.asec(X), "asec"), (sp.acsc(X), "acsc"), (sp.acot(X), "acot"),
    (sp.asinh(X), "asinh"), (sp.acosh(X), "acosh"), (sp.atanh(X), "atanh"),
    (sp.sech(X), "sech"), (sp.csch(X), "csch"), (sp.coth(X), "coth"),
    (sp.asech(X), "asech"), (sp.acsch(X), "acsch"), (sp.acoth(X), "acoth"),
    (sp.atan2(Y, X), "atan2"), (cf.log2(X), "log2"), (cf.log10(X), "log10"),
    (cf.exp2(X), "exp2"),
]  # fmt: skip


@pytest.mark.parametrize("expr, name", SYMPY_CLASSES, ids=[c[1] for c in SYMPY_CLASSES])
def test_from_sympy_reads_sympys_class_and_round_trips(expr, name):
    node = sg.from_sympy(expr)
    assert node.op == name
    assert node.to_sympy() == expr
    assert sg.parse(str(node)) is node


def test_exact_folds_of_the_new_ops():
    assert sg.log2(8) is sg.parse("3") and sg.log10(sg.parse("1/100")) is sg.parse("-2")
    assert sg.exp2(-2) is sg.parse("1/4") and sg.sec(0) is sg.parse("1")
    assert sg.atan2(0, 0) is sg.parse("0")  # NumPy's atan2(0, 0); SymPy's is nan
    assert sg.log2(3).op == "log2" and sg.acosh(1) is sg.parse("0")


def test_print_and_parse_round_trip_of_every_new_op():
    a = sg.symbols("a")
    for name in NEW_OPS:
        node = sg.parse(f"{name}({', '.join('abc'[: OPS[name].nargs])})")
        e = node * a + 2
        assert sg.parse(str(e)) is e, str(e)


# ----- generated code ----------------------------------------------------------------------
def _mixed():
    """Every new op once, with arguments inside each domain."""
    u = x * x + 1  # >= 1
    return sg.parse(
        "sec(x) + csc(y + 3) + cot(y + 3) + asec(u + 1) + acsc(u + 1) + acot(x)"
        " + asinh(x * y) + acosh(u + 1) + atanh(tanh(x) / 2) + sech(y) + csch(y + 3)"
        " + coth(y + 3) + asech(1 / (u + 1)) + acsch(y + 3) + acoth(u + 1)"
        " + atan2(y, x) + log2(u) + log10(u) + exp2(y) + logaddexp(x, y)"
        " + logsumexp(x, y, 2 * x)",
        symbols={"x": x, "y": y, "u": u},
    )


POINTS = np.array([[0.3, -0.7], [-1.2, 0.4], [2.0, 1.5], [-0.1, -2.2]])


def _reference(f):
    values = [sg.evaluate(f, {x: px, y: py}) for px, py in POINTS]
    grads = np.array(
        [sg.evaluate(sg.grad(f, [x, y]), {x: px, y: py}) for px, py in POINTS]
    )
    return np.array(values), grads.T


def test_generated_python_matches_evaluate(tmp_path):
    f = _mixed()
    mod = load(sg.codegen(f, [x, y]), tmp_path)
    value, grads = mod.f_grad(POINTS[:, 0], POINTS[:, 1])
    ref_value, ref_grads = _reference(f)
    np.testing.assert_allclose(value, ref_value, rtol=1e-13)
    np.testing.assert_allclose(np.array(grads), ref_grads, rtol=1e-12)


@pytest.mark.skipif(CC is None, reason="no C compiler (cc/gcc) on PATH")
def test_generated_c_compiles_and_matches_evaluate(tmp_path):
    f = _mixed()
    lib = compile_c(sg.codegen(f, [x, y], target="c"), tmp_path)
    value, grads = c_value_grad(lib, "f", POINTS, 2)
    ref_value, ref_grads = _reference(f)
    np.testing.assert_allclose(value, ref_value, rtol=1e-12)
    np.testing.assert_allclose(grads, ref_grads, rtol=1e-11)


@pytest.mark.skipif(CC is None, reason="no C compiler (cc/gcc) on PATH")
def test_generated_c_keeps_the_conventions(tmp_path):
    f = sg.atan2(y, x) + sg.acot(x) + sg.logsumexp(x, y, 1000 * y)
    src = sg.codegen(f, [x, y], target="c")
    assert "atan2(y, x) at the origin: both partials 0" in src
    lib = compile_c(src, tmp_path)
    value, grads = c_value_grad(lib, "f", np.array([[0.0, 0.0], [0.0, 1.0]]), 2)
    # at the origin: atan2 gives 0, acot(0) = pi/2 with slope -1, and
    # logsumexp(0, 0, 0) = log 3 with weights 1/3 each
    assert value[0] == pytest.approx(math.pi / 2 + math.log(3), rel=1e-15)
    np.testing.assert_allclose(grads[:, 0], [-1 + 1 / 3, 1 / 3 + 1000 / 3], rtol=1e-14)
    # y = 1: logsumexp(0, 1, 1000) without overflow, all weight on 1000 * y
    assert value[1] == pytest.approx(math.pi / 2 + math.pi / 2 + 1000.0, rel=1e-15)
    assert np.all(np.isfinite(grads))


def test_log_to_a_base_from_python_is_the_parsers_and_sympys():
    import sympy

    x, b = sg.symbols("x b")
    assert sg.log(x, 2) is sg.parse("log(x, 2)")
    assert sg.log(x) is sg.parse("log(x)")
    (d,) = sg.grad(sg.log(x, b), [x])
    X, B = sympy.symbols("x b")
    assert sympy.simplify(sg.to_sympy(d) - sympy.diff(sympy.log(X, B), X)) == 0
    # elementwise over an object array, and on a tensor to a number base
    a = sg.symbols_array("a", 2)
    assert [str(e) for e in sg.log(a, 10)] == [
        "log(a_0) / log(10)",
        "log(a_1) / log(10)",
    ]
    V = sg.tensors("V:3")
    f = sg.lambdify([V], sg.sum(sg.log(V, 2)))
    v = np.array([1.0, 2.0, 8.0])
    assert np.isclose(f(v), np.sum(np.log2(v)))
