"""Greek and accented Latin letters as symbol names, through every consumer:
sg.symbols, the parser, printing, evaluate, lambdify, the SymPy bridge,
generated Python and C, and the Graphviz drawing.

Names are read as Python reads identifiers (NFKC: ``µ`` is ``μ``); letters
of other scripts and Greek capitals that look like Latin ones are refused.
"""

import ast
import math

import numpy as np
import pytest
import sympy as sp
from symgraph_codegen._codegen_helpers import CC, c_value_grad, compile_c, load

import symgraph as sg

theta, alpha, x = sg.symbols("θ α x")


def test_greek_symbols_print_and_parse_back_as_typed():
    f = sg.sin(theta) * alpha + x
    assert str(f) == "sin(θ) * α + x"
    assert sg.parse("sin(θ) * α + x") is f
    assert sg.parse(str(f)) is f
    assert theta.value == "θ" and sg.symbols("θ") is theta
    bar = sg.symbols("x̄")  # x with a combining macron
    assert str(bar + 1) == "x̄ + 1" and sg.parse("x̄ + 1") is bar + 1


def test_names_are_read_in_pythons_normal_form():
    # the micro sign and the Greek mu are one name, as they are in Python
    mu = sg.symbols("μ")
    assert sg.symbols("\u00b5") is mu and sg.parse("\u00b5 + 1") is mu + 1
    assert sg.symbols("ϕ") is sg.symbols("φ")
    assert sg.parse("ｓｉｎ(ｘ)") is sg.sin(x)  # full-width letters
    assert sg.evaluate(mu * 2, {"\u00b5": 3.0}) == 6.0
    # so generated Python never meets a name Python would read differently
    assert sg.symbols("\u00b5").value.isidentifier()


@pytest.mark.parametrize(
    "name, why",
    [("\u0430", "Latin or Greek"), ("x\u0430", "Latin or Greek"),
     ("\u0391", "looks like the Latin letter 'A'"), ("\u03bf", "Latin letter 'o'"),
     ("x²", "letter"), ("_θ", "letter"), ("θ.x", "letter"), ("x\u200by", "letter")],
)  # fmt: skip
def test_names_that_could_deceive_are_refused(name, why):
    with pytest.raises(sg.SymbolNameError, match=why):
        sg.symbols(name)
    with pytest.raises(sg.SympyConversionError):
        sg.from_sympy(sp.Symbol(name))


def test_parser_refuses_lookalikes_at_their_position():
    with pytest.raises(sg.ParseError) as info:
        sg.parse("x + y\u0430")  # a Cyrillic a after a Latin y
    assert info.value.position == 5
    assert "CYRILLIC SMALL LETTER A" in info.value.reason
    with pytest.raises(sg.ParseError) as info:
        sg.parse("\u0392 * x")
    assert info.value.position == 0 and "write B" in info.value.reason
    # a middle dot would continue a Python identifier: here it is a product
    with pytest.raises(sg.ParseError) as info:
        sg.parse("x·y")
    assert info.value.position == 1 and "'*'" in info.value.reason


def test_sympy_bridge_keeps_unicode_names():
    f = sg.cos(theta) ** 2 + alpha
    s = f.to_sympy()
    assert {v.name for v in s.free_symbols} == {"θ", "α"}
    assert sp.Symbol("θ") in s.free_symbols
    assert sg.from_sympy(s).to_sympy() == s
    assert sg.from_sympy(sp.Symbol("θ")) is theta


def test_lambdify_and_evaluate_with_unicode_names():
    f = sg.sin(theta) * alpha
    fn = sg.lambdify([theta, alpha], [f, *sg.grad(f, [theta, alpha])])
    value, d_theta, d_alpha = fn(0.5, 2.0)
    assert value == pytest.approx(math.sin(0.5) * 2.0, rel=1e-15)
    assert d_theta == pytest.approx(math.cos(0.5) * 2.0, rel=1e-15)
    assert d_alpha == pytest.approx(math.sin(0.5), rel=1e-15)
    assert sg.evaluate(f, {"θ": 0.5, "α": 2.0}) == value


def test_generated_python_uses_the_names_as_typed(tmp_path):
    f = sg.sin(theta) * alpha + sg.exp(x)
    src = sg.codegen(f, [theta, alpha])
    tree = ast.parse(src)
    params = [a.arg for a in tree.body[2].args.args]  # docstring, import, f
    assert params == ["θ", "α", "x"]
    mod = load(src, tmp_path)
    value, (d_theta, d_alpha) = mod.f_grad(0.5, 2.0, 0.1)
    expected = sg.evaluate(
        [f, *sg.grad(f, [theta, alpha])], {theta: 0.5, alpha: 2.0, x: 0.1}
    )
    np.testing.assert_allclose([value, d_theta, d_alpha], expected, rtol=1e-15)


@pytest.mark.skipif(CC is None, reason="no C compiler (cc/gcc) on PATH")
def test_generated_c_spells_names_in_ascii_and_states_the_mapping(tmp_path):
    theta_word, delta, bar = sg.symbols("theta Δ x̄")
    f = sg.sin(theta) * alpha + theta_word * delta + bar
    src = sg.codegen(f, [theta, alpha, theta_word, delta, bar], target="c")
    code = "\n".join(
        line for line in src.splitlines() if not line.startswith((" *", "/*"))
    )
    assert code.isascii(), [c for c in code if not c.isascii()]
    for mapping in ("θ -> theta", "α -> alpha", "Δ -> Delta", "x̄ -> x_bar"):
        assert mapping in src
    # the user's own "theta" keeps a distinct name
    assert "theta -> theta_" in src
    lib = compile_c(src, tmp_path)
    point = np.array([[0.5, 2.0, 3.0, -1.0, 0.25]])
    value, grads = c_value_grad(lib, "f", point, 5)
    names = [theta, alpha, theta_word, delta, bar]
    at = dict(zip(names, point[0]))
    np.testing.assert_allclose(value, [sg.evaluate(f, at)], rtol=1e-15)
    np.testing.assert_allclose(
        grads[:, 0], sg.evaluate(sg.grad(f, names), at), rtol=1e-15
    )


def test_dot_drawing_labels_unicode_symbols():
    dot = sg.to_dot(sg.sin(theta) * alpha, at={theta: 0.5, alpha: 2.0})
    assert 'label="θ"' in dot and 'label="α"' in dot


def test_display_names_may_be_greek():
    q = (theta + alpha).named("σ")
    table = sg.backprop_table(q * x, at={theta: 1.0, alpha: 2.0, x: 3.0})
    assert "σ" in str(table)
    assert "    σ = θ + α" in sg.codegen(q * x, [x])
    assert "const double sigma = theta + alpha;" in sg.codegen(q * x, [x], target="c")
