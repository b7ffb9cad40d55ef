"""NCHW ``conv2d`` (PyTorch semantics): three primitives, each the others' VJP.

Part of the registry in :mod:`numeric.registry`. ``conv2d`` (the forward
cross-correlation, with an optional bias added in place), ``conv2d_input_grad``
(its transpose in the input, which is also ``conv_transpose2d``) and
``conv2d_weight_grad`` (its transpose in the weight) are the three bilinear
faces of one trilinear form
``<g, conv2d(x, w)>``, so each one's VJP is written with the other two and every
order of derivative stays inside the family. All three take the same static
geometry (stride, fitted padding, dilation, groups) and compute by im2col and
batched matrix products (:mod:`numeric.prims._conv_kernels`).

The forward pass may hand its im2col columns to the weight gradient through a
:class:`SavedColumns` parameter, so a first-order backward does not copy the
input windows a second time. The columns are a cache of a function of the
input the weight gradient receives anyway: the gradient stays differentiable,
and the columns are used once, then released.
"""

from __future__ import annotations

import numpy as np

from numeric._typing import IntPair
from numeric.errors import ShapeError
from numeric.prims import _conv_kernels as K
from numeric.prims import _workspace
from numeric.prims import conv_args as A
from numeric.prims.reduce import sum as reduce_sum
from numeric.prims.shape import reshape
from numeric.registry import defprim, defvjp, needs_grad
from numeric.tape import _STATE, Tensor, TensorLike, apply


class SavedColumns:
    """A one-shot slot for the forward pass's im2col columns."""

    __slots__ = ("cols",)

    def __init__(self):
        self.cols = None

    def take(self):
        cols, self.cols = self.cols, None
        return cols

    def __repr__(self) -> str:
        return "SavedColumns(full)" if self.cols is not None else "SavedColumns()"


def _split(w_shape, groups):
    o, cg, kh, kw = w_shape
    return o // groups, cg * kh * kw


# Columns up to this size are made at once (and, when the weight needs a
# gradient, kept for it); larger ones are made in chunks of samples that stay
# in cache, and the weight gradient makes them again chunk by chunk: on a large
# layer, streaming a whole im2col matrix through memory three times (write,
# forward product, weight product) costs more than copying windows twice in
# cache.
_SAVE_BYTES = 64 * 2**20
# The budget of one chunk of columns.
_CHUNK_BYTES = 8 * 2**20


def _col_bytes(x_shape, w_shape, out_hw, dtype) -> int:
    """Bytes of one sample's columns: C * kh * kw rows of Ho * Wo."""
    rows = x_shape[1] * w_shape[2] * w_shape[3]
    return rows * out_hw[0] * out_hw[1] * np.dtype(dtype).itemsize


