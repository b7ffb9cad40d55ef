"""The safe parser: Python's precedence and associativity, round trips with
str(), precise errors for everything outside the grammar, and bounded work
on hostile input."""

import ast
import math
import sys
import warnings

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from strategies import expressions

import symgraph as sg
from symgraph.parse import MAX_DEPTH, MAX_LENGTH

SYMS = sg.symbols("x y z")
x, y, z = SYMS
AT = {"x": 0.7, "y": 1.3, "z": 2.1}


def value(text):
    return sg.evaluate(sg.parse(text), AT)


def python_value(text):
    """The same text evaluated by Python itself (our own fixed strings only)."""
    return eval(
        compile(text.replace("^", "**"), "<test>", "eval"),
        {"__builtins__": {}},
        dict(AT),
    )


# ----- valid input: Python's precedence and associativity --------------------------
@pytest.mark.parametrize(
    "text",
    [
        "-x**2", "x**y**z", "x**-y", "2*-x", "-x*y", "x - y - z", "x / y / z", "x / y * z",
        "x**-y**z", "-x**-y", "2**3**2", "-2**2", "(-2)**2", "x - -y", "x * -y ** 2",
        "--x", "+-x", "-+x", "x + y * z ** 2 / x - y", "(x + y) * (z - x)", "x ** (y - z)",
        "1 - 2 - 3", "2 / 4 / 8", "2 ** -1", "-(x + y)**2", "x*y**-z*2",
    ],
)  # fmt: skip
def test_precedence_and_associativity_are_pythons(text):
    assert math.isclose(value(text), python_value(text), rel_tol=1e-12)


def test_structure_of_the_classic_cases():
    assert sg.parse("-x**2") is -(x**2)
    assert sg.parse("x**y**z") is x ** (y**z)
    assert sg.parse("x**-y") is x ** (-y)
    assert sg.parse("2*-x") is 2 * (-x)
    assert sg.parse("x - y - z") is (x - y) - z
    assert sg.parse("x/y/z") is (x / y) / z


def test_caret_is_power():
    assert sg.parse("x^y") is sg.parse("x**y")
    assert sg.parse("x^y^z") is x ** (y**z)
    assert sg.parse("2^10") is sg.parse("1024")


@pytest.mark.parametrize(
    "text, expected",
    [("1e-3", 0.001), (".5", 0.5), ("1.", 1.0), ("1.e3", 1000.0), ("1E+2", 100.0), ("2.5e-1", 0.25),
     ("0.0", 0.0), ("10", 10)],
)  # fmt: skip
def test_number_literals(text, expected):
    n = sg.parse(text)
    assert n.op == "const" and n.value == expected and type(n.value) is type(expected)


def test_function_aliases_and_constants():
    assert sg.parse("max(x, y)") is sg.maximum(x, y)
    assert sg.parse("min(x, y)") is sg.minimum(x, y)
    # three or more: the n-ary reduction, whose tied maxima share evenly
    assert sg.parse("max(x, y, z)").op == "max"
    assert sg.parse("max(x, y, z)").args == (x, y, z)
    # maxpool (max pooling's first-max routing) takes any number >= 2
    assert sg.parse("maxpool(x, y)").args == (x, y)
    assert (
        sg.parse("maxpool(x, y, z, x)")
        is sg.max_pool2d(np.array([[x, y, z, x]]), (1, 4))[0, 0]
    )
    with pytest.raises(
        sg.ParseError, match=r"maxpool\(\) takes 2 or more arguments, got 1"
    ):
        sg.parse("maxpool(x)")
    assert sg.parse("ln(x)") is sg.log(x)
    assert sg.parse("arctan(x)") is sg.atan(x)
    assert sg.parse("Abs(x)") is sg.abs(x)
    assert sg.evaluate(sg.parse("pi")) == math.pi
    assert sg.evaluate(sg.parse("E")) == math.e and sg.parse("E") is sg.exp(1)
    assert sg.parse("leaky_relu(x)") is sg.leaky_relu(x, 0.01)
    assert sg.parse("leaky_relu(x, 0.2)") is sg.leaky_relu(x, 0.2)
    assert sg.parse("elu(x)") is sg.elu(x, 1)
    assert sg.parse("heaviside(x)") is sg.heaviside(x, 0.5)
    assert sg.parse("where(x, y, z)") is sg.where(x, y, z)
    assert sg.parse("sin (x)") is sg.sin(x)  # a space before the parenthesis is fine
    assert sg.parse("  x\t+ y ") is x + y


def test_every_registry_function_parses():
    from symgraph.ops import OPS

    for name, op in OPS.items():
        if op.infix:
            continue
        if op.nargs == 0:  # a named constant: pi, E
            assert sg.parse(name).op == name
            continue
        args = ", ".join(["x", "y", "z"][: op.nargs])
        assert sg.parse(f"{name}({args})").op == name


