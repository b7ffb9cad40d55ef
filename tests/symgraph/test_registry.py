"""The op registry, op by op: parametrized over ``symgraph.ops.OPS``, so an op
added to the registry is tested here without a new test.

* the local partials the reverse sweep uses (explicit ``rule``s included)
  agree with ``sympy.diff`` of the op's ``formula`` away from kinks;
* the op's NumPy function agrees with its SymPy formula lambdified by SymPy
  itself, kinks included;
* the subgradient conventions at kinks, exactly.
"""

import math
import pathlib
import sys
import warnings

import numpy as np
import pytest
import sympy as sp
from hypothesis import given, settings
from hypothesis import strategies as st

import symgraph as sg  # before tests/ goes on the path: tests/symgraph must not shadow it
from symgraph.ops import _ARGS, OPS, formula_of, partials_of

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1]))
from strategies import op_arguments

ALL_OPS = sorted(OPS)
A = sg.symbols("a0 a1 a2")


def _sympy_value(expr, vals):
    v = complex(expr.subs(dict(zip(_ARGS, vals))).evalf())
    assert abs(v.imag) <= 1e-12 * max(1.0, abs(v.real)), (expr, vals, v)
    return v.real


@pytest.mark.parametrize("name", ALL_OPS)
def test_registry_entry_is_complete(name):
    op = OPS[name]
    assert op.name == name and op.nargs in (1, 2, 3)
    f = formula_of(op)
    assert isinstance(f, sp.Basic)
    assert f.free_symbols <= set(_ARGS[: op.nargs])
    assert op.np_src.count("{0}") >= 1
    # every op has a partial per argument: a rule or sympy.diff of the formula
    args = A[: op.nargs]
    node = _apply(name, args)
    parts = partials_of(name, node.args, node)
    assert len(parts) == op.nargs


def _apply(name, args):
    from symgraph.node import make

    return make(name, *args)


@pytest.mark.parametrize("name", ALL_OPS)
@settings(max_examples=25, deadline=None)
@given(data=st.data())
def test_local_partials_agree_with_sympy_diff(name, data):
    """The sweep's partials (rule or derived) equal sympy.diff(formula) away from kinks."""
    op = OPS[name]
    vals = data.draw(op_arguments(name))
    args = A[: op.nargs]
    node = _apply(name, args)
    assert node.op == name  # symbols never fold
    parts = partials_of(name, node.args, node)
    point = dict(zip(args, vals))
    f = formula_of(op)
    for i, part in enumerate(parts):
        expected_expr = sp.diff(f, _ARGS[i])
        if part is None:
            # "not differentiable by declaration" (a parameter such as h0):
            # SymPy has no better answer than an unevaluated derivative or 0.
            assert expected_expr.has(sp.Derivative) or expected_expr == 0, (name, i)
            continue
        expected = _sympy_value(expected_expr, vals)
        with np.errstate(all="ignore"):
            got = sg.evaluate(part, point)
        assert math.isclose(got, expected, rel_tol=1e-9, abs_tol=1e-12), (
            name,
            i,
            vals,
            part,
            expected_expr,
            got,
            expected,
        )


@pytest.mark.parametrize("name", ALL_OPS)
@settings(max_examples=25, deadline=None)
@given(data=st.data())
def test_numpy_function_agrees_with_sympy_formula(name, data):
    """op.numpy == sympy.lambdify(formula) at random points, kinks included."""
    op = OPS[name]
    vals = data.draw(op_arguments(name, at_kinks=True))
    f = sp.lambdify(_ARGS[: op.nargs], formula_of(op), modules="numpy")
    with warnings.catch_warnings(), np.errstate(all="ignore"):
        warnings.simplefilter("ignore")
        expected = float(f(*[np.float64(v) for v in vals]))
        got = float(op.numpy(*[np.float64(v) for v in vals]))
    # abs_tol: the formulas cancel (exp(x) - 1) where NumPy uses expm1
    assert math.isclose(got, expected, rel_tol=1e-10, abs_tol=1e-14) or (
        math.isnan(got) and math.isnan(expected)
    ), (name, vals, got, expected)


@pytest.mark.parametrize("name", ALL_OPS)
def test_numpy_function_broadcasts(name):
    op = OPS[name]
    rng = np.random.default_rng(0)
    cols = [rng.uniform(0.1, 0.9, size=(3, 1)) if i == 0 else rng.uniform(0.1, 0.9, size=(4,))
            for i in range(op.nargs)]  # fmt: skip
    out = np.asarray(op.numpy(*cols))
    assert out.shape == (3, 4) if op.nargs > 1 else out.shape == (3, 1)


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
