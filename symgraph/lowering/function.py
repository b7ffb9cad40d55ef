"""``sg.lambdify``'s default path: a DAG lowered straight to NumPy source.

One pass over the topological order builds the program (``schedule.py``),
one more writes its source (``source.py``); no SymPy object is made. The
function returned unpacks its arguments and picks a way to run:

* NumPy batches whose arguments are scalars or share one shape run the
  *blocked* code, the memory plan: fixed buffers, ufuncs writing through
  ``out``, cache-sized blocks, one output array;
* other NumPy arguments (general broadcasting, few points) run the *plain*
  straight-line code;
* Dask, JAX, CuPy and other array-API arrays run the plain code with ``np``
  bound to their own namespace, never converted to NumPy.
"""

from __future__ import annotations

import math
import threading

import numpy as np

from ..errors import ShapeError
from ..node import as_node
from .arrays import Namespace, namespace_of
from .schedule import buffer_slots, build_program, paused_gc, plain_slots
from .source import blocked_source, compile_function, plain_source

__all__ = ["lower_numpy"]

# A block's buffers should fit in this many bytes (a share of the last-level
# cache: measured on the benchmark families, 1 MiB blocks cost more in Python
# calls than they saved in cache misses) ...
CACHE_BYTES = 8 << 20
# ... but a block is never smaller than this many points: each op costs a
# Python call per block, so tiny blocks would spend their time in calls ...
MIN_BLOCK = 4096
# ... unless the buffers would then take more than this many bytes (a
# reverse sweep that keeps 10^5 values alive gets blocks of a few hundred
# points rather than gigabytes of buffers).
MAX_BUFFER_BYTES = 256 << 20
# Buffer arrays up to this size are kept between calls (one per thread).
KEEP_BUFFER_BYTES = 128 << 20
# Batches smaller than this run the plain code (one call per op anyway).
MIN_BLOCKED = 256

_PLAIN = "_lambdifygenerated"
_BLOCKED = "_lambdifygenerated_blocked"


