"""The op registry, op by op: parametrized over the declarations in
``symgraph.opdef.OPS``, so an op declared later is tested here without a new
test.

* a declaration holds every field some consumer needs (parser, printer,
  bridge, code generators, the numeric cross-check, teaching views);
* the hand-written local partials the reverse sweep uses agree, away from
  kinks, with three independent references: ``sympy.diff`` of the op's
  formula, central differences of the formula at 50 digits (mpmath through
  SymPy's ``evalf``), and the numeric engine's reverse mode on the op's
  numeric counterpart;
* the op's NumPy function agrees with its SymPy formula lambdified by SymPy
  itself, kinks included;
* the subgradient conventions at kinks, exactly.
"""

import math
import re
import warnings

import numpy as np
import pytest
import sympy as sp
from hypothesis import given, settings
from hypothesis import strategies as st
from strategies import op_arguments

import numeric as nm
import symgraph as sg
from symgraph.node import make
from symgraph.opdef import OPS, UNDEFINED
from symgraph.ops import formula_of, partials_of
from symgraph.parse import FUNCTIONS

ALL_OPS = sorted(OPS)
A = sg.symbols("a0 a1 a2")
ARGS = sp.symbols("a0:3", real=True)


def _formula(op):
    return formula_of(op, ARGS[: op.nargs])


def _sympy_value(expr, vals, digits=15):
    v = complex(expr.subs(dict(zip(ARGS, vals))).evalf(digits))
    assert abs(v.imag) <= 1e-12 * max(1.0, abs(v.real)), (expr, vals, v)
    return v.real


def _apply(name):
    op = OPS[name]
    node = make(name, *A[: op.nargs])
    assert node.op == name  # symbols never fold
    return node


# ----- the declaration is complete ---------------------------------------------------
@pytest.mark.parametrize("name", ALL_OPS)
def test_declaration_has_every_field_its_consumers_need(name):
    op = OPS[name]
    assert op.name == name and op.nargs in (0, 1, 2, 3)
    # the bridge and the partials checks: a SymPy formula of the arguments
    f = _formula(op)
    assert isinstance(f, sp.Basic)
    assert f.free_symbols <= set(ARGS[: op.nargs])
    if op.sympy_class is not None:
        from sympy.codegen import cfunctions

        assert hasattr(sp, op.sympy_class) or hasattr(cfunctions, op.sympy_class)
    # evaluate and lambdify: a NumPy function; the sweep: one partial per argument
    assert callable(op.numpy)
    parts = partials_of(name, A[: op.nargs], _apply(name))
    assert len(parts) == op.nargs
    assert all(p is UNDEFINED or isinstance(p, sg.Node) for p in parts)
    # generated code: templates with every argument, and the helpers they call
    for template, helpers, pattern in (
        (op.np_src, op.py_helpers, r"\b(_[a-z]\w*)\("),
        (op.c_template, op.c_helpers, r"\b([a-z]\w*_)\("),
    ):
        used = range(2) if op.variadic else range(op.nargs)
        assert all(f"{{{i}}}" in template for i in used), (name, template)
        called = set(re.findall(pattern, template))
        assert called == {h.name for h in helpers}, (name, called, helpers)
        for h in helpers:
            assert h.name in h.source
    # the numeric cross-check, the samplers, the docs and the parser
    assert callable(op.numeric)
    assert op.doc
    assert len(op.domain) == op.nargs and all(lo < hi for lo, hi in op.domain)
    assert len(op.defaults) <= op.nargs
    assert len(op.arg_names) == op.nargs
    if op.nargs == 0:  # a named constant: the parser reads its name
        assert sg.parse(name).op == name
    elif op.infix is None:
        assert name in FUNCTIONS and all(a in FUNCTIONS for a in op.aliases)
    else:
        assert op.precedence is not None
    # an op with a convention to state has kinks declared, and the reverse
    if op.kinks is not None:
        assert op.note, f"{name} has kinks but states no convention"
    assert isinstance(op.gate, str)


