"""``verify`` for tensor expressions: is a claimed matrix derivative right?

Three verdicts. **"wrong"** only with a confirmed counterexample: sizes and
arrays where the claim differs from the symbolic derivative *and* central
differences of ``f`` along the difference agree with the derivative, not
the claim (or the claim has the wrong shape: the CS231n check). **"proved"**
only with a symbolic proof, one of two kinds:

1. *identical forms*: the claim and the derivative are the same DAG after
   the display simplification (so equal at every size);
2. *exact expansion*: every op of both sides is size-uniform (each entry is
   the same formula at every size: elementwise functions, ``@``, ``.T``,
   ``sum``, ``trace``, ``outer``, ``diag``, softmax, norms; not ``det``,
   ``inv``, ``reshape`` or convolutions) and SymPy shows that every entry
   of the difference is 0 at sizes where each dimension is at least ``K``,
   the number of index variables of the larger side written in index
   notation. Each entry is then a sum over index tuples of one formula in
   the entries; at those sizes every pattern of equal and distinct indices
   occurs, so agreeing there means agreeing as formal index sums, hence at
   every size. SymPy runs in a child process under a time budget.

Otherwise **"no counterexample"**, with the evidence: the sizes and points
tried, the largest difference, and what SymPy showed (for ``det``/``inv``,
exact equality at small sizes, which is evidence, not a proof for all n).
"""

from __future__ import annotations

import multiprocessing
from dataclasses import dataclass, field

import numpy as np

from ..errors import UnboundSymbolError
from ..traverse import toposort
from .check import _plan, directional_fd
from .dims import shape_text
from .display import display
from .evaluate import bind_arrays, concrete, evaluate_nodes, free_symbols
from .expand import expand, expand_symbols, sizes_of
from .grad import check_wrt, grad, same_shape
from .node import TensorNode, as_tensor
from .registry import TOPS
from .sampling import dim_names, finite_points

__all__ = ["TensorVerifyResult", "index_bound", "verify"]

# Expansions with more scalar entries than this are not sent to SymPy.
MAX_PROOF_ENTRIES = 400


@dataclass
class TensorVerifyResult:
    """Result of :func:`verify` on tensor expressions.

    ``verdict`` is "proved", "wrong" or "no counterexample"; ``correct``
    is False only for "wrong"; ``counterexample`` (only for "wrong") holds
    the sizes, the point (arrays by name), the claimed and actual values
    and the finite-difference confirmation; ``evidence`` what was tried.
    """

    verdict: str
    method: str
    counterexample: dict | None
    evidence: dict
    derivative: list
    claim: list
    wrt: list = field(default_factory=list)

    @property
    def correct(self) -> bool:
        return self.verdict != "wrong"

    def __str__(self) -> str:
        d = ", ".join(f"d/d{w} = {g}" for w, g in zip(self.wrt, self.derivative))
        if self.verdict == "proved":
            return f"proved: the claim equals the derivative ({self.method})\n  {d}"
        if self.verdict == "wrong":
            ce = self.counterexample
            at = (
                ", ".join(f"{k}={v}" for k, v in ce["sizes"].items())
                or "the given sizes"
            )
            return (
                f"WRONG: at {at} the claim differs from the derivative: {ce['reason']}\n"
                f"  {d}\n  point: "
                + ", ".join(f"{k} = {_array_text(v)}"
                            for k, v in ce["point"].items())
            )  # fmt: skip
        ev = self.evidence
        return (
            f"no counterexample: the claim agrees with the derivative at "
            f"{ev['sizes']} size(s), {ev['points']} point(s) (max difference "
            f"{ev['max_difference']:.3g}); not proved: {ev['proof']}\n  {d}"
        )

    __repr__ = __str__


def _array_text(v) -> str:
    return np.array2string(
        np.asarray(v), precision=4, separator=", ", max_line_width=10**6
    ).replace("\n", "")


def index_bound(root: TensorNode) -> int:
    """Index variables of ``root`` in index notation, counted as a tree (an
    upper bound: a shared subexpression counts once per use)."""
    count = {}
    for n in toposort([root]):
        own = 0
        if n.op == "matmul" or n.op == "trace":
            own = 1
        elif n.op in ("sum", "logsumexp", "softmax", "log_softmax", "norm"):
            axis = n.param("axis")
            own = (
                n.args[0].ndim
                if axis is None
                else len(axis)
                if isinstance(axis, tuple)
                else 1
            )
        count[n] = own + sum(count[a] for a in n.args)
    return count[root] + root.ndim


def _uniform(roots) -> str | None:
    """None if every op is size-uniform, else the first op that is not."""
    for n in toposort(list(roots)):
        if n.args and not TOPS[n.op].uniform:
            return n.op
    return None


def _parse_claim(c, symbols):
    if isinstance(c, str):
        from .parse import parse

        return parse(c, symbols)
    return as_tensor(c)


