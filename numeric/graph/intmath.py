"""Exact int64 kernels for the graph layer's integer ops.

``numeric`` computes in float64, where integers above 2**53 lose their last
bits; so an op whose inputs are all integers (or bools) is evaluated here with
NumPy's int64 arithmetic instead, like TF1's integer kernels. Unlike TF1, an
exact result outside the int64 range is refused with a
:class:`~numeric.errors.LimitError` naming the op: integers never wrap around.

Add, Sub, Mul, Neg, Abs, Sum and MatMul are ring operations: NumPy computes
them modulo 2**64, so the int64 result is the exact one whenever the exact one
fits, even when a partial sum wrapped on the way. One check of the result is
therefore enough. The same op on ``|inputs|`` in float64 bounds ``|result|``;
below 2**62 nothing can have wrapped, and only above it is the result
recomputed with Python integers and compared with the int64 range.
"""

from __future__ import annotations

import numpy as np

from numeric.errors import LimitError
from numeric.graph.array_rules import expand_dims_key, squeezed
from numeric.graph.dtypes import INT64_MAX, INT64_MIN, int64_problem

# A float64 bound below this proves the exact result fits int64: the bound's
# own rounding error is far below the factor 2 left to 2**63.
_SAFE_BOUND = 2.0**62


def as_int64(arr) -> np.ndarray:
    """``arr`` as int64 (bools become 0 and 1, so ``True + True == 2``)."""
    arr = np.asarray(arr)
    return arr if arr.dtype == np.int64 else arr.astype(np.int64)


def checked_int(op_name: str, ring_op, bound_op, *args: np.ndarray) -> np.ndarray:
    """``ring_op(*args)`` on int64 arrays, refused when the exact result does
    not fit int64. ``bound_op`` applied to ``|args|`` in float64 bounds the
    result's magnitude (``np.add`` for a difference, ``np.abs`` for a negation,
    the op itself otherwise).

    Raises
    ------
    LimitError
        The exact result lies outside ``[-2**63, 2**63 - 1]``.
    """
    result = np.asarray(ring_op(*args))
    with np.errstate(over="ignore", invalid="ignore"):
        bound = bound_op(*[np.abs(a.astype(np.float64)) for a in args])
    if np.all(bound < _SAFE_BOUND):
        return result
    exact = np.asarray(ring_op(*[a.astype(object) for a in args]), dtype=object)
    bad = [v for v in exact.flat if not INT64_MIN <= v <= INT64_MAX]
    if bad:
        raise LimitError(
            f"{op_name}: int64 overflow: the exact result {bad[0]} is outside the "
            "int64 range [-2**63, 2**63 - 1]; integer ops never wrap around"
        )
    return result


def exact_int64(value, what: str) -> np.ndarray:
    """``value`` as int64 when it holds integers that fit, else LimitError."""
    arr = np.asarray(value)
    problem = int64_problem(arr)
    if problem is not None:
        raise LimitError(f"{what}: {problem}; integers are never wrapped or rounded")
    return as_int64(arr)


# ----- kernels: kernel(op_name, args, attrs) -> int64 array --------------------


def _ring(ring_op, bound_op=None):
    def kernel(name, args, attrs):
        ints = [as_int64(a) for a in args]
        return checked_int(name, ring_op, bound_op or ring_op, *ints)

    return kernel


def _plain(fn):
    def kernel(name, args, attrs):
        return np.asarray(fn([as_int64(a) for a in args], attrs))

    return kernel


def _sum_kernel(name, args, attrs):
    axis, keepdims = attrs.get("axis"), attrs.get("keepdims", False)

    def total(x):
        return np.sum(x, axis=axis, keepdims=keepdims)

    return checked_int(name, total, total, as_int64(args[0]))


def _prod_kernel(name, args, attrs):
    axis, keepdims = attrs.get("axis"), attrs.get("keepdims", False)

    def product(x):
        return np.prod(x, axis=axis, keepdims=keepdims)

    return checked_int(name, product, product, as_int64(args[0]))


def _select_kernel(name, args, attrs):
    condition = np.asarray(args[0]).astype(bool)
    return np.where(condition, as_int64(args[1]), as_int64(args[2]))


def _getitem(args, attrs):
    return args[0][attrs["key"]]


def _reduce_max(args, attrs):
    keepdims = bool(attrs.get("keepdims", False))
    return np.max(args[0], axis=attrs.get("axis"), keepdims=keepdims)


def _reduce_min(args, attrs):
    keepdims = bool(attrs.get("keepdims", False))
    return np.min(args[0], axis=attrs.get("axis"), keepdims=keepdims)


def _squeeze(args, attrs):
    return np.reshape(args[0], squeezed("Squeeze", args[0].shape, attrs["axis"]))


INT_KERNELS = {
    "Add": _ring(np.add),
    "Sub": _ring(np.subtract, np.add),
    "Mul": _ring(np.multiply),
    "Neg": _ring(np.negative, np.abs),
    "Abs": _ring(np.abs, np.abs),
    "Sum": _sum_kernel,
    "MatMul": _ring(np.matmul),
    "Maximum": _plain(lambda a, attrs: np.maximum(a[0], a[1])),
    "Minimum": _plain(lambda a, attrs: np.minimum(a[0], a[1])),
    "Max": _plain(_reduce_max),
    "Min": _plain(_reduce_min),
    "Prod": _prod_kernel,
    "Identity": _plain(lambda a, attrs: a[0]),
    "StopGradient": _plain(lambda a, attrs: a[0]),
    "PlaceholderWithDefault": _plain(lambda a, attrs: a[0]),
    "ClipByValue": _plain(lambda a, attrs: np.clip(a[0], a[1], a[2])),
    "ConcatV2": _plain(lambda a, attrs: np.concatenate(a, axis=attrs["axis"])),
    "Pack": _plain(lambda a, attrs: np.stack(a, axis=attrs["axis"])),
    "ExpandDims": _plain(lambda a, attrs: a[0][expand_dims_key(attrs["axis"])]),
    "Squeeze": _plain(_squeeze),
    "Reshape": _plain(lambda a, attrs: np.reshape(a[0], attrs["shape"])),
    "Transpose": _plain(lambda a, attrs: np.transpose(a[0], attrs.get("axes"))),
    "StridedSlice": _plain(_getitem),
    "Select": _select_kernel,
}
