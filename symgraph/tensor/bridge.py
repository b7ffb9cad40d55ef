"""The tensor engine's bridge to ``numeric``: a tensor DAG run on nm Tensors.

Each tensor op maps to numeric's public functions (``nm.matmul``,
``nm.sum``, ``nm.softmax``, ``nm.conv2d``, ...; ``trace``, ``diag`` and
``outer`` as products with an identity or reshapes), so ``nm.grad`` of the
same function is a gradient computed by an engine that shares no
differentiation code with the tensor rules. ``det``, ``logdet`` and ``inv``
are used when numeric provides ``nm.det``/``nm.slogdet``/``nm.inv``; until
then :func:`numeric_gradients` reports them as unavailable and the checks
rely on finite differences and the scalar expansion.
"""

from __future__ import annotations

import numpy as np

import numeric as nm

from ..traverse import toposort
from .evaluate import concrete
from .node import const_float

__all__ = ["NumericUnavailable", "numeric_gradients"]


class NumericUnavailable(Exception):
    """The numeric engine has no counterpart for an op (named)."""


def _data(x):
    return x.data if isinstance(x, nm.Tensor) else np.asarray(x)


def _heaviside(x, h0):
    d, h = _data(x), _data(h0)
    return np.where(d > 0, 1.0, np.where(d < 0, 0.0, h))


def _needs(name):
    fn = getattr(nm, name, None)
    if fn is None:
        raise NumericUnavailable(f"numeric has no nm.{name} yet")
    return fn


def _logdet(x):
    fn = getattr(nm, "slogdet", None)
    if fn is not None:
        out = fn(x)
        return out[1] if isinstance(out, tuple) else out
    return nm.log(nm.abs(_needs("det")(x)))


def _pool(fn):
    def pool(x, size, stride):
        shape = _data(x).shape
        if len(shape) == 4:
            return fn(x, size, stride)
        lead = int(np.prod(shape[:-2], dtype=int))
        out = fn(nm.reshape(x, (1, lead) + shape[-2:]), size, stride)
        return nm.reshape(out, shape[:-2] + _data(out).shape[-2:])

    return pool


def _elementwise(op):
    simple = {
        "add": nm.add, "sub": nm.subtract, "mul": nm.multiply, "div": nm.divide,
        "neg": nm.negative, "pow": nm.power, "maximum": nm.maximum, "minimum": nm.minimum,
        "heaviside": _heaviside,
        "where": lambda c, a, b: nm.where(_data(c) > 0, a, b),
        "leaky_relu": lambda x, s: nm.leaky_relu(x, float(_data(s))),
        "elu": lambda x, a: nm.elu(x, float(_data(a))),
    }  # fmt: skip
    if op in simple:
        return simple[op]
    fn = getattr(nm, op, None)
    if fn is None:
        raise NumericUnavailable(f"numeric has no nm.{op}")
    return fn


def _apply(node, args, p):
    op = node.op
    from .ops_elementwise import ELEMENTWISE

    if op in ELEMENTWISE:
        return _elementwise(op)(*args)
    x = args[0] if args else None
    shape = concrete(node.shape, p["_dims"])
    if op == "matmul":
        return nm.matmul(*args)
    if op == "transpose":
        return nm.transpose(x, p["axes"])
    if op == "sum":
        return nm.sum(x, axis=p["axis"], keepdims=p["keepdims"])
    if op in ("broadcast_like", "expand_dims", "reshape"):
        if op == "broadcast_like":
            return nm.multiply(x, np.ones(shape))
        return nm.reshape(x, shape)
    if op == "trace":
        return nm.sum(nm.multiply(x, np.eye(shape_of(x)[0])))
    if op == "diag":
        n = shape_of(x)[0]
        if len(shape_of(x)) == 1:
            return nm.multiply(nm.reshape(x, (1, n)), np.eye(n))
        return nm.sum(nm.multiply(x, np.eye(n)), axis=1)
    if op == "outer":
        u, v = args
        return nm.multiply(nm.reshape(u, (-1, 1)), nm.reshape(v, (1, -1)))
    if op == "norm":
        if p["ord"] == 1:
            return nm.sum(nm.abs(x))
        return nm.sqrt(nm.sum(nm.multiply(x, x)))
    if op in ("softmax", "log_softmax"):
        return getattr(nm, op)(x, axis=p["axis"])
    if op == "logsumexp":
        return nm.logsumexp(x, axis=p["axis"], keepdims=p["keepdims"])
    if op == "det":
        return _needs("det")(x)
    if op == "logdet":
        return _logdet(x)
    if op == "inv":
        return _needs("inv")(x)
    if op in ("correlate2d", "convolve2d"):
        return getattr(nm, op)(x, args[1], p["mode"])
    if op == "flip":
        return x[..., ::-1, ::-1]
    if op == "conv2d":
        return nm.conv2d(x, args[1], stride=p["stride"], padding=p["padding"])
    if op in ("max_pool2d", "avg_pool2d"):
        return _pool(getattr(nm, op))(x, p["size"], p["stride"])
    raise NumericUnavailable(f"numeric has no counterpart for the tensor op {op!r}")


def shape_of(x) -> tuple:
    return _data(x).shape


def numeric_forward(f, values: dict, dims: dict):
    """``f`` evaluated with numeric's functions; ``values`` by symbol name."""
    memo = {}
    for node in toposort([f]):
        if node.op == "symbol":
            memo[node] = values[node.value]
        elif node.op == "const":
            memo[node] = const_float(node)
        elif node.op == "fill":
            memo[node] = np.full(concrete(node.shape, dims), float(node.param("value")))
        elif node.op == "eye":
            memo[node] = np.eye(concrete(node.param("n"), dims))
        else:
            p = {k: concrete(v, dims) for k, v in node.params}
            p["_dims"] = dims
            memo[node] = _apply(node, [memo[a] for a in node.args], p)
    return memo[f]


def numeric_gradients(f, wrt: list, arrays: dict, dims: dict) -> list:
    """Gradients of ``f`` w.r.t. ``wrt`` by numeric's reverse mode.

    Raises
    ------
    NumericUnavailable
        When an op of ``f`` has no numeric counterpart yet.
    """
    names = [v.value for v in wrt]
    fixed = {k: v for k, v in arrays.items() if k not in names}

    def fn(*xs):
        values = dict(fixed)
        values.update(zip(names, xs))
        return numeric_forward(f, values, dims)

    args = [np.array(arrays[n], dtype=np.float64) for n in names]
    _, grads = nm.value_and_grad(fn, argnums=tuple(range(len(names))))(*args)
    return [np.asarray(g, dtype=np.float64) for g in grads]
