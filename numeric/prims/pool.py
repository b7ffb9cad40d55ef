"""Max pooling and max unpooling on NCHW batches (PyTorch semantics).

Part of the registry in :mod:`numeric.registry`. ``max_pool2d`` finds each
window's maximum in NumPy (the first in row-major window order at a tie, padding
never selected) and is then a gather at those flat per-plane indices: the
primitive ``max_pool2d`` takes the indices as a static parameter, so its VJP is
the scatter-add ``max_pool2d_transpose`` and the two are each other's VJPs.
``max_unpool2d`` writes values back at given indices; its VJP is the gather
(PyTorch's rule, also where indices repeat). Average pooling is in
:mod:`numeric.prims.pool_avg`.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import numpy.typing as npt

from numeric._typing import IntPair
from numeric.errors import ArgumentError, ShapeError
from numeric.prims import _conv_kernels as K
from numeric.prims import conv_args as A
from numeric.prims.shape import reshape
from numeric.registry import defprim, defvjp
from numeric.tape import Tensor, TensorLike, apply

# ----- geometry shared with average pooling -----


def pooled_size(size, kernel, stride, pad, dilation, ceil_mode) -> int:
    """PyTorch's ``pooling_output_shape``: floor or ceil, and with ceil_mode a
    last window that would start in the bottom/right padding is dropped."""
    extent = A.effective(kernel, dilation)
    top = size + 2 * pad - extent + (stride - 1 if ceil_mode else 0)
    out = top // stride + 1
    if ceil_mode and (out - 1) * stride >= size + pad:
        out -= 1
    return out


def pool_geometry(op, x, kernel_size, stride, padding, dilation, ceil_mode):
    """Checked (nchw shape, unbatched, kernel, stride, fitted padding, dilation,
    output size) of a pooling call."""
    kernel = A.pair(kernel_size, "kernel_size", 1, op)
    stride = kernel if stride is None else A.pair(stride, "stride", 1, op)
    pad = A.pair(padding, "padding", 0, op)
    dilation = A.pair(dilation, "dilation", 1, op)
    if not isinstance(ceil_mode, (bool, np.bool_)):
        raise ArgumentError(f"{op}: ceil_mode must be a bool, got {ceil_mode!r}")
    xs, unbatched = A.spatial_input(x, op)
    if pad[0] > kernel[0] // 2 or pad[1] > kernel[1] // 2:
        raise ArgumentError(
            f"{op}: padding {pad} must be at most half of kernel_size {kernel}"
        )
    out = tuple(
        pooled_size(xs[2 + i], kernel[i], stride[i], pad[i], dilation[i], ceil_mode)
        for i in (0, 1)
    )
    if min(out) < 1:
        raise ShapeError(
            f"{op}: the window (kernel_size {kernel}, dilation {dilation}) is larger "
            f"than the padded input (input {A.shape_of(x)}, padding {pad})"
        )
    fitted = tuple(
        A.fit(xs[2 + i], pad[i], out[i], A.effective(kernel[i], dilation[i]), stride[i])
        for i in (0, 1)
    )
    return xs, unbatched, kernel, stride, fitted, dilation, out


def kernel_arg(op, kernel_size, size):
    """The window size given positionally / as ``kernel_size=``, or as the
    older keyword ``size=`` (kept for existing callers)."""
    if size is not None and kernel_size is not None:
        raise ArgumentError(f"{op}: give kernel_size or size, not both")
    value = kernel_size if size is None else size
    if value is None:
        raise ArgumentError(f"{op}: kernel_size is required")
    return value


# ----- the window maxima (NumPy, not differentiated) -----


def _first_inside(out, stride, before, size, kernel, dilation):
    """Per window, the first tap (row-major) that lies inside the input."""
    start = np.arange(out) * stride - before
    taps = start[:, None] + np.arange(kernel)[None, :] * dilation
    inside = (taps >= 0) & (taps < size)
    if not inside.any(axis=1).all():
        empty = int(np.flatnonzero(~inside.any(axis=1))[0])
        raise ShapeError(
            f"max_pool2d: window {empty} along an axis of size {size} has every "
            f"tap in the padding (kernel {kernel}, dilation {dilation}, stride "
            f"{stride}, padding {before}); it has no maximum (PyTorch returns -inf "
            "and an index outside the input)"
        )
    return taps[np.arange(out), inside.argmax(axis=1)]


def _argmax_windows(x, kernel, stride, padding, dilation, out_hw):
    """Flat per-plane indices (int64, (N, C, Ho, Wo)) of each window's maximum.

    The taps are visited in row-major window order and a tap replaces the
    running maximum only when strictly larger (or NaN, which propagates as in
    PyTorch), so a tie goes to the first. Padding holds -inf and starts as
    the running maximum, so it is never selected.
    """
    n, c, h, w = x.shape
    (pt, _), (pl, _) = padding
    ho, wo = out_hw
    xp = K.padded(x, padding, fill=-np.inf)
    rows0 = _first_inside(ho, stride[0], pt, h, kernel[0], dilation[0])
    cols0 = _first_inside(wo, stride[1], pl, w, kernel[1], dilation[1])
    index = np.empty((n, c, ho, wo), np.int64)
    index[...] = rows0[:, None] * w + cols0[None, :]
    best = np.full((n, c, ho, wo), -np.inf, x.dtype)
    take = np.empty((n, c, ho, wo), bool)
    for a in range(kernel[0]):
        r = a * dilation[0]
        rows = np.arange(ho) * stride[0] - pt + r
        for b in range(kernel[1]):
            q = b * dilation[1]
            cols = np.arange(wo) * stride[1] - pl + q
            tap = xp[:, :, r : r + stride[0] * (ho - 1) + 1 : stride[0]][
                :, :, :, q : q + stride[1] * (wo - 1) + 1 : stride[1]
            ]
            np.greater(tap, best, out=take)
            take |= np.isnan(tap)
            np.copyto(best, tap, where=take)
            np.copyto(index, rows[:, None] * w + cols[None, :], where=take)
    return index


# ----- gather / scatter at flat per-plane indices -----


def _planes(a):
    return a.reshape(a.shape[0], a.shape[1], -1)


def _max_pool2d_impl(x, index):
    flat = np.take_along_axis(_planes(x), _planes(index), axis=2)
    return flat.reshape(index.shape)


def _scatter(g, index, shape, accumulate):
    out = np.zeros(shape[:2] + (shape[2] * shape[3],), g.dtype)
    if accumulate:
        # each plane's indices offset into one long vector, then one bincount
        n, c = shape[:2]
        offsets = (np.arange(n * c) * (shape[2] * shape[3])).reshape(n, c, 1)
        flat = (_planes(index) + offsets).ravel()
        sums = np.bincount(flat, weights=_planes(g).ravel(), minlength=out.size)
        out[...] = sums.reshape(out.shape)
    else:
        np.put_along_axis(out, _planes(index), _planes(g), axis=2)
    return out.reshape(shape)


def _max_pool2d_transpose_impl(g, index, x_shape):
    return _scatter(g, index, x_shape, accumulate=True)


def _max_unpool2d_impl(x, index, out_shape):
    return _scatter(x, index, out_shape, accumulate=False)


max_pool2d_p = defprim("max_pool2d", _max_pool2d_impl, 1)
max_pool2d_transpose_p = defprim("max_pool2d_transpose", _max_pool2d_transpose_impl, 1)
max_unpool2d_p = defprim("max_unpool2d", _max_unpool2d_impl, 1)


def max_pool2d_vjp(g, ans, x, index):
    # the gather's transpose: each window's cotangent goes to its maximum,
    # added up where overlapping windows share one
    return (apply(max_pool2d_transpose_p, g, index=index, x_shape=x.shape),)


def max_pool2d_transpose_vjp(gg, ans, g, index, x_shape):
    return (apply(max_pool2d_p, gg, index=index),)


def max_unpool2d_vjp(g, ans, x, index, out_shape):
    # PyTorch's rule: the gather at the indices (every input that points at a
    # position receives its cotangent, also when indices repeat)
    return (apply(max_pool2d_p, g, index=index),)


defvjp(max_pool2d_p, max_pool2d_vjp)
defvjp(max_pool2d_transpose_p, max_pool2d_transpose_vjp)
defvjp(max_unpool2d_p, max_unpool2d_vjp)

# ----- the public functions -----


def max_pool2d(
    x: TensorLike,
    kernel_size: IntPair | None = None,
    stride: IntPair | None = None,
    padding: IntPair = 0,
    dilation: IntPair = 1,
    ceil_mode: bool = False,
    return_indices: bool = False,
    *,
    size: IntPair | None = None,
) -> Tensor | tuple[Tensor, np.ndarray]:
    """Maximum over windows, as ``torch.nn.functional.max_pool2d``.

    Parameters
    ----------
    x : Tensor or array_like, shape (N, C, H, W) or unbatched (C, H, W)
    kernel_size : int or pair of ints
        The window (``size=`` is accepted too, the name of earlier versions).
    stride : int or pair of ints, optional
        Defaults to ``kernel_size``.
    padding : int or pair of ints
        Implicit -inf on both sides (never selected); at most half the window.
    dilation : int or pair of ints
        Spacing between the window's taps.
    ceil_mode : bool
        Round the output size up; a last window that would start in the
        bottom/right padding is dropped, as in PyTorch.
    return_indices : bool
        Also return the maxima's flat per-plane indices ``h * W + w`` (an
        int64 ndarray, the input of :func:`max_unpool2d`).

    Returns
    -------
    Tensor, or (Tensor, ndarray) with ``return_indices``.

    Raises
    ------
    ArgumentError
        A bad kernel_size, stride, padding (more than half the window),
        dilation or ceil_mode.
    ShapeError
        A wrong rank, a window larger than the padded input, or a window with
        every tap in the padding (PyTorch returns -inf there).

    Notes
    -----
    With tied maxima in a window the whole gradient goes to the first in
    row-major window order; a NaN in a window is its maximum (it propagates).

    Examples
    --------
    >>> import numeric as nm
    >>> x = np.array([[[1.0, 3.0, 2.0], [3.0, 0.0, 5.0], [4.0, 1.0, 1.0]]])
    >>> out, idx = nm.max_pool2d(x, 2, stride=1, return_indices=True)
    >>> out.data, idx
    (array([[[3., 5.],
            [4., 5.]]]), array([[[1, 5],
            [6, 5]]]))
    >>> nm.max_pool2d(x, 2, ceil_mode=True).data
    array([[[3., 5.],
            [4., 1.]]])
    """
    op = "max_pool2d"
    kernel_size = kernel_arg(op, kernel_size, size)
    xs, unbatched, kernel, stride, pads, dilation, out_hw = pool_geometry(
        op, x, kernel_size, stride, padding, dilation, ceil_mode
    )
    x = x if isinstance(x, Tensor) else Tensor(x)
    if unbatched:
        x = reshape(x, xs)
    index = _argmax_windows(x.data, kernel, stride, pads, dilation, out_hw)
    out = apply(max_pool2d_p, x, index=index)
    if unbatched:
        out, index = reshape(out, out.shape[1:]), index[0]
    return (out, index) if return_indices else out


def max_unpool2d(
    x: TensorLike,
    indices: npt.ArrayLike,
    kernel_size: IntPair,
    stride: IntPair | None = None,
    padding: IntPair = 0,
    output_size: Sequence[int] | None = None,
) -> Tensor:
    """The partial inverse of :func:`max_pool2d`, as
    ``torch.nn.functional.max_unpool2d``: zeros, with each value of ``x``
    written at its flat per-plane index.

    Parameters
    ----------
    x : Tensor or array_like, shape (N, C, H, W) or unbatched (C, H, W)
    indices : array_like of ints, the shape of ``x``
        Flat indices ``h * W_out + w`` into each output plane, as
        ``max_pool2d(..., return_indices=True)`` gives them.
    kernel_size, stride, padding : int or pair of ints
        The pooling being undone; they give the default output size
        ``(H - 1) * stride - 2 * padding + kernel_size``.
    output_size : pair of ints, optional
        (H_out, W_out), or a shape whose last two entries are; for pooled sizes
        the default cannot recover (a floor that dropped rows).

    Returns
    -------
    Tensor of shape (N, C, H_out, W_out) or (C, H_out, W_out).

    Raises
    ------
    ShapeError
        Indices not of the input's shape, an index outside the output plane,
        or a non-positive output size.
    ArgumentError
        Non-integer indices, or a bad kernel_size, stride, padding or
        output_size.

    Notes
    -----
    Where indices repeat (overlapping windows that share a maximum) the value
    is written once, and the gradient reaches every input that points there
    (PyTorch's rule).

    Examples
    --------
    >>> import numeric as nm
    >>> x = np.arange(16.0).reshape(1, 4, 4)
    >>> out, idx = nm.max_pool2d(x, 2, return_indices=True)
    >>> nm.max_unpool2d(out, idx, 2).data
    array([[[ 0.,  0.,  0.,  0.],
            [ 0.,  5.,  0.,  7.],
            [ 0.,  0.,  0.,  0.],
            [ 0., 13.,  0., 15.]]])
    """
    op = "max_unpool2d"
    kernel = A.pair(kernel_size, "kernel_size", 1, op)
    stride = kernel if stride is None else A.pair(stride, "stride", 1, op)
    pad = A.pair(padding, "padding", 0, op)
    xs, unbatched = A.spatial_input(x, op)
    index = indices.data if isinstance(indices, Tensor) else np.asarray(indices)
    if index.shape != A.shape_of(x):
        raise ShapeError(
            f"{op}: indices must have the shape of the input {A.shape_of(x)}, "
            f"got {index.shape}"
        )
    if index.size and not np.array_equal(index, np.round(index)):
        raise ArgumentError(f"{op}: indices must hold integers")
    if output_size is None:
        out_hw = tuple(
            (xs[2 + i] - 1) * stride[i] - 2 * pad[i] + kernel[i] for i in (0, 1)
        )
    else:
        try:
            out_hw = tuple(int(v) for v in tuple(output_size)[-2:])
        except (TypeError, ValueError):
            out_hw = ()
        if len(out_hw) != 2:
            raise ArgumentError(
                f"{op}: output_size must end in (H_out, W_out), got {output_size!r}"
            )
    if min(out_hw) < 1:
        raise ShapeError(f"{op}: the output size {out_hw} is not positive")
    index = index.astype(np.int64).reshape(xs)
    plane = out_hw[0] * out_hw[1]
    if index.size and (index.min() < 0 or index.max() >= plane):
        bad = index[(index < 0) | (index >= plane)].flat[0]
        raise ShapeError(
            f"{op}: index {bad} is outside an output plane of {out_hw[0]} x "
            f"{out_hw[1]} = {plane} positions"
        )
    if unbatched:
        x = reshape(x, xs)
    out = apply(max_unpool2d_p, x, index=index, out_shape=xs[:2] + out_hw)
    return reshape(out, out.shape[1:]) if unbatched else out
