"""The SymPy bridge: to_sympy / from_sympy round trips, plain symbols, and
errors that name what SymPy object has no symgraph op."""

import math
from fractions import Fraction

import numpy as np
import pytest
import sympy as sp
from hypothesis import HealthCheck, assume, given, settings
from strategies import expressions

import symgraph as sg

SYMS = sg.symbols("x y z")
x, y, z = SYMS
X, Y, Z = sp.symbols("x y z")


def _to_sympy_or_skip(e):
    """e.to_sympy(), skipping the degenerate draws that divide by something
    SymPy sees is zero (x - x): SymPy's zoo and nan, and AccumBounds for
    atan(zoo), have no signed real value (docs/symbolic_engine.md)."""
    try:
        s = e.to_sympy()
    except sg.SympyConversionError:
        assume(False)  # nan in a condition: Piecewise((nan, nan > 0), ...)
    assume(not s.has(sp.zoo, sp.nan, sp.AccumBounds))
    return s


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(expressions(SYMS, max_depth=4))
def test_round_trip_through_sympy(e):
    s = _to_sympy_or_skip(e)
    # Two known limits (docs/symbolic_engine.md): a division by a literal 0 is
    # SymPy's zoo, which has no sign; and kinks nested inside the condition of
    # a kink become And / Or formulas SymPy rewrites its own way. Both keep
    # their values (next test), not their exact SymPy form.
    assume(not s.has(sp.And, sp.Or))
    back = sg.from_sympy(s)
    assert back.to_sympy() == s, (str(e), s, str(back), back.to_sympy())


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(expressions(SYMS, max_depth=4))
def test_round_trip_keeps_values(e):
    s = _to_sympy_or_skip(e)
    back = sg.from_sympy(s)
    pts = {
        x: np.array([0.3, -1.2, 1.7]),
        y: np.array([0.9, 0.4, -0.6]),
        z: np.array([-1.1, 1.3, 0.2]),
    }
    with np.errstate(all="ignore"):
        np.testing.assert_allclose(sg.evaluate(back, pts) * np.ones(3), sg.evaluate(e, pts) * np.ones(3),
                                   rtol=1e-9, atol=1e-12, equal_nan=True)  # fmt: skip


@pytest.mark.parametrize(
    "node",
    [
        sg.elu(x),  # a float coefficient 1.0 must survive the round trip
        sg.elu(x, 1),
        sg.exp(1) * x,  # SymPy writes exp(1) as E
        x * 1.0 + y,
        -1.0 * x,
        sg.leaky_relu(x, 1.0),
        sg.where(x, 1.0 * y, z),
        sg.parse("1.0 * x") * y,
        sg.exp(1) + sg.exp(1) * y,
        sg.log(sg.exp(1)) + x,
        sg.parse("(1/2)**(2 * tanh(0.5))"),  # SymPy evaluates what sg did not fold
        sg.acos(0) * x,  # SymPy's pi/2
        sg.where(
            x, 0, sg.abs(sg.exp(x))
        ),  # Abs(exp(x)) is exp(re(x)) for a plain symbol
        sg.sign(sg.exp(x)),
        sg.abs(-sg.abs(x)),  # SymPy leaves Abs(Abs(x))
        sg.abs(x / sg.parse("1/2")) * sg.abs(2 * sg.abs(y)),
        sg.leaky_relu(sg.leaky_relu(x)),  # an ITE condition
        sg.elu(sg.elu(sg.abs(x)), 1.0),  # a condition x <= 0
        sg.where(sg.where(x, y, z), x, y),
        2 * (x + 1) * y,  # SymPy distributes a number over a sum in a product of two
        y / (2 * (x + 1)),
        (x + 1) * y / 2,
        -(x + 1) / y,
        1.0 * (sg.exp(x) + 1) * sg.exp(x),
    ],
    ids=str,
)
def test_round_trip_edge_cases(node):
    s = node.to_sympy()
    assert sg.from_sympy(s).to_sympy() == s


def test_symbols_become_plain_sympy_symbols():
    s = (x * y + sg.sin(z)).to_sympy()
    assert s.free_symbols == {X, Y, Z}
    for sym in s.free_symbols:
        assert type(sym) is sp.Symbol
        assert sym.assumptions0 == sp.Symbol("q").assumptions0  # no assumptions
    assert x.to_sympy() == sp.Symbol("x")
    # and back: a plain symbol becomes the symgraph symbol of that name
    assert sg.from_sympy(sp.Symbol("x")) is x
    # assumptions on the SymPy side are dropped by name
    assert sg.from_sympy(sp.Symbol("x", positive=True)) is x


def test_to_sympy_of_lists_and_arrays():
    assert sg.to_sympy([x, y * 2]) == [X, 2 * Y]
    A = sg.to_sympy(np.array([[x, y], [z, x]], dtype=object))
    assert isinstance(A, sp.Array) and A.shape == (2, 2) and A[1, 0] == Z


def test_exact_constants_stay_exact():
    assert sg.parse("1/3").to_sympy() == sp.Rational(1, 3)
    assert sg.from_sympy(sp.Rational(2, 6)).value == Fraction(1, 3)
    assert sg.from_sympy(sp.Integer(7)).value == 7
    assert sg.from_sympy(sp.Float(0.5)).value == 0.5
    assert (
        sg.from_sympy(sp.oo).value == math.inf
        and sg.from_sympy(-sp.oo).value == -math.inf
    )
    assert math.isnan(sg.from_sympy(sp.nan).value)
    # E and pi stay exact, as the ops SymPy evaluates to them
    assert sg.from_sympy(sp.E) is sg.exp(1)
    assert (
        sg.from_sympy(sp.pi).to_sympy() == sp.pi
        and sg.evaluate(sg.from_sympy(sp.pi)) == math.pi
    )
    assert sg.from_sympy(sg.acos(0).to_sympy()).to_sympy() == sp.pi / 2
    assert sg.from_sympy(sp.EulerGamma).value == float(sp.EulerGamma)
    assert sg.from_sympy(3) is sg.parse("3")


