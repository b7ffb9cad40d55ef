"""sg.simplify: what it prints, and that what it prints has the right value.

Each printed form is read back with sg.parse and compared with sympy.diff
of the same expression at seeded points (or with a hand-worked value), so a
shorter but wrong form fails.
"""

import warnings

import numpy as np
import pytest
import sympy as sp

import symgraph as sg


def _printed(text: str, wrt: str) -> str:
    f = sg.parse(text)
    return str(sg.simplify(sg.grad(f, [sg.symbols(wrt)])[0]))


def _agrees_with_sympy(text: str, wrt: str, printed: str, low=-1.5, high=1.5):
    fs = sg.parse(text).to_sympy()
    names = sorted(s.name for s in fs.free_symbols)
    rng = np.random.default_rng(7)
    reference = sp.diff(fs, sp.Symbol(wrt))
    for _ in range(4):
        point = {n: float(rng.uniform(low, high)) for n in names}
        want = float(reference.subs({sp.Symbol(n): v for n, v in point.items()}))
        got = float(
            sg.evaluate(sg.parse(printed), {sg.symbols(n): v for n, v in point.items()})
        )
        assert got == pytest.approx(want, rel=1e-10, abs=1e-12), (text, printed, point)


@pytest.mark.parametrize(
    "text, wrt, expected",
    [
        # SymPy's automatic form is shorter than the node as built: shown
        ("-log(exp(z1)/(exp(z1) + exp(z2) + exp(z3)))", "z2", "exp(z2) / (exp(z1) + exp(z2) + exp(z3))"),
        ("log(sqrt(x**2 + 1))", "x", "x / (x**2 + 1)"),
        ("atanh(x)", "x", "1 / (1 - x**2)"),
        # real symbols: abs(x)**2 is x**2
        ("asec(x)", "x", "1 / (sqrt(x**2 - 1) * abs(x))"),
        # a fraction over a product prints as a textbook writes it
        ("acos(sqrt(x))", "x", "-1 / (2 * sqrt(x) * sqrt(1 - x))"),
        # sigmoid(-u) = 1 - sigmoid(u)
        ("softplus(x) - softplus(-x)", "x", "1"),
        ("log(sigmoid(-x))", "x", "-sigmoid(x)"),
        # atan2's mask at the origin is shown as the quotient
        ("atan2(y, x)", "x", "-y / (x**2 + y**2)"),
        ("atan2(y, x)", "y", "x / (x**2 + y**2)"),
        # in the branch where u <= 0, minimum(u, 0) is u
        ("elu(w*x + b)", "w", "where(w * x + b, 1, exp(w * x + b)) * x"),
    ],
)  # fmt: skip
def test_simplify_prints_the_short_form_and_its_value_is_right(text, wrt, expected):
    printed = _printed(text, wrt)
    assert printed == expected
    low, high = (1.2, 3.0) if text == "asec(x)" else (0.2, 0.9)
    if text.startswith(("elu", "atan2", "softplus", "log(sigmoid")):
        low, high = -1.5, 1.5
    _agrees_with_sympy(text, wrt, printed, low, high)


def test_simplify_keeps_a_subexpression_as_the_user_wrote_it():
    # w * x + b stays in the user's order inside the simplified result
    printed = _printed(
        "-y*log(sigmoid(w*x + b)) - (1 - y)*log(1 - sigmoid(w*x + b))", "b"
    )
    assert printed == "sigmoid(w * x + b) - y"


def test_simplify_keeps_atan2_mask_value_at_the_origin_only_in_the_raw_dag():
    """The unmasked quotient has no value at the origin (the raw gradient's 0
    is PyTorch's convention there); elsewhere both agree."""
    x, y = sg.symbols("x y")
    dx = sg.grad(sg.parse("atan2(y, x)"), [x])[0]
    with warnings.catch_warnings():  # 0/0 at the origin is what this checks
        warnings.simplefilter("ignore", RuntimeWarning)
        assert sg.evaluate(dx, {x: 0.0, y: 0.0}) == 0.0
        assert np.isnan(sg.evaluate(sg.simplify(dx), {x: 0.0, y: 0.0}))
    at = {x: np.array([0.3, -1.2, 2.0]), y: np.array([-0.7, 0.4, 1e-3])}
    np.testing.assert_allclose(
        sg.evaluate(sg.simplify(dx), at), sg.evaluate(dx, at), rtol=1e-14
    )


def test_simplify_does_not_unmask_a_guard_that_can_be_negative():
    """where(d, t / d, 0) with d = x - y is 0 where d < 0, where t / d has a
    value: it must not be replaced by the quotient."""
    x, y = sg.symbols("x y")
    d = x - y
    masked = sg.where(d, x / d, 0)
    out = sg.simplify(masked)
    assert sg.evaluate(out, {x: 0.5, y: 2.0}) == 0.0


@pytest.mark.parametrize(
    "value, text",
    [("1/2", "1 / (2 * x)"), ("3/4", "3 / (4 * (x + 1))"), ("1/3", "1 / (3 * x * y)")],
)
def test_a_fraction_over_a_denominator_prints_as_one_quotient(value, text):
    x, y = sg.symbols("x y")
    den = {"1/2": x, "3/4": x + 1, "1/3": x * y}[value]
    node = sg.parse(value) / den
    assert str(node) == text
    at = {x: 0.7, y: 1.9}
    assert sg.evaluate(sg.parse(str(node)), at) == pytest.approx(sg.evaluate(node, at))


def test_a_negative_product_takes_its_sign_into_a_difference():
    # SymPy's -(y - x)*t comes back as (x - y) * t
    x, y, t = sg.symbols("x y t")
    node = sg.from_sympy(-(y.to_sympy() - x.to_sympy()) * t.to_sympy())
    assert str(node) == "t * (x - y)"
    assert sg.evaluate(node, {x: 0.3, y: 1.7, t: -2.0}) == pytest.approx(2.8)


def test_the_tie_step_reads_as_a_heaviside_step():
    x, y = sg.symbols("x y")
    (d,) = sg.grad(sg.maximum(x, y), [x])
    assert str(d) == "greater(x, y, 1/2)"  # the DAG: two equal infinities tie
    shown = sg.simplify(d)
    assert str(shown) == "heaviside(x - y, 1/2)"
    # equal on the reals, the tie included
    for a, b in [(1.0, 2.0), (3.0, -1.0), (0.5, 0.5), (-2.0, -2.0)]:
        at = {"x": a, "y": b}
        assert sg.evaluate(shown, at) == sg.evaluate(d, at)
