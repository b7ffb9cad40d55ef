"""The parser's help with what people type: names in Unicode, and hints
for the slips of writing mathematics as text.

:mod:`symgraph.parse` reads the grammar; this module says which characters
make a name (Latin and Greek letters, in Python's normal form: see
``identifiers.py``), what to write instead of a character the grammar does
not read (``x²``: write ``x**2``; ``|x|``: write ``abs(x)``; ``×``: write
``*``), and which valid text is likely a slip (``e^x`` with ``e`` a symbol),
as :class:`ParseHint` warnings.
"""

from __future__ import annotations

import re
import unicodedata

from .errors import ParseError
from .identifiers import letter_problem, normal_name

__all__ = [
    "MINUS_SIGN",
    "SUPERSCRIPTS",
    "ParseHint",
    "character_hint",
    "constant_hint",
    "continues_name",
    "hints_of",
    "read_name",
    "starts_name",
]

# ----- names ----------------------------------------------------------------------------
# Names are Python identifiers of Latin and Greek letters, read in Python's
# normal form (symgraph/identifiers.py): "θ" is a symbol, "µ" (micro) is "μ".
# A middle dot continues a Python identifier but means a product here.
_NOT_IN_NAMES = "\u00b7\u0387\u30fb\uff65"


def starts_name(c: str) -> bool:
    """Can a name start with ``c`` (a letter, as Python's identifiers)?"""
    return c.isalpha() if c.isascii() else c.isidentifier()


def continues_name(c: str) -> bool:
    """Can ``c`` continue a name (a letter, digit, _ or combining mark)?"""
    if c.isascii():
        return c.isalnum() or c == "_"
    return c not in _NOT_IN_NAMES and ("a" + c).isidentifier()


def read_name(text: str, i: int, j: int) -> str:
    """The name written at text[i:j], in normal form, after checking every
    character is a Latin or Greek letter, a digit, _ or a combining mark."""
    raw = text[i:j]
    if raw.isascii():
        return raw
    for k in range(i, j):
        for m, c in enumerate(normal_name(text[k])):
            problem = letter_problem(c, first=k == i and m == 0)
            if problem is not None:
                raise ParseError(problem, k, text)
    word = normal_name(raw)
    if not word.isidentifier() or word.startswith("_"):
        raise ParseError(f"{raw!r} (read as {word!r}) is not a name", i, text)
    return word


# ----- what to write instead ------------------------------------------------------------
MINUS_SIGN = "\u2212"  # typeset minus (copied from PDFs and web pages): read as -
SUPERSCRIPTS = dict(zip("\u2070\u00b9\u00b2\u00b3\u2074\u2075\u2076\u2077\u2078\u2079\u207b\u207a",
                        "0123456789-+"))  # fmt: skip
_SUBSCRIPTS = dict(zip("\u2080\u2081\u2082\u2083\u2084\u2085\u2086\u2087\u2088\u2089",
                       "0123456789"))  # fmt: skip
_CHARACTER_HINTS = {
    "\u00d7": "write '*' for multiplication",  # ×
    "\u00b7": "write '*' for multiplication",  # middle dot
    "\u22c5": "write '*' for multiplication",  # dot operator
    "\u2219": "write '*' for multiplication",  # bullet operator
    "\u2217": "write '*' for multiplication",  # asterisk operator
    "\u00f7": "write '/' for division",  # ÷
    "\u2215": "write '/' for division",  # division slash
    "\u2013": "write '-' for minus",  # en dash
    "\u2014": "write '-' for minus",  # em dash
    "\u221e": "write inf for infinity",
    "\u221b": "write (...)**(1/3) for a cube root",
    "\u2032": "primes are not part of an expression: differentiate with grad",
    "\u2033": "primes are not part of an expression: differentiate with grad",
    "\u2264": "comparisons are not allowed",
    "\u2265": "comparisons are not allowed",
    "\u2260": "comparisons are not allowed",
}
_OPERAND = re.compile(r"[^\W\d]\w*|\d+(?:\.\d*)?")


def _before(tokens: list) -> str:
    """What a superscript or subscript was written after, for a hint."""
    if tokens and tokens[-1].kind in ("name", "int", "float"):
        return tokens[-1].text
    return "(...)" if tokens and tokens[-1].text == ")" else "x"


def _run(text: str, i: int, table: dict) -> str:
    j = i
    while j < len(text) and text[j] in table:
        j += 1
    return text[i:j]


def character_hint(text: str, i: int, tokens: list) -> str | None:
    """A reason naming what to write instead of the character at ``i``."""
    c = text[i]
    if c in SUPERSCRIPTS:
        sup = _run(text, i, SUPERSCRIPTS)
        power = "".join(SUPERSCRIPTS[s] for s in sup)
        base = _before(tokens)
        return f"superscripts are not allowed: write {base}**{power} for {base}{sup}"
    if c in _SUBSCRIPTS:
        sub = _run(text, i, _SUBSCRIPTS)
        digits = "".join(_SUBSCRIPTS[s] for s in sub)
        base = _before(tokens)
        return (
            f"subscripts are not allowed: write {base}{digits} or {base}_{digits}"
            f" for {base}{sub}"
        )
    if c == "\u221a":  # √
        m = _OPERAND.match(text, i + 1)
        if m:
            return f"write sqrt({m.group()}) for \u221a{m.group()}"
        return "write sqrt(...) for a square root"
    if c == "|":
        end = text.find("|", i + 1)
        inner = text[i + 1 : end].strip() if end > i + 1 else ""
        if inner and len(inner) <= 40:
            return f"'|' is not an operator here: write abs({inner}) for |{inner}|"
        return "'|' is not an operator here: write abs(x) for the absolute value |x|"
    if c in _CHARACTER_HINTS:
        return _CHARACTER_HINTS[c]
    if unicodedata.category(c) == "Zs":
        return f"{unicodedata.name(c, 'this space').lower()} is not allowed: use a plain space"
    return None


def constant_hint(word: str) -> str:
    """For a name that may have been meant as a constant, what to write."""
    if word == "e":
        return "; Euler's number is E or exp(1)"
    if word == "\u03c0":
        return "; the number \u03c0 is pi"
    return ""


# ----- hints on text that parses -----------------------------------------------------------
class ParseHint(UserWarning):
    """A likely slip in text that parsed: ``e^x`` with ``e`` a symbol.

    :func:`parse` warns with it (so a notebook or the command line shows
    it) and :func:`parse_with_hints` returns it; ``reason``, ``position`` and
    ``text`` are as in :class:`~symgraph.errors.ParseError`.
    """

    def __init__(self, reason: str, position: int, text: str) -> None:
        self.reason = reason
        self.position = position
        self.text = text
        super().__init__(f"{reason} at position {position}")


def hints_of(text: str, uses: dict, e_bases: list) -> list[ParseHint]:
    """The hints for text that parsed: ``uses`` maps each free name to the
    positions where it appears, ``e_bases`` lists where ``e`` is a power's
    base."""
    hints = []
    e_uses = uses.get("e", [])
    if e_uses and len(e_uses) == len(e_bases):
        hints.append(
            ParseHint(
                "'e' is a symbol here, not Euler's number: write exp(...) or"
                " E**(...) for the exponential",
                e_bases[0],
                text,
            )
        )
    if "\u03c0" in uses:
        hints.append(
            ParseHint(
                "'\u03c0' is a symbol here, not the number: write pi for 3.14159...",
                uses["\u03c0"][0],
                text,
            )
        )
    return hints
