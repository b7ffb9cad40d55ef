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

import keyword
import math
import re
import sys

from ..errors import ParseError, ShapeError
from .dims import parse_shape_spec
from .functions import FUNCTIONS
from .node import TensorNode, as_tensor, const, eye, fill, make, symbol
from .ops_elementwise import ELEMENTWISE, numpy_name

__all__ = ["MAX_DEPTH", "MAX_LENGTH", "ShapeParseError", "parse"]

MAX_LENGTH = 20_000
MAX_DEPTH = 100
_FRAMES_PER_LEVEL = 8
_FRAME_MARGIN = 80


class ShapeParseError(ParseError, ShapeError):
    """A well-formed expression whose shapes do not fit (at an operator)."""


_TOKEN = re.compile(
    r"(?P<num>(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?)"
    r"|(?P<name>[A-Za-z][A-Za-z0-9_]*)"
    r"|(?P<str>'[a-z]*'|\"[a-z]*\")"
    r"|(?P<op>\*\*|[-+*/@(),=.<>])"
    r"|(?P<space>[ \t]+)"
)
_REFUSED = {
    "[": "subscripts and lists are not allowed", "]": "subscripts are not allowed",
    "{": "braces are not allowed", "}": "braces are not allowed",
    ";": "only one expression is allowed", "\n": "only one expression (one line) is allowed",
    ":": "lambdas and slices are not allowed", "%": "'%' is not supported",
    "!": "'!' is not allowed", "&": "bitwise operators are not allowed",
    "|": "bitwise operators are not allowed", "~": "bitwise operators are not allowed",
    "#": "comments are not allowed", "\\": "backslashes are not allowed",
    "_": "names may not start with '_'", "^": "write ** for powers ('^' is XOR in NumPy)",
}  # fmt: skip

# function name -> (op, number of tensor arguments, positional params, keywords)
_TENSOR_FUNCS = {
    "sum": ("sum", 1, ("axis", "keepdims"), ("axis", "keepdims")),
    "trace": ("trace", 1, (), ()), "det": ("det", 1, (), ()),
    "logdet": ("logdet", 1, (), ()), "inv": ("inv", 1, (), ()),
    "diag": ("diag", 1, (), ()), "outer": ("outer", 2, (), ()),
    "matmul": ("matmul", 2, (), ()), "norm": ("norm", 1, ("ord",), ("ord",)),
    "reshape": ("reshape", 1, ("shape",), ("shape",)),
    "transpose": ("transpose", 1, ("axes",), ("axes",)),
    "softmax": ("softmax", 1, ("axis",), ("axis",)),
    "log_softmax": ("log_softmax", 1, ("axis",), ("axis",)),
    "logsumexp": ("logsumexp", 1, ("axis", "keepdims"), ("axis", "keepdims")),
    "expand_dims": ("expand_dims", 1, ("axis",), ("axis",)),
    "correlate2d": ("correlate2d", 2, ("mode",), ("mode",)),
    "convolve2d": ("convolve2d", 2, ("mode",), ("mode",)),
    "conv2d": ("conv2d", 2, (), ("stride", "padding")),
    "conv2d_grad_input": ("conv2d_grad_input", 3, (), ("stride", "padding")),
    "conv2d_grad_weight": ("conv2d_grad_weight", 3, (), ("stride", "padding")),
    "max_pool2d": ("max_pool2d", 1, ("size", "stride"), ("size", "stride")),
    "avg_pool2d": ("avg_pool2d", 1, ("size", "stride"), ("size", "stride")),
    "max_pool2d_grad": ("max_pool2d_grad", 2, ("size", "stride"), ("size", "stride")),
    "avg_pool2d_grad": ("avg_pool2d_grad", 2, ("size", "stride"), ("size", "stride")),
    "maximum": ("maximum", 2, (), ()), "minimum": ("minimum", 2, (), ()),
}  # fmt: skip
_DEFAULTS = {"leaky_relu": (0.01,), "elu": (1,), "heaviside": (0.5,)}
_ALIASES = {"max": "maximum", "min": "minimum", "ln": "log"}
_SPECIAL = ("where", "eye", "ones_like", "zeros_like", "flip", "zeros", "ones", "full")
_CONSTANTS = {"pi": math.pi, "inf": math.inf, "nan": math.nan}
_KEYWORD_VALUES = {"None": None, "True": True, "False": False}


def _elementwise_names() -> dict:
    out = {}
    for op in ELEMENTWISE:
        if op in ("add", "sub", "mul", "div", "pow", "neg", "where"):
            continue
        out[op] = op
        out[numpy_name(op)] = op
    return out


_ELEMENTWISE = _elementwise_names()
KNOWN = sorted(set(_TENSOR_FUNCS) | set(_ELEMENTWISE) | set(_ALIASES) | set(_SPECIAL))


class _Tok:
    __slots__ = ("kind", "pos", "text")

    def __init__(self, kind, text, pos):
        self.kind, self.text, self.pos = kind, text, pos


