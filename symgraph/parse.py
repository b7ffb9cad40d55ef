"""A safe parser for expression strings: text in, node out, nothing executed.

The grammar is a small subset of Python's expression syntax: numbers, names,
``+ - * / **`` (``^`` is read as ``**``, as ``sympify`` does), unary minus,
parentheses and calls of the registry's functions. Everything else is refused
with :class:`ParseError` naming the position and the reason. The text is never
handed to ``eval``, ``exec``, ``sympify`` or ``parse_expr``; input length,
nesting depth and the size of integer literals are bounded.
"""

from __future__ import annotations

import sys
import warnings
from types import FrameType

from . import ops as _ops  # noqa: F401  (the declarations fill the op table)
from .calls import (
    CONSTANTS,
    FUNCTIONS,
    ArityError,
    apply_call,
    tables,
    uncalled,
    unknown_function,
)
from .errors import LimitError, ParseError
from .identifiers import normal_name
from .node import MAX_INT_BITS, Node, const, const_number, make, symbol
from .parse_help import ParseHint, constant_hint, hints_of
from .tokens import MAX_DIGITS, tokenize

__all__ = [
    "FUNCTIONS",
    "MAX_DEPTH",
    "MAX_DIGITS",
    "MAX_LENGTH",
    "ParseHint",
    "parse",
    "parse_with_hints",
]

MAX_LENGTH = 100_000
MAX_DEPTH = 100
# The parser recurses: one nesting level (a call such as ``sin(`` ...) costs up
# to this many Python frames, so the depth allowed is also capped by the stack
# left below the interpreter's recursion limit (never a RecursionError).
_FRAMES_PER_LEVEL = 6
_FRAME_MARGIN = 60

_E_SYMBOL = symbol("e")

# Binary operators: (precedence, right-associative)
_BINARY = {"+": (1, False), "-": (1, False), "*": (2, False), "/": (2, False),
           "**": (4, True), "^": (4, True)}  # fmt: skip
_OPNAME = {"+": "add", "-": "sub", "*": "mul", "/": "div", "**": "pow", "^": "pow"}
_UNARY_PREC = 3


