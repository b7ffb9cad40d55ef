"""Matrix product, with NumPy's ``matmul`` semantics (1-D promotion, batching).

Part of the registry in :mod:`numeric.registry`. The VJP promotes 1-D operands
to matrices, multiplies by the other operand's transpose and undoes batch
broadcasting with :func:`unbroadcast`.
"""

from __future__ import annotations

import numpy as np

from numeric.errors import ShapeError
from numeric.prims.reduce import unbroadcast
from numeric.prims.shape import reshape, transpose
from numeric.registry import defjvp, defprim, defvjp, needs_grad
from numeric.tape import apply


def _matmul_impl(x, y):
    if x.ndim == 0 or y.ndim == 0:
        raise ShapeError(
            f"matmul: shapes {x.shape} and {y.shape}: scalar operands are not allowed"
        )
    inner_y = y.shape[0] if y.ndim == 1 else y.shape[-2]
    if x.shape[-1] != inner_y:
        raise ShapeError(f"matmul: shapes {x.shape} and {y.shape} do not align")
    # a broadcast (stride-0) operand, e.g. the cotangent of a sum, would make
    # np.matmul fall back from BLAS to its slow loop: copy it once instead
    if 0 in x.strides:
        x = np.ascontiguousarray(x)
    if 0 in y.strides:
        y = np.ascontiguousarray(y)
    try:
        return np.matmul(x, y)
    except ValueError:
        raise ShapeError(
            f"matmul: batch dimensions of shapes {x.shape} and {y.shape} "
            "cannot be broadcast together"
        ) from None


matmul_p = defprim("matmul", _matmul_impl, 2)


def matmul(x, y):
    """Matrix product ``x @ y`` with ``np.matmul`` semantics.

    Raises
    ------
    ShapeError
        When the inner dimensions differ, e.g.
        "matmul: shapes (2, 3) and (4, 5) do not align".
    """
    return apply(matmul_p, x, y)


def _swap_last(a):
    if a.ndim == 2:
        return transpose(a)
    axes = tuple(range(a.ndim - 2)) + (a.ndim - 1, a.ndim - 2)
    return transpose(a, axes)


def matmul_vjp(g, ans, x, y):
    if x.ndim == 2 and y.ndim == 2:  # the common case, shapes already fit
        return (
            matmul(g, transpose(y)) if needs_grad(x) else None,
            matmul(transpose(x), g) if needs_grad(y) else None,
        )
    # promote vectors to matrices: x (k,) -> (1, k), y (k,) -> (k, 1)
    x2 = reshape(x, (1, x.shape[0])) if x.ndim == 1 else x
    y2 = reshape(y, (y.shape[0], 1)) if y.ndim == 1 else y
    if x.ndim == 1 or y.ndim == 1:
        batch = np.broadcast_shapes(x2.shape[:-2], y2.shape[:-2])
        g = reshape(g, batch + (x2.shape[-2], y2.shape[-1]))
    gx = gy = None
    if needs_grad(x):
        gx = reshape(unbroadcast(matmul(g, _swap_last(y2)), x2.shape), x.shape)
    if needs_grad(y):
        gy = reshape(unbroadcast(matmul(_swap_last(x2), g), y2.shape), y.shape)
    return (gx, gy)


def matmul_jvp(dots, ans, x, y):
    # bilinear: d(x @ y) = dx @ y + x @ dy
    dx, dy = dots
    out = None if dx is None else matmul(dx, y)
    if dy is not None:
        term = matmul(x, dy)
        out = term if out is None else out + term
    return out


defvjp(matmul_p, matmul_vjp)
defjvp(matmul_p, matmul_jvp)
