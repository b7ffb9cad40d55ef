"""Errors name the culprit, and every error is a ToolkitError."""

import numpy as np
import pytest

import symgraph as sg

x, y, z = sg.symbols("x y z")


@pytest.mark.parametrize(
    "wrt, culprit",
    [
        ([x + y], "x + y"),
        ([x, sg.sin(y)], "sin(y)"),
        ([2], "2"),
        (["1x"], "'1x'"),
        ("x, 2y", "'2y'"),
        (x * 2, "2 * x"),
        (np.array([x, x * y], dtype=object), "x * y"),
        (3.5, "3.5"),
    ],
)
def test_grad_wrt_a_non_symbol_names_it(wrt, culprit):
    with pytest.raises(sg.NotASymbolError) as info:
        sg.grad(x * y, wrt)
    assert culprit in str(info.value)
    assert isinstance(info.value, TypeError) and isinstance(info.value, sg.ToolkitError)


def test_jacobian_and_hessian_wrt_non_symbols():
    with pytest.raises(sg.NotASymbolError):
        sg.jacobian([x, y], [x + 1])
    with pytest.raises(sg.NotASymbolError):
        sg.hessian(x * y, [sg.parse("1")])


def test_lambdify_arguments_must_be_symbols():
    with pytest.raises(sg.NotASymbolError):
        sg.lambdify([x + y], x)
    with pytest.raises(sg.NotASymbolError) as info:
        sg.lambdify([x], x * y)  # y is not an argument
    assert "'y'" in str(info.value)
    with pytest.raises(ValueError):
        sg.lambdify([x, x], x)


def test_evaluate_with_an_unbound_symbol_names_it():
    with pytest.raises(sg.UnboundSymbolError) as info:
        sg.evaluate(x * sg.sin(z), {x: 1.0})
    assert "'z'" in str(info.value)
    assert isinstance(info.value, ValueError) and isinstance(
        info.value, sg.ToolkitError
    )
    with pytest.raises(sg.UnboundSymbolError):
        sg.evaluate([x, y], {"x": 1})
    with pytest.raises(sg.UnboundSymbolError):
        sg.evaluate(np.array([x, y], dtype=object), {y: 1})


def test_evaluate_rejects_bad_bindings():
    with pytest.raises(TypeError):
        sg.evaluate(x, {x + y: 1})
    with pytest.raises(TypeError):
        sg.evaluate(x, {1: 1})
    with pytest.raises(TypeError) as info:
        sg.evaluate(x, {x: "abc"})
    assert "x" in str(info.value)


def test_mismatched_shapes_raise_shape_error():
    with pytest.raises(sg.ShapeError) as info:
        sg.evaluate(x * y, {x: np.ones((2, 3)), y: np.ones(4)})
    assert "(2, 3)" in str(info.value) and "(4,)" in str(info.value)
    assert isinstance(info.value, sg.ToolkitError)
    with pytest.raises(sg.ShapeError):
        sg.correlate2d(np.ones(3), np.ones((2, 2)))


def test_parse_error_carries_position_reason_and_a_caret():
    with pytest.raises(sg.ParseError) as info:
        sg.parse("sin(x) + 2y")
    err = info.value
    assert err.position == 10 and "'*'" in err.reason and err.text == "sin(x) + 2y"
    assert str(err).splitlines()[-1].index("^") - 2 == 10


def test_sympy_conversion_error_names_the_object():
    import sympy as sp

    with pytest.raises(sg.SympyConversionError) as info:
        sg.from_sympy(sp.Symbol("x") + sp.besselj(0, sp.Symbol("y")))
    assert "besselj" in str(info.value)
