"""``check`` for tensor expressions: the symbolic matrix gradient against three
independent computations, at several sizes.

The symbolic dimensions are instantiated at several sizes (all different,
all 1, mixed; see ``sampling.py``); at each, at random points, the tensor
engine's gradient is compared with (1) the numeric engine's reverse mode on
the same function (``bridge.py``), (2) central finite differences in random
directions (``<v, grad> = (f(x + hv) - f(x - hv)) / 2h``) and (3) at the
first point of each small size, the scalar engine's gradient of the expression expanded to
scalars (``expand.py``). Each method that cannot run says why in the
report (e.g. numeric has no ``inv`` yet).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from .bridge import NumericUnavailable, numeric_gradients
from .evaluate import bind_arrays, evaluate_nodes, free_symbols
from .expand import ExpandError, expand, expand_symbols, sizes_of
from .grad import check_wrt, grad
from .node import TensorNode, as_tensor
from .sampling import finite_points, size_assignments

__all__ = [
    "TensorCase",
    "TensorCheckReport",
    "check",
    "directional_fd",
    "scalar_gradients",
]

# the scalar expansion is used up to this many scalar inputs
MAX_EXPAND_ENTRIES = 64


@dataclass
class TensorCase:
    """One size and point: the gradients each method gave (by variable name)."""

    sizes: dict
    point: dict
    value: float
    symbolic: dict
    numeric: dict | None
    directional: dict
    scalar: dict | None
    errors: dict = field(default_factory=dict)


@dataclass
class TensorCheckReport:
    """Result of :func:`check` on a tensor expression.

    ``ok`` is True when, at every size and point, the symbolic gradient
    matches each method that ran: the numeric engine (``engine_ok``),
    finite differences (``fd_ok``) and the scalar expansion
    (``scalar_ok``). ``max_abs_error`` and ``max_rel_error`` are the largest
    disagreements; ``skipped`` says which method did not run and why.
    """

    wrt: list
    cases: list = field(default_factory=list)
    ok: bool = True
    engine_ok: bool = True
    fd_ok: bool = True
    scalar_ok: bool = True
    max_abs_error: float = 0.0
    max_rel_error: float = 0.0
    skipped: dict = field(default_factory=dict)

    @property
    def points(self) -> list:
        return self.cases

    def __str__(self) -> str:
        head = "ok" if self.ok else "MISMATCH"
        sizes = {tuple(sorted(c.sizes.items())) for c in self.cases}
        lines = [
            f"gradient check: {head} at {len(sizes)} size(s), {len(self.cases)} point(s); "
            f"max abs error {self.max_abs_error:.3g}, max rel error {self.max_rel_error:.3g}"
        ]
        for what, flag in (
            ("the symbolic and numeric engines disagree", self.engine_ok),
            (
                "finite differences disagree (a kink or a badly scaled point?)",
                self.fd_ok,
            ),
            ("the scalar engine on the expanded expression disagrees", self.scalar_ok),
        ):
            if not flag:
                lines.append(f"  {what}")
        for method, why in self.skipped.items():
            lines.append(f"  {method}: not run ({why})")
        for c in self.cases:
            at = ", ".join(f"{k}={v}" for k, v in c.sizes.items()) or "concrete sizes"
            errs = "   ".join(f"{k} {v:.2g}" for k, v in c.errors.items())
            lines.append(f"  {at}: f = {c.value:.10g}   max error vs {errs}")
        return "\n".join(lines)

    __repr__ = __str__


def directional_fd(f, wrt, arrays, dims, v: dict, eps: float) -> float:
    """``(f(x + eps v) - f(x - eps v)) / (2 eps)`` for a direction ``v`` (by name)."""
    up, down = dict(arrays), dict(arrays)
    for s in wrt:
        up[s.value] = arrays[s.value] + eps * v[s.value]
        down[s.value] = arrays[s.value] - eps * v[s.value]
    with np.errstate(all="ignore"):
        fu = float(evaluate_nodes([f], up, dims)[0])
        fd = float(evaluate_nodes([f], down, dims)[0])
    return (fu - fd) / (2 * eps)


def scalar_gradients(f, wrt, sizes: dict, point: dict) -> list:
    """The scalar engine's gradient of ``f`` expanded at ``sizes``, at ``point``."""
    from ..evaluate import evaluate
    from ..grad import grad as scalar_grad

    leaves = expand_symbols(free_symbols([f]), sizes_of([f], sizes))
    fs = expand(f, sizes, leaves=leaves)
    values = {}
    for s, arr in leaves.items():
        data = np.asarray(point[s.value], dtype=float)
        if isinstance(arr, np.ndarray):
            for idx in np.ndindex(*arr.shape):
                values[arr[idx].value] = float(data[idx])
        else:
            values[arr.value] = float(data)
    out = []
    for s in wrt:
        g = scalar_grad(fs, leaves[s])
        g = np.asarray(g, dtype=object) if isinstance(leaves[s], np.ndarray) else g[0]
        out.append(
            np.asarray(evaluate(g, values), dtype=float).reshape(
                np.shape(point[s.value])
            )
        )
    return out