def test_wrapper_of_every_public_op_is_exported_with_its_signature():
    for op in OPS.values():
        if not op.public:
            continue
        assert op.name in sg.__all__ and callable(getattr(sg, op.name))
        fn = sg._FUNCTIONS[
            op.name
        ]  # the generated function (sg.logsumexp also takes tensors)
        params = list(__import__("inspect").signature(fn).parameters)
        if op.variadic:  # a reduction over every entry of its arguments
            assert params == ["xs"]
            assert fn(*A[:3]).op == op.name and fn(np.array(A[:3])) is fn(*A[:3])
            continue
        assert params == list(op.arg_names)
        assert fn(*A[: op.nargs - len(op.defaults)]).op == op.name


# ----- the partials against three independent references -----------------------------
def _partial_values(name, vals):
    op = OPS[name]
    node = _apply(name)
    parts = partials_of(name, node.args, node)
    point = dict(zip(A[: op.nargs], vals))
    out = []
    with np.errstate(all="ignore"):
        for part in parts:
            out.append(None if part is UNDEFINED else sg.evaluate(part, point))
    return out


@pytest.mark.parametrize("name", ALL_OPS)
@settings(max_examples=20, deadline=None)
@given(data=st.data())
def test_local_partials_agree_with_sympy_diff(name, data):
    """The hand-written partials equal sympy.diff(formula) away from kinks."""
    op = OPS[name]
    vals = data.draw(op_arguments(name))
    f = _formula(op)
    for i, got in enumerate(_partial_values(name, vals)):
        expected_expr = sp.diff(f, ARGS[i])
        if got is None:
            continue  # UNDEFINED: no partial to compare
        expected = _sympy_value(expected_expr, vals)
        assert math.isclose(got, expected, rel_tol=1e-9, abs_tol=1e-12), (
            name, i, vals, expected_expr, got, expected
        )  # fmt: skip


@pytest.mark.parametrize("name", ALL_OPS)
@settings(max_examples=8, deadline=None)
@given(data=st.data())
def test_local_partials_agree_with_high_precision_finite_differences(name, data):
    """Central differences of the formula at 50 digits, step 1e-20: an
    estimate independent of any derivative rule."""
    op = OPS[name]
    vals = data.draw(op_arguments(name))
    f = _formula(op)
    h = sp.Rational(1, 10**20)
    for i, got in enumerate(_partial_values(name, vals)):
        if got is None:
            continue
        point = {a: sp.Float(v, 50) for a, v in zip(ARGS, vals)}
        up, down = dict(point), dict(point)
        up[ARGS[i]] += h
        down[ARGS[i]] -= h
        estimate = (f.subs(up).evalf(50) - f.subs(down).evalf(50)) / (2 * h)
        expected = float(sp.re(estimate))
        assert math.isclose(got, expected, rel_tol=1e-9, abs_tol=1e-12), (
            name, i, vals, got, expected
        )  # fmt: skip


@pytest.mark.parametrize("name", ALL_OPS)
@settings(max_examples=10, deadline=None)
@given(data=st.data())
def test_local_partials_agree_with_the_numeric_engines_reverse_mode(name, data):
    """The numeric engine differentiates the op's counterpart with its own
    VJP rules; no code is shared with symgraph's partials."""
    op = OPS[name]
    vals = data.draw(op_arguments(name))
    inputs = [np.float64(v) for v in vals]
    argnums = tuple(range(op.nargs))
    if not argnums:  # a named constant: its value, and no partials
        assert op.numeric(nm) == op.numpy() == float(_formula(op))
        return
    with np.errstate(all="ignore"):
        grads = nm.grad(lambda *xs: op.numeric(nm, *xs), argnums=argnums)(*inputs)
    for i, got in enumerate(_partial_values(name, vals)):
        if got is None:
            continue
        expected = float(np.asarray(grads[i]))
        assert math.isclose(got, expected, rel_tol=1e-9, abs_tol=1e-12), (
            name, i, vals, got, expected
        )  # fmt: skip


