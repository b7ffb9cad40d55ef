"""Average pooling and adaptive average pooling (PyTorch semantics).

Part of the registry in :mod:`numeric.registry`. ``avg_pool2d`` is a window
sum of the zero-padded input times a per-window scale, ``1 / divisor``, where
the divisor follows PyTorch: the window's size clipped to the padded input
(``count_include_pad``), its count of real inputs, or ``divisor_override``.
Its transpose spreads each scaled cotangent back over its window, and the two
primitives are each other's VJPs. ``adaptive_avg_pool2d`` is linear and
separable, so it is two matrix products with fixed averaging matrices and
needs no primitive of its own.
"""

from __future__ import annotations

import numbers
from collections.abc import Sequence
from typing import Any

import numpy as np

from numeric._typing import IntPair
from numeric.errors import ArgumentError, ShapeError
from numeric.prims import _conv_kernels as K
from numeric.prims import _workspace
from numeric.prims import conv_args as A
from numeric.prims.linalg import matmul
from numeric.prims.pool import kernel_arg, pool_geometry
from numeric.prims.shape import reshape
from numeric.registry import defprim, defvjp
from numeric.tape import Tensor, TensorLike, apply


def _taps(out, kernel, stride):
    """(rows slice into the padded axis) for each window offset."""
    return [slice(a, a + stride * (out - 1) + 1, stride) for a in range(kernel)]


def _avg_pool2d_impl(x, kernel, stride, padding, scale):
    xp = K.padded(x, padding)
    ho, wo = scale.shape
    out = np.zeros(x.shape[:2] + (ho, wo), x.dtype)
    for rows in _taps(ho, kernel[0], stride[0]):
        for cols in _taps(wo, kernel[1], stride[1]):
            out += xp[:, :, rows, cols]
    out *= scale.astype(x.dtype, copy=False)
    return out


def _avg_pool2d_transpose_impl(g, kernel, stride, padding, scale, x_shape):
    (pt, pb), (pl, pr) = padding
    ho, wo = scale.shape
    share = g * scale.astype(g.dtype, copy=False)
    xp = _workspace.zeros(
        (x_shape[0], x_shape[1], x_shape[2] + pt + pb, x_shape[3] + pl + pr),
        share.dtype,
    )
    for rows in _taps(ho, kernel[0], stride[0]):
        for cols in _taps(wo, kernel[1], stride[1]):
            xp[:, :, rows, cols] += share
    return K.unpadded(xp, padding, x_shape[2:])


avg_pool2d_p = defprim("avg_pool2d", _avg_pool2d_impl, 1)
avg_pool2d_transpose_p = defprim("avg_pool2d_transpose", _avg_pool2d_transpose_impl, 1)


def avg_pool2d_vjp(g, ans, x, kernel, stride, padding, scale):
    # each input gets scale[window] of the cotangent of every window it lies in
    params = {"kernel": kernel, "stride": stride, "padding": padding, "scale": scale}
    return (apply(avg_pool2d_transpose_p, g, x_shape=x.shape, **params),)


def avg_pool2d_transpose_vjp(gg, ans, g, kernel, stride, padding, scale, x_shape):
    params = {"kernel": kernel, "stride": stride, "padding": padding, "scale": scale}
    return (apply(avg_pool2d_p, gg, **params),)


defvjp(avg_pool2d_p, avg_pool2d_vjp)
defvjp(avg_pool2d_transpose_p, avg_pool2d_transpose_vjp)


def _axis_divisors(size, kernel, stride, pad, out):
    """PyTorch's per-window sizes along one axis: the window clipped to the
    padded input, and its count of real inputs."""
    start = np.arange(out) * stride - pad
    end = np.minimum(start + kernel, size + pad)
    return end - start, np.minimum(end, size) - np.maximum(start, 0)


