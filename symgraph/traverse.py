"""Iterative graph walks shared by every pass (no recursion: deep chains work).

The order is deterministic: a depth-first post-order that visits arguments in
their order, so tables and generated code come out the same on every run.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

__all__ = ["count_uses", "rebuild", "toposort"]


def toposort(roots: Iterable) -> list:
    """All nodes reachable from ``roots``, every node after its arguments."""
    order = []
    seen = set()
    for root in roots:
        if root in seen:
            continue
        seen.add(root)
        stack = [(root, 0)]
        while stack:
            node, i = stack[-1]
            args = node.args
            while i < len(args) and args[i] in seen:
                i += 1
            if i < len(args):
                stack[-1] = (node, i + 1)
                child = args[i]
                seen.add(child)
                stack.append((child, 0))
            else:
                stack.pop()
                order.append(node)
    return order


def count_uses(order: list) -> dict:
    """How many times each node is used as an argument within ``order``."""
    uses = dict.fromkeys(order, 0)
    for node in order:
        for a in node.args:
            uses[a] += 1
    return uses


def rebuild(
    root: Any, replace: Callable[[Any, list], Any], make: Callable[..., Any]
) -> Any:
    """``root`` rebuilt bottom-up: each node is ``replace(node, new_args)``
    when that is not None, else the node itself when no argument changed,
    else ``make(node.op, *new_args)`` (so the construction rules apply)."""
    memo: dict = {}
    for n in toposort([root]):
        args = [memo[a] for a in n.args]
        new = replace(n, args)
        if new is None:
            same = all(a is b for a, b in zip(args, n.args))
            new = n if same else make(n.op, *args)
        memo[n] = new
    return memo[root]
