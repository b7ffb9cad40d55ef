"""``sg.simplify``: the full tidy-up of a small result, through SymPy, with a
time budget.

The DAG goes to SymPy with the ops SymPy has no single function for
(``sigmoid``, ``softplus``, ``relu``, ``where``, the steps and maxima, ...)
kept as unknown functions of their arguments, so SymPy's algebra works on
them as on symbols (``(1 - sigmoid(z))*y`` and ``sigmoid(z)*(1 - y)`` combine)
without rewriting them into exponentials or ``Piecewise``. The candidates
(SymPy's automatic form, ``simplify``, ``factor``, and the automatic form with
``sigmoid(-u)`` written ``1 - sigmoid(u)``) are compared by SymPy's operation
count, then length; the best comes back as a DAG, with the subexpressions of
the input kept as the user wrote them unless SymPy's form of them is shorter.
The steps share the time budget: those that finish in time count. A large
DAG comes back as it was: sharing is kept.

The result equals the input wherever both are defined: the mask that makes
``d(x**y)/dy`` 0 at ``x = 0`` (where ``x**y * log(x)`` is 0 * -inf) is shown as
the formula ``x**y * log(x)``, as a textbook writes it, and the mask that makes
atan2's partials 0 at the origin (``where(x**2 + y**2, x / (x**2 + y**2), 0)``)
as the quotient ``x / (x**2 + y**2)``, which has no value there. The step
``greater(a, b, h)`` of the tie rules is shown as ``heaviside(a - b, h)``
(equal for all real ``a`` and ``b``; the DAG uses ``greater`` so that two
equal infinities tie). Symbols are
real, as everywhere in the toolkit, so SymPy may write ``abs(x)**2`` as
``x**2``.
"""

from __future__ import annotations

import time
from typing import Any

import numpy as np

from . import budget
from .errors import TimeBudgetError, ToolkitError
from .node import Node, as_node, make
from .opdef import OPS
from .printing import node_texts
from .traverse import rebuild, toposort

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
    pending = [
        a
        for a in e.atoms(AppliedUndef)
        if a.func.__name__ in opaque and a not in leaves
    ]
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


def _nonnegative_sum(d: Node) -> bool:
    """``d`` is a sum of even powers (``x**2 + y**2``): never negative."""
    terms, sums = [], [d]
    while sums:
        t = sums.pop()
        if t.op == "add":
            sums.extend(t.args)
        else:
            terms.append(t)
    return d.op == "add" and all(
        t.op == "pow"
        and t.args[1].op == "const"
        and isinstance(t.args[1].value, int)
        and t.args[1].value % 2 == 0
        for t in terms
    )


def _divides_by(t: Node, d: Node) -> bool:
    """``t`` is a product whose factors include ``1 / d``: it has no value
    where ``d`` is 0."""
    stack = [t]
    while stack:
        n = stack.pop()
        if n.op == "div":
            den = n.args[1]
            if den is d or (den.op == "mul" and d in den.args):
                return True
            stack.append(n.args[0])
        elif n.op == "mul":
            stack.extend(n.args)
        elif n.op == "neg":
            stack.append(n.args[0])
    return False


def _is_quotient_mask(n: Node) -> bool:
    """``where(d, t, 0)`` with ``d = x**2 + y**2`` (never negative) and ``t``
    divided by ``d``: the mask gives 0 exactly where ``t`` has no value
    (atan2's partials at the origin, PyTorch's rule)."""
    if n.op != "where":
        return False
    d, t, zero = n.args
    return (
        zero.op == "const"
        and zero.value == 0
        and _nonnegative_sum(d)
        and _divides_by(t, d)
    )


def _replace(root: Node, mapping: dict) -> Node:
    """``root`` with every node of ``mapping`` replaced by its value."""
    return rebuild(root, lambda n, _args: mapping.get(n), make)


def _in_branches(c: Node, a: Node, b: Node) -> tuple:
    """The branches of ``where(c, a, b)`` with what the condition decides:
    in ``a`` (taken where c > 0) ``maximum(c, 0)`` and ``relu(c)`` are ``c``;
    in ``b`` (c <= 0) ``minimum(c, 0)`` is ``c`` (elu's partial
    ``where(u, 1, exp(minimum(u, 0)))`` is ``where(u, 1, exp(u))``). No value
    changes."""
    zero = as_node(0)
    taken = {
        make(op, *xs): c for op, xs in (("maximum", (c, zero)), ("maximum", (zero, c)))
    }
    taken[make("relu", c)] = c
    other = {make("minimum", c, zero): c, make("minimum", zero, c): c}
    return _replace(a, taken), _replace(b, other)


