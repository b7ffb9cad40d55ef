"""Is a claimed derivative right? Three verdicts, each no stronger than its
evidence.

* **proved**: SymPy simplifies the difference of the derivative and the
  claim to 0, within a time budget (a symbolic proof).
* **wrong**: a point where they differ, found by sampling and confirmed by
  evaluating both at 60 and at 120 digits (so float rounding never makes a
  right claim wrong); the point and both values are reported.
* **no counterexample**: neither; the result says how many points were
  compared, over which ranges, and what the symbolic step did.

The sampler (``sampling.py``) spreads each variable over many decades of
both signs, integers and simple fractions, and both sides of every kink and
singularity of the expression, the derivative and the claim. Points where
any of them is not finite, and points exactly on a kink of the expression
(where its derivative is only a convention), are outside the comparison.
"""

from __future__ import annotations

import contextlib
from typing import Any

import numpy as np

from . import budget
from .errors import DomainError, TimeBudgetError, UnboundSymbolError
from .evaluate import bind, evaluate_nodes
from .extensions import tensor as _tensor
from .grad import grad
from .node import Node, as_node
from .parse import parse
from .precise import evaluate_precise
from .sampling import kink_values, sample
from .tidy import simplify
from .traverse import toposort
from .verdicts import NO_COUNTEREXAMPLE, PROVED, WRONG, Evidence, VerifyResult
from .wrt import normalize_wrt

__all__ = ["Evidence", "VerifyResult", "verify"]

# The symbolic step only runs on DAGs up to this many nodes (SymPy's simplify
# grows far faster than the DAG), and within the time budget.
_MAX_SYMBOLIC_NODES = 2_000
# Disagreements at float precision confirmed at high precision, at most.
_MAX_CONFIRMATIONS = 8
_DIGITS = (60, 120)
_RELATIVE = 1e-25  # a confirmed difference, relative to the values
# ... when the expressions hold float constants and floats saw no difference
_FLOAT_NOISE = 1e-13


# ----- the symbolic step ---------------------------------------------------------------
def _symbolic(pairs: list, seconds: float) -> tuple[bool, str, list]:
    """(proved, what happened, non-zero simplified differences as
    ``(pair index, SymPy expression)``)."""
    if seconds <= 0:
        return False, "the symbolic step was switched off (timeout=0)", []
    if all(d is c for d, c in pairs):
        return True, "", []
    size = len(toposort([n for pair in pairs for n in pair]))
    if size > _MAX_SYMBOLIC_NODES:
        return (
            False,
            f"SymPy was not tried on {size:,} nodes (more than {_MAX_SYMBOLIC_NODES:,})",
            [],
        )
    if not budget.available():
        return False, "SymPy was not tried: a time budget needs the main thread", []
    import sympy as sp

    nonzero = []
    try:
        with budget.time_budget(seconds, "SymPy's simplify"):
            for i, (d, c) in enumerate(pairs):
                if d is c:
                    continue
                difference = sp.simplify(d.to_sympy() - c.to_sympy())
                if difference != 0:
                    nonzero.append((i, difference))
    except TimeBudgetError:
        return False, f"SymPy's simplify ran out of its {seconds:g} s budget", []
    except (RecursionError, MemoryError):
        return False, "SymPy's simplify could not handle the expression's depth", []
    except Exception as exc:
        return (
            False,
            f"SymPy could not simplify the difference ({type(exc).__name__})",
            [],
        )
    if not nonzero:
        return True, "", []
    shown = ", ".join(str(e) for _, e in nonzero)
    if len(shown) > 200:
        shown = shown[:200] + "..."
    return (
        False,
        f"SymPy's difference simplifies to {shown}, not 0, but no point was found where it is non-zero",
        nonzero,
    )


# ----- the numeric step ----------------------------------------------------------------
def _confirm(
    derivative: list, claims: list, point: dict, relative: float = _RELATIVE
) -> tuple | None:
    """(claimed, actual, claimed - actual) at 60 digits when they differ at 60
    and at 120 digits by more than ``relative`` times their size."""
    first = None
    for digits in _DIGITS:
        values = evaluate_precise(derivative + claims, point, digits)
        if values is None:
            return None
        n = len(derivative)
        floor = 10.0 ** (-digits / 2)
        differs = False
        for a, c in zip(values[:n], values[n:]):
            gap = abs(a - c)
            if gap > relative * max(abs(a), abs(c)) and gap > floor:
                differs = True
        if not differs:
            return None
        if first is None:
            first = (
                [float(c) for c in values[n:]],
                [float(a) for a in values[:n]],
                [float(c - a) for a, c in zip(values[:n], values[n:])],
            )
    return first


