"""Expansion of a tensor expression at concrete sizes into symgraph's scalar DAG.

``expand(f, {"n": 2, "m": 3})`` instantiates every tensor symbol as an
object array of scalar symbols (``sg.symbols_array``: ``X_0_0``, ...) and
computes each op entry by entry with the scalar engine's nodes: matrix
products as sums of products, ``det`` by the Leibniz formula, ``inv`` by
cofactors, convolutions and pooling with ``symgraph.arrays``. This shares no
code with the tensor engine's rules, so differentiating the expansion with
the scalar engine is an independent cross-check of the tensor gradient, and
the expansion is what ``verify`` hands to SymPy for its exact comparison.
"""

from __future__ import annotations

import itertools
import math

import numpy as np

from .. import arrays
from ..node import Node, const, make
from ..traverse import toposort
from .evaluate import concrete

__all__ = ["ExpandError", "expand", "expand_symbols", "sizes_of"]

# The expansion of det/inv has n! terms: refuse past this size.
MAX_DET_SIZE = 5


class ExpandError(NotImplementedError):
    """An op that has no scalar expansion (named in the message)."""


def _obj(shape, fill) -> np.ndarray:
    out = np.empty(shape, dtype=object)
    for idx in np.ndindex(*shape):
        out[idx] = fill(idx)
    return out


def _sum(items) -> Node:
    items = list(items)
    if not items:
        return const(0)
    acc = items[0]
    for t in items[1:]:
        acc = make("add", acc, t)
    return acc


def _scalar(x):
    return x if isinstance(x, Node) else x[()]


def _elementwise(op, *xs):
    arrs = np.broadcast_arrays(*[np.asarray(x, dtype=object) for x in xs])
    return _obj(arrs[0].shape, lambda idx: make(op, *[a[idx] for a in arrs]))


def _matmul(a, b):
    a2 = a.reshape(1, -1) if a.ndim == 1 else a
    b2 = b.reshape(-1, 1) if b.ndim == 1 else b
    out = _obj(
        (a2.shape[0], b2.shape[1]),
        lambda ij: _sum(
            make("mul", a2[ij[0], k], b2[k, ij[1]]) for k in range(a2.shape[1])
        ),
    )
    shape = a.shape[:-1] + b.shape[1:]
    return out.reshape(shape)


def _reduce_sum(x, axis, keepdims):
    axes = tuple(range(x.ndim)) if axis is None else axis
    keep = [i for i in range(x.ndim) if i not in axes]
    out_shape = tuple(x.shape[i] for i in keep)

    def entry(idx):
        terms = []
        for full in np.ndindex(*x.shape):
            if all(full[k] == idx[j] for j, k in enumerate(keep)):
                terms.append(x[full])
        return _sum(terms)

    out = _obj(out_shape, entry)
    if keepdims:
        out = out.reshape(tuple(1 if i in axes else d for i, d in enumerate(x.shape)))
    return out


def _det(m) -> Node:
    n = m.shape[0]
    if n > MAX_DET_SIZE:
        raise ExpandError(f"det of a {n}x{n} matrix has {math.factorial(n)} terms")
    terms = []
    for perm in itertools.permutations(range(n)):
        inversions = sum(
            1 for i in range(n) for j in range(i + 1, n) if perm[i] > perm[j]
        )
        prod = m[0, perm[0]]
        for i in range(1, n):
            prod = make("mul", prod, m[i, perm[i]])
        terms.append(make("neg", prod) if inversions % 2 else prod)
    return _sum(terms)


def _inv(m):
    n = m.shape[0]
    d = _det(m)
    if n == 1:
        return _obj((1, 1), lambda idx: make("div", const(1), d))

    def cofactor(i, j):
        minor = np.delete(np.delete(m, i, axis=0), j, axis=1)
        c = _det(minor)
        return make("neg", c) if (i + j) % 2 else c

    return _obj((n, n), lambda ij: make("div", cofactor(ij[1], ij[0]), d))


def _softmax_parts(x, axis):
    e = _elementwise("exp", x)
    total = _reduce_sum(e, None if axis is None else (axis,), True)
    return e, total


def _conv2d(x, w, stride, padding):
    n_, c_, h, wd = x.shape
    o_, _, kh, kw = w.shape
    ph, pw = padding
    xp = np.empty((n_, c_, h + 2 * ph, wd + 2 * pw), dtype=object)
    xp[...] = const(0)
    xp[:, :, ph : ph + h, pw : pw + wd] = x
    ho = (h + 2 * ph - kh) // stride[0] + 1
    wo = (wd + 2 * pw - kw) // stride[1] + 1

    def entry(idx):
        n, o, i, j = idx
        return _sum(
            make("mul", xp[n, c, i * stride[0] + a, j * stride[1] + b], w[o, c, a, b])
            for c in range(c_)
            for a in range(kh)
            for b in range(kw)
        )

    return _obj((n_, o_, ho, wo), entry)


