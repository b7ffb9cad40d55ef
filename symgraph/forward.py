"""Symbolic forward mode: the pushforward of a tangent through the DAG.

One sweep in topological order: the tangent of each node is the sum, over its
arguments, of the op's local partial (the same declaration the reverse sweep
reads) times the argument's tangent. The result is a DAG that shares the
forward nodes, of the same size bound as the gradient's: the directional
derivative ``J v`` in one pass, as JAX's ``jvp``, where the reverse sweep
would give ``v^T J`` rows.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .errors import UndefinedGradientError
from .node import as_node, const, make
from .opdef import UNDEFINED
from .ops import partials_of
from .traverse import toposort
from .wrt import normalize_wrt

__all__ = ["jvp"]


def _pushforward(outputs: list, seeds: dict) -> list:
    tangent: dict = dict(seeds)
    for node in toposort(outputs):
        if not node.args or node in tangent:
            continue
        moving = [(i, a) for i, a in enumerate(node.args) if a in tangent]
        if not moving:
            continue
        parts = partials_of(node.op, node.args, node)
        total = None
        for i, arg in moving:
            local = parts[i]
            if local is UNDEFINED:
                raise UndefinedGradientError(
                    f"{node.op} cannot be differentiated in its argument {i + 1} ({arg}), "
                    "which carries a tangent"
                )
            if local.op == "const" and local.value == 0:
                continue
            term = make("mul", local, tangent[arg])
            total = term if total is None else make("add", total, term)
        if total is not None:
            tangent[node] = total
    zero = const(0)
    return [tangent.get(o, zero) for o in outputs]


def jvp(f: Any, wrt: Any, tangents: Any) -> Any:
    """The directional derivative of ``f`` along ``tangents``: forward mode.

    Parameters
    ----------
    f : a node (or number), a sequence of nodes, or an object array of them.
    wrt : the variables, as for :func:`symgraph.grad` (a symbol, a sequence,
        an array, or names).
    tangents : one tangent per variable, in the same arrangement (numbers,
        nodes, or symbols such as ``dx``).

    Returns
    -------
    A node (``sum_i df/dwrt_i * tangents_i``) for one output; a list, or an
    object array of the outputs' shape, for several.

    Examples
    --------
    >>> import symgraph as sg
    >>> x, y, dx, dy = sg.symbols("x y dx dy")
    >>> sg.jvp(x * sg.sin(y), [x, y], [dx, dy])
    sin(y) * dx + x * (cos(y) * dy)
    >>> sg.jvp([x * y, x + y], [x, y], [1, 0])
    [y, 1]
    """
    variables = normalize_wrt(wrt)
    if variables.single:
        tans = [tangents]
    elif isinstance(tangents, np.ndarray):
        tans = list(tangents.ravel())
    else:
        tans = list(tangents)
    if len(tans) != len(variables.symbols):
        raise ValueError(
            f"{len(variables.symbols)} variable(s) but {len(tans)} tangent(s)"
        )
    seeds = {v: as_node(t) for v, t in zip(variables.symbols, tans)}
    if isinstance(f, np.ndarray):
        out = np.empty(f.shape, dtype=object)
        out.ravel()[:] = _pushforward([as_node(o) for o in f.ravel()], seeds)
        return out
    if isinstance(f, (list, tuple)):
        return _pushforward([as_node(o) for o in f], seeds)
    return _pushforward([as_node(f)], seeds)[0]
