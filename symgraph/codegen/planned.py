"""The memory-planned Python target (``sg.codegen(..., plan=True)``).

Each public function of the module computes its results as the rows of one
output array. For NumPy inputs it runs a blocked function written by the
lowering (``symgraph/lowering/``): the batch in blocks of a few thousand
points, every temporary in a buffer of one block allocated once per call,
ufuncs writing through ``out=``. For other arrays (Dask, JAX, CuPy) it runs
plain straight-line code in which the name ``np`` stands for the arrays' own
namespace, so they are never converted to NumPy. The module still imports
only NumPy.
"""

from __future__ import annotations

from ..lowering.function import block_size
from ..lowering.schedule import buffer_slots, build_program, plain_slots
from ..lowering.source import _expr, blocked_source, const_text
from ..opdef import OPS
from .errors import CodegenError
from .module import Module
from .python import _py_def, _py_header

__all__ = ["planned_module"]

_SUPPORT = '''\
def _namespace(*args):
    """None when NumPy computes; else the namespace of the other arrays:
    their __array_namespace__(), or NumPy's functions, which hand the work
    to duck arrays such as Dask's."""
    for a in args:
        if isinstance(a, (np.ndarray, np.generic, int, float, list, tuple)):
            continue
        if hasattr(type(a), "__array_namespace__"):
            return a.__array_namespace__()
        kind = type(a)
        if hasattr(kind, "__array_ufunc__") and hasattr(kind, "__array_function__"):
            return np
    return None


class _Namespace:
    """xp, with NumPy's errstate where xp has none (it only concerns NumPy's
    own warnings)."""

    def __init__(self, xp):
        self.xp = xp

    def __getattr__(self, name):
        if name == "errstate" and not hasattr(self.xp, name):
            return np.errstate
        return getattr(self.xp, name)


def _bind(xp, fn):
    """The helper fn with the name np in its body standing for xp."""
    return type(fn)(fn.__code__, {"np": _Namespace(xp)})


def _broadcast(xp, results, args):
    """The results with the arguments' broadcast shape (constants filled)."""
    arrays = [a for a in args if not isinstance(a, (int, float))]
    ref = xp.broadcast_arrays(*arrays)[0] if len(arrays) > 1 else arrays[0]
    return [
        xp.full_like(ref, r)
        if isinstance(r, (int, float))
        else xp.broadcast_to(r, ref.shape)
        for r in results
    ]


def _run(blocks, rows, block, *args):
    """Rows of one output array computed by the memory-planned function
    blocks, on the arguments as float64 arrays broadcast to one shape."""
    args = [np.asarray(a, dtype=np.float64) for a in args]
    shape = np.broadcast_shapes(*[a.shape for a in args])
    n = 1
    for d in shape:
        n *= d
    flat = []
    for a in args:
        if a.ndim == 0:
            flat.append(np.broadcast_to(a, (n,)))  # a zero-stride view
        else:
            flat.append(np.broadcast_to(a, shape).reshape(-1))
    out = np.empty((rows, n))
    blocks(out, block, *flat)
    return out.reshape((rows,) + shape)'''


def _plain_any(prog, fname: str, params: list) -> str:
    """Straight-line code ``fname(np, *params)`` for other arrays."""
    slots = plain_slots(prog)

    def atom(o):
        kind, v = o
        if kind == "arg":
            return params[v]
        if kind == "const":
            return const_text(v)
        return f"t{slots[v]}"

    lines = [f"def {fname}(np, {', '.join(params)}):"]
    lines.append(
        '    """The same computation for other arrays: np is their namespace."""'
    )
    for j, step in enumerate(prog.steps):
        expr = _expr(step.op, [atom(o) for o in step.operands])
        for h in OPS[step.op].py_helpers:
            expr = expr.replace(f"{h.name}(", f"_bind(np, {h.name})(")
        lines.append(f"    t{slots[j]} = {expr}")
    outs = ", ".join(atom(o) for o in prog.outputs)
    lines.append(f"    return _broadcast(np, [{outs}], [{', '.join(params)}])")
    return "\n".join(lines)


