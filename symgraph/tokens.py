"""The expression parser's tokenizer: text to numbers, names and operators.

Each token keeps its position in the text, so every error names where it is.
Characters outside the grammar are refused here with the reason (``[`` is a
subscript, ``=`` an assignment, ``|x|`` wants ``abs(x)``, ...); Python
keywords, attribute access, leading zeros and over-long literals too.
"""

from __future__ import annotations

import keyword

from .errors import ParseError
from .parse_help import (
    MINUS_SIGN,
    SUPERSCRIPTS,
    character_hint,
    continues_name,
    read_name,
    starts_name,
)

__all__ = ["MAX_DIGITS", "Token", "tokenize"]

# Enough for every exact constant a node can hold (MAX_INT_BITS = 4096 bits is
# 1234 digits), so str(node) of any folded constant parses back.
MAX_DIGITS = 1234

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
    "~": "bitwise operators are not allowed",
    "#": "comments are not allowed",
    "\\": "backslashes are not allowed",
    "`": "backticks are not allowed",
    "$": "'$' is not allowed",
    "?": "'?' is not allowed",
}


class Token:
    __slots__ = ("kind", "pos", "text")

    def __init__(self, kind, text, pos):
        self.kind, self.text, self.pos = kind, text, pos


def tokenize(text: str) -> list:
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
            if (
                j < n
                and (text[j].isalnum() or text[j] in "_.")
                and text[j] not in SUPERSCRIPTS
            ):
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
            tokens.append(Token("float" if is_float else "int", text[i:j], i))
            i = j
            continue
        if starts_name(c):
            j = i + 1
            while j < n and continues_name(text[j]):
                j += 1
            word = read_name(text, i, j)
            if keyword.iskeyword(word) or keyword.issoftkeyword(word):
                raise ParseError(f"the Python keyword {word!r} is not allowed", i, text)
            if j < n and text[j] == ".":
                raise ParseError("attribute access is not allowed", j, text)
            tokens.append(Token("name", word, i))
            i = j
            continue
        if text.startswith("**", i):
            tokens.append(Token("op", "**", i))
            i += 2
            continue
        if c in "+-*/^(),":
            tokens.append(Token("op", c, i))
            i += 1
            continue
        if c == MINUS_SIGN:
            tokens.append(Token("op", "-", i))
            i += 1
            continue
        reason = _REFUSED.get(c) or character_hint(text, i, tokens)
        if reason is None:
            reason = f"unexpected character {c!r}"
        raise ParseError(reason, i, text)
    return tokens
