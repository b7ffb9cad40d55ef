"""Symbol names: which letters a name may hold, its normal form, and its
ASCII spelling for C.

A name is an identifier as Python reads it: Python normalises identifiers to
Unicode's NFKC form (``µ`` is ``μ``, ``ϕ`` is ``φ``, full-width ``ｘ`` is
``x``), and so does symgraph, once, when a symbol or display name is made; a
name then means one symbol however it was typed, and generated Python code
can use it as it is. Letters may be Latin (with accents) or Greek, with
combining marks (``x̄``); letters of other scripts are refused, because
several of them look exactly like Latin letters (Cyrillic ``а``, ``о``, ``е``)
and a symbol that looks like ``a`` but is not ``a`` would make a derivative
silently wrong. For the same reason the Greek capitals that look like Latin
ones (``Α``, ``Β``, ``Ε``, ...) and the small omicron ``ο`` are refused, with
the Latin letter to write instead. C code spells names in ASCII
(:func:`ascii_name`: ``θ`` is ``theta``).
"""

from __future__ import annotations

import keyword
import re
import unicodedata

from .errors import SymbolNameError

__all__ = [
    "ascii_name",
    "check_ascii_name",
    "checked_name",
    "letter_problem",
    "normal_name",
]

# An ASCII identifier (function names of generated code).
_ASCII_NAME = re.compile(r"[A-Za-z][A-Za-z0-9_]*\Z")
# Latin-1 Supplement and Latin Extended-A letters: the accented letters of
# European languages (the two operators in the range, × and ÷, are not letters).
_LATIN = range(0xC0, 0x180)
# The Greek alphabet, capitals and small letters (their variant forms such as
# ϑ, ϕ and ϖ normalise to these).
_GREEK = (range(0x391, 0x3AA), range(0x3B1, 0x3CA))
# Greek letters that cannot be told from a Latin letter in print.
GREEK_LOOKALIKES = {"Α": "A", "Β": "B", "Ε": "E", "Ζ": "Z", "Η": "H", "Ι": "I",
                    "Κ": "K", "Μ": "M", "Ν": "N", "Ο": "O", "Ρ": "P", "Τ": "T",
                    "Υ": "Y", "Χ": "X", "ο": "o"}  # fmt: skip
# Combining diacritical marks (x̄ is x + U+0304).
_COMBINING = range(0x300, 0x370)
# Their ASCII spelling in C names; other marks are spelled by code point.
_MARKS = {0x300: "grave", 0x301: "acute", 0x302: "hat", 0x303: "tilde",
          0x304: "bar", 0x305: "bar", 0x306: "breve", 0x307: "dot",
          0x308: "ddot", 0x30A: "ring", 0x30C: "check"}  # fmt: skip
_GREEK_NAME = re.compile(r"GREEK (SMALL|CAPITAL) LETTER ([A-Z]+)\Z")


def normal_name(name: str) -> str:
    """The NFKC form of ``name``: the identifier Python would read."""
    return unicodedata.normalize("NFKC", name)


def _char_name(c: str) -> str:
    return unicodedata.name(c, f"U+{ord(c):04X}")


def letter_problem(c: str, first: bool = False) -> str | None:
    """Why the (normalised) character ``c`` cannot be in a name, or None."""
    if c.isascii():
        if c.isalpha() or (not first and (c.isdigit() or c == "_")):
            return None
        return None if not first else "a name starts with a letter"
    code = ord(c)
    if c in GREEK_LOOKALIKES:
        return (
            f"{c!r} ({_char_name(c)}) looks like the Latin letter "
            f"{GREEK_LOOKALIKES[c]!r}: write {GREEK_LOOKALIKES[c]}"
        )
    if c.isalpha() and (code in _LATIN or any(code in r for r in _GREEK)):
        return None
    if code in _COMBINING and unicodedata.category(c) == "Mn" and not first:
        return None
    return (
        f"{c!r} ({_char_name(c)}) is not a Latin or Greek letter"
        " (letters of other scripts can look exactly like Latin ones)"
    )


def checked_name(name, what: str) -> str:
    """``name`` in normal form, after checking it can name a symbol.

    Raises
    ------
    SymbolNameError
        For a non-string, an empty name, a name that is not an identifier,
        starts with ``_``, is a Python keyword, or holds a character that is
        not a Latin or Greek letter, a digit, ``_`` or a combining mark.
    """
    if not isinstance(name, str):
        raise SymbolNameError(f"{what} must be a string, not {type(name).__name__}")
    normal = normal_name(name)
    shown = repr(name) if normal == name else f"{name!r} (read as {normal!r})"
    if not (name.isidentifier() and normal.isidentifier()) or normal.startswith("_"):
        raise SymbolNameError(
            f"{what} {shown} is not allowed: use a letter followed by letters,"
            " digits or _"
        )
    for i, c in enumerate(normal):
        problem = letter_problem(c, first=i == 0)
        if problem is not None:
            raise SymbolNameError(f"{what} {shown} is not allowed: {problem}")
    if keyword.iskeyword(normal):
        raise SymbolNameError(f"{what} {shown} is a Python keyword")
    return normal


def check_ascii_name(name: str, what: str) -> None:
    """Raise SymbolNameError unless ``name`` is an ASCII identifier (a letter,
    then letters, digits or _) and not a Python keyword (a function name of
    generated code)."""
    if not isinstance(name, str) or not _ASCII_NAME.match(name):
        raise SymbolNameError(
            f"{what} {name!r} is not allowed: use a letter followed by letters, digits or _"
        )
    if keyword.iskeyword(name):
        raise SymbolNameError(f"{what} {name!r} is a Python keyword")


def _spell(c: str) -> tuple[str, bool]:
    """(ASCII spelling of one character of a name, spelled out?)."""
    if c.isascii():
        return c, False
    code = ord(c)
    if code in _COMBINING:
        return _MARKS.get(code, f"u{code:04x}"), True
    m = _GREEK_NAME.match(_char_name(c))
    if m:
        word = "lambda" if m.group(2) == "LAMDA" else m.group(2).lower()
        return (word.capitalize() if m.group(1) == "CAPITAL" else word), True
    base = unicodedata.normalize("NFKD", c)
    if base[0].isascii() and base[0].isalpha():  # é is e + a combining acute
        return "_".join(_spell(p)[0] for p in base), True
    return f"u{code:04x}", True


def ascii_name(name: str) -> str:
    """An ASCII identifier for ``name``: ASCII names are kept; a Greek letter
    is spelled by its name (``θ`` → ``theta``, ``Δ`` → ``Delta``), an accent
    by its mark (``x̄`` → ``x_bar``, ``é`` → ``e_acute``), anything else by
    its code point (``ß`` → ``u00df``); spelled-out parts are joined to their
    neighbours with ``_``. Distinct names can meet (``θ`` and ``theta``):
    the code generators keep the names unique on top of this."""
    if name.isascii():
        return name
    out = ""
    spelled_before = False
    for c in name:
        text, spelled = _spell(c)
        joins = out and not out.endswith("_") and not text.startswith("_")
        if joins and (spelled or spelled_before):
            out += "_"
        out += text
        spelled_before = spelled
    return out