def block_size(n: int, n_buffers: int) -> int:
    """Points per block for a batch of ``n`` with ``n_buffers`` buffers."""
    per_point = 8 * max(n_buffers, 1)
    size = max(MIN_BLOCK, CACHE_BYTES // per_point)
    size = min(size, MAX_BUFFER_BYTES // per_point)
    return max(1, min(n, size))


class _Lowered:
    """What the returned function needs: the program, its two sources, the
    compiled functions (the plain one compiled on first use) and the
    output layout."""

    def __init__(self, spec, params, outputs, arg_index):
        self.spec = spec
        self.params = params
        self.is_array = isinstance(outputs, np.ndarray)
        self.is_list = isinstance(outputs, (list, tuple))
        if self.is_array:
            self.out_shape = outputs.shape
            nodes = [as_node(o) for o in outputs.ravel()]
        elif self.is_list:
            nodes = [as_node(o) for o in outputs]
        else:
            nodes = [as_node(outputs)]
        prog = build_program(nodes, arg_index)
        self.prog = prog
        self.used = 0
        for m in prog.masks:
            self.used |= m
        # Rows of the output block: one per output step (one per position in
        # the array form, where constants and arguments get rows too).
        rows, copies, self.row_of = {}, [], []
        for k, o in enumerate(prog.outputs):
            if self.is_array:  # a row per position
                if o[0] == "step" and o[1] not in rows:
                    rows[o[1]] = k
                else:
                    src = ("row", rows[o[1]]) if o[0] == "step" else o
                    copies.append((k, src))
                self.row_of.append(k)
            elif o[0] == "step":  # a row per distinct output step
                self.row_of.append(rows.setdefault(o[1], len(rows)))
            else:
                self.row_of.append(None)
        self.consts = [(r, o[1]) for r, o in copies if o[0] == "const"]
        copies = [(r, o) for r, o in copies if o[0] != "const"]
        self.n_rows = len(self.row_of) if self.is_array else len(rows)
        slots, self.n_buffers = buffer_slots(prog, rows)
        self.blocked_text = blocked_source(
            prog,
            _BLOCKED,
            params,
            rows,
            slots,
            self.n_buffers,
            copies,
            given_buffers=True,
        )
        self._kept = threading.local()
        self.plain_text = plain_source(prog, _PLAIN, params, plain_slots(prog))
        self.blocked = (
            compile_function(self.blocked_text, _BLOCKED, prog.helpers, {"np": np})
            if prog.steps
            else None
        )
        self._plain = {}

    def plain(self, xp):
        """The plain function with ``np`` bound to ``xp``: compiled on first
        use, then rebound for each other namespace (no second compile)."""
        entry = self._plain.get(id(xp))
        if entry is None:
            if np not in [x for _, x in self._plain.values()]:
                fn = compile_function(
                    self.plain_text, _PLAIN, self.prog.helpers, {"np": np}
                )
                self._plain[id(np)] = (fn, np)
            fn = self._plain[id(np)][0]
            if xp is not np:
                fn = _rebind(fn, Namespace(xp))
            entry = self._plain[id(xp)] = (fn, xp)  # keeps xp alive: ids stay unique
        return entry[0]

    def buffers(self, block: int) -> np.ndarray:
        """The ``(n_buffers, block)`` buffer array of this thread's calls:
        kept between calls (up to ``KEEP_BUFFER_BYTES``), so a call does not
        page-fault its way through freshly mapped buffer memory; one per
        thread, so concurrent calls never share buffers."""
        shape = (max(self.n_buffers, 1), block)
        kept = getattr(self._kept, "array", None)
        if kept is not None and kept.shape == shape:
            return kept
        array = np.empty(shape)
        if array.nbytes <= KEEP_BUFFER_BYTES:
            self._kept.array = array
        return array

    def doc(self) -> str:
        sig = ", ".join(self.params)
        return (
            "Created with symgraph's lambdify. Signature:\n\n"
            f"func({sig})\n\n"
            "Plain code (NumPy arguments that broadcast in general or have "
            "few points; Dask, JAX, CuPy and other array-API arrays, with np "
            "bound to their namespace):\n\n"
            f"{self.plain_text}\n"
            f"Memory-planned code (NumPy batches of {MIN_BLOCKED} points or more "
            "whose arguments are scalars or share one shape: buffers of one "
            "block, the last argument of each ufunc call its output):\n\n"
            "Source code:\n\n"
            f"{self.blocked_text}"
        )


def _rebind(fn, ns):
    """``fn`` and the helpers it calls, with ``np`` bound to ``ns``."""
    import types

    glob = dict(fn.__globals__)
    glob["np"] = ns
    for name, value in list(glob.items()):
        if (
            isinstance(value, types.FunctionType)
            and value.__globals__ is fn.__globals__
        ):
            glob[name] = types.FunctionType(value.__code__, glob, name)
    return glob[fn.__name__]


def lower_numpy(spec, symbols, params, outputs):
    """The callable ``sg.lambdify`` returns on its default (NumPy) path.

    ``spec`` describes the argument forms (``lower._flatten_args``),
    ``symbols`` the flat list of symbol nodes, ``params`` their names in
    generated code.
    """
    arg_index = {s: i for i, s in enumerate(symbols)}
    with paused_gc():
        low = _Lowered(spec, params, outputs, arg_index)

    def fn(*values):
        flat = _unpack(spec, values)
        xp = namespace_of(flat, params)
        if xp is not None:
            return _run_foreign(low, flat, xp)
        return _run_numpy(low, [np.asarray(v, dtype=np.float64) for v in flat])

    fn.__doc__ = low.doc()
    fn.__name__ = "lambdified"
    return fn


def _unpack(spec, values) -> list:
    if len(values) != len(spec):
        raise TypeError(f"expected {len(spec)} arguments, got {len(values)}")
    if all(kind == "scalar" for kind, *_ in spec):  # symbols only
        return list(values)
    flat = []
    for (kind, shape, _start, count), v in zip(spec, values):
        if kind == "scalar":
            flat.append(v)
            continue
        if not hasattr(v, "shape") or not hasattr(v, "reshape"):
            v = np.asarray(v, dtype=np.float64)
        if tuple(v.shape[: len(shape)]) != shape:
            raise ValueError(
                f"argument of shape {tuple(v.shape)} does not start with the "
                f"symbol array's shape {shape}"
            )
        rows = v.reshape((count,) + tuple(v.shape[len(shape) :]))
        flat.extend(rows[i] for i in range(count))
    return flat


def _shape_of(low, vals) -> tuple:
    """The broadcast shape of the arguments the outputs use."""
    used = vals if low.used == (1 << len(vals)) - 1 else _used(low, vals)
    shapes = {v.shape for v in used}
    if len(shapes) == 1:
        return shapes.pop()
    if len(shapes) == 2 and () in shapes:
        shapes.discard(())
        return shapes.pop()
    try:
        return np.broadcast_shapes(*shapes)
    except ValueError:
        given = ", ".join(
            f"{low.params[i]} {v.shape}"
            for i, v in enumerate(vals)
            if low.used >> i & 1 and v.shape
        )
        raise ShapeError(f"the arguments do not broadcast together: {given}") from None


def _used(low, vals) -> list:
    return [v for i, v in enumerate(vals) if low.used >> i & 1]


def _run_numpy(low, vals):
    shape = _shape_of(low, vals)
    n = math.prod(shape)
    prog = low.prog
    blocked = (
        low.blocked is not None
        and n >= MIN_BLOCKED
        and all(v.ndim == 0 or v.shape == shape for v in vals)
    )
    if not blocked:
        return _finish_numpy(low, list(low.plain(np)(*vals)))
    full = 0
    args = []
    for i, v in enumerate(vals):
        if v.ndim == 0:
            args.append(np.broadcast_to(v, (n,)))  # a zero-stride view
        else:
            args.append(v if v.ndim == 1 else v.reshape(-1))
            full |= 1 << i
    out = np.empty((low.n_rows, n))
    for r, c in low.consts:
        out[r] = c
    low.blocked(out, low.buffers(block_size(n, low.n_buffers)), *args)
    if low.is_array:
        return out.reshape(low.out_shape + shape)
    rows = list(out) if len(shape) == 1 else list(out.reshape((low.n_rows, *shape)))
    results = []
    for k, o in enumerate(prog.outputs):
        if o[0] == "const":
            results.append(o[1])
        elif o[0] == "arg":
            v = vals[o[1]]
            results.append(v if v.ndim else float(v))
        elif prog.masks[k] & full:
            results.append(rows[low.row_of[k]])
        else:  # depends on scalar arguments only
            results.append(float(out[low.row_of[k], 0]))
    return results if low.is_list else results[0]


def _finish_numpy(low, results):
    if low.is_array:
        res = np.broadcast_arrays(*[np.asarray(r, dtype=np.float64) for r in results])
        if not res:
            return np.zeros(low.out_shape)
        return np.stack(res).reshape(low.out_shape + res[0].shape)
    results = [r if np.ndim(r) else float(r) for r in results]
    return results if low.is_list else results[0]


def _run_foreign(low, flat, xp):
    vals = [
        np.asarray(v, dtype=np.float64) if isinstance(v, (list, tuple)) else v
        for v in flat
    ]
    results = list(low.plain(xp)(*vals))
    if not low.is_array:
        results = [float(r) if isinstance(r, float) else r for r in results]
        return results if low.is_list else results[0]
    ns = np if xp is np else Namespace(xp)
    arrays = [r for r in results if not isinstance(r, (float, int, np.ndarray))]
    if not results:
        return np.zeros(low.out_shape)
    if not arrays:
        return _finish_numpy(low, results)
    ref = ns.broadcast_arrays(*arrays)[0]
    full = [
        ns.broadcast_to(ns.asarray(r, dtype=ref.dtype), ref.shape)
        if isinstance(r, (float, int, np.ndarray))
        else ns.broadcast_to(r, ref.shape)
        for r in results
    ]
    stacked = ns.stack(full)
    return ns.reshape(stacked, low.out_shape + tuple(ref.shape))
