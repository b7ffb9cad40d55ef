"""A safe parser for expression strings: text in, node out, nothing executed.

The grammar is a small subset of Python's expression syntax: numbers, names,
``+ - * / **`` (``^`` is read as ``**``, as ``sympify`` does), unary minus,
parentheses and calls of the registry's functions. Everything else is refused
with :class:`ParseError` naming the position and the reason. The text is never
handed to ``eval``, ``exec``, ``sympify`` or ``parse_expr``; input length,
nesting depth and the size of integer literals are bounded.
"""

from __future__ import annotations

import keyword
import math
import sys

from .errors import LimitError, ParseError
from .node import MAX_INT_BITS, Node, const, make, symbol
from .ops import OPS
from .tensor import hooks as _tensor

__all__ = ["FUNCTIONS", "MAX_DEPTH", "MAX_DIGITS", "MAX_LENGTH", "parse"]

MAX_LENGTH = 100_000
MAX_DEPTH = 100
# The parser recurses: one nesting level (a call such as ``sin(`` ...) costs up
# to this many Python frames, so the depth allowed is also capped by the stack
# left below the interpreter's recursion limit (never a RecursionError).
_FRAMES_PER_LEVEL = 6
_FRAME_MARGIN = 60
# Enough for every exact constant a node can hold (MAX_INT_BITS = 4096 bits is
# 1234 digits), so str(node) of any folded constant parses back.
MAX_DIGITS = 1234

# Callable names: the registry's ops plus the spellings people type.
_ALIASES = {"max": "maximum", "min": "minimum", "ln": "log", "arctan": "atan",
            "arcsin": "asin", "arccos": "acos", "Abs": "abs", "step": "heaviside"}  # fmt: skip
FUNCTIONS = sorted(
    set(OPS) - {"add", "sub", "mul", "div", "neg", "pow"} | set(_ALIASES)
)
# Optional trailing parameters: leaky_relu(x) means leaky_relu(x, 0.01).
_DEFAULTS = {"leaky_relu": (0.01,), "elu": (1,), "heaviside": (0.5,)}
# max(a, b) is the binary maximum; max(a, b, c, ...) the n-ary reduction
# (ties split evenly); likewise min. maxpool(a, b, ...) takes any number >= 2.
_VARIADIC = {"maximum": "max", "minimum": "min"}
_CONSTANTS = {"pi": lambda: const(math.pi), "E": lambda: make("exp", const(1)),
              "inf": lambda: const(math.inf), "nan": lambda: const(math.nan)}  # fmt: skip

_OPERATORS = ("**", "+", "-", "*", "/", "^", "(", ")", ",")
_REFUSED = {
    ".": "attribute access and '.' outside a number are not allowed",
    "[": "subscripts and lists are not allowed",
    "]": "subscripts and lists are not allowed",
    "{": "braces are not allowed",
    "}": "braces are not allowed",
    "'": "string literals are not allowed",
    '"': "string literals are not allowed",
    "=": "assignments, comparisons and keyword arguments are not allowed",
    ":": "lambdas, slices and ':=' are not allowed",
    ";": "only one expression is allowed",
    "\n": "only one expression (one line) is allowed",
    "@": "'@' is not an operator here",
    "_": "names may not start with '_'",
    "%": "'%' is not supported",
    "<": "comparisons are not allowed",
    ">": "comparisons are not allowed",
    "!": "'!' is not allowed",
    "&": "bitwise operators are not allowed",
    "|": "bitwise operators are not allowed",
    "~": "bitwise operators are not allowed",
    "#": "comments are not allowed",
    "\\": "backslashes are not allowed",
    "`": "backticks are not allowed",
    "$": "'$' is not allowed",
    "?": "'?' is not allowed",
}


class _Token:
    __slots__ = ("kind", "pos", "text")

    def __init__(self, kind, text, pos):
        self.kind, self.text, self.pos = kind, text, pos


