"""The bridge: sg.check compares three independent gradients; sg.verify judges claims."""

import numpy as np
import pytest
import sympy as sp

import symgraph as sg
from symgraph.check import numeric_forward, numeric_gradient

x, y, z = sg.symbols("x y z")


def test_check_cs231n_circuit_matches_textbook():
    report = sg.check((x + y) * z, [x, y, z], at={x: -2, y: 5, z: -4})
    assert report.ok
    np.testing.assert_allclose(report.points[0].symbolic, [-4, -4, 3])
    np.testing.assert_allclose(report.points[0].numeric, [-4, -4, 3])
    np.testing.assert_allclose(
        report.points[0].finite_difference, [-4, -4, 3], atol=1e-6
    )


def test_check_random_points_every_op_agree():
    f = sg.parse(
        "sin(x**2)*log(y) + relu(x*y) + leaky_relu(x, 0.1)*elu(y) + max(x, y)/sqrt(y)"
        " + sigmoid(x)*softplus(y) + tanh(x)*atan(y) + cosh(x/3)*sinh(y/3)"
        " + log1p(y)*expm1(x/4) + abs(x - y) + min(x, 2*y) + tan(x/4)"
        " + asin(x/3)*acos(y/3) + exp(-x**2)"
    )
    report = sg.check(f, [x, y], n_points=5, seed=3)
    assert report.ok, str(report)
    assert report.max_rel_error < 1e-4


def test_check_detects_a_wrong_numeric_path(monkeypatch):
    # Sabotage the symbolic partial of sin (sin' = sin): check must notice.
    import dataclasses

    from symgraph.opdef import OPS

    wrong = dataclasses.replace(OPS["sin"], partials=lambda a, out: (out,))
    monkeypatch.setitem(OPS, "sin", wrong)
    report = sg.check(sg.sin(x * y), [x, y], at={x: 0.3, y: 0.7})
    assert not report.ok
    assert report.max_abs_error > 0.1
    assert "MISMATCH" in str(report)


def test_check_report_prints_every_gradient():
    text = str(sg.check(x * y, [x, y], at=[{x: 1.0, y: 2.0}, {x: 3.0, y: 4.0}]))
    assert "point 1" in text and "finite diff" in text


def test_check_missing_value_names_symbol():
    with pytest.raises(sg.UnboundSymbolError, match="'z'"):
        sg.check(x * z, [x], at={x: 1.0})


def test_numeric_gradient_symbolic_parameters_of_kinks():
    # leaky_relu and elu with a symbolic parameter go through numeric.where
    s = sg.symbols("s")
    f = sg.leaky_relu(x, s) + sg.elu(y, s)
    point = {"x": -0.5, "y": -0.25, "s": 0.3}
    got = numeric_gradient(f, [x, y, s], point)
    expect = sg.evaluate(sg.grad(f, [x, y, s]), point)
    np.testing.assert_allclose(got, expect, rtol=1e-12)


def test_numeric_forward_equals_evaluate():
    f = sg.parse("sigmoid(x)*heaviside(y, 0.5) + where(x - y, x, y**2)")
    for pt in ({"x": 0.3, "y": 0.0}, {"x": -1.0, "y": 2.0}):
        (val,) = numeric_forward([f], pt)
        val = val.data if hasattr(val, "data") else val
        assert float(val) == pytest.approx(sg.evaluate(f, pt))


def test_verify_correct_claim_is_exact():
    r = sg.verify(sg.sin(x**2), x, "2*x*cos(x**2)")
    assert r.correct and r.method == "symbolic" and r.counterexample is None


def test_verify_wrong_claim_gives_counterexample():
    r = sg.verify(sg.sin(x**2), x, "x*cos(x**2)")
    assert not r.correct
    ce = r.counterexample
    px = ce["point"]["x"]
    assert ce["actual"] == pytest.approx(2 * px * np.cos(px**2))
    assert ce["claimed"] == pytest.approx(px * np.cos(px**2))
    assert str(r).startswith("wrong: at x = ")


def test_verify_accepts_sympy_and_node_claims():
    X, Y = sp.symbols("x y")
    assert sg.verify(x**2 * y, [x, y], [2 * X * Y, X**2]).correct
    assert sg.verify(x**2 * y, [x, y], [2 * x * y, x**2]).correct
    assert not sg.verify(x**2 * y, [x, y], [2 * x * y, x]).correct


def test_verify_numeric_path_when_sympy_cannot_decide():
    # relu' vs a Heaviside claim: SymPy does not prove it; random points do.
    r = sg.verify(sg.relu(x) * y, [x], ["heaviside(x, 0)*y"])
    assert r.correct


def test_verify_claim_with_unknown_symbol_is_an_error():
    with pytest.raises(sg.UnboundSymbolError, match="'w'"):
        sg.verify(x**2, x, "2*w")


def test_verify_claim_count_must_match():
    with pytest.raises(ValueError, match=r"2 variable\(s\) but 1 claimed"):
        sg.verify(x * y, [x, y], ["y"])


def test_verify_bad_claim_text_is_parse_error():
    with pytest.raises(sg.ParseError):
        sg.verify(x**2, x, "2*x.__class__")


def test_at_a_kink_only_the_engines_are_compared():
    # relu'(0) = 0 by convention; central differences give 1/2 there
    x = sg.symbols("x")
    report = sg.check(sg.relu(x), [x], at={x: 0.0})
    (p,) = report.points
    assert p.at_kink and report.ok and report.fd_ok
    assert (p.symbolic[0], p.numeric[0], p.finite_difference[0]) == (0.0, 0.0, 0.5)
    assert "(at a kink)" in str(report)
    # away from the kink the differences are compared as always
    far = sg.check(sg.relu(x) + 0.5 * x**2, [x], at={x: 0.5})
    assert not far.points[0].at_kink and far.ok


def test_a_wrong_gradient_at_a_kink_still_fails_through_the_engines(monkeypatch):
    # the engines are independent: a wrong symbolic partial at a kink shows
    import sys

    check_module = sys.modules["symgraph.check"]  # (sg.check is the function)
    x = sg.symbols("x")
    monkeypatch.setattr(
        check_module, "numeric_gradient", lambda f, wrt, point: np.array([1.0])
    )
    report = sg.check(sg.relu(x), [x], at={x: 0.0})
    assert not report.ok and not report.engine_ok
