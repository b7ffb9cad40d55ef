"""A safe parser for tensor expressions in NumPy syntax, given shapes.

``parse("0.5*sum((X @ w - y)**2)", shapes="X:n,m w:m y:n")``. The grammar:
numbers, declared tensor names, ``+ - * / ** @``, unary minus, parentheses,
the postfix ``.T``, and calls of known functions (optionally spelled
``np.f`` or ``np.linalg.f``) with keyword arguments from a fixed list
(``axis=0``, ``keepdims=True``, ``mode='full'``, ...); inside ``where``
the condition is ``a > b`` or ``a < b``. Everything else is refused with
:class:`~symgraph.errors.ParseError` naming the position and the reason.
The text is never handed to ``eval``, ``exec`` or ``sympify``; its length
and nesting depth are bounded. Shapes are checked as the expression is
built; a mismatch is a :class:`ShapeParseError` (both a ParseError at the
operator's position and a ShapeError naming both shapes).
"""

from __future__ import annotations

from ..errors import ParseError, ShapeError
from .calls import CallMixin
from .dims import parse_shape_spec
from .node import TensorNode, const, make, symbol
from .tokens import (
    CONSTANTS,
    KEYWORD_VALUES,
    KNOWN,
    TENSOR_FUNCS,
    depth_budget,
    tokenize,
)

__all__ = ["MAX_DEPTH", "MAX_LENGTH", "ShapeParseError", "parse"]

MAX_LENGTH = 20_000
MAX_DEPTH = 100


class ShapeParseError(ParseError, ShapeError):
    """A well-formed expression whose shapes do not fit (at an operator)."""


