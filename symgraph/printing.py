"""Infix text of a DAG, in the syntax ``sg.parse`` reads back.

Text expands shared subexpressions, which can grow exponentially with the
DAG; past a size limit the text is a one-line summary instead.
"""

from __future__ import annotations

import math
from fractions import Fraction

from .opdef import OPS
from .traverse import toposort

__all__ = ["const_text", "latex_text", "node_texts", "to_text"]

_MAX_TEXT = 20_000

# Binding strength of the arithmetic ops is their OpDef.precedence (higher
# binds tighter; unary minus sits between * and **, as in Python: -x**2 is
# -(x**2)); calls, symbols and non-negative numbers are atoms.
_ATOM = 5


def latex_text(text: str) -> str:
    """Plain text made safe inside LaTeX's \\text{...}."""
    for ch in "\\{}_^%$&#~":
        text = text.replace(ch, " " if ch in "\\~" else "\\" + ch)
    return text


def const_text(value) -> str:
    """A constant as the parser reads it back: ``1/2``, ``inf``, ``nan``, ``0.5``."""
    if isinstance(value, Fraction):
        return f"{value.numerator}/{value.denominator}"
    if isinstance(value, float):
        if math.isnan(value):
            return "nan"
        if math.isinf(value):
            return "inf" if value > 0 else "-inf"
    return repr(value)


# c * (a * b) is written c * a * b, and c * (a / b) as c * a / b: both parse
# back to the same node (coefficients collect when built)
_CHAIN = ("mul", "div")


def _chain(node) -> bool:
    c, r = node.args[0], node.args[-1]
    return node.op == "mul" and c.op == "const" and c.value != 1 and r.op in _CHAIN


def _fraction(n) -> bool:
    return n.op == "const" and isinstance(n.value, Fraction) and n.value > 0


def _const_prec(value) -> int:
    if isinstance(value, Fraction):
        return 2 if value > 0 else 1
    return 3 if value < 0 else _ATOM


def to_text(root) -> str:
    """Infix text of a node, in the syntax ``sg.parse`` reads back."""
    order = toposort([root])
    text = node_texts(order)
    if text is None:
        return f"<expression DAG of {len(order)} nodes, too long to print as text>"
    return text[root]


def node_texts(order: list) -> dict | None:
    """``{node: infix text}`` for every node of ``order`` (a topological
    order), or None when a text grows past the size limit."""
    text, prec = {}, {}
    for node in order:
        op = node.op
        if op == "symbol":
            text[node], prec[node] = node.value, _ATOM
        elif op == "const":
            text[node], prec[node] = const_text(node.value), _const_prec(node.value)
        elif (p := OPS[op].precedence) is not None:
            if op == "neg":
                # -(a * b) and (-a) * b have one value: no parentheses around
                # a product, as a textbook writes -2 * x
                (a,) = node.args
                s = text[a] if prec[a] >= 2 else f"({text[a]})"
                out = f"-{s}"
            elif op == "mul" and _fraction(node.args[0]):
                # 1/2 * x is x / 2 and 3/4 * x is 3 * x / 4, as in textbooks
                c, r = node.args[0].value, node.args[1]
                sr = text[r] if prec[r] >= p else f"({text[r]})"
                head = sr if c.numerator == 1 else f"{c.numerator} * {sr}"
                out = f"{head} / {c.denominator}"
            elif op == "div" and _fraction(node.args[0]):
                # 1/2 / y is 1 / (2 * y), as in textbooks
                c, r = node.args[0].value, node.args[1]
                sr = text[r] if prec[r] > p or r.op == "mul" else f"({text[r]})"
                out = f"{c.numerator} / ({c.denominator} * {sr})"
            elif _chain(node):
                c, r = node.args
                out = f"{text[c]} * {text[r]}"
            else:
                a, b = node.args
                # left operand: parenthesise looser ops (and for ** also equal,
                # since ** is right-associative); right operand: the reverse.
                left_ok = prec[a] > p if op == "pow" else prec[a] >= p
                right_ok = prec[b] >= p - (op == "pow") if op == "pow" else prec[b] > p
                if op == "pow" and prec[b] == 3:
                    right_ok = True  # x**-y
                sa = text[a] if left_ok else f"({text[a]})"
                sb = text[b] if right_ok else f"({text[b]})"
                out = f"{sa} {OPS[op].infix} {sb}" if op != "pow" else f"{sa}**{sb}"
            text[node], prec[node] = out, p
        elif not node.args:  # a named constant: pi, E
            out = op
            text[node], prec[node] = out, _ATOM
        else:
            out = f"{op}({', '.join(text[a] for a in node.args)})"
            text[node], prec[node] = out, _ATOM
        if len(text[node]) > _MAX_TEXT:
            return None
    return text
