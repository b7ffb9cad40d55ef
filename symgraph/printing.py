"""Infix text of a DAG, in the syntax ``sg.parse`` reads back.

Text expands shared subexpressions, which can grow exponentially with the
DAG; past a size limit the text is a one-line summary instead.
"""

from __future__ import annotations

from .ops import OPS
from .traverse import toposort

__all__ = ["to_text"]

_MAX_TEXT = 20_000

# Binding strength: higher binds tighter. Unary minus sits between * and **,
# as in Python (-x**2 is -(x**2)).
_PREC = {"add": 1, "sub": 1, "mul": 2, "div": 2, "neg": 3, "pow": 4}
_ATOM = 5


def _const_prec(value) -> int:
    from fractions import Fraction

    if isinstance(value, Fraction):
        return 2 if value > 0 else 1
    return 3 if value < 0 else _ATOM


def to_text(root) -> str:
    from .node import _const_text

    order = toposort([root])
    text, prec = {}, {}
    for node in order:
        op = node.op
        if op == "symbol":
            text[node], prec[node] = node.value, _ATOM
        elif op == "const":
            text[node], prec[node] = _const_text(node.value), _const_prec(node.value)
        elif op in _PREC:
            p = _PREC[op]
            if op == "neg":
                (a,) = node.args
                s = text[a] if prec[a] >= p else f"({text[a]})"
                out = f"-{s}"
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
        else:
            out = f"{op}({', '.join(text[a] for a in node.args)})"
            text[node], prec[node] = out, _ATOM
        if len(text[node]) > _MAX_TEXT:
            return f"<expression DAG of {len(order)} nodes, too long to print as text>"
    return text[root]
