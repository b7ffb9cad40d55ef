"""``sg.simplify``: the full tidy-up of a small result, through SymPy, with a
time budget.

The DAG goes to SymPy with the ops SymPy has no single function for
(``sigmoid``, ``softplus``, ``relu``, ``where``, the steps and maxima, ...)
kept as unknown functions of their arguments, so SymPy's algebra works on
them as on symbols (``(1 - sigmoid(z))*y`` and ``sigmoid(z)*(1 - y)`` combine)
without rewriting them into exponentials or ``Piecewise``. The candidates
(SymPy's automatic form, ``simplify``, ``factor``) are compared by SymPy's
operation count and length; the best comes back as a DAG. A large DAG, or one
SymPy cannot finish in time, comes back as it was: sharing is kept.

The result equals the input wherever both are defined: the mask that makes
``d(x**y)/dy`` 0 at ``x = 0`` (where ``x**y * log(x)`` is 0 * -inf) is shown as
the formula ``x**y * log(x)``, as a textbook writes it.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from . import budget
from .errors import TimeBudgetError, ToolkitError
from .node import Node, as_node, make
from .opdef import OPS
from .traverse import toposort

__all__ = ["opaque_ops", "simplify"]

# DAGs of more nodes keep their sharing: SymPy would expand them into trees.
MAX_NODES = 200


def opaque_ops() -> frozenset:
    """Ops SymPy should treat as unknown functions."""
    return frozenset(
        op.name
        for op in OPS.values()
        if op.sympy_class is None and op.infix is None and op.nargs > 0
    )


def _back(e: Any, opaque: frozenset, known: dict) -> Node:
    """A SymPy expression back to a node, undefined functions as their ops;
    a subexpression that is the SymPy form of a node of the input (``known``)
    becomes that node, so the parts kept read as the user wrote them."""
    from sympy.core.function import AppliedUndef

    from .sympy_bridge import from_sympy

    leaves: dict = dict(known)
    pending = [a for a in e.atoms(AppliedUndef) if a.func.__name__ in opaque]
    while pending:  # inner calls first: their nodes are the outer calls' leaves
        ready = [
            a for a in pending if not (set(a.atoms(AppliedUndef)) - {a} - set(leaves))
        ]
        for a in ready:
            leaves[a] = make(a.func.__name__, *[from_sympy(x, leaves) for x in a.args])
        pending = [a for a in pending if a not in leaves]
        if not ready:  # an undefined function of another name: not ours
            raise ValueError(f"no op for {pending[0].func}")
    return from_sympy(e, leaves)


def _is_pow_mask(n: Node) -> bool:
    """``where(abs(x), L, where(-y, L, 0))`` with ``L = x**y * log(x)``: the
    partial of ``x**y`` in ``y``, masked to 0 at ``x = 0, y >= 0`` (PyTorch's
    rule, see the pow declaration), where ``L`` itself is 0 * -inf."""
    if n.op != "where" or n.args[0].op != "abs":
        return False
    c, lg, inner = n.args
    return (
        inner.op == "where"
        and inner.args[1] is lg
        and inner.args[2].op == "const"
        and inner.args[2].value == 0
        and inner.args[0].op == "neg"
        and lg.op == "mul"
        and lg.args[0].op == "pow"
        and lg.args[0].args == (c.args[0], inner.args[0].args[0])
    )


def _unmask(node: Node) -> Node:
    """``node`` with each pow mask replaced by its formula: equal wherever both
    are defined (the mask only gives a value where the formula has none)."""
    memo: dict = {}
    for n in toposort([node]):
        if _is_pow_mask(n):
            memo[n] = memo[n.args[1]]
        elif n.args:
            args = [memo[a] for a in n.args]
            same = all(a is b for a, b in zip(args, n.args))
            memo[n] = n if same else make(n.op, *args)
        else:
            memo[n] = n
    return memo[node]


def _tidy(node: Node, seconds: float) -> Node:
    from sympy import factor
    from sympy import simplify as sympy_simplify

    from .sympy_bridge import to_sympy_memo

    opaque = opaque_ops()
    node = _unmask(node)
    with budget.time_budget(seconds, "simplify"):
        memo = to_sympy_memo([node], opaque)
        e = memo[node]
        candidates = [e]
        for step in (sympy_simplify, factor):
            try:
                candidates.append(step(e))
            except (TypeError, ValueError, NotImplementedError, AttributeError):
                continue
        # fewest operations; on a tie the first, SymPy's automatic form
        best = min(candidates, key=lambda c: c.count_ops())
        known = {v: n for n, v in memo.items() if n.args and not v.is_Number}
        return _back(best, opaque, known)


def simplify(expr: Any, timeout: float = 2.0) -> Any:
    """The tidied form of a small expression (or each entry of a list or array).

    Parameters
    ----------
    expr : Node, number, list of them or object array
    timeout : seconds SymPy may spend on each expression; past it, or for a
        DAG of more than ``MAX_NODES`` nodes (whose sharing a tree would
        lose), the expression comes back as it was.

    Returns
    -------
    A node (a list or array of them for a list or array), equal to ``expr``
    wherever both are defined.

    Examples
    --------
    >>> import symgraph as sg
    >>> x = sg.symbols("x")
    >>> f = sg.sin(x) ** 2 + sg.cos(x) ** 2
    >>> sg.simplify(f)
    1
    >>> w, b, y = sg.symbols("w b y")
    >>> s = sg.sigmoid(w * x + b)
    >>> loss = -y * sg.log(s) - (1 - y) * sg.log(1 - s)
    >>> sg.simplify(sg.grad(loss, [w])[0])
    x * (sigmoid(w * x + b) - y)
    """
    if isinstance(expr, np.ndarray):
        out = np.empty(expr.shape, dtype=object)
        out.ravel()[:] = [simplify(e, timeout) for e in expr.ravel()]
        return out
    if isinstance(expr, (list, tuple)):
        return [simplify(e, timeout) for e in expr]
    node = as_node(expr)
    if not node.args or len(toposort([node])) > MAX_NODES or not budget.available():
        return node
    try:
        return _tidy(node, timeout)
    except (TimeBudgetError, ToolkitError, ValueError, TypeError, RecursionError):
        return node