def verify(
    f,
    wrt,
    claim,
    at=None,
    sizes=None,
    n_sizes: int = 4,
    n_points: int = 3,
    seed: int = 0,
    rtol: float = 1e-8,
    atol: float = 1e-10,
    budget: float = 10.0,
    shapes=None,
) -> TensorVerifyResult:
    """Verify a claimed matrix derivative; see the module doc for the verdicts.

    Parameters
    ----------
    f : scalar TensorNode (or a string, with ``shapes``)
    wrt : a tensor symbol, or a sequence of them (then ``claim`` is a
        sequence of the same length)
    claim : NumPy-syntax string (read by the safe tensor parser with ``f``'s
        shapes) or a TensorNode; or a sequence of them.
    at : a point ``{symbol or name: array}`` or a list of them: look for a
        counterexample only there (e.g. one-hot labels, when the claim
        holds only for them); default: random points at several sizes.
    sizes, n_sizes, n_points, seed : where to look for a counterexample.
    budget : seconds SymPy may spend on the exact comparison.

    Returns
    -------
    TensorVerifyResult

    Examples
    --------
    >>> import symgraph as sg
    >>> X, w, y = sg.tensors("X:n,m w:m y:n")
    >>> f = 0.5 * sg.sum((X @ w - y) ** 2)
    >>> sg.verify(f, w, "X.T @ (X @ w - y)").verdict
    'proved'
    >>> r = sg.verify(f, w, "X.T @ X @ w")
    >>> r.verdict, r.counterexample["sizes"]
    ('wrong', {'n': 2, 'm': 3})
    """
    if isinstance(f, str):
        from .parse import parse

        f = parse(f, shapes)
    f = as_tensor(f)
    single = isinstance(wrt, TensorNode)
    wrt_list = [check_wrt(v) for v in ([wrt] if single else list(wrt))]
    claims = [claim] if single else list(claim)
    if len(claims) != len(wrt_list):
        raise ValueError(
            f"{len(wrt_list)} variables but {len(claims)} claimed derivatives"
        )
    known = list(dict.fromkeys(free_symbols([f]) + wrt_list))
    claim_nodes = [_parse_claim(c, known) for c in claims]
    for c in claim_nodes:
        for s in free_symbols([c]):
            if s not in known:
                raise UnboundSymbolError(
                    f"the claim uses the tensor {s.value!r}, which the expression does not have"
                )
    derivative = grad(f, wrt_list)
    result = {
        "derivative": derivative,
        "claim": claim_nodes,
        "wrt": [v.value for v in wrt_list],
    }
    for d, c, v in zip(derivative, claim_nodes, wrt_list):
        if not same_shape(d, c):
            return _shape_counterexample(f, d, c, v, seed, result)
    if all(display(d) is display(c) for d, c in zip(derivative, claim_nodes)):
        ev = {
            "sizes": 0,
            "points": 0,
            "max_difference": 0.0,
            "proof": "identical forms",
        }
        return TensorVerifyResult(
            "proved", "identical matrix expressions", None, ev, **result
        )
    rng = np.random.default_rng(seed)
    plan = _plan(f, derivative + claim_nodes, at, sizes, n_sizes, n_points, seed, rng)
    ev, counter = _search(f, wrt_list, derivative, claim_nodes, plan, rtol, atol)
    if counter is not None:
        return TensorVerifyResult("wrong", "numeric", counter, ev, **result)
    proved, note = _sympy_proof(f, derivative, claim_nodes, budget)
    ev["proof"] = note
    ev["budget"] = budget
    if proved:
        return TensorVerifyResult("proved", note, None, ev, **result)
    return TensorVerifyResult("no counterexample", "numeric", None, ev, **result)


def _shape_counterexample(f, d, c, v, seed, result):
    names = dim_names([f, c])
    sz = {n: 2 + i for i, n in enumerate(names)}
    reason = (
        f"the claim has shape {shape_text(c.shape)} but d/d{v.value} has the shape of "
        f"{v.value}, {shape_text(d.shape)}"
    )
    rng = np.random.default_rng(seed)
    point = finite_points([f, c], sz, 1, rng)[0]
    arrays, dims = bind_arrays(
        free_symbols([f, d, c]), point, tuple(sizes_of([f], sz).items())
    )
    actual, claimed = evaluate_nodes([d, c], arrays, dims)
    ce = {
        "sizes": sz,
        "point": point,
        "claimed": claimed,
        "actual": actual,
        "reason": reason,
    }
    ev = {
        "sizes": 1,
        "points": 1,
        "max_difference": float("nan"),
        "proof": "shape mismatch",
    }
    return TensorVerifyResult("wrong", "shape", ce, ev, **result)


