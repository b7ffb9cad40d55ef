"""Helpful hints for the slips people make typing mathematics: refused text
says what to write instead, at the right position; valid text with a likely
slip (``e^x`` with ``e`` a symbol) parses, with a ParseHint warning that is
also available as data."""

import warnings

import pytest
import sympy as sp

import symgraph as sg
from symgraph.parse import ParseHint, parse_with_hints

x, y, e = sg.symbols("x y e")

SLIPS = [
    ("|x - 1|", 0, "write abs(x - 1) for |x - 1|"),
    ("2*|x|", 2, "write abs(x) for |x|"),
    ("|x", 0, "write abs(x)"),
    ("sin x", 0, "write sin(x)"),
    ("cos 2", 0, "write cos(2)"),
    ("sin^2(x)", 0, "write sin(x)**2 for sin^2(x)"),
    ("sin**2(x)", 0, "write sin(x)**2"),
    ("2x", 1, "'*'"),
    ("x y", 2, "write '*' for multiplication"),
    ("2(x + 1)", 1, "write '*' for multiplication"),
    ("(x + 1)(x - 1)", 7, "write '*' for multiplication"),
    ("x(y + 1)", 0, "to multiply, write x*(...)"),
    ("sine(x)", 0, "did you mean 'sin'"),
    ("e(x)", 0, "Euler's number is E or exp(1)"),
    ("x²", 1, "write x**2 for x²"),
    ("x⁻¹ + 1", 1, "write x**-1 for x⁻¹"),
    ("(x + 1)³", 7, "write (...)**3"),
    ("x₁ + x₂", 1, "write x1 or x_1 for x₁"),
    ("√x", 0, "write sqrt(x) for √x"),
    ("√(x + 1)", 0, "write sqrt(...)"),
    ("2 × x", 2, "write '*' for multiplication"),
    ("2 · x", 2, "write '*' for multiplication"),
    ("x·y", 1, "write '*' for multiplication"),
    ("x ÷ 2", 2, "write '/' for division"),
    ("x – 1", 2, "write '-' for minus"),
    ("x + ∞", 4, "write inf"),
    ("f′(x)", 1, "primes"),
    ("x\u00a0+ 1", 1, "use a plain space"),
]


@pytest.mark.parametrize("text, position, advice", SLIPS, ids=[s[0] for s in SLIPS])
def test_slip_is_refused_with_what_to_write(text, position, advice):
    with pytest.raises(sg.ParseError) as info:
        sg.parse(text)
    assert info.value.position == position, info.value.reason
    assert advice in info.value.reason


def test_unicode_minus_sign_is_read_as_minus():
    assert sg.parse("x − 1") is x - 1
    assert sg.parse("−x**2") is -(x**2)
    assert sg.parse("x**−2") is sg.parse("x**-2")


def test_unknown_symbol_named_e_is_explained():
    with pytest.raises(sg.ParseError, match="Euler's number is E"):
        sg.parse("e**x", symbols=[x])


# ----- hints on text that parses -------------------------------------------------------
@pytest.mark.parametrize("text, position", [("e^x", 0), ("2 * e**(x + 1)", 4),
                                            ("sin(x) + (e)^2", 9)])  # fmt: skip
def test_e_as_a_power_base_gives_a_hint(text, position):
    with pytest.warns(ParseHint) as record:
        node = sg.parse(text)
    assert sp.Symbol("e") in node.to_sympy().free_symbols  # e is a symbol
    (hint,) = [w.message for w in record]
    assert hint.position == position and hint.text == text
    assert "'e' is a symbol here" in hint.reason and "exp(" in hint.reason
    node2, hints = parse_with_hints(text)
    assert node2 is node and [h.reason for h in hints] == [hint.reason]


@pytest.mark.parametrize("text", ["e*x + e^2", "e + x", "exp(x)", "E**x", "x**e"])
def test_no_hint_when_e_is_used_as_a_symbol_or_euler(text):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        sg.parse(text)
    assert parse_with_hints(text)[1] == []


def test_no_hint_when_e_is_declared_or_hints_are_off():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert sg.parse("e^x", symbols=[e, x]) is e**x
        assert sg.parse("e^x", hints=False) is e**x
    assert sg.parse("E^x") is sg.exp(1) ** x  # Euler's number: no hint


def test_pi_as_a_symbol_gives_a_hint():
    with pytest.warns(ParseHint, match="write pi") as record:
        node = sg.parse("2 * π * r")
    assert record[0].message.position == 4
    assert sp.Symbol("π") in node.to_sympy().free_symbols
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        sg.parse("2 * pi * r")


def test_hint_is_a_user_warning_so_python_shows_it():
    assert issubclass(ParseHint, UserWarning) and sg.ParseHint is ParseHint
    hint = parse_with_hints("e^x")[1][0]
    assert str(hint) == f"{hint.reason} at position 0"