def _has_floats(roots: list) -> bool:
    """Does any of the DAGs hold a float constant (rather than exact ones)?"""
    return any(n.op == "const" and isinstance(n.value, float) for n in toposort(roots))


def _where_nonzero(
    differences: list, values: dict, finite: np.ndarray, scale: np.ndarray
) -> list:
    """Indices of compared points where one of SymPy's simplified differences
    is not 0 in floats, the largest relative to the values first (each is a
    candidate for confirmation at high precision, nothing more)."""
    found: list[int] = []
    for i, d in differences:
        with np.errstate(all="ignore"):
            v = np.broadcast_to(
                np.asarray(evaluate_nodes([d], bind(values))[0], dtype=float),
                finite.shape,
            )
            size = np.where(scale[i] > 0, np.abs(v) / scale[i], np.abs(v))
        idx = np.flatnonzero(finite & np.isfinite(v) & (v != 0))
        found += [
            int(j)
            for j in idx[np.argsort(-size[idx], kind="stable")][:_MAX_CONFIRMATIONS]
        ]
    return found


def _on_kinks(f: Node, values: dict) -> np.ndarray:
    """Mask of points exactly on a kink of ``f`` (its derivative is a convention there)."""
    size = len(next(iter(values.values())))
    vals = kink_values(f, values, size)
    return np.any(np.array(vals) == 0, axis=0) if vals else np.zeros(size, dtype=bool)


def _claims(claim: Any, count: int, single: bool) -> list:
    claims = [claim] if single or isinstance(claim, str) else list(claim)
    if len(claims) != count:
        raise ValueError(f"{count} variable(s) but {len(claims)} claimed derivative(s)")
    return [parse(c) if isinstance(c, str) else as_node(c) for c in claims]