def _function(mod: Module, fname: str, doc: str, roots: list, params: list):
    """The public function, its blocked worker and its plain worker."""
    prog = build_program(roots, {s: i for i, s in enumerate(mod.args)})
    rows, copies, fills = {}, [], []
    for k, o in enumerate(prog.outputs):
        if o[0] == "step" and o[1] not in rows:
            rows[o[1]] = k
        elif o[0] == "step":
            copies.append((k, ("row", rows[o[1]])))
        elif o[0] == "const":
            fills.append((k, o[1]))
        else:
            copies.append((k, o))
    slots, n_buffers = buffer_slots(prog, rows)
    blocks = blocked_source(
        prog,
        f"_{fname}_blocks",
        params,
        rows,
        slots,
        n_buffers,
        copies,
        out_keyword=True,
        fills=fills,
    )
    block = block_size(1 << 62, n_buffers)
    plain = _plain_any(prog, f"_{fname}_any", params)
    args = ", ".join(params)
    lines = _py_def(fname, params, doc)
    lines += [
        f"    _xp = _namespace({args})",
        "    if _xp is None:",
        f"        _r = _run(_{fname}_blocks, {len(roots)}, {block}, {args})",
        "    else:",
        f"        _r = _{fname}_any(_xp, {args})",
    ]
    return lines, [blocks.rstrip("\n"), plain]


def planned_module(mod: Module) -> str:
    """The module text of ``sg.codegen(..., plan=True)``."""
    if mod.several:
        raise CodegenError(
            "plan=True supports a single scalar output; give one expression"
        )
    params = [mod.names[s] for s in mod.args]
    header = _py_header(mod, params)
    i = header.index(
        "Every result has the arguments' broadcast shape. A value that does not"
    )
    header[i : i + 2] = [
        "Every result has the arguments' broadcast shape. Memory-planned: for",
        "NumPy inputs each result is a row of one new array, computed in blocks",
        "of points through buffers allocated once per call (the _*_blocks",
        "functions); Dask, JAX and CuPy arrays are computed with their own",
        "library (the _*_any functions, np standing for their namespace).",
    ]
    parts = ["\n".join(header)]
    parts += _helpers(mod)
    parts.append(_SUPPORT)
    value, grads, n = mod.outputs[0], list(mod.grads), len(mod.wrt)
    fns = [(mod.name, "Value.", [value], "    return _r[0]")]
    fns.append(
        (
            mod.name + "_grad",
            "Value and gradient: one forward pass, then one reverse pass.",
            [value, *grads],
            "    return _r[0], tuple(_r[1:])",
        )
    )
    if mod.hessian:
        hess = list(mod.hess.ravel())
        fns.append(
            (
                mod.name + "_hess",
                "Value, gradient and Hessian (reverse sweeps over the gradient).",
                [value, *grads, *hess],
                f"    _h = _r[{n + 1}:]\n"
                "    if _xp is None:\n"
                f"        _h = _h.reshape(({n}, {n}) + _h.shape[1:])\n"
                "    else:\n"
                f"        _h = _xp.reshape(_xp.stack(_h), ({n}, {n}) + _h[0].shape)\n"
                f"    return _r[0], tuple(_r[1:{n + 1}]), _h",
            )
        )
    for fname, doc, roots, ret in fns:
        lines, workers = _function(mod, fname, doc, roots, params)
        parts += workers
        parts.append("\n".join([*lines, ret]))
    return "\n\n\n".join(parts) + "\n"


def _helpers(mod: Module) -> list:
    out = []
    for node in mod.order:
        if node.args:
            for h in OPS[node.op].py_helpers:
                if h.source not in out:
                    out.append(h.source)
    return out