# ----- the NumPy function --------------------------------------------------------------
@pytest.mark.parametrize("name", ALL_OPS)
@settings(max_examples=25, deadline=None)
@given(data=st.data())
def test_numpy_function_agrees_with_sympy_formula(name, data):
    """op.numpy == sympy.lambdify(formula) at random points, kinks included."""
    op = OPS[name]
    vals = data.draw(op_arguments(name, at_kinks=True))
    f = sp.lambdify(ARGS[: op.nargs], _formula(op), modules="numpy")
    with warnings.catch_warnings(), np.errstate(all="ignore"):
        warnings.simplefilter("ignore")
        expected = float(f(*[np.float64(v) for v in vals]))
        got = float(op.numpy(*[np.float64(v) for v in vals]))
    if _at_singular_point(op, vals):
        # often infinite or undefined there, and the two may say which
        # differently: SymPy's lambdified acsch(-0.0) is log(inf - inf) = nan,
        # NumPy's arcsinh(1 / -0.0) is -inf (as C's asinh is)
        assert got == expected or not (math.isfinite(got) or math.isfinite(expected)), (
            name, vals, got, expected
        )  # fmt: skip
        return
    # abs_tol: the formulas cancel (exp(x) - 1) where NumPy uses expm1
    close = math.isclose(got, expected, rel_tol=1e-10, abs_tol=1e-14) or (
        math.isnan(got) and math.isnan(expected)
    )
    if not close:
        # the lambdified formula can cancel or overflow in double precision
        # where the op does not (SymPy writes csch(x) as 1 / (exp(x)/2 -
        # exp(-x)/2), coth(1e-249) as 2 / 0): the formula at 30 digits decides
        expected = _sympy_value(_formula(op), vals, digits=30)
        close = math.isclose(got, expected, rel_tol=1e-10, abs_tol=1e-14)
    assert close, (name, vals, got, expected)


def _at_singular_point(op, vals) -> bool:
    """A declared singularity of the op (``OpDef.singular``) vanishes at vals."""
    if op.singular is None:
        return False
    edges = op.singular(*A[: op.nargs])
    point = dict(zip(A[: op.nargs], vals))
    with np.errstate(all="ignore"):
        return any(sg.evaluate(e, point) == 0 for e in edges)


@pytest.mark.parametrize("name", ALL_OPS)
def test_numpy_function_broadcasts(name):
    op = OPS[name]
    rng = np.random.default_rng(0)
    # inside the declared domain (0.1 to 0.9 of the way along its clipped range)
    ranges = [(max(lo, -2.0), min(hi, 2.0)) for lo, hi in op.domain]
    cols = [lo + (hi - lo) * rng.uniform(0.1, 0.9, size=(3, 1) if i == 0 else (4,))
            for i, (lo, hi) in enumerate(ranges)]  # fmt: skip
    out = np.asarray(op.numpy(*cols))
    expected = {0: (), 1: (3, 1)}.get(op.nargs, (3, 4))
    assert out.shape == expected


# ----- conventions at kinks, exactly ----------------------------------------------
x, y = sg.symbols("x y")


def d(f, at, wrt=x):
    """Derivative of f wrt ``wrt`` at a point, via sg.grad and sg.evaluate."""
    with np.errstate(all="ignore"):
        return sg.evaluate(sg.grad(f, [wrt])[0], at)


def test_relu_derivative_at_zero_is_zero():
    assert d(sg.relu(x), {x: 0}) == 0.0
    assert d(sg.relu(x), {x: 1e-300}) == 1.0
    assert d(sg.relu(x), {x: -1e-300}) == 0.0


@pytest.mark.parametrize("slope", [0.01, 0.2, 0.5])
def test_leaky_relu_derivative_at_zero_is_the_slope(slope):
    assert d(sg.leaky_relu(x, slope), {x: 0}) == slope
    assert d(sg.leaky_relu(x, slope), {x: 2}) == 1.0
    assert d(sg.leaky_relu(x, slope), {x: -2}) == slope


def test_leaky_relu_default_slope():
    assert d(sg.leaky_relu(x), {x: 0}) == 0.01
    assert sg.parse("leaky_relu(x)") is sg.leaky_relu(x)
    assert sg.parse("leaky_relu(x)") is sg.leaky_relu(x, 0.01)


@pytest.mark.parametrize("alpha", [1.0, 0.5, 2.0])
def test_elu_derivative_at_zero_is_alpha(alpha):
    assert d(sg.elu(x, alpha), {x: 0}) == alpha


def test_abs_derivative_at_zero_is_zero():
    assert d(sg.abs(x), {x: 0}) == 0.0
    assert d(sg.abs(x), {x: -3}) == -1.0