def _tokenize(text: str) -> list:
    out, i = [], 0
    while i < len(text):
        m = _TOKEN.match(text, i)
        if m is None or m.end() == i:
            c = text[i]
            reason = _REFUSED.get(c) or (
                "string literals are only allowed as mode='valid' or ord='fro'"
                if c in "'\""
                else f"unexpected character {c!r}"
            )
            raise ParseError(reason, i, text)
        kind = m.lastgroup
        if kind != "space":
            word = m.group()
            if kind == "name" and (
                keyword.iskeyword(word) and word not in _KEYWORD_VALUES
            ):
                raise ParseError(f"the Python keyword {word!r} is not allowed", i, text)
            if (
                kind == "num"
                and m.end() < len(text)
                and (text[m.end()].isalnum() or text[m.end()] == "_")
            ):
                raise ParseError(
                    f"unexpected {text[m.end()]!r} after the number {word!r}"
                    " (write '*' for multiplication)",
                    m.end(),
                    text,
                )
            out.append(_Tok(kind, word, i))
        i = m.end()
    return out


def _depth_budget() -> int:
    frame, used = sys._getframe(), 0
    while frame is not None:
        frame, used = frame.f_back, used + 1
    return max(0, (sys.getrecursionlimit() - used - _FRAME_MARGIN) // _FRAMES_PER_LEVEL)


class _Parser:
    def __init__(self, text: str, names: dict, dims: dict):
        self.text, self.names, self.dims = text, names, dims
        self.toks = _tokenize(text)
        self.i = 0
        self.depth = 0
        self.max_depth = min(MAX_DEPTH, _depth_budget())

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
        if word in _CONSTANTS:
            return const(_CONSTANTS[word])
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
        if t is not None and (t.kind == "str" or t.text in _KEYWORD_VALUES):
            return self.value()
        spec = _TENSOR_FUNCS.get(fname)
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
        if t.text in _KEYWORD_VALUES:
            self.i += 1
            return _KEYWORD_VALUES[t.text]
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

    def call(self, word: str, pos: int) -> TensorNode:
        fname = _ALIASES.get(word, word)
        if fname not in KNOWN:
            raise self.fail(
                f"unknown function {word!r} (known: {', '.join(KNOWN)})", pos
            )
        items, keywords = self.arguments(fname)
        kw = {k: v for k, (v, _) in keywords.items()}
        if fname == "where":
            return self.where_call(items, kw, pos)
        if fname == "eye":
            if len(items) != 1 or kw or isinstance(items[0][0], TensorNode):
                raise self.fail("eye takes one dimension: eye(n) or eye(3)", pos)
            return self.build(pos, eye, items[0][0])
        if fname in ("zeros", "ones", "full"):
            return self.fill_call(fname, items, kw, pos)
        nodes = [x for x, _ in items if isinstance(x, TensorNode)]
        raw = [x for x, _ in items if not isinstance(x, TensorNode)]
        if fname in ("ones_like", "zeros_like", "flip"):
            if len(nodes) != 1 or (raw and fname != "flip") or kw:
                raise self.fail(f"{fname} takes one tensor", pos)
            if fname == "flip":
                return self.build(pos, make, "flip", nodes[0])
            value = const(1 if fname == "ones_like" else 0)
            return self.build(pos, make, "broadcast_like", value, nodes[0])
        if fname in _ELEMENTWISE and fname not in _TENSOR_FUNCS:
            op = _ELEMENTWISE[fname]
            args = nodes + [as_tensor(v) for v in raw if isinstance(v, (int, float))]
            if kw:
                raise self.fail(f"{fname}() takes no keyword arguments", pos)
            from ..ops import OPS

            nargs = OPS[op].nargs
            defaults = _DEFAULTS.get(op, ())
            if nargs - len(defaults) <= len(args) < nargs:
                args += [const(d) for d in defaults[len(args) - nargs :]]
            if len(args) != nargs:
                raise self.fail(
                    f"{word}() takes {nargs} argument(s), got {len(args)}", pos
                )
            return self.build(pos, FUNCTIONS[op], *args)
        op, ntensor, positional, keywords_ok = _TENSOR_FUNCS[fname]
        if len(nodes) != ntensor or any(isinstance(x, TensorNode) for x in raw):
            raise self.fail(
                f"{word}() takes {ntensor} tensor argument(s), got {len(nodes)}", pos
            )
        if len(raw) > len(positional):
            raise self.fail(f"{word}() got too many arguments", pos)
        params = dict(zip(positional, raw))
        for k, (v, kpos) in keywords.items():
            if k not in keywords_ok or k in params:
                raise self.fail(f"{word}() does not take {k}= here", kpos)
            params[k] = v
        return self.build(pos, make, op, *nodes, **params)

    def fill_call(self, fname, items, kw, pos) -> TensorNode:
        want = 2 if fname == "full" else 1
        if len(items) != want or kw:
            usage = "full(shape, value)" if fname == "full" else f"{fname}(shape)"
            raise self.fail(f"{fname} takes {usage}, e.g. {fname}((n, m))", pos)
        shape = items[0][0]
        shape = shape if isinstance(shape, tuple) else (shape,)
        value = {"zeros": 0, "ones": 1}.get(fname, items[-1][0])
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise self.fail("full's value must be a number", items[-1][1])
        return self.build(pos, fill, shape, value)

    def where_call(self, items, kw, pos) -> TensorNode:
        if len(items) != 3 or kw:
            raise self.fail("where takes (condition, a, b)", pos)
        (cond, cpos), (a, _), (b, _) = items
        if not (isinstance(cond, tuple) and cond[0] == "condition"):
            raise self.fail(
                "where's condition must be a comparison 'a > b' or 'a < b' "
                "(NumPy's where(c, ...) tests c != 0, symgraph's c > 0)",
                cpos,
            )
        a, b = (as_tensor(v) if not isinstance(v, TensorNode) else v for v in (a, b))
        return self.build(pos, make, "where", cond[1], a, b)


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
