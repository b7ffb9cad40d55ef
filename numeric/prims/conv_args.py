"""Argument checking shared by the convolution and pooling functions.

Every public conv/pool function normalises its arguments here before it
computes anything, so bad input raises an error naming the argument and the
shapes, and no primitive ever sees a geometry it cannot handle.

Spatial geometry is kept per axis as ``(before, after)`` padding. ``after``
is *fitted*: trimmed (possibly below zero, which crops input rows that no
window reaches) so that the windows tile the padded axis exactly,
``size + before + after == (out - 1) * stride + dilation * (kernel - 1) + 1``.
The kernels then never carry a ragged edge.
"""

from __future__ import annotations

import numbers

import numpy as np

from numeric.errors import ArgumentError, ShapeError
from numeric.tape import Tensor


def shape_of(x) -> tuple:
    return x.shape if isinstance(x, Tensor) else np.shape(x)


def int_arg(value, name: str, minimum: int, op: str) -> int:
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise ArgumentError(f"{op}: {name} must be an int, got {value!r}")
    if value < minimum:
        raise ArgumentError(f"{op}: {name} must be >= {minimum}, got {value!r}")
    return int(value)


def pair(value, name: str, minimum: int, op: str = "conv2d") -> tuple:
    """``value`` as a pair of ints >= ``minimum`` (an int is used for both)."""
    if isinstance(value, numbers.Integral) and not isinstance(value, bool):
        value = (value, value)
    try:
        items = tuple(value)
    except TypeError:
        items = ()
    if len(items) != 2 or not all(
        isinstance(v, numbers.Integral) and not isinstance(v, bool) for v in items
    ):
        raise ArgumentError(
            f"{op}: {name} must be an int or a pair of ints, got {value!r}"
        )
    if min(items) < minimum:
        raise ArgumentError(f"{op}: {name} must be >= {minimum}, got {value!r}")
    return (int(items[0]), int(items[1]))


def spatial_input(x, op: str, what: str = "input") -> tuple:
    """(shape as NCHW, unbatched?) for an (N, C, H, W) or (C, H, W) input."""
    xs = shape_of(x)
    if len(xs) == 4:
        return tuple(xs), False
    if len(xs) == 3:
        return (1,) + tuple(xs), True
    raise ShapeError(
        f"{op}: {what} must be (N, C, H, W) or unbatched (C, H, W), got shape {xs}"
    )


def effective(kernel: int, dilation: int) -> int:
    """The extent of a dilated window."""
    return dilation * (kernel - 1) + 1


def conv_padding(padding, kernel, stride, dilation, op: str) -> tuple:
    """PyTorch's conv padding argument as ((top, bottom), (left, right)).

    'same' pads ``dilation * (k - 1)`` in total, the odd one on the bottom /
    right (PyTorch's rule for even kernels); it is refused with a stride, as
    PyTorch refuses it.
    """
    if isinstance(padding, str):
        if padding == "valid":
            return ((0, 0), (0, 0))
        if padding == "same":
            if stride != (1, 1):
                raise ArgumentError(
                    f"{op}: padding='same' is not supported for strided "
                    f"convolutions (stride {stride})"
                )
            out = []
            for k, d in zip(kernel, dilation):
                total = d * (k - 1)
                out.append((total // 2, total - total // 2))
            return tuple(out)
        raise ArgumentError(
            f"{op}: padding must be an int, a pair of ints, 'valid' or 'same', "
            f"got {padding!r}"
        )
    ph, pw = pair(padding, "padding", 0, op)
    return ((ph, ph), (pw, pw))


def windows(size: int, before: int, after: int, extent: int, stride: int) -> int:
    """Number of windows of ``extent`` moved by ``stride`` over a padded axis."""
    return (size + before + after - extent) // stride + 1


def fit(size: int, before: int, out: int, extent: int, stride: int) -> tuple:
    """(before, after) with ``after`` fitted so ``out`` windows tile exactly."""
    return (before, (out - 1) * stride + extent - size - before)


def check_window_fits(op, sizes, padding, extents, x_shape, w_shape=None):
    """Refuse a (dilated) kernel larger than the padded input."""
    for axis, (n, (a, b), e) in enumerate(zip(sizes, padding, extents)):
        if n + a + b < e:
            which = "height" if axis == 0 else "width"
            shapes = f"input {x_shape}" + (
                "" if w_shape is None else f", weight {w_shape}"
            )
            raise ShapeError(
                f"{op}: the kernel {which} (extent {e} with dilation) is larger than "
                f"the padded input {which} {n + a + b} ({shapes}, padding "
                f"{tuple(padding)})"
            )
