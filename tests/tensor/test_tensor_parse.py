"""The safe tensor parser: NumPy syntax given shapes, round trips, and hostile
input (never executed, always a ParseError with a position and a reason)."""

import sys
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import symgraph as sg
from symgraph.errors import ParseError, ShapeError
from symgraph.tensor.parse import MAX_DEPTH, MAX_LENGTH, ShapeParseError

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "hardening"))
import hostile_strings

SHAPES = "X:n,m w:m y:n A:n,n x:n a"
X, w, y, A, x, a = sg.tensors(SHAPES)


@pytest.mark.parametrize(
    "text, built",
    [
        ("0.5*sum((X@w - y)**2)", 0.5 * sg.sum((X @ w - y) ** 2)),
        ("X.T @ (X @ w - y)", X.T @ (X @ w - y)),
        ("np.linalg.inv(A).T", sg.inv(A).T),
        ("np.sum(X, axis=0)", sg.sum(X, axis=0)),
        ("sum(X, 1, keepdims=True)", sg.sum(X, axis=1, keepdims=True)),
        ("trace(A) * eye(n)", sg.trace(A) * sg.eye("n")),
        ("logdet(A) + det(A) + norm(x, 1) + norm(X)", sg.logdet(A) + sg.det(A) + sg.norm(x, 1) + sg.norm(X)),
        ("-x**2", -(x**2)),
        ("x**-a", x ** (-a)),
        ("2**3**a", 2 ** (3**a)),
        ("where(x > y, x, 0)", sg.where(x - y, x, 0)),
        ("where(x < 0, 0.1 * x, x)", sg.where(0 - x, 0.1 * x, x)),
        ("softmax(X, axis=0) + log_softmax(X, axis=1)", sg.softmax(X, 0) + sg.log_softmax(X, 1)),
        ("reshape(X, (m, n)).T", sg.reshape(X, ("m", "n")).T),
        ("relu(x) + leaky_relu(x) + arctan(x) + max(x, 0)",
         sg.relu(x) + sg.leaky_relu(x) + sg.atan(x) + sg.maximum(x, 0)),
        ("zeros(n) + ones((n,)) + full(n, 2.5)", None),
    ],
)  # fmt: skip
def test_parse_builds_the_same_dag(text, built):
    node = sg.parse(text, shapes=SHAPES)
    if built is not None:
        assert node is built
    assert node.shape == sg.parse(str(node), shapes=SHAPES).shape


@pytest.mark.parametrize(
    "text, position, reason",
    [
        ("X @ y", 2, "m and n differ"),
        ("X.shape", 1, "only .T"),
        ("X[0]", 1, "subscripts"),
        ("sum(X", 5, "expected ')'"),
        ("foo(X)", 0, "unknown function 'foo'"),
        ("q + X", 0, "unknown tensor 'q'"),
        ("n + X", 0, "'n' is a dimension"),
        ("where(x, x, 0)", 6, "condition must be a comparison"),
        ("x ^ 2", 2, "write **"),
        ("x >= 0", 2, "comparisons"),
        ("sum(X, axis=5)", 0, "out of range"),
        ("sum(X, bogus=1)", 7, "does not take bogus="),
        ("exp", 0, "must be called"),
        ("007 * x", 0, "leading zeros"),
        ("2x", 1, "write '*'"),
        ("(", 1, "ends too early"),
    ],
)
def test_parse_errors_name_the_position_and_reason(text, position, reason):
    with pytest.raises(ParseError) as err:
        sg.parse(text, shapes=SHAPES)
    assert err.value.position == position, str(err.value)
    assert reason in err.value.reason


def test_shape_errors_are_both_parse_and_shape_errors():
    with pytest.raises(ShapeParseError) as err:
        sg.parse("X + y", shapes=SHAPES)
    assert isinstance(err.value, ShapeError) and isinstance(err.value, ParseError)
    assert "(n, m)" in str(err.value) and "(n,)" in str(err.value)


def test_limits_on_length_and_depth():
    with pytest.raises(ParseError, match="longer than"):
        sg.parse("x + " * (MAX_LENGTH // 4 + 1) + "x", shapes=SHAPES)
    with pytest.raises(ParseError, match="nesting deeper"):
        sg.parse("(" * (MAX_DEPTH + 5) + "x" + ")" * (MAX_DEPTH + 5), shapes=SHAPES)


@pytest.mark.parametrize("text", hostile_strings.corpus())
def test_hostile_strings_never_run_and_fail_cleanly(text, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    canary = tmp_path / "canary"
    text = hostile_strings.with_canary(text, str(canary))
    try:
        sg.parse(text, shapes="x:n y:n")
    except ParseError:
        pass
    else:  # some scalar-refused syntax (x @ y) is valid NumPy: never a payload
        assert "canary" not in text
    assert not canary.exists()


# ----- property: printed text parses back to an equal expression ----------------------
_LEAVES = [X @ w, y, x, sg.trace(A) * x, A @ x, sg.softmax(y)]
_UNARY = [sg.exp, sg.tanh, sg.sigmoid, sg.relu, lambda v: -v, lambda v: 0.5 * v,
          lambda v: v**2, lambda v: A.T @ v, sg.sin]  # fmt: skip
_BINARY = [lambda p, q: p + q, lambda p, q: p - q, lambda p, q: p * q,
           lambda p, q: p / (1 + q**2), lambda p, q: sg.outer(p, q) @ q]  # fmt: skip


@st.composite
def expressions(draw, depth=3):
    if depth == 0 or draw(st.booleans()):
        return draw(st.sampled_from(_LEAVES))
    if draw(st.booleans()):
        return draw(st.sampled_from(_UNARY))(draw(expressions(depth - 1)))
    op = draw(st.sampled_from(_BINARY))
    return op(draw(expressions(depth - 1)), draw(expressions(depth - 1)))


@settings(max_examples=40, deadline=None, derandomize=True)
@given(expressions())
def test_printed_text_and_its_gradient_parse_back_to_equal_values(e):
    rng = np.random.default_rng(0)
    point = {"X": rng.standard_normal((3, 3)), "w": rng.standard_normal(3),
             "y": rng.standard_normal(3), "A": rng.standard_normal((3, 3)),
             "x": rng.standard_normal(3)}  # fmt: skip
    f = sg.sum(e * e)
    for node in (e, sg.grad(f, x)):
        back = sg.parse(str(node), shapes=SHAPES)
        np.testing.assert_allclose(
            sg.evaluate(back, point), sg.evaluate(node, point), rtol=1e-9, atol=1e-12
        )
