"""sg.verify's verdicts: proved needs a proof, wrong needs a confirmed
counterexample, anything else says how much was tried.

Each case here failed before the verdict rules were written: a claim wrong
only far from 0 was called correct, a right claim was called wrong through
float cancellation, SymPy's simplify ran without a time bound, ``n_points=0``
verified at no point.
"""

import math

import numpy as np
import pytest
import sympy as sp

import symgraph as sg
from symgraph.precise import evaluate_precise

x, y, z = sg.symbols("x y z")

SLOW = (
    "sin(x)**4*cos(x)**3*exp(tan(x))*log(1+x**2)**2/(1+sinh(x)**2)"
    " + atan(x**3 - sqrt(x**2+1))*tanh(x)**5"
)


# ----- wrong claims are found, wherever they are wrong -----------------------------------
@pytest.mark.parametrize(
    "expr, claim, where",
    [
        ("maximum(x, 2.5)", "0", lambda p: p["x"] > 2.5),
        ("x**3", "3*x**2 + relu(x - 3)", lambda p: p["x"] > 3),
        ("relu(x - 1000)", "0", lambda p: p["x"] > 1000),  # decades reach it
        ("abs(x + 1e-4)", "1", lambda p: p["x"] < -1e-4),  # both sides of a kink
        ("x*y", "y + heaviside(x - 5e4, 0)", lambda p: p["x"] > 5e4),
        # a kink far beyond the mixture's decades: the scan for kinks reaches it
        ("sin(x)", "cos(x) + heaviside(x - 1e9, 0)", lambda p: p["x"] > 1e9),
    ],
)
def test_a_claim_wrong_only_far_from_zero_is_wrong(expr, claim, where):
    r = sg.verify(expr, x, claim)
    assert r.verdict == "wrong" and not r.correct
    assert where(r.counterexample["point"])
    assert str(r).startswith("wrong: at ")


def test_the_counterexample_is_exact():
    r = sg.verify("x**3", x, "3*x**2 + relu(x - 3)")
    point = r.counterexample["point"]
    # the values are the derivative and the claim at exactly that point (60 digits)
    d, c = evaluate_precise([3 * x**2, sg.parse("3*x**2 + relu(x - 3)")], point, 60)
    assert r.counterexample["actual"] == float(d)
    assert r.counterexample["claimed"] == float(c)
    assert r.counterexample["actual"] != r.counterexample["claimed"]


def test_several_variables_report_each_claim():
    r = sg.verify(x**2 * y, [x, y], ["2*x*y", "x**2 + relu(y - 10)"])
    assert r.verdict == "wrong"
    claimed, actual = r.counterexample["claimed"], r.counterexample["actual"]
    assert claimed[0] == actual[0] and claimed[1] != actual[1]
    assert "the claimed d/dy is" in str(r) and "the claimed d/dx" not in str(r)


def test_a_non_zero_simplified_difference_gives_wrong_with_a_point():
    r = sg.verify(sg.sin(x), x, "cos(x) + 1e-3")
    assert r.verdict == "wrong"
    assert "could not" not in str(r)


@pytest.mark.parametrize(
    "expr, claim",
    [
        ("tan(x)", "1/cos(x)**2 + 1e-12"),  # below the float tolerance everywhere
        ("x**3", "3*x**2 + exp(-x**2 - 50)"),  # tiny, and only near 0
        ("exp(x)", "exp(x)*(1 + 10**-20)"),  # equal to 15 digits everywhere
    ],
)
def test_a_tiny_difference_sympy_sees_is_found_and_confirmed(expr, claim):
    r = sg.verify(expr, x, claim)
    assert r.verdict == "wrong"
    ce = r.counterexample
    # the difference reported is SymPy's, at the exact point, to 30 digits
    X = sp.Symbol("x")
    exact = sg.parse(claim).to_sympy() - sp.diff(sg.parse(expr).to_sympy(), X)
    want = sp.N(exact.subs(X, sp.Rational(ce["point"]["x"])), 30)
    assert ce["difference"] == pytest.approx(float(want), rel=1e-12) and want > 0
    if sg.parse(claim) is sg.parse("exp(x)*(1 + 10**-20)"):  # same 15 digits
        assert "but the claim is larger by " in str(r)


