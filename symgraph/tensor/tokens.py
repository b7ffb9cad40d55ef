"""Tokens and tables of the tensor parser (``parse.py``).

The tokenizer accepts numbers, names, short quoted strings (keyword values
such as ``mode='full'``), the operators ``** + - * / @ ( ) , = . < >`` and
blanks; any other character is refused with the reason a user needs
(``^`` is XOR in NumPy, subscripts are not allowed, ...). The tables list
the functions the parser knows, their tensor arguments and parameters.
"""

from __future__ import annotations

import keyword
import math
import re
import sys

from ..errors import ParseError
from .ops_elementwise import ELEMENTWISE, numpy_name

__all__ = [
    "ALIASES", "CONSTANTS", "DEFAULTS", "ELEMENTWISE_NAMES", "KEYWORD_VALUES", "KNOWN",
    "TENSOR_FUNCS", "depth_budget", "tokenize",
]  # fmt: skip

_FRAMES_PER_LEVEL = 8
_FRAME_MARGIN = 80

TOKEN = re.compile(
    r"(?P<num>(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?)"
    r"|(?P<name>[A-Za-z][A-Za-z0-9_]*)"
    r"|(?P<str>'[a-z]*'|\"[a-z]*\")"
    r"|(?P<op>\*\*|[-+*/@(),=.<>])"
    r"|(?P<space>[ \t]+)"
)
REFUSED = {
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
TENSOR_FUNCS = {
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
DEFAULTS = {"leaky_relu": (0.01,), "elu": (1,), "heaviside": (0.5,)}
ALIASES = {"max": "maximum", "min": "minimum", "ln": "log"}
SPECIAL = ("where", "eye", "ones_like", "zeros_like", "flip", "zeros", "ones", "full")
CONSTANTS = {"pi": math.pi, "inf": math.inf, "nan": math.nan}
KEYWORD_VALUES = {"None": None, "True": True, "False": False}


def _elementwise_names() -> dict:
    out = {}
    for op in ELEMENTWISE:
        if op in ("add", "sub", "mul", "div", "pow", "neg", "where"):
            continue
        out[op] = op
        out[numpy_name(op)] = op
    return out


ELEMENTWISE_NAMES = _elementwise_names()
KNOWN = sorted(set(TENSOR_FUNCS) | set(ELEMENTWISE_NAMES) | set(ALIASES) | set(SPECIAL))


class _Tok:
    __slots__ = ("kind", "pos", "text")

    def __init__(self, kind, text, pos):
        self.kind, self.text, self.pos = kind, text, pos


def tokenize(text: str) -> list:
    out, i = [], 0
    while i < len(text):
        m = TOKEN.match(text, i)
        if m is None or m.end() == i:
            c = text[i]
            reason = REFUSED.get(c) or (
                "string literals are only allowed as mode='valid' or ord='fro'"
                if c in "'\""
                else f"unexpected character {c!r}"
            )
            raise ParseError(reason, i, text)
        kind = m.lastgroup
        if kind != "space":
            word = m.group()
            if kind == "name" and (
                keyword.iskeyword(word) and word not in KEYWORD_VALUES
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


def depth_budget() -> int:
    frame, used = sys._getframe(), 0
    while frame is not None:
        frame, used = frame.f_back, used + 1
    return max(0, (sys.getrecursionlimit() - used - _FRAME_MARGIN) // _FRAMES_PER_LEVEL)