class _Parser(CallMixin):
    def __init__(self, text: str, names: dict, dims: dict):
        self.text, self.names, self.dims = text, names, dims
        self.toks = tokenize(text)
        self.i = 0
        self.depth = 0
        self.max_depth = min(MAX_DEPTH, depth_budget())

    # -- token helpers -------------------------------------------------------------
    def peek(self, k: int = 0):
        j = self.i + k
        return self.toks[j] if j < len(self.toks) else None

    def at(self, text: str, k: int = 0) -> bool:
        t = self.peek(k)
        return t is not None and t.kind in ("op", "name") and t.text == text

    def pos(self) -> int:
        t = self.peek()
        return t.pos if t is not None else len(self.text)

    def fail(self, reason: str, pos: int | None = None):
        return ParseError(reason, self.pos() if pos is None else pos, self.text)

    def expect(self, text: str):
        if not self.at(text):
            t = self.peek()
            found = "the end of the text" if t is None else repr(t.text)
            raise self.fail(f"expected {text!r} but found {found}")
        self.i += 1

    def enter(self, pos: int):
        self.depth += 1
        if self.depth > self.max_depth:
            raise ParseError(
                f"nesting deeper than {self.max_depth} levels", pos, self.text
            )

    def build(self, pos: int, fn, *args, **kwargs) -> TensorNode:
        try:
            return fn(*args, **kwargs)
        except ShapeError as exc:
            raise ShapeParseError(str(exc), pos, self.text) from None
        except (TypeError, NotImplementedError) as exc:
            raise ParseError(str(exc), pos, self.text) from None

    # -- grammar ----------------------------------------------------------------------
    def expression(self) -> TensorNode:
        left = self.term()
        while self.at("+") or self.at("-"):
            tok = self.peek()
            self.i += 1
            right = self.term()
            op = "add" if tok.text == "+" else "sub"
            left = self.build(tok.pos, make, op, left, right)
        return left

    def term(self) -> TensorNode:
        left = self.unary()
        while self.at("*") or self.at("/") or self.at("@"):
            tok = self.peek()
            self.i += 1
            right = self.unary()
            op = {"*": "mul", "/": "div", "@": "matmul"}[tok.text]
            left = self.build(tok.pos, make, op, left, right)
        return left

    def unary(self) -> TensorNode:
        if self.at("-") or self.at("+"):
            tok = self.peek()
            self.i += 1
            self.enter(tok.pos)
            operand = self.unary()
            self.depth -= 1
            return (
                operand
                if tok.text == "+"
                else self.build(tok.pos, make, "neg", operand)
            )
        return self.power()

    def power(self) -> TensorNode:
        base = self.postfix()
        if self.at("**"):
            tok = self.peek()
            self.i += 1
            self.enter(tok.pos)
            exponent = self.unary()
            self.depth -= 1
            return self.build(tok.pos, make, "pow", base, exponent)
        return base

    def postfix(self) -> TensorNode:
        node = self.atom()
        while self.at("."):
            dot = self.peek()
            self.i += 1
            if not self.at("T"):
                raise self.fail("attribute access is not allowed (only .T)", dot.pos)
            self.i += 1
            node = self.build(dot.pos, make, "transpose", node)
        return node

    def atom(self) -> TensorNode:
        tok = self.peek()
        if tok is None:
            raise self.fail("the expression ends too early")
        if tok.kind == "num":
            self.i += 1
            is_float = any(c in tok.text for c in ".eE")
            if not is_float and len(tok.text) > 1 and tok.text[0] == "0":
                raise self.fail(
                    f"leading zeros in the integer {tok.text!r} are ambiguous", tok.pos
                )
            return const(float(tok.text) if is_float else int(tok.text))
        if tok.text == "(":
            self.i += 1
            self.enter(tok.pos)
            if self.at(")"):
                raise self.fail("empty parentheses")
            inner = self.expression()
            self.expect(")")
            self.depth -= 1
            return inner
        if tok.kind == "name":
            return self.name()
        if tok.kind == "str":
            raise self.fail("a string is only allowed as a keyword value (mode='full')")
        raise self.fail(f"unexpected {tok.text!r}")

    def name(self) -> TensorNode:
        tok = self.peek()
        self.i += 1
        word = tok.text
        if word == "np":
            word = self.qualified(tok)
        if self.at("("):
            return self.call(word, tok.pos)
        if word in self.names:
            return self.names[word]
        if word in CONSTANTS:
            return const(CONSTANTS[word])
        if word in KNOWN:
            raise self.fail(
                f"the function {word!r} must be called, as {word}(...)", tok.pos
            )
        if word in self.dims:
            raise self.fail(f"{word!r} is a dimension, not a tensor", tok.pos)
        known = ", ".join(sorted(self.names)) or "none"
        raise self.fail(f"unknown tensor {word!r} (declared: {known})", tok.pos)

    def qualified(self, tok) -> str:
        parts = []
        while self.at("."):
            self.i += 1
            t = self.peek()
            if t is None or t.kind != "name":
                raise self.fail("expected a function name after 'np.'")
            parts.append(t.text)
            self.i += 1
        if parts[:1] == ["linalg"]:
            parts = parts[1:]
        if len(parts) != 1 or not self.at("("):
            raise self.fail(
                "only calls np.f(...) and np.linalg.f(...) are allowed", tok.pos
            )
        return parts[0]

    # -- calls ------------------------------------------------------------------------
    def arguments(self, fname: str) -> tuple:
        """Positional items (nodes, or raw values) and keyword values."""
        open_tok = self.peek()
        self.expect("(")
        self.enter(open_tok.pos)
        items, keywords = [], {}
        if self.at(")"):
            raise self.fail(f"{fname}() needs arguments")
        while True:
            t = self.peek()
            if t is not None and t.kind == "name" and self.at("=", 1):
                self.i += 2
                if t.text in keywords:
                    raise self.fail(f"{t.text}= is given twice", t.pos)
                keywords[t.text] = (self.value(), t.pos)
            elif keywords:
                raise self.fail("a positional argument after a keyword argument")
            else:
                items.append((self.item(fname, len(items)), t.pos))
            if self.at(","):
                self.i += 1
                continue
            break
        self.expect(")")
        self.depth -= 1
        return items, keywords

    def item(self, fname: str, index: int):
        t = self.peek()
        if t is not None and (t.kind == "str" or t.text in KEYWORD_VALUES):
            return self.value()
        spec = TENSOR_FUNCS.get(fname)
        if fname in ("eye", "zeros", "ones", "full") or (
            spec is not None and index >= spec[1]
        ):
            return self.value()  # a parameter (axis, shape, size, ...)
        node = self.expression()
        if fname == "where" and index == 0 and (self.at(">") or self.at("<")):
            cmp_tok = self.peek()
            self.i += 1
            other = self.expression()
            a, b = (node, other) if cmp_tok.text == ">" else (other, node)
            return ("condition", self.build(cmp_tok.pos, make, "sub", a, b))
        return node

    def value(self):
        """A keyword value: a number, None/True/False, a short string or a tuple."""
        t = self.peek()
        if t is None:
            raise self.fail("a value is missing")
        if t.kind == "str":
            self.i += 1
            return t.text[1:-1]
        if t.text in KEYWORD_VALUES:
            self.i += 1
            return KEYWORD_VALUES[t.text]
        if self.at("("):
            self.i += 1
            out = []
            while not self.at(")"):
                out.append(self.value())
                if self.at(","):
                    self.i += 1
                elif not self.at(")"):
                    raise self.fail("expected ',' or ')' in a tuple")
            self.i += 1
            return tuple(out)
        sign = 1
        if self.at("-"):
            sign, self.i = -1, self.i + 1
            t = self.peek()
        if t is not None and t.kind == "num":
            self.i += 1
            return sign * (int(t.text) if t.text.isdigit() else float(t.text))
        if t is not None and t.kind == "name" and t.text in self.dims and sign == 1:
            self.i += 1
            return self.dims[t.text]
        raise self.fail("expected a number, a tuple, None, True, False or a 'string'")