@pytest.mark.parametrize("fn", [sg.maximum, sg.minimum])
def test_maximum_minimum_tie_splits_half_each(fn):
    g = sg.grad(fn(x, y), [x, y])
    assert sg.evaluate(g, {x: 1.5, y: 1.5}) == [0.5, 0.5]
    assert sg.evaluate(g, {x: 0, y: 0}) == [0.5, 0.5]
    big, small = (1.0, 0.0) if fn is sg.maximum else (0.0, 1.0)
    assert sg.evaluate(g, {x: 2, y: 1}) == [big, small]


def test_sqrt_derivative_at_zero_is_plus_inf():
    v = d(sg.sqrt(x), {x: 0})
    assert v == math.inf


def test_sign_and_heaviside_pass_no_gradient():
    assert d(sg.sign(x), {x: 0}) == 0.0
    assert d(sg.heaviside(x), {x: 0}) == 0.0
    assert sg.grad(sg.sign(x), [x]) == [sg.parse("0")]


def test_elu_untaken_branch_does_not_overflow():
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # not even an overflow warning
        assert d(sg.elu(x), {x: 1000}) == 1.0
        assert d(sg.elu(x, 0.5), {x: -1000}) == 0.0
        assert sg.evaluate(sg.elu(x), {x: 1000}) == 1000.0


def test_where_untaken_branch_with_infinite_derivative_does_not_poison():
    # sqrt'(0) = inf in the branch not taken: the gradient stays finite
    f = sg.where(y, x, sg.sqrt(x))
    assert sg.evaluate(f, {x: 0, y: 1}) == 0.0
    assert d(f, {x: 0, y: 1}) == 1.0
    g = sg.where(y, sg.sqrt(x), 2 * x)
    assert d(g, {x: 0, y: -1}) == 2.0
    # the inf passes through further ops in the untaken branch
    h = sg.where(y, 3 * x, sg.sin(sg.sqrt(x)) + sg.log(x))
    assert d(h, {x: 0, y: 1}) == 3.0
    # and the taken branch still gets its own inf
    assert d(g, {x: 0, y: 1}) == math.inf


@pytest.mark.parametrize(
    "build, at_taken, expected",
    [
        # the where inside other ops: the routed zero meets the inf further down
        (lambda w: 3 * w, {x: 0, y: 1}, 3.0),
        (lambda w: sg.sin(w), {x: 0, y: 1}, 1.0),
        (lambda w: w * w, {x: 0, y: 1}, 0.0),
        (
            lambda w: w + sg.where(y, 2 * x, sg.sqrt(x)),
            {x: 0, y: 1},
            3.0,
        ),  # merged adjoints
        (lambda w: sg.exp(w) * (w + 1), {x: 0, y: 1}, 2.0),
    ],
)
def test_where_untaken_branch_does_not_poison_when_nested(build, at_taken, expected):
    f = build(sg.where(y, x, sg.sqrt(x)))
    assert d(f, at_taken) == expected
    # and away from the edge the gradient is the plain one
    g = sg.grad(f, [x])[0]
    xs = np.array([0.25, 1.0, 4.0])
    h = 1e-6
    with np.errstate(all="ignore"):
        num = (
            sg.evaluate(f, {x: xs + h, y: -1}) - sg.evaluate(f, {x: xs - h, y: -1})
        ) / (2 * h)
        np.testing.assert_allclose(sg.evaluate(g, {x: xs, y: -1}), num, rtol=1e-6)


def test_where_gradients_through_lambdify_are_finite():
    f = sg.where(y, x, sg.sqrt(x))
    fn = sg.lambdify([x, y], sg.grad(f, [x, y]))
    with np.errstate(all="ignore"):
        assert fn(0.0, 1.0) == [1.0, 0.0]


def test_conventions_hold_batched():
    xs = np.array([-1.0, 0.0, 2.0])
    got = sg.evaluate(
        sg.grad(sg.relu(x) + sg.abs(x) + sg.leaky_relu(x, 0.1), [x])[0], {x: xs}
    )
    np.testing.assert_array_equal(got, [0 - 1 + 0.1, 0 + 0 + 0.1, 1 + 1 + 1])
