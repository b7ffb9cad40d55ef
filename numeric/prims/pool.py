"""Max and average pooling on NCHW batches (PyTorch semantics, no padding).

Part of the registry in :mod:`numeric.registry`. ``max_pool2d`` is a gather:
it picks, in each window, the first maximum in row-major order and indexes the
input there, so its gradient is ``getitem``'s scatter (ties: all to the first).
``avg_pool2d`` is a primitive whose transpose (spreading each cotangent evenly
over its window) is another primitive, and each is the other's VJP.
"""

from __future__ import annotations

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from numeric.errors import ShapeError
from numeric.prims.conv import _pair
from numeric.registry import defprim, defvjp
from numeric.tape import Tensor, apply


def _pool_args(op, x, size, stride):
    size = _pair(size, "size", 1, op)
    stride = size if stride is None else _pair(stride, "stride", 1, op)
    shape = x.shape if isinstance(x, Tensor) else np.shape(x)
    if len(shape) != 4:
        raise ShapeError(f"{op}: input must be (N, C, H, W), got shape {shape}")
    if shape[2] < size[0] or shape[3] < size[1]:
        raise ShapeError(
            f"{op}: window {size} is larger than the input of shape {shape}"
        )
    return size, stride


def _windows(x, size, stride):
    return sliding_window_view(x, size, axis=(2, 3))[:, :, :: stride[0], :: stride[1]]


def max_pool2d(x, size, stride=None):
    """Maximum over ``size`` windows moved by ``stride`` (default: ``size``).

    Output size is ``(H - kh) // sh + 1`` (floor, as PyTorch). With tied maxima
    in a window the whole gradient goes to the first in row-major order.
    """
    size, stride = _pool_args("max_pool2d", x, size, stride)
    x = x if isinstance(x, Tensor) else Tensor(x)
    win = _windows(x.data, size, stride)
    n, c, ho, wo = win.shape[:4]
    first = win.reshape(n, c, ho, wo, size[0] * size[1]).argmax(axis=-1)
    rows = np.arange(ho)[:, None] * stride[0] + first // size[1]
    cols = np.arange(wo)[None, :] * stride[1] + first % size[1]
    index = (
        np.arange(n)[:, None, None, None],
        np.arange(c)[None, :, None, None],
        rows,
        cols,
    )
    return x[index]


def _avg_pool2d_impl(x, size, stride):
    return _windows(x, size, stride).mean(axis=(-2, -1))


def _avg_pool2d_transpose_impl(g, size, stride, x_shape):
    out = np.zeros(x_shape)
    ho, wo = g.shape[2:]
    share = g / (size[0] * size[1])
    for a in range(size[0]):
        for b in range(size[1]):
            rows = slice(a, a + stride[0] * (ho - 1) + 1, stride[0])
            cols = slice(b, b + stride[1] * (wo - 1) + 1, stride[1])
            out[:, :, rows, cols] += share
    return out


avg_pool2d_p = defprim("avg_pool2d", _avg_pool2d_impl, 1)
avg_pool2d_transpose_p = defprim("avg_pool2d_transpose", _avg_pool2d_transpose_impl, 1)


def avg_pool2d(x, size, stride=None):
    """Mean over ``size`` windows moved by ``stride`` (default: ``size``)."""
    size, stride = _pool_args("avg_pool2d", x, size, stride)
    return apply(avg_pool2d_p, x, size=size, stride=stride)


def avg_pool2d_vjp(g, ans, x, size, stride):
    # each input gets 1/(kh*kw) of the cotangent of every window it lies in
    return (
        apply(avg_pool2d_transpose_p, g, size=size, stride=stride, x_shape=x.shape),
    )


def avg_pool2d_transpose_vjp(gg, ans, g, size, stride, x_shape):
    return (apply(avg_pool2d_p, gg, size=size, stride=stride),)


defvjp(avg_pool2d_p, avg_pool2d_vjp)
defvjp(avg_pool2d_transpose_p, avg_pool2d_transpose_vjp)
