"""Numeric evaluation of tensor DAGs with NumPy, one op at a time.

The values bound to the tensor symbols fix the symbolic dimensions: every
occurrence of ``n`` must have the same size, and a dimension bound while the
expression was built (``m = 3``) must have that size. Errors name the
argument, the axis and the dimension.
"""

from __future__ import annotations

import numpy as np
import sympy as sp

from ..errors import ShapeError, UnboundSymbolError
from ..traverse import toposort
from .dims import dim_symbol, shape_text
from .node import TensorNode, as_tensor, const_float
from .registry import TOPS

__all__ = ["bind_arrays", "concrete", "evaluate", "evaluate_nodes", "free_symbols"]


def free_symbols(roots) -> list:
    """Tensor symbols of the DAGs, in order of first appearance."""
    return [n for n in toposort(list(roots)) if n.op == "symbol"]


def _check_unique(symbols: list) -> None:
    seen = {}
    for s in symbols:
        other = seen.setdefault(s.value, s)
        if other is not s:
            raise ShapeError(
                f"two tensors named {s.value!r}, of shapes {shape_text(other.shape)} "
                f"and {shape_text(s.shape)}"
            )


def bind_arrays(symbols: list, values: dict, bound=()) -> tuple:
    """``({name: float64 array}, {dim symbol: size})`` from user values.

    Raises
    ------
    UnboundSymbolError
        For a symbol without a value.
    ShapeError
        For a value whose shape does not fit its symbol's (names the
        argument, the axis and the dimension).
    """
    _check_unique(symbols)
    by_name = {}
    for key, v in values.items():
        name = key.value if isinstance(key, TensorNode) else key
        if not isinstance(name, str):
            raise TypeError(
                f"bind values to tensor symbols or their names, not {key!r}"
            )
        by_name[name] = v
    dims: dict = dict(bound)
    where: dict = dict.fromkeys(dims, "bound when the expression was built")
    tensor_names = {s.value for s in symbols}
    for name, v in by_name.items():  # a dimension's size given by its name
        if name not in tensor_names and isinstance(v, (int, np.integer)):
            d = dim_symbol(name)
            dims.setdefault(d, int(v))
            where.setdefault(d, "given")
    arrays = {}
    for s in symbols:
        if s.value not in by_name:
            raise UnboundSymbolError(f"no value given for the tensor {s.value!r}")
        try:
            arr = np.asarray(by_name[s.value], dtype=np.float64)
        except (TypeError, ValueError):
            raise TypeError(f"the value of {s.value} is not numeric") from None
        if arr.ndim != s.ndim:
            raise ShapeError(
                f"argument {s.value}: expected shape {shape_text(s.shape)} "
                f"({s.ndim}-d), got {arr.shape}"
            )
        for axis, (d, size) in enumerate(zip(s.shape, arr.shape)):
            if isinstance(d, int):
                if d != size:
                    raise ShapeError(
                        f"argument {s.value}: axis {axis} must have size {d}, got {size}"
                    )
                continue
            if not d.is_Symbol:
                continue
            if d in dims and dims[d] != size:
                raise ShapeError(
                    f"argument {s.value}: axis {axis} has size {size} but the dimension "
                    f"{d} = {dims[d]} ({where[d]})"
                )
            dims.setdefault(d, size)
            where.setdefault(d, f"from {s.value}")
        arrays[s.value] = arr
    return arrays, dims


def concrete(value, dims: dict):
    """A parameter with its symbolic dimensions replaced by sizes."""
    if isinstance(value, tuple):
        return tuple(concrete(v, dims) for v in value)
    if isinstance(value, sp.Expr):
        out = value.subs(dims)
        if not out.is_Integer:
            raise ShapeError(
                f"the dimension {value} is not fixed by the arguments' shapes"
            )
        return int(out)
    return value


def evaluate_nodes(roots: list, arrays: dict, dims: dict) -> list:
    """Values of ``roots`` given ``{name: array}`` and ``{dim: size}``."""
    memo = {}
    for node in toposort(roots):
        if node.op == "symbol":
            memo[node] = arrays[node.value]
        elif node.op == "const":
            memo[node] = np.float64(const_float(node))
        else:
            params = {k: concrete(v, dims) for k, v in node.params}
            memo[node] = TOPS[node.op].numpy(*[memo[a] for a in node.args], **params)
    return [memo[r] for r in roots]


def _out(v):
    v = np.asarray(v, dtype=np.float64)
    return float(v) if v.ndim == 0 else v


def evaluate(expr, values: dict):
    """Evaluate a tensor expression (or a list of them) with NumPy.

    Parameters
    ----------
    expr : TensorNode or sequence of TensorNode
    values : ``{symbol or name: array}``; the arrays' shapes fix the
        symbolic dimensions (a dimension no array fixes, as in ``eye(n)``,
        is given by its name: ``{"n": 3}``).

    Returns
    -------
    float for a scalar, ndarray otherwise; a list for a list.

    Raises
    ------
    UnboundSymbolError, ShapeError

    Examples
    --------
    >>> import numpy as np
    >>> import symgraph as sg
    >>> X, w = sg.tensors("X:n,m w:m")
    >>> sg.tensor.evaluate(X @ w, {X: np.eye(2), w: [1.0, 2.0]})
    array([1., 2.])
    """
    many = isinstance(expr, (list, tuple))
    roots = [as_tensor(e) for e in (expr if many else [expr])]
    bound = {}
    for r in roots:
        bound.update(dict(r.bound))
    arrays, dims = bind_arrays(free_symbols(roots), values, tuple(bound.items()))
    with np.errstate(under="ignore"):
        out = [_out(v) for v in evaluate_nodes(roots, arrays, dims)]
    return out if many else out[0]