def _tokenize(text: str) -> list:
    tokens = []
    i, n = 0, len(text)
    while i < n:
        c = text[i]
        if c in " \t":
            i += 1
            continue
        if c.isascii() and (
            c.isdigit() or (c == "." and i + 1 < n and text[i + 1].isdigit())
        ):
            j = i
            while j < n and text[j].isascii() and text[j].isdigit():
                j += 1
            is_float = False
            if j < n and text[j] == ".":
                is_float = True
                j += 1
                while j < n and text[j].isascii() and text[j].isdigit():
                    j += 1
            if j < n and text[j] in "eE":
                k = j + 1
                if k < n and text[k] in "+-":
                    k += 1
                if k < n and text[k].isascii() and text[k].isdigit():
                    is_float = True
                    j = k
                    while j < n and text[j].isascii() and text[j].isdigit():
                        j += 1
            if j < n and (text[j].isalnum() or text[j] in "_."):
                raise ParseError(
                    f"unexpected {text[j]!r} right after the number {text[i:j]!r}"
                    " (write '*' for multiplication)",
                    j,
                    text,
                )
            if j - i > MAX_DIGITS:
                raise ParseError(
                    f"number literal longer than {MAX_DIGITS} characters", i, text
                )
            literal = text[i:j]
            if not is_float and literal[0] == "0" and literal.strip("0"):
                # as in Python 3: 010 is ten to some readers and eight to others (C)
                raise ParseError(
                    f"leading zeros in the integer {literal!r} are ambiguous"
                    f" (write {literal.lstrip('0')!r})",
                    i,
                    text,
                )
            tokens.append(_Token("float" if is_float else "int", text[i:j], i))
            i = j
            continue
        if c.isascii() and c.isalpha():
            j = i
            while j < n and text[j].isascii() and (text[j].isalnum() or text[j] == "_"):
                j += 1
            word = text[i:j]
            if keyword.iskeyword(word) or keyword.issoftkeyword(word):
                raise ParseError(f"the Python keyword {word!r} is not allowed", i, text)
            if j < n and text[j] == ".":
                raise ParseError("attribute access is not allowed", j, text)
            tokens.append(_Token("name", word, i))
            i = j
            continue
        if text.startswith("**", i):
            tokens.append(_Token("op", "**", i))
            i += 2
            continue
        if c in "+-*/^(),":
            tokens.append(_Token("op", c, i))
            i += 1
            continue
        reason = _REFUSED.get(c)
        if reason is None:
            reason = f"unexpected character {c!r}"
        raise ParseError(reason, i, text)
    return tokens


# Binary operators: (precedence, right-associative)
_BINARY = {"+": (1, False), "-": (1, False), "*": (2, False), "/": (2, False),
           "**": (4, True), "^": (4, True)}  # fmt: skip
_OPNAME = {"+": "add", "-": "sub", "*": "mul", "/": "div", "**": "pow", "^": "pow"}
_UNARY_PREC = 3