def avg_pool2d(
    x: TensorLike,
    kernel_size: IntPair | None = None,
    stride: IntPair | None = None,
    padding: IntPair = 0,
    ceil_mode: bool = False,
    count_include_pad: bool = True,
    divisor_override: int | None = None,
    *,
    size: IntPair | None = None,
) -> Tensor:
    """Mean over windows, as ``torch.nn.functional.avg_pool2d``.

    Parameters
    ----------
    x : Tensor or array_like, shape (N, C, H, W) or unbatched (C, H, W)
    kernel_size : int or pair of ints
        The window (``size=`` is accepted too, the name of earlier versions).
    stride : int or pair of ints, optional
        Defaults to ``kernel_size``.
    padding : int or pair of ints
        Implicit zeros on both sides, at most half the window.
    ceil_mode : bool
        Round the output size up (a window starting in the bottom/right
        padding is dropped).
    count_include_pad : bool
        Divide by the window size including padding (clipped to the padded
        input, as PyTorch does with ceil_mode) rather than by the number of
        real inputs in the window.
    divisor_override : int, optional
        Divide every window's sum by this instead.

    Returns
    -------
    Tensor of shape (N, C, Ho, Wo) or (C, Ho, Wo).

    Raises
    ------
    ArgumentError
        A bad kernel_size, stride, padding (more than half the window),
        ceil_mode or divisor_override (not a nonzero int).
    ShapeError
        A wrong rank or a window larger than the padded input.

    Examples
    --------
    >>> import numeric as nm
    >>> x = np.arange(9.0).reshape(1, 3, 3)
    >>> nm.avg_pool2d(x, 2, padding=1).data
    array([[[0.  , 0.75],
            [2.25, 6.  ]]])
    >>> nm.avg_pool2d(x, 2, padding=1, count_include_pad=False).data
    array([[[0. , 1.5],
            [4.5, 6. ]]])
    """
    op = "avg_pool2d"
    kernel_size = kernel_arg(op, kernel_size, size)
    xs, unbatched, kernel, strides, pads, _, out_hw = pool_geometry(
        op, x, kernel_size, stride, padding, 1, ceil_mode
    )
    if divisor_override is not None:
        if isinstance(divisor_override, bool) or not isinstance(
            divisor_override, numbers.Integral
        ):
            raise ArgumentError(
                f"{op}: divisor_override must be an int, got {divisor_override!r}"
            )
        if divisor_override == 0:
            raise ArgumentError(f"{op}: divisor_override must not be zero")
    pad = (pads[0][0], pads[1][0])
    rows = _axis_divisors(xs[2], kernel[0], strides[0], pad[0], out_hw[0])
    cols = _axis_divisors(xs[3], kernel[1], strides[1], pad[1], out_hw[1])
    which = 0 if count_include_pad else 1
    divisor = np.outer(rows[which], cols[which]).astype(np.float64)
    if divisor_override is not None:
        divisor[...] = divisor_override
    x = x if isinstance(x, Tensor) else Tensor(x)
    scale = (1.0 / divisor).astype(x.dtype)
    if unbatched:
        x = reshape(x, xs)
    out = apply(
        avg_pool2d_p, x, kernel=kernel, stride=strides, padding=pads, scale=scale
    )
    return reshape(out, out.shape[1:]) if unbatched else out


def _averaging_matrix(size: int, out: int, dtype) -> np.ndarray:
    """(out, size) rows averaging PyTorch's adaptive windows
    [floor(i * size / out), ceil((i + 1) * size / out))."""
    i = np.arange(out)
    start = (i * size) // out
    end = -((-(i + 1) * size) // out)
    cols = np.arange(size)
    inside = (cols[None, :] >= start[:, None]) & (cols[None, :] < end[:, None])
    return (inside / (end - start)[:, None]).astype(dtype)


def adaptive_avg_pool2d(
    x: TensorLike, output_size: int | Sequence[int | None] | None
) -> Tensor:
    """Average pooling to a given output size, as
    ``torch.nn.functional.adaptive_avg_pool2d``.

    Output row ``i`` averages input rows ``floor(i * H / Ho)`` up to (not
    including) ``ceil((i + 1) * H / Ho)``, and likewise for columns, so the
    windows may overlap and differ in size by one.

    Parameters
    ----------
    x : Tensor or array_like, shape (N, C, H, W) or unbatched (C, H, W)
    output_size : int or pair
        (Ho, Wo); an entry None keeps that input size.

    Returns
    -------
    Tensor of shape (N, C, Ho, Wo) or (C, Ho, Wo).

    Raises
    ------
    ArgumentError
        An output_size that is not a positive int or a pair of them (or None).
    ShapeError
        A wrong rank or an empty input plane.

    Examples
    --------
    >>> import numeric as nm
    >>> nm.adaptive_avg_pool2d(np.arange(5.0).reshape(1, 1, 5), (1, 3)).data
    array([[[0.5, 2. , 3.5]]])
    """
    op = "adaptive_avg_pool2d"
    xs, _ = A.spatial_input(x, op)
    pair: Any = output_size
    if output_size is None or isinstance(output_size, numbers.Integral):
        pair = (output_size, output_size)
    try:
        sizes = tuple(pair)
    except TypeError:
        sizes = ()
    if len(sizes) != 2:
        raise ArgumentError(f"{op}: output_size must be an int or a pair, got {pair!r}")
    out = []
    for n, v in zip(xs[2:], sizes):
        if v is None:
            v = n
        if isinstance(v, bool) or not isinstance(v, numbers.Integral) or v < 1:
            raise ArgumentError(
                f"{op}: output_size entries must be positive ints or None, got {pair!r}"
            )
        out.append(int(v))
    if 0 in xs[2:]:
        raise ShapeError(f"{op}: the input {A.shape_of(x)} has an empty plane")
    x = x if isinstance(x, Tensor) else Tensor(x)
    rows = _averaging_matrix(xs[2], out[0], x.dtype)  # (Ho, H)
    cols = _averaging_matrix(xs[3], out[1], x.dtype).T  # (W, Wo)
    return matmul(matmul(rows, x), cols)
