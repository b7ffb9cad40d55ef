"""SymPy's side of ``bench_readable.py``: the reference form and the proof.

:func:`check_case` runs in a worker process, one case at a time. It takes the
expression and our printed derivative as text, reads both with the safe
parser (``sg.parse``, never ``sympify``), builds SymPy expressions with
``.to_sympy()`` and then, each SymPy call under a time budget:

1. ``D = sympy.diff(f, v)`` and ``S = sympy.simplify(D)``: ``len(str(S))`` is
   the reference length;
2. the proof that our printed form ``P`` equals ``D``: the first of these
   that SymPy reduces to 0 proves it, and its name is recorded as the route:

   - ``"simplify(P - D)"``: symbols as the toolkit makes them (no
     assumptions);
   - ``"simplify(P - S)"``: against SymPy's own simplified form of ``D``;
   - ``"real symbols"``: both sides with every symbol declared real (the
     toolkit computes over the reals: conditions such as ``Abs(x) > 0`` or
     ``x**2 + y**2 > 0`` in a ``Piecewise`` are then decidable);
   - ``"real, away from kinks"``: as before, with ``Heaviside(u, h0)`` read as
     ``Heaviside(u)``: the two sides may then differ only where ``u = 0``,
     the kink, where our value is the convention the README states (relu'(0)
     is 0, PyTorch's) and SymPy's ``Heaviside(0)`` is 1/2;
   - ``"positive symbols"``: when the entry's domain lies in the positive
     reals, every symbol declared positive (``x**x``'s derivative has a
     branch for x = 0 that SymPy cannot rule out otherwise);
   - ``"real, in exp"`` (``"real, away from kinks, in exp"`` where there is
     a Heaviside): the real difference with hyperbolic and trigonometric
     functions rewritten as exponentials (``1/cosh(x)**2`` against
     ``4*exp(2*x)/(exp(4*x) + 2*exp(2*x) + 1)``);

3. a numerical comparison of ``P`` and ``D`` at a few seeded points inside
   the entry's domain, at 30 digits (under the same budget): a disagreement
   makes the verdict ``"wrong"`` whatever SymPy said.

The verdict is ``"proved"``, ``"wrong"`` or ``"unproved"`` (SymPy ran out of
time, or left a nonzero difference although the values agree): an unproved
case is SymPy's limit, not a fault of ours.
"""

from __future__ import annotations

import random
import time

import sympy as sp

import symgraph as sg
from symgraph.budget import time_budget
from symgraph.errors import TimeBudgetError

N_POINTS = 4
REL_TOL = 1e-12


def _assuming(expr: sp.Expr, **assumptions) -> sp.Expr:
    """The expression with every free symbol declared, e.g., real."""
    return expr.xreplace(
        {s: sp.Symbol(s.name, **assumptions) for s in expr.free_symbols}
    )


def _heaviside_half(expr: sp.Expr) -> sp.Expr:
    """Every ``Heaviside(u, h0)`` replaced by ``Heaviside(u)``."""
    return expr.replace(
        lambda e: isinstance(e, sp.Heaviside), lambda e: sp.Heaviside(e.args[0])
    )


def _agree(p: sp.Expr, d: sp.Expr, names, interval, seed: int):
    """(True, None) when P and D agree at every sample point, else
    (False, the first point where they do not)."""
    rng = random.Random(seed)
    symbols = sorted(p.free_symbols | d.free_symbols, key=lambda s: s.name)
    names = sorted({s.name for s in symbols} | set(names))
    for _ in range(N_POINTS):
        point = {name: rng.uniform(*interval) for name in names}
        subs = {s: point[s.name] for s in symbols}
        a = complex(sp.N(p, 30, subs=subs))
        b = complex(sp.N(d, 30, subs=subs))
        if abs(a - b) > REL_TOL * (1 + abs(b)):
            return False, point
    return True, None


def check_case(task: dict) -> dict:
    """Reference form, proof and verdict for one case (see the module doc).

    ``task`` holds ``expression``, ``variable``, ``printed``, ``interval``,
    ``seed`` and ``timeout`` (seconds for each SymPy call).
    """
    limit = task["timeout"]
    out: dict = {
        "verdict": "unproved",
        "route": None,
        "reason": None,
        "sympy_diff": None,
        "sympy_simplified": None,
        "sympy_simplify_time": None,
    }
    f = sg.parse(task["expression"]).to_sympy()
    v = sp.Symbol(task["variable"])
    try:
        with time_budget(limit, "sympy.diff"):
            d = sp.diff(f, v)
    except TimeBudgetError:
        out["reason"] = "sympy.diff ran out of time"
        return out
    out["sympy_diff"] = str(d)
    s = None
    try:
        t0 = time.perf_counter()
        with time_budget(limit, "sympy.simplify"):
            s = sp.simplify(d)
        out["sympy_simplify_time"] = time.perf_counter() - t0
        out["sympy_simplified"] = str(s)
    except TimeBudgetError:
        pass
    try:
        p = sg.parse(task["printed"]).to_sympy()
    except sg.ParseError as exc:
        out["verdict"] = "wrong"
        out["reason"] = f"the printed derivative does not parse: {exc}"
        return out

    try:
        with time_budget(limit, "the numerical comparison"):
            agree, point = _agree(
                p, d, [task["variable"]], task["interval"], task["seed"]
            )
    except TimeBudgetError:
        agree, point = True, None  # no evidence either way; SymPy decides
    routes = [("simplify(P - D)", lambda: p - d)]
    if s is not None:
        routes.append(("simplify(P - S)", lambda: p - s))
    routes.append(("real symbols", lambda: _assuming(p - d, real=True)))
    kinks = (p - d).has(sp.Heaviside)
    if kinks:
        routes.append(
            (
                "real, away from kinks",
                lambda: _heaviside_half(_assuming(p - d, real=True)),
            )
        )
    if task["interval"][0] > 0:
        routes.append(("positive symbols", lambda: _assuming(p - d, positive=True)))
    routes.append(
        (
            "real, away from kinks, in exp" if kinks else "real, in exp",
            lambda: _heaviside_half(_assuming(p - d, real=True)).rewrite(sp.exp),
        )
    )
    timeouts = 0
    for name, difference in routes:
        try:
            with time_budget(limit, "sympy.simplify"):
                zero = sp.simplify(difference()) == 0
        except TimeBudgetError:
            timeouts += 1
            continue
        except (TypeError, ValueError, RecursionError) as exc:
            out["reason"] = f"SymPy failed: {type(exc).__name__}"
            continue
        if zero:
            out["verdict"], out["route"] = "proved", name
            break
    if not agree:
        out["verdict"] = "wrong"
        out["reason"] = f"values differ at {point}"
    elif out["verdict"] != "proved":
        out["reason"] = (
            f"SymPy's simplify ran out of its {limit:g} s budget {timeouts} time(s)"
            if timeouts
            else "SymPy's simplify left a nonzero difference (values agree)"
        )
    return out