def test_restricted_symbols():
    assert sg.parse("x + y", symbols=[x, y]) is x + y
    assert sg.parse("x + y", symbols={"x": x, "y": y}) is x + y
    with pytest.raises(sg.ParseError) as info:
        sg.parse("x + w", symbols=[x, y])
    assert info.value.position == 4 and "w" in info.value.reason


# ----- round trip with str ------------------------------------------------------------
@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(expressions(SYMS, max_depth=5))
def test_parse_of_str_evaluates_like_the_expression(e):
    text = str(e)
    back = sg.parse(text)
    pts = {
        x: np.array([0.3, -1.2, 1.9]),
        y: np.array([0.9, -0.6, 0.0]),
        z: np.array([-1.1, 0.2, 1.0]),
    }
    with warnings.catch_warnings(), np.errstate(all="ignore"):
        warnings.simplefilter("ignore")
        np.testing.assert_allclose(
            sg.evaluate(back, pts) * np.ones(3), sg.evaluate(e, pts) * np.ones(3),
            rtol=1e-12, atol=0, equal_nan=True, err_msg=text,
        )  # fmt: skip
    # the text is also Python's reading of the same expression
    ast.parse(text, mode="eval")


@settings(max_examples=100, deadline=None)
@given(expressions(SYMS, max_depth=4, names=False))
def test_parse_of_str_is_a_fixed_point(e):
    # after one trip (which may fold what the text shows, e.g. 2 * 3), the
    # text parses back to the very same node
    back = sg.parse(str(e))
    assert sg.parse(str(back)) is back, (str(e), str(back))


def test_printing_edge_cases_parse_back():
    for node in [x ** sg.parse("-2"), sg.parse("(-2)**x"), x - sg.parse("-2"), x * sg.parse("-1/2"),
                 sg.parse("(1/2)**x"), x ** sg.parse("1/2"), -(x**2), (-x) ** 2, -(x * y), x / (y * z),
                 x - (y - z), x ** (y**z), (x**y) ** z, sg.parse("-inf") * x, x * 1e-05, x * 1e20,
                 -(x ** sg.parse("-1"))]:  # fmt: skip
        assert sg.parse(str(node)) is node, str(node)


# ----- bad input: ParseError with a position and a reason -------------------------------
BAD = [
    ("x.real", 1, "attribute"),
    ("x.__class__", 1, "attribute"),
    ("x[0]", 1, "subscript"),
    ("'abc'", 0, "string"),
    ('"x"', 0, "string"),
    ("lambda x: x", 0, "lambda"),
    ("[x for x in y]", 0, "list"),
    ("(x for x in y)", 3, "for"),
    ("x; y", 1, "one expression"),
    ("x\ny", 1, "one"),
    ("foo(x)", 0, "unknown function"),
    ("__import__('os')", 0, "_"),
    ("sin(x=1)", 5, "keyword"),
    ("(y := 2)", 3, ":="),
    ("", 0, "empty"),
    ("   ", 0, "empty"),
    ("(x", 2, "')'"),
    ("x)", 1, "unbalanced"),
    ("((x)", 4, "')'"),
    ("2x", 1, "'*'"),
    ("3sin(x)", 1, "'*'"),
    ("_x", 0, "_"),
    ("x + _y", 4, "_"),
    ("sin", 0, "called"),
    ("sin + 1", 0, "called"),
    ("max * 2", 0, "called"),
    ("x(y)", 0, "unknown function"),
    ("x, y", 1, "','"),
    ("x ** ", 5, "ends"),
    ("* x", 0, "'*'"),
    ("sin()", 4, "arguments"),
    ("sin(x, y)", 0, "argument"),
    ("x y", 2, "after a complete expression"),
    ("x == y", 2, "comparison"),
    ("x < y", 2, "comparison"),
    ("not x", 0, "keyword"),
    ("x if y else z", 2, "keyword"),
    ("0x10", 1, "'x'"),
    ("1j", 1, "'j'"),
    ("x % 2", 2, "%"),
    ("x @ y", 2, "@"),
    ("~x", 0, "bitwise"),
    ("x # comment", 2, "comment"),
    ("€", 0, "character"),  # é and θ are letters of names now
    ("\u0430 + x", 0, "latin or greek"),  # a Cyrillic a, which looks like a Latin a
    ("True", 0, "keyword"),
    ("1 // 2", 3, "'/'"),
    ("{x}", 0, "brace"),
]