def _tables(shapes) -> tuple:
    if isinstance(shapes, (list, tuple)) and all(
        isinstance(s, TensorNode) for s in shapes
    ):
        names = {s.value: s for s in shapes}
    else:
        names = {k: symbol(k, v) for k, v in parse_shape_spec(shapes).items()}
    dims = {}
    for s in names.values():
        for d in s.shape:
            if not isinstance(d, int) and d.is_Symbol:
                dims[d.name] = d
    return names, dims


def parse(text: str, shapes) -> TensorNode:
    """Parse a tensor expression in NumPy syntax, given the tensors' shapes.

    Parameters
    ----------
    text : str
    shapes : ``"X:n,m w:m y:n"``, a dict ``{"X": ("n", "m")}``, or a list
        of tensor symbols.

    Returns
    -------
    TensorNode

    Raises
    ------
    ParseError
        With ``.position`` and ``.reason``; a :class:`ShapeParseError` (also
        a ShapeError) when shapes do not fit.

    Examples
    --------
    >>> import symgraph as sg
    >>> f = sg.parse("0.5*sum((X@w - y)**2)", shapes="X:n,m w:m y:n")
    >>> sg.grad(f, sg.tensors("w:m"))
    X.T @ (X @ w - y)
    >>> sg.parse("X @ y", shapes="X:n,m y:n")
    Traceback (most recent call last):
    ...
    symgraph.tensor.parse.ShapeParseError: matmul: shapes (n, m) and (n,): m and n differ (the inner dimensions of @) at position 2
    ...
    """
    if not isinstance(text, str):
        raise ParseError(f"expected a string, got {type(text).__name__}")
    if len(text) > MAX_LENGTH:
        raise ParseError(f"text longer than {MAX_LENGTH} characters", MAX_LENGTH)
    if not text.strip():
        raise ParseError("empty expression", 0, text)
    names, dims = _tables(shapes)
    parser = _Parser(text, names, dims)
    node = parser.expression()
    tok = parser.peek()
    if tok is not None:
        if tok.text == ")":
            raise ParseError("unbalanced ')'", tok.pos, text)
        if tok.text == ",":
            raise ParseError("a ',' outside a function call", tok.pos, text)
        if tok.text in ("=", "<", ">"):
            raise ParseError(
                "assignments and comparisons are not allowed", tok.pos, text
            )
        raise ParseError(
            f"unexpected {tok.text!r} after a complete expression", tok.pos, text
        )
    return node