def _apply(op, args, p):
    if op in _ELEMENTWISE_OPS:
        return _elementwise(op, *args)
    x = args[0] if args else None
    if op == "matmul":
        return _matmul(*args)
    if op == "transpose":
        return np.transpose(x, p["axes"])
    if op == "sum":
        return _reduce_sum(x, p["axis"], p["keepdims"])
    if op == "broadcast_like":
        return np.broadcast_to(np.asarray(x, dtype=object), args[1].shape).copy()
    if op == "expand_dims":
        return np.expand_dims(x, p["axis"])
    if op == "reshape":
        return np.reshape(x, p["shape"])
    if op == "outer":
        return _obj(
            (len(x), len(args[1])), lambda ij: make("mul", x[ij[0]], args[1][ij[1]])
        )
    if op == "trace":
        return _sum(x[i, i] for i in range(x.shape[0]))
    if op == "diag":
        if x.ndim == 2:
            return _obj((x.shape[0],), lambda i: x[i[0], i[0]])
        return _obj(
            (len(x), len(x)), lambda ij: x[ij[0]] if ij[0] == ij[1] else const(0)
        )
    if op == "det":
        return _det(x)
    if op == "logdet":
        return make("log", make("abs", _det(x)))
    if op == "inv":
        return _inv(x)
    if op == "norm":
        if p["ord"] == 1:
            return _sum(make("abs", v) for v in x.ravel())
        return make("sqrt", _sum(make("mul", v, v) for v in x.ravel()))
    if op == "softmax":
        e, total = _softmax_parts(x, p["axis"])
        return _elementwise("div", e, total)
    if op == "log_softmax":
        e, total = _softmax_parts(x, p["axis"])
        return _elementwise("sub", x, _elementwise("log", total))
    if op == "logsumexp":
        e = _elementwise("exp", x)
        axes = None if p["axis"] is None else (p["axis"],)
        return _elementwise("log", _reduce_sum(e, axes, p["keepdims"]))
    if op == "correlate2d":
        return arrays.correlate2d(x, args[1], p["mode"])
    if op == "convolve2d":
        return arrays.convolve2d(x, args[1], p["mode"])
    if op == "flip":
        return x[..., ::-1, ::-1]
    if op == "conv2d":
        return _conv2d(x, args[1], p["stride"], p["padding"])
    if op == "max_pool2d":
        return arrays.max_pool2d(x, p["size"], p["stride"])
    if op == "avg_pool2d":
        return arrays.avg_pool2d(x, p["size"], p["stride"])
    raise ExpandError(f"the tensor op {op!r} has no scalar expansion")


def _elementwise_ops():
    from .ops_elementwise import ELEMENTWISE

    return frozenset(ELEMENTWISE)


_ELEMENTWISE_OPS = _elementwise_ops()


def sizes_of(roots, sizes: dict) -> dict:
    """``{dim symbol: size}`` from ``{name: size}`` plus the roots' bindings."""
    from .dims import dim_symbol

    dims = {
        dim_symbol(k) if isinstance(k, str) else k: int(v) for k, v in sizes.items()
    }
    for r in roots:
        dims.update(dict(r.bound))
    return dims


def expand_symbols(symbols, dims: dict) -> dict:
    """``{tensor symbol: object array (or scalar symbol)}`` at concrete sizes."""
    from ..node import symbol

    out = {}
    for s in symbols:
        shape = concrete(s.shape, dims)
        out[s] = (
            symbol(s.value) if shape == () else arrays.symbols_array(s.value, shape)
        )
    return out


def expand(roots, sizes: dict, leaves: dict | None = None):
    """The scalar expansion of tensor expressions at concrete sizes.

    Parameters
    ----------
    roots : TensorNode or list of them.
    sizes : ``{dimension name: int}`` for every symbolic dimension.
    leaves : optional ``{tensor symbol: object array}`` (default: symbols
        named ``X_i_j`` by :func:`expand_symbols`).

    Returns
    -------
    A scalar node (rank 0) or an object array of nodes, per root.

    Examples
    --------
    >>> import symgraph as sg
    >>> from symgraph.tensor.expand import expand
    >>> X, w = sg.tensors("X:n,m w:m")
    >>> expand(X @ w, {"n": 1, "m": 2})
    array([X_0_0 * w_0 + X_0_1 * w_1], dtype=object)
    """
    many = isinstance(roots, (list, tuple))
    roots = list(roots) if many else [roots]
    dims = sizes_of(roots, sizes)
    order = toposort(roots)
    memo = dict(leaves) if leaves is not None else {}
    missing = [n for n in order if n.op == "symbol" and n not in memo]
    memo.update(expand_symbols(missing, dims))
    for n in order:
        if n in memo:
            continue
        if n.op == "const":
            memo[n] = const(n.value)
        elif n.op == "fill":
            shape = concrete(n.shape, dims)
            memo[n] = np.full(shape, const(n.param("value")), dtype=object)
        elif n.op == "eye":
            k = concrete(n.param("n"), dims)
            memo[n] = _obj((k, k), lambda ij: const(1 if ij[0] == ij[1] else 0))
        else:
            p = {k: concrete(v, dims) for k, v in n.params}
            args = [memo[a] for a in n.args]
            args = [
                np.asarray(a, dtype=object) if not isinstance(a, Node) else a
                for a in args
            ]
            out = _apply(n.op, args, p)
            if isinstance(out, np.ndarray) and out.ndim == 0:
                out = out[()]
            memo[n] = out
    out = [memo[r] for r in roots]
    return out if many else out[0]