def test_from_sympy_maps_canonical_forms_to_ops():
    assert sg.from_sympy(X - Y) is x - y
    assert sg.from_sympy(X / Y) is x / y
    assert sg.from_sympy(sp.Max(0, X)) is sg.relu(x)
    assert sg.from_sympy(sp.sqrt(X)) is sg.sqrt(x)
    assert sg.from_sympy(1 / sp.sqrt(X)) is 1 / sg.sqrt(x)
    assert sg.from_sympy(sp.Heaviside(X)) is sg.heaviside(x, Fraction(1, 2))
    assert sg.from_sympy(sp.Piecewise((Y, X > 0), (Z, True))) is sg.where(x, y, z)
    assert (
        sg.evaluate(
            sg.from_sympy(sp.Piecewise((Y, X < 1), (Z, True))), {x: 0.5, y: 1, z: 2}
        )
        == 1.0
    )
    assert sg.from_sympy(sp.Max(X, Y, Z)).op == "max"  # one n-ary node, ties split 1/3
    assert sg.from_sympy(sp.E) is sg.exp(1)


def test_from_sympy_shares_repeated_subexpressions():
    s = sp.sin(X * Y) ** 2 + sp.sin(X * Y)
    n = sg.from_sympy(s)
    assert sg.count_nodes(n) == 7  # x, y, x*y, sin, 2, pow, add


def test_from_sympy_of_sympys_own_derivative_evaluates_right():
    s = sp.sin(X**2) * sp.exp(Y) / (1 + Z**2)
    for v in (X, Y, Z):
        d = sg.from_sympy(sp.diff(s, v))
        got = sg.evaluate(d, {x: 0.3, y: -0.2, z: 1.1})
        assert math.isclose(
            got, float(sp.diff(s, v).subs({X: 0.3, Y: -0.2, Z: 1.1})), rel_tol=1e-12
        )


@pytest.mark.parametrize(
    "factors",
    [(2, 3), (1, 1), (sp.Rational(1, 2), -3), (2.5, 2), (-1, sp.Rational(-2, 7))],
)
def test_from_sympy_of_an_unevaluated_product_of_numbers_is_its_value(factors):
    # Mul(..., evaluate=False) keeps the numbers apart; the node is the number
    # SymPy's own evaluation gives (this crashed or returned None before).
    e = sp.Mul(*factors, evaluate=False)
    n = sg.from_sympy(e)
    assert n.op == "const"
    assert n.to_sympy() == e.doit()
    assert sg.from_sympy(e * X).to_sympy() == (e.doit() * X)


@pytest.mark.parametrize(
    "obj, name",
    [
        (sp.Integral(X, X), "Integral"),
        (sp.Function("f")(X), "f"),
        (sp.gamma(X), "gamma"),
        (sp.I * X, "I"),
        (sp.zoo, "zoo"),
        (sp.Piecewise((X, sp.Eq(X, 1)), (Y, True)), "Eq"),
        (sp.Piecewise((X, X > 1)), "Piecewise"),
        (sp.Symbol("_private"), "_private"),
        (sp.Symbol("lambda"), "lambda"),
        (sp.Derivative(sp.Function("g")(X), X), "Derivative"),
        (sp.floor(X), "floor"),
    ],
    ids=lambda v: str(v) if isinstance(v, str) else None,
)
def test_unsupported_sympy_objects_raise_a_conversion_error_naming_them(obj, name):
    with pytest.raises(sg.SympyConversionError) as info:
        sg.from_sympy(obj)
    assert name in str(info.value)
    assert isinstance(info.value, sg.ToolkitError)


def test_from_sympy_rejects_non_sympy_input():
    with pytest.raises(TypeError):
        sg.from_sympy("x + y")
    with pytest.raises(TypeError):
        sg.from_sympy(None)
    assert sg.from_sympy(x) is x  # a node is passed through


def test_nested_kink_conditions_keep_their_values():
    # SymPy turns these conditions into And / Or / ITE formulas with <=
    e = sg.elu(sg.elu(sg.abs(sg.leaky_relu(x)), 1.0), 1.0) + sg.where(
        sg.where(x, y, -y) - z, x, y
    )
    back = sg.from_sympy(e.to_sympy())
    for vx in (-1.5, 0.0, 0.7):
        for vy in (-1.0, 0.0, 2.0):
            at = {x: vx, y: vy, z: 0.5}
            assert sg.evaluate(back, at) == pytest.approx(sg.evaluate(e, at), rel=1e-12)


def test_to_sympy_of_nan_conditions_raises_a_conversion_error():
    with pytest.raises(sg.SympyConversionError):
        sg.leaky_relu(sg.parse("0/0")).to_sympy()


def test_to_sympy_of_a_huge_constant_power_is_a_clear_error_not_a_hang():
    from symgraph.node import const

    huge = const(9) ** const(9**9)  # too large to fold: a symbolic node
    for e in [huge, huge + 1, x * const(Fraction(1, 3)) ** const(9999)]:
        with pytest.raises(sg.SympyConversionError) as info:
            e.to_sympy()
        assert "too large" in str(info.value)
    # the unfolded powers that are not large keep their SymPy form
    assert sg.parse("0**-1").to_sympy() == sp.Pow(0, -1, evaluate=False)


def test_repr_latex():
    assert sg.sqrt(x)._repr_latex_() == "$" + sp.latex(sp.sqrt(X)) + "$"
