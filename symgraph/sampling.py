"""Points that find real counterexamples: the sampler of ``sg.verify``.

Each variable is drawn on its own from a mixture: moderate values in
[-2, 2]; magnitudes spread log-uniformly over 1e-6 .. 1e6 with both signs;
integers and simple fractions; and points on both sides of every kink and
near every singularity of the expressions given. The kinks and
singularities come from the op declarations (``OpDef.kinks``,
``OpDef.singular``: the arguments of ``relu``, ``abs``, ``where``, the
difference of ``maximum``'s arguments, denominators, logarithm arguments,
...). Their zeros are found along one variable at a time, the others fixed at
a base point: a scan of that variable over many decades finds sign changes,
and vectorized bisection narrows each to a root (the scan reaches 1e15, so
a kink at ``x = 1e9`` is found although the mixture stops at 1e6); the sampler then steps off
the root by relative distances 1e-2, 1e-5 and 1e-8 on each side. Everything
is evaluated on whole arrays of points at once.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from .evaluate import bind, evaluate_nodes
from .opdef import OPS
from .traverse import toposort

__all__ = ["Sample", "edges", "kink_values", "sample"]

# Caps that keep the search bounded whatever the input's size.
_MAX_EDGES = 48  # kink / singularity expressions searched
_BASES = 6  # base points per expression and variable
_OFFSETS = (1e-2, 1e-5, 1e-8)  # relative steps off a root, on each side
_BISECTIONS = 56
_NEAR_PER_POINT = 2  # at most this many edge points per mixture point
_GRID = np.unique(
    np.concatenate(
        [
            -np.logspace(-6, 15, 421),
            np.logspace(-6, 15, 421),
            np.linspace(-10, 10, 401),
            [0.0],
        ]
    )
)


@dataclass
class Sample:
    """Points (``{name: array}``, one column per variable, equal lengths) and
    what they hold: ``counts`` by source, and how many kink or singularity
    expressions were searched."""

    points: dict
    counts: dict = field(default_factory=dict)
    edges: int = 0

    @property
    def size(self) -> int:
        return len(next(iter(self.points.values()))) if self.points else 0

    def describe(self) -> str:
        """The ranges tried, in words."""
        parts = [
            "[-2, 2]",
            "magnitudes 1e-6 to 1e6 of both signs",
            "integers and fractions",
        ]
        if self.edges:
            parts.append(f"both sides of {self.edges} kink(s) and singularities")
        return ", ".join(parts)


def edges(nodes: list) -> list:
    """The kink and singularity expressions of every op in the DAGs, without
    repeats, in topological order."""
    out, seen = [], set()
    for node in toposort(nodes):
        if not node.args:
            continue
        op = OPS[node.op]
        for rule in (op.kinks, op.singular):
            if rule is None:
                continue
            for e in rule(*node.args):
                if e.op != "const" and e not in seen:
                    seen.add(e)
                    out.append(e)
    return out


def kink_values(f: Any, values: dict, size: int) -> list:
    """The kink expressions of ``f``'s ops (their arguments of ``relu``,
    ``abs``, ``maximum``'s difference, ...) at the ``size`` points of
    ``values``: one array each (0 on the kink)."""
    kinks: list = []
    for node in toposort([f]):
        rule = OPS[node.op].kinks if node.args else None
        if rule is not None:
            kinks.extend(k for k in rule(*node.args) if k.op != "const")
    if not kinks:
        return []
    with np.errstate(all="ignore"):
        vals = evaluate_nodes(kinks, bind(values))
    return [np.broadcast_to(np.asarray(v, dtype=float), (size,)) for v in vals]


def _mixture(rng, n: int) -> np.ndarray:
    """``n`` values of one variable from the moderate / decades / exact mixture."""
    kind = rng.integers(0, 3, n)
    moderate = rng.uniform(-2.0, 2.0, n)
    decades = np.exp(rng.uniform(np.log(1e-6), np.log(1e6), n)) * rng.choice(
        [-1.0, 1.0], n
    )
    p, q = rng.integers(-20, 21, n), rng.integers(1, 13, n)
    exact = np.where(rng.random(n) < 0.5, p.astype(float), p / q)
    return np.select([kind == 0, kind == 1], [moderate, decades], exact)


def _values(expr, names, base: dict, var: str, t: np.ndarray) -> np.ndarray:
    """``expr`` at the base points (rows) with ``var`` replaced by ``t`` (columns)."""
    vals = {k: v[:, None] for k, v in base.items()}
    vals[var] = t
    with np.errstate(all="ignore"):
        out = evaluate_nodes([expr], bind({k: vals[k] for k in names}))[0]
    return np.broadcast_to(out, (len(next(iter(base.values()))), t.shape[-1]))


def _roots(expr, names, base: dict, var: str) -> tuple[np.ndarray, np.ndarray]:
    """(row, root) pairs: zeros of ``expr`` along ``var`` from each base row."""
    grid = _GRID[None, :]
    f = _values(expr, names, base, var, grid)
    s = np.sign(f)
    change = (s[:, :-1] * s[:, 1:] < 0) & np.isfinite(f[:, :-1]) & np.isfinite(f[:, 1:])
    rows, cols = np.nonzero(change)
    exact_rows, exact_cols = np.nonzero(f == 0)
    lo, hi = _GRID[cols].copy(), _GRID[cols + 1].copy()
    if len(rows):
        sub = {k: v[rows] for k, v in base.items()}
        f_lo = _values(expr, names, sub, var, lo[:, None])[:, 0]
        for _ in range(_BISECTIONS):
            mid = 0.5 * (lo + hi)
            f_mid = _values(expr, names, sub, var, mid[:, None])[:, 0]
            left = np.sign(f_mid) == np.sign(f_lo)
            lo, hi = np.where(left, mid, lo), np.where(left, hi, mid)
            f_lo = np.where(left, f_mid, f_lo)
    roots = np.concatenate([0.5 * (lo + hi), _GRID[exact_cols]])
    return np.concatenate([rows, exact_rows]), roots


def sample(
    nodes: list, names: list, n: int, seed: int = 0, near_edges: bool = True
) -> Sample:
    """Points for ``names`` at which to compare expressions built from ``nodes``.

    About ``n`` points from the mixture, and, with ``near_edges``, points on
    both sides of the kinks and singularities of ``nodes`` (at most a few
    hundred more). Deterministic for a given ``seed``.
    """
    rng = np.random.default_rng(seed)
    names = list(names)
    if not names:
        return Sample({}, {"constant": 1})
    columns = {k: _mixture(rng, n) for k in names}
    counts = {"mixture": n}
    found = edges(nodes)[:_MAX_EDGES] if near_edges else []
    extra: dict[str, list[np.ndarray]] = {k: [] for k in names}
    for expr in found:
        free = [s.value for s in toposort([expr]) if s.op == "symbol"]
        if not free:
            continue
        base = {k: rng.choice(columns[k], _BASES) for k in names}
        base_free = {k: base[k] for k in free}
        for var in free:
            rows, roots = _roots(expr, free, base_free, var)
            for step in _OFFSETS:
                for side in (-1.0, 1.0):
                    t = roots + side * step * np.maximum(1.0, np.abs(roots))
                    for k in names:
                        extra[k].append(t if k == var else base[k][rows])
    near = {k: np.concatenate(v) if v else np.zeros(0) for k, v in extra.items()}
    added = len(near[names[0]])
    if added > _NEAR_PER_POINT * n:  # keep the total bounded: a random subset
        keep = rng.choice(added, _NEAR_PER_POINT * n, replace=False)
        near = {k: v[keep] for k, v in near.items()}
        added = len(keep)
    if added:
        for k in names:
            columns[k] = np.concatenate([columns[k], near[k]])
        counts["near kinks and singularities"] = added
    return Sample(columns, counts, len(found))