def _err(a, b) -> tuple:
    a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    diff = np.abs(a - b)
    if diff.size == 0:
        return 0.0, 0.0
    scale = np.maximum(np.abs(a), np.abs(b))
    with np.errstate(all="ignore"):
        rel = np.where(scale > 0, diff / scale, 0.0)
    return float(np.nanmax(diff)), float(np.nanmax(rel))


def check(
    f,
    wrt,
    at=None,
    sizes=None,
    n_sizes: int = 4,
    n_points: int = 2,
    seed: int = 0,
    eps: float = 1e-6,
    rtol: float = 1e-7,
    atol: float = 1e-9,
    fd_rtol: float = 1e-5,
    fd_atol: float = 1e-7,
    shapes=None,
) -> TensorCheckReport:
    """Check the symbolic gradient of a tensor expression three ways.

    Parameters
    ----------
    f : TensorNode of shape ``()`` (or a string, with ``shapes``)
    wrt : a tensor symbol or a sequence of them
    at : a point ``{symbol or name: array}`` or a list of them (their shapes
        fix the sizes); default: random points at several sizes.
    sizes : list of ``{dim name: size}``; default: ``n_sizes`` sizes chosen
        as in ``sampling.py`` (including 1 and non-square).
    n_points : random points per size.
    eps : step of the central differences.
    rtol, atol : tolerance against the numeric engine and the scalar engine.
    fd_rtol, fd_atol : tolerance against finite differences, relative to
        ``sum |grad * v|``.

    Returns
    -------
    TensorCheckReport

    Examples
    --------
    >>> import symgraph as sg
    >>> X, w, y = sg.tensors("X:n,m w:m y:n")
    >>> report = sg.check(0.5 * sg.sum((X @ w - y) ** 2), w)
    >>> report.ok, sorted(report.cases[0].errors)
    (True, ['finite diff', 'numeric', 'scalar'])
    """
    if isinstance(f, str):
        from .parse import parse

        f = parse(f, shapes)
    f = as_tensor(f)
    wrt_list = [
        check_wrt(v) for v in ([wrt] if isinstance(wrt, TensorNode) else list(wrt))
    ]
    grads = grad(f, wrt_list)
    report = TensorCheckReport(wrt=[v.value for v in wrt_list])
    rng = np.random.default_rng(seed)
    plan = _plan(f, grads, at, sizes, n_sizes, n_points, seed, rng)
    for sz, points in plan:
        dims = sizes_of([f], sz)
        for i, point in enumerate(points):
            arrays, dims = bind_arrays(
                free_symbols([f, *grads]), point, tuple(dims.items())
            )
            with np.errstate(all="ignore"):
                value, *sym = evaluate_nodes([f, *grads], arrays, dims)
            case = TensorCase(
                sz, point, float(value), dict(zip(report.wrt, sym)), None, {}, None
            )
            _compare_numeric(report, case, f, wrt_list, arrays, dims, rtol, atol)
            _compare_fd(
                report, case, f, wrt_list, arrays, dims, rng, eps, fd_rtol, fd_atol
            )
            if i == 0:
                _compare_scalar(report, case, f, wrt_list, sz, point, rtol, atol)
            report.cases.append(case)
    if all(c.scalar is None for c in report.cases):
        report.skipped.setdefault(
            "scalar", f"every size has more than {MAX_EXPAND_ENTRIES} scalar inputs"
        )
    report.ok = report.engine_ok and report.fd_ok and report.scalar_ok
    return report