def _conv2d_impl(x, w, *bias, stride, padding, dilation, groups, saved=None):
    kernel = w.shape[2:]
    xp = K.padded(x, padding)
    out_hw = K.out_size(xp.shape, kernel, stride, dilation)
    og, kg = _split(w.shape, groups)
    w3 = K.blas_ready(w).reshape(groups, og, kg)
    n = x.shape[0]
    dtype = np.result_type(x, w, *bias)
    out = _workspace.empty((n, groups, og, out_hw[0] * out_hw[1]), dtype)
    per_sample = _col_bytes(x.shape, w.shape, out_hw, x.dtype)
    if n * per_sample <= _SAVE_BYTES:
        cols = K.padded_im2col(xp, kernel, stride, dilation, groups, out_hw)
        # one (Og, Kg) @ (Kg, Ho*Wo) product per sample and group, in NCHW order
        np.matmul(w3, cols, out=out)
        if saved is not None:
            saved.cols = cols
    else:
        ranges, step = K.chunks(n, per_sample, _CHUNK_BYTES)
        buffer = _workspace.empty((step * per_sample // x.dtype.itemsize,), x.dtype)
        for start, stop in ranges:
            cols = K.padded_im2col(
                xp[start:stop], kernel, stride, dilation, groups, out_hw, buffer
            )
            np.matmul(w3, cols, out=out[start:stop])
    if bias:
        out += bias[0].reshape(groups, og, 1)
    return out.reshape(n, w.shape[0], *out_hw)


def _conv2d_weight_grad_impl(
    x, g, stride, padding, dilation, groups, w_shape, saved=None
):
    # dW[o, k] = sum_{n, p} g[n, o, p] * cols[n, k, p]
    og, kg = _split(w_shape, groups)
    n = g.shape[0]
    g4 = K.blas_ready(g).reshape(n, groups, og, -1)
    dtype = np.result_type(x, g)
    cols = saved.take() if saved is not None else None
    if cols is not None:
        part = _workspace.empty((n, groups, og, kg), dtype)
        np.matmul(g4, cols.swapaxes(-1, -2), out=part)
        return part.sum(axis=0).reshape(w_shape)
    kernel = tuple(w_shape[2:])
    xp = K.padded(x, padding)
    out_hw = g.shape[2:]
    per_sample = _col_bytes(x.shape, w_shape, out_hw, x.dtype)
    ranges, step = K.chunks(n, per_sample, _CHUNK_BYTES)
    buffer = _workspace.empty((step * per_sample // x.dtype.itemsize,), x.dtype)
    part = _workspace.empty((step, groups, og, kg), dtype)
    dw = np.zeros((groups, og, kg), dtype)
    for start, stop in ranges:
        cols = K.padded_im2col(
            xp[start:stop], kernel, stride, dilation, groups, out_hw, buffer
        )
        np.matmul(g4[start:stop], cols.swapaxes(-1, -2), out=part[: stop - start])
        dw += part[: stop - start].sum(axis=0)
    return dw.reshape(w_shape)


def _conv2d_input_grad_impl(g, w, stride, padding, dilation, groups, x_shape):
    # cols[n, k, p] = sum_o w[o, k] g[n, o, p]; col2im adds each column back
    n, ho, wo = g.shape[0], g.shape[2], g.shape[3]
    og, kg = _split(w.shape, groups)
    dtype = np.result_type(g, w)
    wt = K.blas_ready(w).reshape(groups, og, kg).swapaxes(-1, -2)
    g4 = K.blas_ready(g).reshape(n, groups, og, ho * wo)
    (pt, pb), (pl, pr) = padding
    xp = _workspace.zeros(
        (n, x_shape[1], x_shape[2] + pt + pb, x_shape[3] + pl + pr), dtype
    )
    per_sample = groups * kg * ho * wo * dtype.itemsize
    step = max(1, min(n, _CHUNK_BYTES // per_sample))
    cols = _workspace.empty((step, groups, kg, ho * wo), dtype)
    for start in range(0, n, step):
        stop = min(start + step, n)
        part = cols[: stop - start]
        np.matmul(wt, g4[start:stop], out=part)
        part = part.reshape(stop - start, x_shape[1], *w.shape[2:], ho, wo)
        K.col2im_add(xp[start:stop], part, stride, dilation)
    return K.unpadded(xp, padding, x_shape[2:])


conv2d_p = defprim("conv2d", _conv2d_impl, None)  # (x, w) or (x, w, bias)
conv2d_input_grad_p = defprim("conv2d_input_grad", _conv2d_input_grad_impl, 2)
conv2d_weight_grad_p = defprim("conv2d_weight_grad", _conv2d_weight_grad_impl, 2)


def conv2d_vjp(g, ans, x, w, *bias, stride, padding, dilation, groups, saved=None):
    geometry = {
        "stride": stride,
        "padding": padding,
        "dilation": dilation,
        "groups": groups,
    }
    gx = gw = None
    gb = [reduce_sum(g, axis=(0, 2, 3)) if needs_grad(b) else None for b in bias]
    if needs_grad(x):
        gx = apply(conv2d_input_grad_p, g, w, x_shape=x.shape, **geometry)
    if needs_grad(w):
        gw = apply(conv2d_weight_grad_p, x, g, w_shape=w.shape, saved=saved, **geometry)
    elif saved is not None:
        saved.take()  # nobody will read the columns
    return (gx, gw, *gb)


def conv2d_input_grad_vjp(gg, ans, g, w, stride, padding, dilation, groups, x_shape):
    # <input_grad(g, w), X> = <g, conv2d(X, w)> = <weight_grad(X, g), w>
    geometry = {
        "stride": stride,
        "padding": padding,
        "dilation": dilation,
        "groups": groups,
    }
    gg_g = apply(conv2d_p, gg, w, **geometry) if needs_grad(g) else None
    gg_w = None
    if needs_grad(w):
        gg_w = apply(conv2d_weight_grad_p, gg, g, w_shape=w.shape, **geometry)
    return (gg_g, gg_w)


def conv2d_weight_grad_vjp(
    gw, ans, x, g, stride, padding, dilation, groups, w_shape, saved=None
):
    # <weight_grad(x, g), W> = <g, conv2d(x, W)> = <input_grad(g, W), x>
    geometry = {
        "stride": stride,
        "padding": padding,
        "dilation": dilation,
        "groups": groups,
    }
    gx = None
    if needs_grad(x):
        gx = apply(conv2d_input_grad_p, g, gw, x_shape=x.shape, **geometry)
    gg = apply(conv2d_p, x, gw, **geometry) if needs_grad(g) else None
    return (gx, gg)


defvjp(conv2d_p, conv2d_vjp)
defvjp(conv2d_input_grad_p, conv2d_input_grad_vjp)
defvjp(conv2d_weight_grad_p, conv2d_weight_grad_vjp)

# ----- the public function -----


def conv2d(
    x: TensorLike,
    w: TensorLike,
    b: TensorLike | None = None,
    stride: IntPair = 1,
    padding: IntPair | str = 0,
    dilation: IntPair = 1,
    groups: int = 1,
) -> Tensor:
    """2-D cross-correlation of NCHW batches, as ``torch.nn.functional.conv2d``.

    Parameters
    ----------
    x : Tensor or array_like, shape (N, C, H, W) or unbatched (C, H, W)
    w : Tensor or array_like, shape (O, C / groups, kh, kw)
    b : Tensor or array_like, shape (O,), optional
    stride : int or pair of ints
    padding : int, pair of ints, 'valid' or 'same'
        Zeros added on both sides of each spatial axis. 'same' keeps the input
        size (stride 1 only); for an even extent ``dilation * (k - 1)`` the
        extra zero goes at the bottom / right, as in PyTorch.
    dilation : int or pair of ints
        Spacing between kernel taps.
    groups : int
        Input and output channels are split into ``groups`` independent
        convolutions; ``groups == C`` is a depthwise convolution.

    Returns
    -------
    Tensor of shape (N, O, Ho, Wo), or (O, Ho, Wo) for an unbatched input,
    ``Ho = (H + pad_top + pad_bottom - dilation * (kh - 1) - 1) // stride + 1``.

    Raises
    ------
    ShapeError
        Wrong ranks, channels not divisible by ``groups``, a weight whose
        channels do not match the input, a bias of the wrong shape, or a kernel
        larger than the padded input.
    ArgumentError
        A bad stride, padding, dilation or groups, or 'same' with a stride.

    Examples
    --------
    >>> import numeric as nm
    >>> x, w = np.ones((1, 2, 4, 4)), np.ones((3, 1, 2, 2))
    >>> nm.conv2d(x, w, padding="same", groups=2).shape
    Traceback (most recent call last):
    ...
    numeric.errors.ShapeError: conv2d: output channels 3 are not divisible by groups=2 (input (1, 2, 4, 4), weight (3, 1, 2, 2))
    >>> nm.conv2d(x, np.ones((4, 1, 2, 2)), padding="same", groups=2).shape
    (1, 4, 4, 4)
    >>> nm.conv2d(np.ones((2, 5, 5)), np.ones((1, 2, 3, 3)), dilation=2).data
    array([[[18.]]])
    """
    op = "conv2d"
    stride = A.pair(stride, "stride", 1, op)
    dilation = A.pair(dilation, "dilation", 1, op)
    groups = A.int_arg(groups, "groups", 1, op)
    xs, unbatched = A.spatial_input(x, op)
    ws = A.shape_of(w)
    if len(ws) != 4:
        raise ShapeError(
            f"{op}: weight must be (O, C / groups, kh, kw), got shape {ws}"
        )
    if ws[0] % groups:
        raise ShapeError(
            f"{op}: output channels {ws[0]} are not divisible by groups={groups} "
            f"(input {A.shape_of(x)}, weight {ws})"
        )
    if xs[1] % groups:
        raise ShapeError(
            f"{op}: input channels {xs[1]} are not divisible by groups={groups} "
            f"(input {A.shape_of(x)}, weight {ws})"
        )
    if ws[1] * groups != xs[1]:
        raise ShapeError(
            f"{op}: input has {xs[1]} channels but weight expects {ws[1] * groups} "
            f"({ws[1]} per group, groups={groups}; input {A.shape_of(x)}, weight {ws})"
        )
    kernel = ws[2:]
    pads = A.conv_padding(padding, kernel, stride, dilation, op)
    extents = [A.effective(k, d) for k, d in zip(kernel, dilation)]
    A.check_window_fits(op, xs[2:], pads, extents, A.shape_of(x), ws)
    if b is not None and A.shape_of(b) != (ws[0],):
        raise ShapeError(f"{op}: bias must have shape ({ws[0]},), got {A.shape_of(b)}")
    fitted = tuple(
        A.fit(n, a, A.windows(n, a, z, e, s), e, s)
        for n, (a, z), e, s in zip(xs[2:], pads, extents, stride)
    )
    saved = SavedColumns() if _STATE.recording and needs_grad(w) else None
    if unbatched:
        x = reshape(x, xs)
    out = apply(
        conv2d_p,
        *((x, w) if b is None else (x, w, b)),
        stride=stride,
        padding=fitted,
        dilation=dilation,
        groups=groups,
        saved=saved,
    )
    return reshape(out, out.shape[1:]) if unbatched else out