def verify(
    f: Any,
    wrt: Any,
    claim: Any,
    n_points: int = 1000,
    seed: int = 0,
    rtol: float = 1e-9,
    atol: float = 1e-12,
    timeout: float = 5.0,
) -> VerifyResult:
    """Is a claimed derivative right?

    Parameters
    ----------
    f : Node or str (read with the safe parser)
    wrt : a symbol or a name (then ``claim`` is one derivative), or several
        (a sequence, an array, ``"x, y"``: then ``claim`` is a sequence of the
        same length, the claimed gradient).
    claim : str (safe parser), SymPy expression or Node; or a sequence of them.
    n_points : points drawn from the mixture (at least 1; edge points come on top).
    seed : the sampler's seed (same seed, same points).
    rtol, atol : float-precision tolerance; a disagreement beyond it is only a
        candidate until high precision confirms it.
    timeout : seconds SymPy may spend trying to prove the claim (0: no proof).

    Returns
    -------
    VerifyResult
        ``.verdict`` ("proved", "wrong", "no counterexample"), ``.correct``,
        ``.counterexample`` (when wrong), ``.evidence``.

    Raises
    ------
    DomainError
        If the expression, its derivative and the claim are finite at none of
        the points tried.

    Examples
    --------
    >>> import symgraph as sg
    >>> x = sg.symbols("x")
    >>> sg.verify(sg.sin(x**2), x, "2*x*cos(x**2)").verdict
    'proved'
    >>> r = sg.verify(sg.maximum(x, 2.5), x, "0")
    >>> r.verdict, r.counterexample["point"]["x"] > 2.5
    ('wrong', True)
    """
    if not isinstance(n_points, int) or isinstance(n_points, bool) or n_points < 1:
        raise ValueError(f"n_points must be a positive integer, not {n_points!r}")
    if _tensor.involved(
        f, wrt
    ):  # tensor hook: tensor expressions go to symgraph.tensor
        return _tensor.verify(f, wrt, claim, seed=seed)
    f = parse(f) if isinstance(f, str) else as_node(f)
    variables = normalize_wrt(wrt)
    symbols = variables.symbols
    claims = _claims(claim, len(symbols), variables.single)
    known = {s.value for s in toposort([f]) if s.op == "symbol"} | {
        s.value for s in symbols
    }
    for c in claims:
        for s in toposort([c]):
            if s.op == "symbol" and s.value not in known:
                raise UnboundSymbolError(
                    f"the claim uses the symbol {s.value!r}, which the expression does not have"
                )
    derivative = grad(f, symbols)
    names = [s.value for s in symbols]
    evidence = Evidence(budget=timeout)

    proved, evidence.symbolic, nonzero = _symbolic(
        list(zip(derivative, claims)), timeout
    )
    if proved:
        return VerifyResult(PROVED, None, derivative, claims, evidence, names)

    # Points: the mixture plus both sides of the kinks and singularities.
    hints = [f, *derivative, *claims]
    differences = []  # SymPy's non-zero differences as nodes: (pair index, node)
    for i, e in nonzero:
        with contextlib.suppress(TypeError, ValueError, RecursionError):
            differences.append((i, as_node(e)))
    hints += [d for _, d in differences]  # their kinks help find where they are not 0
    variables_all = sorted(known, key=lambda n: (n not in names, n))
    pts = sample(hints, variables_all, n_points, seed)
    values = dict(pts.points.items())
    evidence.tried, evidence.ranges, evidence.counts = (
        pts.size,
        pts.describe(),
        pts.counts,
    )
    with np.errstate(all="ignore"):
        results = evaluate_nodes([f, *derivative, *claims], bind(values))
    size = pts.size
    results = [np.broadcast_to(np.asarray(r, dtype=float), (size,)) for r in results]
    finite = np.all([np.isfinite(r) for r in results], axis=0) & ~_on_kinks(f, values)
    evidence.points = int(finite.sum())
    if evidence.points == 0:
        raise DomainError(
            f"the expression, its derivative and the claim are finite together at none of "
            f"the {size:,} points tried ({evidence.ranges})"
        )
    n = len(derivative)
    actual, claimed = np.array(results[1 : 1 + n]), np.array(results[1 + n :])
    with np.errstate(all="ignore"):
        gap = np.abs(actual - claimed)
        scale = np.maximum(np.abs(actual), np.abs(claimed))
        bad = finite & np.any(gap > atol + rtol * scale, axis=0)
        worst = np.max(np.where(scale > 0, gap / scale, gap), axis=0)
    candidates = np.flatnonzero(bad)
    candidates = candidates[np.argsort(-worst[candidates], kind="stable")]
    # Where SymPy's difference is not 0, its own value points to candidates
    # the float tolerance cannot see (a claim off by 1e-12 everywhere).
    hinted = _where_nonzero(differences, values, finite, scale)
    tried = [int(i) for i in candidates[:_MAX_CONFIRMATIONS]]
    tried += [i for i in hinted if i not in tried][:_MAX_CONFIRMATIONS]
    # A float constant is a binary fraction: 3 * 0.1 folds to
    # 0.30000000000000004, which is not the 0.3 of a claim. Below the float
    # tolerance, only a difference far above such rounding is evidence.
    floor = _FLOAT_NOISE if _has_floats([f, *derivative, *claims]) else _RELATIVE
    for i in tried:
        point = {k: float(values[k][i]) for k in variables_all}
        confirmed = _confirm(derivative, claims, point, _RELATIVE if bad[i] else floor)
        if confirmed is None:
            if bad[i]:
                evidence.rounding += 1
            continue
        c_vals, a_vals, gaps = confirmed
        single = variables.single
        ce = {
            "point": point,
            "claimed": c_vals[0] if single else c_vals,
            "actual": a_vals[0] if single else a_vals,
            "difference": gaps[0] if single else gaps,
        }
        # the derivative shown beside the counterexample is the tidied one
        shown = [
            simplify(d, min(1.0, timeout)) if timeout > 0 else d for d in derivative
        ]
        return VerifyResult(WRONG, ce, derivative, claims, evidence, names, shown)
    if len(candidates) > _MAX_CONFIRMATIONS:
        evidence.symbolic += (
            f"; {len(candidates) - _MAX_CONFIRMATIONS} float-precision disagreement(s) "
            "beyond the first few were not checked at high precision"
        )
    return VerifyResult(NO_COUNTEREXAMPLE, None, derivative, claims, evidence, names)
