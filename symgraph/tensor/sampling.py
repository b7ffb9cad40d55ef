"""Random sizes and points for checking tensor expressions.

A check instantiates the symbolic dimensions at several sizes: first all
different (2, 3, 4, ...: non-square), then all 1, then a mix of 1 and
larger sizes, then random sizes from 1 to 5; sizes where a window does not
fit (convolution, pooling) are skipped. At each size the points alternate
between a draw that keeps square matrices near the identity (well
conditioned, positive determinant) with normal entries elsewhere, a draw
of positive entries (for ``log``, ``sqrt``) and plain normal entries.
"""

from __future__ import annotations

import numpy as np
import sympy as sp

from ..errors import DomainError, ShapeError
from ..traverse import toposort
from .evaluate import bind_arrays, concrete, evaluate_nodes, free_symbols

__all__ = ["dim_names", "random_point", "size_assignments", "valid_sizes"]


def dim_names(roots) -> list:
    """Unbound symbolic dimensions of the roots' symbols, in order."""
    bound = set()
    for r in roots:
        bound |= {s for s, _ in r.bound}
    out = []
    for s in free_symbols(roots):
        for d in s.shape:
            if isinstance(d, sp.Symbol) and d not in bound and d.name not in out:
                out.append(d.name)
    return out


def valid_sizes(roots, sizes: dict) -> bool:
    """Whether every node has positive concrete dimensions at these sizes."""
    from .expand import sizes_of

    dims = sizes_of(roots, sizes)
    try:
        for n in toposort(list(roots)):
            if any(int(d) < 1 for d in concrete(n.shape, dims)):
                return False
    except (ShapeError, TypeError):
        return False
    return True


def size_assignments(roots, n_sizes: int = 4, seed: int = 0, sizes=None) -> list:
    """``n_sizes`` assignments ``{dim name: size}`` (including 1 and non-square)."""
    names = dim_names(roots)
    if sizes is not None:
        out = [dict(s) for s in sizes]
        for s in out:
            missing = [n for n in names if n not in s]
            if missing:
                raise ShapeError(f"no size given for the dimension {missing[0]!r}")
        return out
    if not names:
        return [{}]
    rng = np.random.default_rng(seed)
    candidates = [
        {n: 2 + i for i, n in enumerate(names)},
        dict.fromkeys(names, 1),
        {n: 1 if i % 2 == 0 else 3 + i for i, n in enumerate(names)},
        {n: 3 + i if i % 2 == 0 else 1 for i, n in enumerate(names)},
    ]
    candidates += [
        {n: int(v) for n, v in zip(names, rng.integers(1, 6, len(names)))}
        for _ in range(40)
    ]
    candidates += [{n: 5 + 2 * i for i, n in enumerate(names)}]
    out = []
    for c in candidates:
        if len(out) == n_sizes:
            break
        if c not in out and valid_sizes(roots, c):
            out.append(c)
    if not out:
        raise DomainError(
            "found no sizes at which every dimension of the expression is positive"
        )
    return out


def random_point(symbols, dims: dict, rng, kind: int) -> dict:
    """``{name: array}`` for the symbols at concrete sizes (see the module doc)."""
    point = {}
    for s in symbols:
        shape = concrete(s.shape, dims)
        if kind % 3 == 1:
            point[s.value] = rng.uniform(0.5, 1.5, shape)
        elif kind % 3 == 0 and len(shape) == 2 and shape[0] == shape[1]:
            point[s.value] = np.eye(shape[0]) + 0.3 * rng.standard_normal(shape)
        else:
            point[s.value] = rng.standard_normal(shape)
    return point


def finite_points(roots, sizes: dict, n_points: int, rng, max_tries: int = 30) -> list:
    """Points at which every root is finite (and no linear algebra fails)."""
    from .expand import sizes_of

    symbols = free_symbols(roots)
    dims = sizes_of(roots, sizes)
    points = []
    for attempt in range(max_tries):
        if len(points) == n_points:
            break
        point = random_point(symbols, dims, rng, attempt)
        try:
            arrays, d = bind_arrays(symbols, point, tuple(dims.items()))
            with np.errstate(all="ignore"):
                values = evaluate_nodes(list(roots), arrays, d)
        except np.linalg.LinAlgError:
            continue
        if all(np.all(np.isfinite(v)) for v in values):
            points.append(point)
    if len(points) < n_points:
        shown = ", ".join(f"{k}={v}" for k, v in sizes.items()) or "the given sizes"
        raise DomainError(
            f"found only {len(points)} of {n_points} random points at {shown} where "
            "the expression and its gradient are finite"
        )
    return points