# ----- right claims are never called wrong --------------------------------------------------
@pytest.mark.parametrize(
    "expr, claim", [("0.1*x**3", "0.3*x**2"), ("3*sin(0.1*x)", "0.3*cos(0.1*x)")]
)
def test_float_folding_of_constants_does_not_make_a_right_claim_wrong(expr, claim):
    # 3 * 0.1 folds to 0.30000000000000004, which SymPy sees as differing from
    # the claim's 0.3 by 5.6e-17: rounding, not a counterexample
    r = sg.verify(expr, x, claim)
    assert r.verdict != "wrong" and r.correct


def test_float_cancellation_does_not_make_a_right_claim_wrong():
    # 8 (x - 3)**7, expanded: near x = 3 the expanded form cancels many digits
    expanded = sp.expand(8 * (sp.Symbol("x") - 3) ** 7)
    r = sg.verify((x - 3) ** 8, x, expanded, timeout=0)
    assert r.verdict == "no counterexample" and r.correct
    assert r.evidence.rounding > 0  # float disagreements, resolved at 60/120 digits


def test_float_constants_mean_the_decimals_typed():
    r = sg.verify(x / 10, x, "0.1", timeout=0)
    assert r.verdict == "no counterexample"
    assert r.evidence.rounding == 0


def test_the_claim_at_a_kink_of_f_is_not_a_counterexample():
    # relu'(0) is a convention; a claim that differs only there is not wrong
    r = sg.verify(sg.relu(x), x, "heaviside(x, 1)", timeout=0)
    assert r.verdict == "no counterexample"


# ----- proofs, budgets and evidence ---------------------------------------------------------
def test_proved_needs_sympy_to_simplify_the_difference_to_zero():
    r = sg.verify(sg.sin(x**2), x, "2*x*cos(x**2)")
    assert r.verdict == "proved" and r.method == "symbolic" and r.counterexample is None
    assert str(r).startswith("proved: ")


def test_simplify_stops_at_its_budget_and_falls_back_to_numbers():
    f = sg.parse(SLOW)
    claim = sg.grad(f, [x])[0] * (sg.sin(x) ** 2 + sg.cos(x) ** 2)
    r = sg.verify(f, x, claim, timeout=0.02)
    assert r.verdict == "no counterexample"
    assert "ran out of its 0.02 s budget" in r.evidence.symbolic
    assert r.evidence.budget == 0.02


def test_no_counterexample_states_points_and_ranges():
    r = sg.verify(sg.relu(x) ** 2, x, "2*relu(x)", timeout=0)
    text = str(r)
    assert text.startswith("no counterexample: ")
    assert f"{r.evidence.points:,} points" in text
    assert "magnitudes 1e-6 to 1e6" in text and "kink" in text
    assert r.evidence.points >= 1000


def test_at_least_a_thousand_points_by_default():
    r = sg.verify(x * y, [x, y], ["y", "x"], timeout=0)
    assert r.evidence.points >= 1000
    assert r.evidence.counts["mixture"] == 1000


@pytest.mark.parametrize("n", [0, -1, 2.5, True])
def test_n_points_must_be_a_positive_integer(n):
    with pytest.raises(ValueError, match="n_points"):
        sg.verify(x**2, x, "2*x", n_points=n)


def test_sampling_reaches_every_variable_independently():
    # wrong only where y is large and x negative
    r = sg.verify(x * y, [x, y], ["y + relu(-x) * relu(y - 100)", "x"], timeout=0)
    assert r.verdict == "wrong"
    p = r.counterexample["point"]
    assert p["x"] < 0 and p["y"] > 100


def test_huge_integer_constants_do_not_crash_verify():
    r = sg.verify(sg.parse("x * 10**300 * 10**300"), x, "10**600", timeout=1)
    assert r.verdict in ("proved", "no counterexample")
    assert math.isfinite(r.evidence.points)


def test_same_seed_same_verdict_and_point():
    a = sg.verify("x**3", x, "3*x**2 + relu(x - 3)", seed=4)
    b = sg.verify("x**3", x, "3*x**2 + relu(x - 3)", seed=4)
    assert a.counterexample == b.counterexample
    assert np.isfinite(a.counterexample["actual"])