def _depth_budget() -> int:
    """Nesting levels the stack left below the recursion limit can hold."""
    frame, used = sys._getframe(), 0
    while frame is not None:
        frame, used = frame.f_back, used + 1
    return max(0, (sys.getrecursionlimit() - used - _FRAME_MARGIN) // _FRAMES_PER_LEVEL)


class _Parser:
    def __init__(self, text: str, symbols: dict | None):
        self.text = text
        self.tokens = _tokenize(text)
        self.i = 0
        self.depth = 0
        self.symbols = symbols
        self.max_depth = min(MAX_DEPTH, _depth_budget())

    def peek(self):
        return self.tokens[self.i] if self.i < len(self.tokens) else None

    def error(self, reason, pos=None):
        if pos is None:
            tok = self.peek()
            pos = tok.pos if tok is not None else len(self.text)
        return ParseError(reason, pos, self.text)

    def enter(self, pos):
        self.depth += 1
        if self.depth > self.max_depth:
            raise ParseError(
                f"nesting deeper than {self.max_depth} levels", pos, self.text
            )

    def expect(self, text):
        tok = self.peek()
        if tok is None or tok.text != text:
            found = "the end of the text" if tok is None else repr(tok.text)
            raise self.error(f"expected {text!r} but found {found}")
        self.i += 1

    def expression(self, min_prec=0) -> Node:
        left = self.unary()
        while True:
            tok = self.peek()
            if tok is None or tok.kind != "op" or tok.text not in _BINARY:
                return left
            prec, right_assoc = _BINARY[tok.text]
            if prec < min_prec:
                return left
            self.i += 1
            self.enter(tok.pos)
            # ** is right-associative: x**y**z is x**(y**z); x**-y works
            # because the right operand starts at unary().
            right = self.expression(prec if right_assoc else prec + 1)
            self.depth -= 1
            node = make(_OPNAME[tok.text], left, right)
            if node.op == "pow" and left.op == "const" and right.op == "const":
                self.check_constant_power(left, right, tok.pos)
            left = node

    def check_constant_power(self, base: Node, exponent: Node, pos: int) -> None:
        """Refuse a power of constants that folding left unevaluated for its size.

        ``9**9**9`` has 1.2 billion bits: kept symbolic, it would hang or
        overflow whatever computes it later (SymPy, generated code), so the
        parser stops it here with a clear error.
        """
        b, e = base.value, exponent.value
        b_text = str(base) if isinstance(b, int | float) and b >= 0 else f"({base})"
        e_text = (
            str(exponent) if isinstance(e, int | float) and e >= 0 else f"({exponent})"
        )
        what = f"the constant power {b_text}**{e_text}"
        if isinstance(b, float) or isinstance(e, float):
            try:
                float(b) ** float(e)
            except OverflowError:
                raise ParseError(
                    f"{what} overflows the float range", pos, self.text
                ) from None
            except ZeroDivisionError:
                pass  # 0.0 ** -1: infinite, as x / 0 is
            return
        if isinstance(e, int) and b not in (0, 1, -1):
            raise ParseError(
                f"{what} is too large to compute exactly (more than {MAX_INT_BITS} bits)",
                pos,
                self.text,
            )

    def unary(self) -> Node:
        tok = self.peek()
        if tok is not None and tok.kind == "op" and tok.text in "+-":
            self.i += 1
            self.enter(tok.pos)
            operand = self.expression(_UNARY_PREC)
            self.depth -= 1
            return operand if tok.text == "+" else make("neg", operand)
        return self.atom()

    def atom(self) -> Node:
        tok = self.peek()
        if tok is None:
            raise self.error("the expression ends too early")
        self.i += 1
        if tok.kind == "int":
            return const(int(tok.text))
        if tok.kind == "float":
            value = float(tok.text)
            return const(value)
        if tok.kind == "name":
            return self.name(tok)
        if tok.text == "(":
            self.enter(tok.pos)
            if self.peek() is not None and self.peek().text == ")":
                raise self.error("empty parentheses")
            inner = self.expression()
            self.expect(")")
            self.depth -= 1
            return inner
        raise ParseError(f"unexpected {tok.text!r}", tok.pos, self.text)

    def name(self, tok) -> Node:
        word = tok.text
        nxt = self.peek()
        called = nxt is not None and nxt.text == "("
        if called:
            return self.call(tok)
        if word in _CONSTANTS:
            return _CONSTANTS[word]()
        if word in FUNCTIONS:
            raise ParseError(
                f"the function {word!r} must be called, as {word}(...)",
                tok.pos,
                self.text,
            )
        if self.symbols is not None:
            if word not in self.symbols:
                raise ParseError(f"unknown symbol {word!r}", tok.pos, self.text)
            return self.symbols[word]
        return symbol(word)

    def call(self, tok) -> Node:
        word = tok.text
        op = _ALIASES.get(word, word)
        if op not in OPS or word not in FUNCTIONS:
            raise ParseError(
                f"unknown function {word!r} (known: {', '.join(FUNCTIONS)})",
                tok.pos,
                self.text,
            )
        open_tok = self.peek()
        self.i += 1
        self.enter(open_tok.pos)
        args = []
        if self.peek() is not None and self.peek().text == ")":
            raise self.error(f"{word}() needs arguments")
        while True:
            args.append(self.expression())
            nxt = self.peek()
            if nxt is not None and nxt.text == ",":
                self.i += 1
                continue
            break
        self.expect(")")
        self.depth -= 1
        nargs = OPS[op].nargs
        if len(args) > 2 and op in _VARIADIC:
            op = _VARIADIC[op]
        if OPS[op].reduces and len(args) >= 2:
            return make(op, *args)
        defaults = _DEFAULTS.get(op, ())
        if nargs - len(defaults) <= len(args) < nargs:
            args += [const(d) for d in defaults[len(args) - nargs :]]
        if len(args) != nargs:
            want = (
                "2 or more arguments"
                if OPS[op].reduces
                else (f"{nargs} argument{'s' if nargs > 1 else ''}")
            )
            raise ParseError(
                f"{word}() takes {want}, got {len(args)}",
                tok.pos,
                self.text,
            )
        return make(op, *args)


def parse(text: str, symbols=None, shapes=None) -> Node:
    """Parse an expression string into a node, safely.

    Parameters
    ----------
    text : str
        Numbers, names, ``+ - * / **`` (or ``^``), unary minus, parentheses,
        and calls of known functions (``sin``, ``max``, ``relu``, ...; see
        ``symgraph.parse.FUNCTIONS``). ``pi`` and ``E`` are the constants.
    symbols : optional mapping or sequence of symbol nodes
        When given, only these names may appear.
    shapes : optional tensor shapes, e.g. ``"X:n,m w:m y:n"`` or a dict
        When given, the text is a tensor expression in NumPy syntax (``@``,
        ``.T``, ``sum``, ``trace``, ...) read by ``symgraph.tensor.parse``,
        and the result is a tensor node.

    Returns
    -------
    Node

    Raises
    ------
    ParseError
        With ``.position`` and ``.reason``, for anything outside the grammar
        (attributes, subscripts, strings, lambdas, several statements, unknown
        functions, empty text) and past the limits on length
        (``MAX_LENGTH``), nesting (``MAX_DEPTH``) and literal size.

    Examples
    --------
    >>> import symgraph as sg
    >>> sg.parse("sin(x**2) + max(x, y)")
    sin(x**2) + maximum(x, y)
    >>> sg.parse("x.__class__")
    Traceback (most recent call last):
    ...
    symgraph.errors.ParseError: attribute access is not allowed at position 1
    ...
    """
    # tensor hook: with shapes, the tensor parser reads NumPy syntax
    if shapes is not None:
        return _tensor.parse(text, shapes)
    if not isinstance(text, str):
        raise ParseError(f"expected a string, got {type(text).__name__}")
    if len(text) > MAX_LENGTH:
        raise ParseError(f"text longer than {MAX_LENGTH} characters", MAX_LENGTH)
    if symbols is not None and not isinstance(symbols, dict):
        symbols = {s.value: s for s in symbols}
    if not text.strip():
        raise ParseError("empty expression", 0, text)
    parser = _Parser(text, symbols)
    try:
        node = parser.expression()
    except LimitError as exc:
        raise ParseError(
            str(exc), parser.peek().pos if parser.peek() else len(text), text
        ) from None
    tok = parser.peek()
    if tok is not None:
        if tok.text == ",":
            raise ParseError("a ',' outside a function call", tok.pos, text)
        if tok.text == ")":
            raise ParseError("unbalanced ')'", tok.pos, text)
        raise ParseError(
            f"unexpected {tok.text!r} after a complete expression", tok.pos, text
        )
    return node