def _plan(f, grads, at, sizes, n_sizes, n_points, seed, rng) -> list:
    """``[(sizes, [points])]``: the given points, or random ones per size."""
    if at is None:
        return [
            (sz, finite_points([f, *grads], sz, n_points, rng))
            for sz in size_assignments([f], n_sizes, seed, sizes)
        ]
    plan = []
    for p in [at] if isinstance(at, dict) else list(at):
        point = {(k.value if isinstance(k, TensorNode) else k): v for k, v in p.items()}
        _, dims = bind_arrays(
            free_symbols([f]), point, tuple(sizes_of([f], {}).items())
        )
        plan.append(({str(k): v for k, v in dims.items()}, [point]))
    return plan


def _entries(f, sizes) -> int:
    dims = sizes_of([f], sizes)
    from .evaluate import concrete

    return sum(
        int(np.prod(concrete(s.shape, dims), dtype=int)) for s in free_symbols([f])
    )


def _record(report, case, method, sym, other, ok_attr, rtol, atol):
    errs = [_err(a, b) for a, b in zip(sym, other)]
    abs_e = max((e[0] for e in errs), default=0.0)
    rel_e = max((e[1] for e in errs), default=0.0)
    case.errors[method] = abs_e
    report.max_abs_error = max(report.max_abs_error, abs_e)
    report.max_rel_error = max(report.max_rel_error, rel_e)
    scale = max([1.0] + [float(np.max(np.abs(s), initial=0.0)) for s in sym])
    good = all(
        np.allclose(o, s, rtol=rtol, atol=atol * scale, equal_nan=True)
        for s, o in zip(sym, other)
    )
    setattr(report, ok_attr, getattr(report, ok_attr) and good)


def _compare_numeric(report, case, f, wrt, arrays, dims, rtol, atol):
    if "numeric" in report.skipped:
        return
    try:
        with np.errstate(all="ignore"):
            num = numeric_gradients(f, wrt, arrays, dims)
    except NumericUnavailable as exc:
        report.skipped["numeric"] = str(exc)
        return
    case.numeric = dict(zip(report.wrt, num))
    _record(
        report,
        case,
        "numeric",
        list(case.symbolic.values()),
        num,
        "engine_ok",
        rtol,
        atol,
    )


def _compare_fd(
    report, case, f, wrt, arrays, dims, rng, eps, fd_rtol, fd_atol, n_dirs=3
):
    worst_abs, worst_rel, good = 0.0, 0.0, True
    for _ in range(n_dirs):
        v = {s.value: rng.standard_normal(np.shape(arrays[s.value])) for s in wrt}
        predicted = sum(float(np.sum(case.symbolic[s.value] * v[s.value])) for s in wrt)
        scale = sum(
            float(np.sum(np.abs(case.symbolic[s.value] * v[s.value]))) for s in wrt
        )
        fd = directional_fd(f, wrt, arrays, dims, v, eps)
        for s in wrt:
            case.directional.setdefault(s.value, []).append((fd, predicted))
        diff = abs(fd - predicted)
        worst_abs = max(worst_abs, diff)
        worst_rel = max(worst_rel, diff / scale if scale > 0 else 0.0)
        good &= math.isfinite(fd) and diff <= fd_atol + fd_rtol * max(scale, abs(fd))
    case.errors["finite diff"] = worst_abs
    report.max_abs_error = max(report.max_abs_error, worst_abs)
    report.max_rel_error = max(report.max_rel_error, worst_rel)
    report.fd_ok &= bool(good)


def _compare_scalar(report, case, f, wrt, sizes, point, rtol, atol):
    if _entries(f, sizes) > MAX_EXPAND_ENTRIES:
        return  # too large to expand entry by entry
    try:
        with np.errstate(all="ignore"):
            sc = scalar_gradients(f, wrt, sizes, point)
    except ExpandError as exc:
        report.skipped["scalar"] = str(exc)
        return
    case.scalar = dict(zip(report.wrt, sc))
    _record(
        report,
        case,
        "scalar",
        list(case.symbolic.values()),
        sc,
        "scalar_ok",
        rtol,
        atol,
    )