def _depth_budget() -> int:
    """Nesting levels the stack left below the recursion limit can hold."""
    frame: FrameType | None = sys._getframe()
    used = 0
    while frame is not None:
        frame, used = frame.f_back, used + 1
    return max(0, (sys.getrecursionlimit() - used - _FRAME_MARGIN) // _FRAMES_PER_LEVEL)


class _Parser:
    def __init__(self, text: str, symbols: dict | None):
        self.text = text
        self.tokens = tokenize(text)
        self.i = 0
        self.depth = 0
        self.symbols = symbols
        self.max_depth = min(MAX_DEPTH, _depth_budget())
        # for the hints: where each free name is used, and where "e" is a
        # power's base
        self.uses: dict[str, list[int]] = {}
        self.e_bases: list[int] = []

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
        start = self.peek()
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
            if _OPNAME[tok.text] == "pow" and left is _E_SYMBOL and start is not None:
                self.e_bases.append(start.pos)
            left = node

    def check_constant_power(self, base: Node, exponent: Node, pos: int) -> None:
        """Refuse a power of constants that folding left unevaluated for its size.

        ``9**9**9`` has 1.2 billion bits: kept symbolic, it would hang or
        overflow whatever computes it later (SymPy, generated code), so the
        parser stops it here with a clear error.
        """
        b, e = const_number(base), const_number(exponent)
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
        if word in CONSTANTS:
            return CONSTANTS[word]()
        if word in tables()[0]:
            after = self.tokens[self.i + 1] if self.i + 1 < len(self.tokens) else None
            raise ParseError(uncalled(word, nxt, after), tok.pos, self.text)
        if self.symbols is not None:
            if word not in self.symbols:
                raise ParseError(
                    f"unknown symbol {word!r}{constant_hint(word)}", tok.pos, self.text
                )
            return self.symbols[word]
        self.uses.setdefault(word, []).append(tok.pos)
        return symbol(word)

    def call(self, tok) -> Node:
        word = tok.text
        op = tables()[0].get(word)
        if op is None:
            raise ParseError(unknown_function(word), tok.pos, self.text)
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
        try:
            return apply_call(word, op, args)
        except ArityError as exc:
            raise ParseError(str(exc), tok.pos, self.text) from None


def parse_with_hints(text: str, symbols=None) -> tuple[Node, list[ParseHint]]:
    """Parse like :func:`parse`, and return the hints as data, not warnings.

    Parameters
    ----------
    text : str
        As for :func:`parse`.
    symbols : optional mapping or sequence of symbol nodes
        As for :func:`parse`.

    Returns
    -------
    (Node, list of ParseHint)
        The hints name likely slips in text that is nevertheless valid: ``e``
        used only as the base of powers (``e^x`` is a symbol ``e`` to the
        power ``x``; Euler's number is ``E`` or ``exp(1)``) and ``π`` used as
        a symbol (the number is ``pi``). Names listed in ``symbols`` are
        meant as given and get no hint.

    Raises
    ------
    ParseError
        As :func:`parse` does.

    Examples
    --------
    >>> import symgraph as sg
    >>> from symgraph.parse import parse_with_hints
    >>> node, hints = parse_with_hints("e^x + 1")
    >>> node
    e**x + 1
    >>> print(hints[0].reason)
    'e' is a symbol here, not Euler's number: write exp(...) or E**(...) for the exponential
    """
    if not isinstance(text, str):
        raise ParseError(f"expected a string, got {type(text).__name__}")
    if len(text) > MAX_LENGTH:
        raise ParseError(f"text longer than {MAX_LENGTH} characters", MAX_LENGTH)
    if symbols is not None:
        if not isinstance(symbols, dict):
            symbols = {s.value: s for s in symbols}
        symbols = {
            normal_name(k) if isinstance(k, str) else k: v for k, v in symbols.items()
        }
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
        implicit = tok.kind in ("name", "int", "float") or tok.text == "("
        raise ParseError(
            f"unexpected {tok.text!r} after a complete expression"
            + (" (write '*' for multiplication)" if implicit else ""),
            tok.pos,
            text,
        )
    return node, hints_of(parser.text, parser.uses, parser.e_bases)


def parse(text: str, symbols=None, *, hints: bool = True) -> Node:
    """Parse an expression string into a node, safely.

    Parameters
    ----------
    text : str
        Numbers, names, ``+ - * / **`` (or ``^``), unary minus, parentheses,
        and calls of known functions (``sin``, ``max``, ``relu``, ...; see
        ``symgraph.parse.FUNCTIONS``). ``pi`` and ``E`` are the constants.
        ``log(x, b)`` is the logarithm to base ``b``, ``log(x) / log(b)``.
        Names may hold Latin and Greek letters (``θ``, ``α1``), read as
        Python reads identifiers; the typeset minus sign ``−`` is ``-``.
    symbols : optional mapping or sequence of symbol nodes
        When given, only these names may appear.
    hints : bool
        Warn with :class:`ParseHint` about likely slips in valid text
        (``e^x`` with ``e`` a symbol); see :func:`parse_with_hints`.

    Returns
    -------
    Node

    Raises
    ------
    ParseError
        With ``.position`` and ``.reason``, for anything outside the grammar
        (attributes, subscripts, strings, lambdas, several statements, unknown
        functions, empty text) and past the limits on length
        (``MAX_LENGTH``), nesting (``MAX_DEPTH``) and literal size. The
        reason says what to write for common slips (``2x``, ``sin x``,
        ``|x|``, ``x²``, ``√x``, ``×``).

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
    >>> sg.parse("|x - 1|")
    Traceback (most recent call last):
    ...
    symgraph.errors.ParseError: '|' is not an operator here: write abs(x - 1) for |x - 1| at position 0
    ...
    """
    node, found = parse_with_hints(text, symbols)
    if hints:
        for hint in found:
            warnings.warn(hint, stacklevel=2)
    return node