@pytest.mark.parametrize("text, position, reason", BAD, ids=[b[0] for b in BAD])
def test_bad_input_raises_parse_error_with_position_and_reason(text, position, reason):
    with pytest.raises(sg.ParseError) as info:
        sg.parse(text)
    err = info.value
    assert err.position == position, (err.position, err.reason)
    assert reason.lower() in err.reason.lower(), err.reason
    assert isinstance(err, ValueError) and isinstance(err, sg.ToolkitError)
    assert f"position {position}" in str(err)


def test_parse_refuses_non_strings():
    for bad in [None, 3, b"x", ["x"]]:
        with pytest.raises(sg.ParseError):
            sg.parse(bad)


def test_overlong_input_and_literals():
    with pytest.raises(sg.ParseError) as info:
        sg.parse("x+" * (MAX_LENGTH // 2) + "x")
    assert "longer" in info.value.reason
    with pytest.raises(sg.ParseError):
        sg.parse("1" * 5000)
    with pytest.raises(sg.ParseError):
        sg.parse("9" * 1234)  # more than 4096 bits: too large to keep exactly


# ----- deep nesting: a clean ParseError, quickly, never RecursionError -----------------------
@pytest.mark.parametrize(
    "make_text",
    [
        lambda n: "(" * n + "x" + ")" * n,
        lambda n: "-" * n + "x",
        lambda n: "+" * n + "x",
        lambda n: "- " * n + "x",
        lambda n: "sin(" * n + "x" + ")" * n,
        lambda n: "x**" * n + "x",
        lambda n: "(" * n,
        lambda n: "max(x, " * n + "x" + ")" * n,
        lambda n: "2^" * n + "2",
        lambda n: "(-" * n + "x" + ")" * n,
    ],
    ids=[
        "parens",
        "minus",
        "plus",
        "spaced-minus",
        "calls",
        "powers",
        "open",
        "max",
        "caret",
        "paren-minus",
    ],
)
@pytest.mark.parametrize("n", [30_000, 49_000])
def test_deep_nesting_is_a_clean_parse_error(make_text, n):
    text = make_text(n)[:MAX_LENGTH]
    with pytest.raises(sg.ParseError) as info:  # fails at the depth limit, early
        sg.parse(text)
    assert info.value.position is not None
    assert info.value.position < 1000  # refused where the nesting got too deep


def test_nesting_within_the_limit_parses():
    depth = min(MAX_DEPTH, 50)
    assert sg.parse("(" * depth + "x" + ")" * depth) is x
    assert sg.parse("-" * (2 * (depth // 2)) + "x") is x


def test_deep_nesting_inside_a_deep_stack():
    # the parser's budget follows the stack left: called deep inside user code
    # it still raises ParseError, not RecursionError
    def nest(k):
        if k == 0:
            with pytest.raises(sg.ParseError):
                sg.parse("(" * 5000 + "x" + ")" * 5000)
            return sg.parse("sin(cos(x))")
        return nest(k - 1)

    assert nest(sys.getrecursionlimit() - 200) is sg.sin(sg.cos(x))


def test_long_flat_sums_parse():
    n = 20_000
    e = sg.parse("+".join(["x"] * n))
    assert sg.evaluate(e, {x: 1}) == n


# ----- arbitrary text: only ParseError escapes ---------------------------------------------
@pytest.mark.parametrize("text", ["01", "x + 007", "00012 * y"])
def test_integers_with_leading_zeros_are_refused_as_in_python(text):
    with pytest.raises(sg.ParseError, match="leading zeros") as err:
        sg.parse(text)
    assert text[err.value.position] == "0"
    with pytest.raises(SyntaxError):
        ast.parse(text, mode="eval")


@pytest.mark.parametrize(
    "text, value", [("0", 0.0), ("000", 0.0), ("00.5", 0.5), ("01e1", 10.0)]
)
def test_zeros_python_accepts_still_parse(text, value):
    assert sg.evaluate(sg.parse(text), {}) == value == ast.literal_eval(text)


_ALPHABET = st.sampled_from(
    list("xyz019.eE+-*/^(),_ sinmaxlogpi[]'\"=:;@!<>&|~\\\n\t{}#%`$?é")
    + ["**", "sin(", "max(", "1e", ":="]
)


@settings(max_examples=300, deadline=None)
@given(st.one_of(st.text(max_size=40), st.lists(_ALPHABET, max_size=30).map("".join)))
def test_arbitrary_text_raises_only_parse_error(text):
    try:
        node = sg.parse(text)
    except sg.ParseError as err:
        assert err.position is None or 0 <= err.position <= len(text)
        assert err.reason
        return
    assert isinstance(node, sg.Node)
    # what parses is an expression Python reads the same way
    ast.parse(text.replace("^", "**").strip(), mode="eval")
