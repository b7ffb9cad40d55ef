"""Numeric evaluation of DAGs with NumPy, node by node in topological order.

Values broadcast: bind a symbol to an array and every node is computed on the
whole batch. Each node is computed once, however many consumers it has.
"""

from __future__ import annotations

import numpy as np

from .errors import ShapeError, UnboundSymbolError
from .extensions import tensor as _tensor
from .identifiers import normal_name
from .node import Node, as_node, const_value
from .opdef import OPS
from .traverse import toposort

__all__ = ["bind", "evaluate"]


def bind(values) -> dict:
    """Normalise a ``{symbol or name: value}`` mapping to ``{name: float array}``."""
    out = {}
    for key, value in dict(values).items():
        if isinstance(key, Node):
            if key.op != "symbol":
                raise TypeError(f"only symbols can be given values, not {key!r}")
            name = key.value
        elif isinstance(key, str):
            name = normal_name(key)  # "µ" names the symbol μ, as in sg.symbols
        else:
            raise TypeError(f"bind values to symbols or their names, not {key!r}")
        try:
            arr = np.asarray(value, dtype=np.float64)
        except (TypeError, ValueError):
            raise TypeError(f"the value of {name} is not numeric: {value!r}") from None
        out[name] = arr
    return out


def evaluate_nodes(roots: list, values: dict) -> list:
    """Values (float64 arrays) of ``roots`` with ``values`` keyed by name."""
    memo = {}
    for node in toposort(roots):
        op = node.op
        if op == "symbol":
            if node.value not in values:
                raise UnboundSymbolError(f"no value given for symbol {node.value!r}")
            memo[node] = values[node.value]
        elif op == "const":
            memo[node] = np.float64(const_value(node))
        else:
            args = [memo[a] for a in node.args]
            try:
                memo[node] = OPS[op].numpy(*args)
            except ValueError as exc:
                shapes = " and ".join(str(np.shape(a)) for a in args)
                raise ShapeError(
                    f"{op}: operand shapes {shapes} do not broadcast"
                ) from exc
    return [memo[r] for r in roots]


def _scalar_or_array(v):
    v = np.asarray(v, dtype=np.float64)
    return float(v) if v.ndim == 0 else v


def evaluate(expr, values=None):
    """Evaluate a node, a list of nodes or an object array of nodes.

    Parameters
    ----------
    expr : Node, sequence of Nodes, or object ndarray of Nodes
    values : mapping from symbols (or their names) to numbers or arrays;
        arrays broadcast against each other.

    Returns
    -------
    float for a scalar result, else ndarray; a list for a list input; for an
    object array input, an array of shape ``expr.shape + broadcast shape``.

    Raises
    ------
    UnboundSymbolError
        If a symbol the expression needs has no value (names it).

    Examples
    --------
    >>> import symgraph as sg
    >>> x, y = sg.symbols("x y")
    >>> sg.evaluate(x * y + 1, {x: 2, y: 3})
    7.0
    """
    if _tensor.involved(expr):  # tensor hook: tensor expressions go to symgraph.tensor
        return _tensor.evaluate(expr, values or {})
    bound = bind(values or {})
    if isinstance(expr, np.ndarray):
        nodes = [as_node(e) for e in expr.ravel()]
        vals = evaluate_nodes(nodes, bound) if nodes else []
        if not vals:
            return np.zeros(expr.shape)
        vals = np.broadcast_arrays(*[np.asarray(v, dtype=np.float64) for v in vals])
        return np.stack(vals).reshape(expr.shape + vals[0].shape)
    if isinstance(expr, (list, tuple)):
        nodes = [as_node(e) for e in expr]
        return [_scalar_or_array(v) for v in evaluate_nodes(nodes, bound)]
    return _scalar_or_array(evaluate_nodes([as_node(expr)], bound)[0])
