"""Tensor expressions as text in NumPy syntax (``X.T @ (X @ w - y)``).

The text is valid Python: with NumPy arrays bound to the tensor names, the
dimension names bound to their sizes and the functions of
:func:`~symgraph.tensor.namespace.numpy_namespace` (NumPy's own ``sum``,
``exp``, ``trace``, ``inv``, ... and a few small helpers such as ``logdet``
and ``softmax``), it evaluates to the expression's value;
``sg.parse(text, shapes=...)`` reads it back. Printing applies the display simplification of ``display.py`` first.
Shared subexpressions are written out where used; past a size limit the text
is a one-line summary instead.
"""

from __future__ import annotations

import math
from fractions import Fraction

from ..traverse import toposort
from .display import display
from .node import TensorNode, register_hook
from .registry import PREC, TOPS

__all__ = ["const_text", "render", "to_numpy"]

_MAX_TEXT = 20_000


def const_text(value) -> tuple:
    """``(text, prec)`` of a constant."""
    if isinstance(value, Fraction):
        text = f"{value.numerator}/{value.denominator}"
        return text, PREC["prod"] if value > 0 else PREC["sum"]
    if isinstance(value, float):
        if math.isnan(value):
            return "nan", PREC["atom"]
        if math.isinf(value):
            return ("inf", PREC["atom"]) if value > 0 else ("-inf", PREC["neg"])
    text = repr(value)
    return text, PREC["neg"] if value < 0 else PREC["atom"]


def symbol_text(node) -> str:
    return node.value


def render(root, leaf, apply_op, limit=_MAX_TEXT):
    """Bottom-up rendering shared by the text and LaTeX printers (iterative)."""
    order = toposort([root])
    memo = {}
    for node in order:
        if not node.args and node.op in ("symbol", "const"):
            memo[node] = leaf(node)
        else:
            memo[node] = apply_op(node, [memo[a] for a in node.args])
        if len(memo[node][0]) > limit:
            return (
                f"<tensor expression DAG of {len(order)} nodes, too long to print as text>",
                PREC["atom"],
            )
    return memo[root]


def _leaf(node):
    if node.op == "symbol":
        return symbol_text(node), PREC["atom"]
    return const_text(node.value)


def _apply(node, args):
    return TOPS[node.op].text(args, node.kwargs, node.args)


def to_numpy(node: TensorNode, simplify: bool = True) -> str:
    """The expression in NumPy syntax.

    Parameters
    ----------
    node : TensorNode
    simplify : apply the display simplification first (transposes pushed
        down, scalar factors pulled out, like terms collected).

    Examples
    --------
    >>> import symgraph as sg
    >>> X, w, y = sg.tensors("X:n,m w:m y:n")
    >>> print(sg.tensor.to_numpy((X @ w - y).T @ X))
    X.T @ (X @ w - y)
    >>> print(sg.tensor.to_numpy((X @ w - y).T @ X, simplify=False))
    (X @ w - y) @ X
    """
    if simplify:
        node = display(node)
    return render(node, _leaf, _apply)[0]


register_hook("to_numpy", to_numpy)  # str() and repr() of a tensor node