def _search(f, wrt, derivative, claims, plan, rtol, atol):
    roots = [f, *derivative, *claims]
    ev = {"sizes": 0, "points": 0, "max_difference": 0.0, "unconfirmed": 0}
    for sz, points in plan:
        ev["sizes"] += 1
        for point in points:
            ev["points"] += 1
            arrays, dims = bind_arrays(
                free_symbols(roots), point, tuple(sizes_of(roots, sz).items())
            )
            with np.errstate(all="ignore"):
                vals = evaluate_nodes(derivative + claims, arrays, dims)
            ds, cs = vals[: len(wrt)], vals[len(wrt) :]
            diff = max(
                float(np.max(np.abs(a - b), initial=0.0)) for a, b in zip(ds, cs)
            )
            ev["max_difference"] = max(ev["max_difference"], diff)
            if all(np.allclose(b, a, rtol=rtol, atol=atol) for a, b in zip(ds, cs)):
                continue
            counter = _confirm(f, wrt, arrays, dims, ds, cs, sz, point)
            if counter is not None:
                return ev, counter
            ev["unconfirmed"] += 1
    return ev, None


def _confirm(f, wrt, arrays, dims, ds, cs, sz, point, eps=1e-6):
    """Finite differences along the difference must side with the derivative."""
    v = {s.value: np.asarray(c - d) for s, d, c in zip(wrt, ds, cs)}
    norm = max(float(np.max(np.abs(x), initial=0.0)) for x in v.values())
    v = {k: x / norm for k, x in v.items()}
    fd = directional_fd(f, wrt, arrays, dims, v, eps)
    pred_d = sum(float(np.sum(d * v[s.value])) for s, d in zip(wrt, ds))
    pred_c = sum(float(np.sum(c * v[s.value])) for s, c in zip(wrt, cs))
    tol = 1e-6 * max(1.0, abs(pred_d), abs(pred_c))
    if abs(fd - pred_d) <= tol < abs(fd - pred_c):
        reason = (
            f"along the difference, finite differences of f give {fd:.10g}, the "
            f"derivative {pred_d:.10g}, the claim {pred_c:.10g}"
        )
        return {
            "sizes": sz,
            "point": point,
            "claimed": cs[0] if len(cs) == 1 else cs,
            "actual": ds[0] if len(ds) == 1 else ds,
            "finite_difference": fd,
            "reason": reason,
        }
    return None


# ----- the SymPy proof --------------------------------------------------------------
def _entries_equal(derivative, claims, sizes) -> tuple:
    """Whether SymPy shows every entry of derivative - claim is 0 (in a child)."""
    import sympy as sp

    leaves = expand_symbols(
        free_symbols(derivative + claims), sizes_of(derivative, sizes)
    )
    ds = expand(derivative, sizes, leaves=leaves)
    cs = expand(claims, sizes, leaves=leaves)
    for d, c in zip(ds, cs):
        for a, b in zip(
            np.ravel(np.asarray(d, dtype=object)), np.ravel(np.asarray(c, dtype=object))
        ):
            diff = a.to_sympy() - b.to_sympy()
            if sp.expand(diff) != 0 and sp.simplify(diff) != 0:
                return False, "SymPy could not show an entry of the difference is 0"
    return True, ""


def _in_child(conn, fn, args):
    try:
        conn.send(fn(*args))
    except Exception as exc:  # reported to the parent, which decides
        conn.send((False, f"SymPy failed: {type(exc).__name__}"))
    conn.close()


def _with_budget(fn, args, seconds: float) -> tuple:
    if "fork" not in multiprocessing.get_all_start_methods():
        return fn(*args)  # no budget without fork; the entry cap still applies
    ctx = multiprocessing.get_context("fork")
    parent, child = ctx.Pipe(duplex=False)
    proc = ctx.Process(target=_in_child, args=(child, fn, args), daemon=True)
    proc.start()
    child.close()
    if parent.poll(seconds):
        out = parent.recv()
        proc.join()
        return out
    proc.kill()
    proc.join()
    return None


def _sympy_proof(f, derivative, claims, budget) -> tuple:
    roots = derivative + claims
    bad = _uniform(roots)
    names = dim_names([f, *roots])
    if bad is not None:
        sz = {n: 2 + i for i, n in enumerate(names)}
        out = _with_budget(_entries_equal, (derivative, claims, sz), budget)
        shown = ", ".join(f"{k}={v}" for k, v in sz.items()) or "the given sizes"
        if out is not None and out[0]:
            return False, (
                f"{bad} is size-specific: SymPy shows exact equality at {shown}, "
                "which is evidence, not a proof for all sizes"
            )
        return False, f"{bad} is size-specific (no proof for all sizes is attempted)"
    k = max(index_bound(r) for r in roots)
    sz = {n: max(k, 1) + i for i, n in enumerate(names)}
    dims = sizes_of([f], sz)
    entries = sum(
        int(np.prod(concrete(s.shape, dims), dtype=int))
        for s in free_symbols([f, *roots])
    )
    shown = ", ".join(f"{key}={v}" for key, v in sz.items()) or "the given sizes"
    if entries > MAX_PROOF_ENTRIES:
        return (
            False,
            f"the expansion at {shown} (K={k}) has {entries} entries, too many for SymPy",
        )
    out = _with_budget(_entries_equal, (derivative, claims, sz), budget)
    if out is None:
        return False, f"SymPy did not finish within {budget:g} s at {shown}"
    if not out[0]:
        return False, out[1]
    return True, f"SymPy: every entry is equal at {shown}, all dimensions >= K={k}"