def _unmask(node: Node) -> Node:
    """``node`` with each pow or quotient mask replaced by its formula (equal
    wherever both are defined: the mask only gives a value where the formula
    has none), the branches of each ``where`` told their condition, and each
    ``greater`` step written as ``heaviside``."""

    def replace(n: Node, args: list) -> Node | None:
        if _is_pow_mask(n) or _is_quotient_mask(n):
            return args[1]
        if n.op == "where":
            c, a, b = args
            return make("where", c, *_in_branches(c, a, b))
        if n.op == "greater":  # the textbook's step: equal for all real a, b
            a, b, h = args
            return make("heaviside", make("sub", a, b), h)
        return None

    return rebuild(node, replace, make)


def _as_written(best: Any, memo: dict) -> dict:
    """The nodes of the input to keep as the user wrote them in ``best``:
    ``{SymPy subexpression of best: node}``.

    A node of the input is kept where its SymPy form occurs in ``best``,
    unless SymPy's automatic evaluation made its text shorter (``sqrt(u)**2``
    is ``u``, ``1 - s - s`` is ``1 - 2*s``, ``a / (b**2 * (a / b))`` is
    ``1/b``): then SymPy's form is the one shown. Of several nodes with one
    SymPy form, the one of shortest text is kept."""
    texts = node_texts(list(memo))  # memo is in topological order
    if texts is None:
        return {}
    size = {n: len(t.replace(" ", "")) for n, t in texts.items()}
    known: dict = {}
    for n, v in memo.items():
        if n.args and not v.is_Number and (v not in known or size[n] < size[known[v]]):
            known[v] = n
    kept: dict = {}
    stack = [best]
    while stack:
        e = stack.pop()
        if e in kept:
            continue
        n = known.get(e)
        if n is not None and len(str(e).replace(" ", "")) >= size[n]:
            kept[e] = n
        else:
            stack.extend(e.args)
    return kept


def _reflected(e: Any) -> Any:
    """``e`` with ``sigmoid(-u)`` written ``1 - sigmoid(u)`` and
    ``softplus(-u)`` written ``softplus(u) - u`` (identities: no value
    changes), so that SymPy can cancel ``sigmoid(-x) + sigmoid(x)``."""
    from sympy.core.function import AppliedUndef

    def negated(a: Any) -> bool:
        return (
            isinstance(a, AppliedUndef)
            and a.func.__name__ in ("sigmoid", "softplus")
            and a.args[0].could_extract_minus_sign()
        )

    def reflect(a: Any) -> Any:
        u = -a.args[0]
        if a.func.__name__ == "sigmoid":
            return 1 - a.func(u)
        return a.func(u) - u

    return e.replace(negated, reflect)


def _tidy(node: Node, seconds: float) -> Node:
    from sympy import factor
    from sympy import simplify as sympy_simplify

    from .sympy_bridge import to_sympy_memo

    opaque = opaque_ops()
    node = _unmask(node)
    deadline = time.perf_counter() + seconds
    with budget.time_budget(seconds, "simplify"):
        # symbols are real, as everywhere in the toolkit: SymPy may then write
        # abs(x)**2 as x**2 and sqrt(x**2) as abs(x)
        memo = to_sympy_memo([node], opaque, real=True)
        e = memo[node]
    # factor first: it is fast, and stays a candidate if simplify runs out
    # of time
    found = {}
    for step in (factor, sympy_simplify):
        left = deadline - time.perf_counter()
        if left <= 0:
            break
        try:
            with budget.time_budget(left, "simplify"):
                found[step] = step(e)
        except (
            TimeBudgetError,
            TypeError,
            ValueError,
            NotImplementedError,
            AttributeError,
        ):
            continue  # the candidates found so far still count
    candidates = [e] + [found[s] for s in (sympy_simplify, factor) if s in found]
    reflected = _reflected(e)
    if reflected != e:
        candidates.append(reflected)
    # fewest operations, then the shortest text; on a tie the first, SymPy's
    # automatic form
    ranked = sorted(candidates, key=lambda c: (c.count_ops(), len(str(c))))
    for best in ranked:
        try:
            return _back(best, opaque, _as_written(best, memo))
        except (ToolkitError, ValueError):
            continue  # a function or number with no op here (im, I, ...)
    return node


def simplify(expr: Any, timeout: float = 2.0) -> Any:
    """The tidied form of a small expression (or each entry of a list or array).

    Parameters
    ----------
    expr : Node, number, list of them or object array
    timeout : seconds SymPy may spend on each expression; past it, the best
        form found so far (``factor``'s, or SymPy's automatic one) is the
        result. A DAG of more than ``MAX_NODES`` nodes (whose sharing a tree
        would lose) comes back as it was.

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
