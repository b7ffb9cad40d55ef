"""Gated values: construction-time rewrites that keep a routed zero a zero.

``where(c, a, b)`` routes the gradient: the adjoint reaching ``a`` is
``where(c, adjoint, 0)``. If ``a``'s own partial is infinite exactly where
the branch is not taken (``sqrt'(0)`` in ``where(y, x, sqrt(x))`` at
``x = 0, y = 1``), the product ``where(c, adjoint, 0) * inf`` would be NaN
(``0 * inf``). So a product, a sum or a negation of a *gated* value, a
``where`` with a constant-zero branch, is built inside the gate instead:

* ``where(c, p, 0) * q  ->  where(c, p * q, 0)``, and likewise ``/ q``
* ``where(c, p1, q1) + where(c, p2, q2)  ->  where(c, p1 + p2, q1 + q2)``
* ``-where(c, p, 0)  ->  where(c, -p, 0)``
* a gated ``where`` inside the other branch of a gated ``where`` merges into
  one gate whose condition is the ``minimum`` (both must hold) or
  ``maximum`` (either) of the two, so the non-zero branch of a gated value is
  never itself gated, and each rewrite above is one step: construction never
  recurses more than a few calls deep and builds O(1) nodes per rewrite,
  whatever the nesting (a chain of 500 nested ``where`` is linear).

These are rewrites of the ops ``mul``, ``add``, ``neg`` and ``where`` (see
their declarations): they apply to user-built expressions too. They change a
value only where the other factor is infinite or NaN inside the branch not
taken (``where(c, 0, p) * inf`` is 0 there instead of NaN), the convention
the README states for ``where``.
"""

from __future__ import annotations

from ..node import Node, make
from ._common import const, is_zero

__all__ = ["add_gated", "div_gated", "gated", "merge_gates", "mul_gated", "neg_gated"]


def gated(n: Node) -> tuple | None:
    """``(c, value, zero_first)`` for a gated ``where``, else None.

    ``zero_first`` is False for ``where(c, value, 0)`` (the value is taken
    where ``c > 0``) and True for ``where(c, 0, value)``.
    """
    if n.op != "where":
        return None
    c, p, q = n.args
    if is_zero(q):
        return c, p, False
    if is_zero(p):
        return c, q, True
    return None


def _gate(c: Node, value: Node, zero_first: bool) -> Node:
    zero = const(0)
    return (
        make("where", c, zero, value) if zero_first else make("where", c, value, zero)
    )


def mul_gated(x: Node, y: Node) -> Node | None:
    """``x * y`` built inside a gate, or None when neither factor is gated."""
    if x.op != "where" and y.op != "where":
        return None  # the common case, decided without building anything
    for g, other, left in ((gated(x), y, True), (gated(y), x, False)):
        if g is not None:
            c, value, zero_first = g
            inner = make("mul", value, other) if left else make("mul", other, value)
            return _gate(c, inner, zero_first)
    return None


def div_gated(x: Node, y: Node) -> Node | None:
    """``where(c, p, 0) / q`` built inside the gate, else None."""
    g = gated(x)
    if g is None:
        return None
    c, value, zero_first = g
    return _gate(c, make("div", value, y), zero_first)


def add_gated(x: Node, y: Node) -> Node | None:
    """Two ``where`` with one condition add branch by branch, else None."""
    if x.op == "where" and y.op == "where" and x.args[0] is y.args[0]:
        c, p1, q1 = x.args
        _, p2, q2 = y.args
        return make("where", c, make("add", p1, p2), make("add", q1, q2))
    return None


def neg_gated(x: Node) -> Node | None:
    """``-where(c, p, 0)`` as ``where(c, -p, 0)``, else None."""
    g = gated(x)
    if g is None:
        return None
    c, value, zero_first = g
    return _gate(c, make("neg", value), zero_first)


def _not(c: Node) -> Node:
    """A condition that is > 0 exactly where ``c > 0`` is false."""
    return make("where", c, const(-1), const(1))


def merge_gates(c: Node, a: Node, b: Node) -> Node | None:
    """``where(c, a, b)`` with one branch 0 and the other a gated ``where``,
    as one gate; else None."""
    if is_zero(b):
        inner, outer_c = gated(a), c  # taken where c > 0
    elif is_zero(a):
        inner, outer_c = gated(b), None  # taken where c <= 0
    else:
        return None
    if inner is None:
        return None
    d, value, zero_first = inner
    if outer_c is None and zero_first:
        # c <= 0 and d <= 0: neither is positive
        return _gate(make("maximum", c, d), value, True)
    first = outer_c if outer_c is not None else _not(c)
    second = _not(d) if zero_first else d
    return _gate(make("minimum", first, second), value, False)
