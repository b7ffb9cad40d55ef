"""2-D correlation and convolution (SciPy semantics) and NCHW ``conv2d``.

Part of the registry in :mod:`numeric.registry`. ``correlate2d`` and
``convolve2d`` reproduce ``scipy.signal.correlate2d``/``convolve2d`` for the
modes "valid", "full" and "same"; their VJPs are the flip-180 identities written
with the same two primitives, so they differentiate again. ``conv2d`` is
PyTorch's cross-correlation on batches, computed as im2col (a strided window
view copied once, the batch folded into its columns) and one matrix product;
its two VJPs are primitives of their own, and the
three are each other's transposes.
"""

from __future__ import annotations

import numbers

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from numeric.errors import ArgumentError, ShapeError
from numeric.prims.shape import getitem_p, pad, reshape
from numeric.registry import defprim, defvjp, needs_grad
from numeric.tape import Tensor, apply

_MODES = ("valid", "full", "same")


def _shape(x) -> tuple:
    return x.shape if isinstance(x, Tensor) else np.shape(x)


# ----- scipy.signal-style correlate2d / convolve2d -----


def _fits(xs, ws) -> bool:
    """True when the first shape is at least the second in every dimension."""
    return xs[0] >= ws[0] and xs[1] >= ws[1]


def _corr_valid(x, w):
    """sum_{a,b} x[i+a, j+b] w[a, b] for every full overlap (x fits w)."""
    return np.tensordot(sliding_window_view(x, w.shape), w, axes=((2, 3), (0, 1)))


def _corr_full(x, w):
    kh, kw = w.shape
    return _corr_valid(np.pad(x, ((kh - 1, kh - 1), (kw - 1, kw - 1))), w)


def _crop(xs, ws, mode, kind):
    """Offset and shape of a mode's output inside the "full" output.

    Checked against scipy.signal: "same" is centred at w//2 for correlation
    and at (w-1)//2 for convolution (they differ for even kernels); "valid"
    starts at min(x, w) - 1 (also when the kernel is the larger input).
    """
    if mode == "full":
        return (0, 0), (xs[0] + ws[0] - 1, xs[1] + ws[1] - 1)
    if mode == "same":
        if kind == "correlate":
            return (ws[0] // 2, ws[1] // 2), tuple(xs)
        return ((ws[0] - 1) // 2, (ws[1] - 1) // 2), tuple(xs)
    return (
        (min(xs[0], ws[0]) - 1, min(xs[1], ws[1]) - 1),
        (abs(xs[0] - ws[0]) + 1, abs(xs[1] - ws[1]) + 1),
    )


def _check_2d(op, x, w, mode):
    if not isinstance(mode, str) or mode not in _MODES:
        raise ArgumentError(
            f"{op}: mode must be one of 'valid', 'full', 'same', got {mode!r}"
        )
    xs, ws = _shape(x), _shape(w)
    if len(xs) != 2 or len(ws) != 2:
        raise ShapeError(f"{op}: inputs must be 2-D, got shapes {xs} and {ws}")
    if 0 in xs or 0 in ws:
        raise ShapeError(f"{op}: inputs must not be empty, got shapes {xs} and {ws}")
    if mode == "valid" and not (_fits(xs, ws) or _fits(ws, xs)):
        raise ShapeError(
            f"{op}: in 'valid' mode one input must be at least as large as the "
            f"other in every dimension, got shapes {xs} and {ws}"
        )


def _correlate2d_impl(x, w, mode):
    _check_2d("correlate2d", x, w, mode)
    if mode == "valid" and _fits(x.shape, w.shape):
        return _corr_valid(x, w)
    (a, b), (h, v) = _crop(x.shape, w.shape, mode, "correlate")
    return _corr_full(x, w)[a : a + h, b : b + v]


def _convolve2d_impl(x, w, mode):
    _check_2d("convolve2d", x, w, mode)
    flipped = w[::-1, ::-1]
    if mode == "valid" and _fits(x.shape, w.shape):
        return _corr_valid(x, flipped)
    (a, b), (h, v) = _crop(x.shape, w.shape, mode, "convolve")
    return _corr_full(x, flipped)[a : a + h, b : b + v]


correlate2d_p = defprim("correlate2d", _correlate2d_impl, 2)
convolve2d_p = defprim("convolve2d", _convolve2d_impl, 2)


def correlate2d(x, w, mode="valid"):
    """2-D cross-correlation with ``scipy.signal.correlate2d`` semantics.

    Parameters
    ----------
    x, w : Tensor or array_like, 2-D
    mode : {"valid", "full", "same"}
        "valid" accepts either input as the larger one (then, like SciPy, the
        result is the 180-degree rotation of ``correlate2d(w, x)``).

    Returns
    -------
    Tensor
        ``out[i, j] = sum_{a, b} x[i + a, j + b] * w[a, b]`` ("valid").
    """
    _check_2d("correlate2d", x, w, mode)
    return apply(correlate2d_p, x, w, mode=mode)


def convolve2d(x, w, mode="valid"):
    """2-D convolution with ``scipy.signal.convolve2d`` semantics: correlation
    with ``w`` rotated by 180 degrees (and SciPy's own "same" centring)."""
    _check_2d("convolve2d", x, w, mode)
    return apply(convolve2d_p, x, w, mode=mode)


def rot180(x):
    """``x[::-1, ::-1]``: the 180-degree rotation of a 2-D array."""
    return apply(getitem_p, x, index=(slice(None, None, -1), slice(None, None, -1)))


def _embed_full(g, xs, ws, mode, kind):
    """Zero-pad a mode's cotangent to the shape of the "full" output."""
    (a, b), _ = _crop(xs, ws, mode, kind)
    fh, fw = xs[0] + ws[0] - 1, xs[1] + ws[1] - 1
    return pad(g, ((a, fh - a - g.shape[0]), (b, fw - b - g.shape[1])))


def correlate2d_vjp(g, ans, x, w, mode):
    if mode == "valid" and _fits(x.shape, w.shape):
        # Y = X (*) W:  dX = convolve2d(G, W, "full"),  dW = correlate2d(X, G, "valid")
        gx = convolve2d(g, w, "full") if needs_grad(x) else None
        gw = correlate2d(x, g, "valid") if needs_grad(w) else None
        return (gx, gw)
    # every other mode is a crop of "full"; undo the crop, then use the full
    # identities: dX = convolve2d(G_full, W, "valid"), dW = correlate2d(X, G_full, "valid")
    gf = _embed_full(g, x.shape, w.shape, mode, "correlate")
    gx = convolve2d(gf, w, "valid") if needs_grad(x) else None
    gw = correlate2d(x, gf, "valid") if needs_grad(w) else None
    return (gx, gw)


def convolve2d_vjp(g, ans, x, w, mode):
    if mode == "valid" and _fits(x.shape, w.shape):
        # Y = X * W:  dX = correlate2d(G, W, "full"),  dW = rot180(correlate2d(X, G, "valid"))
        gx = correlate2d(g, w, "full") if needs_grad(x) else None
        gw = rot180(correlate2d(x, g, "valid")) if needs_grad(w) else None
        return (gx, gw)
    gf = _embed_full(g, x.shape, w.shape, mode, "convolve")
    gx = correlate2d(gf, w, "valid") if needs_grad(x) else None
    gw = correlate2d(gf, x, "valid") if needs_grad(w) else None
    return (gx, gw)


defvjp(correlate2d_p, correlate2d_vjp)
defvjp(convolve2d_p, convolve2d_vjp)

# ----- conv2d (NCHW, OIHW, PyTorch semantics) -----


def _pair(value, name: str, minimum: int, op: str = "conv2d") -> tuple:
    """``value`` as a pair of ints >= ``minimum`` (an int is used for both)."""
    if isinstance(value, numbers.Integral):
        value = (value, value)
    try:
        pair = tuple(value)
    except TypeError:
        pair = ()
    if len(pair) != 2 or not all(isinstance(v, numbers.Integral) for v in pair):
        raise ArgumentError(
            f"{op}: {name} must be an int or a pair of ints, got {value!r}"
        )
    if min(pair) < minimum:
        raise ArgumentError(f"{op}: {name} must be >= {minimum}, got {value!r}")
    return (int(pair[0]), int(pair[1]))


def _im2col(x, kernel, stride, padding):
    """The (C*kh*kw, N*Ho*Wo) matrix of input windows (im2col), and (Ho, Wo).

    A strided window view of the padded input, copied once with the batch
    folded into the columns, so that each pass below is one matrix product
    (one large GEMM keeps BLAS's threads busy where N small ones do not).
    """
    (ph, pw), (sh, sw) = padding, stride
    if ph or pw:
        x = np.pad(x, ((0, 0), (0, 0), (ph, ph), (pw, pw)))
    win = sliding_window_view(x, kernel, axis=(2, 3))[:, :, ::sh, ::sw]
    n, c, ho, wo, kh, kw = win.shape
    cols = win.transpose(1, 4, 5, 0, 2, 3).reshape(c * kh * kw, n * ho * wo)
    return cols, (ho, wo)


def _channels_first(g):
    """(N, O, Ho, Wo) -> the (O, N*Ho*Wo) matrix, copied once (which also
    gives a broadcast, stride-0 cotangent the unit strides BLAS needs)."""
    return g.transpose(1, 0, 2, 3).reshape(g.shape[1], -1)


def _conv2d_impl(x, w, stride, padding):
    cols, (ho, wo) = _im2col(x, w.shape[2:], stride, padding)
    # Y (O, N*Ho*Wo) = W (O, C*kh*kw) @ cols, returned as an NCHW view
    out = w.reshape(w.shape[0], -1) @ cols
    return out.reshape(w.shape[0], x.shape[0], ho, wo).transpose(1, 0, 2, 3)


def _conv2d_weight_grad_impl(x, g, stride, padding, w_shape):
    # dW[o, c, a, b] = sum_{n, i, j} g[n, o, i, j] * xpad[n, c, i*s + a, j*s + b]
    cols, _ = _im2col(x, tuple(w_shape[2:]), stride, padding)
    return (_channels_first(g) @ cols.T).reshape(w_shape)


def _conv2d_input_grad_impl(g, w, stride, padding, x_shape):
    (sh, sw), (ph, pw) = stride, padding
    n, c, h, v = x_shape
    o, _, kh, kw = w.shape
    ho, wo = g.shape[2:]
    # cols[c, a, b, n, i, j] = sum_o w[o, c, a, b] g[n, o, i, j]; col2im adds
    # each kernel offset's slab back where its windows came from
    cols = (w.reshape(o, -1).T @ _channels_first(g)).reshape(c, kh, kw, n, ho, wo)
    out = np.zeros((c, n, h + 2 * ph, v + 2 * pw))
    for a in range(kh):
        for b in range(kw):
            rows = slice(a, a + sh * (ho - 1) + 1, sh)
            cols_ = slice(b, b + sw * (wo - 1) + 1, sw)
            out[:, :, rows, cols_] += cols[:, a, b]
    return out[:, :, ph : ph + h, pw : pw + v].transpose(1, 0, 2, 3)


conv2d_p = defprim("conv2d", _conv2d_impl, 2)
conv2d_weight_grad_p = defprim("conv2d_weight_grad", _conv2d_weight_grad_impl, 2)
conv2d_input_grad_p = defprim("conv2d_input_grad", _conv2d_input_grad_impl, 2)


def conv2d(x, w, b=None, stride=1, padding=0):
    """Batched 2-D cross-correlation, as ``torch.nn.functional.conv2d``.

    Parameters
    ----------
    x : Tensor or array_like, shape (N, C, H, W)
    w : Tensor or array_like, shape (O, C, kh, kw)
    b : Tensor or array_like, shape (O,), optional
    stride, padding : int or pair of ints
        Zero padding is added on both sides of each spatial axis.

    Returns
    -------
    Tensor of shape (N, O, Ho, Wo), ``Ho = (H + 2*ph - kh) // sh + 1``.
    """
    stride = _pair(stride, "stride", 1)
    padding = _pair(padding, "padding", 0)
    xs, ws = _shape(x), _shape(w)
    if len(xs) != 4 or len(ws) != 4:
        raise ShapeError(
            f"conv2d: input must be (N, C, H, W) and weight (O, C, kh, kw), "
            f"got shapes {xs} and {ws}"
        )
    if xs[1] != ws[1]:
        raise ShapeError(
            f"conv2d: input has {xs[1]} channels but weight expects {ws[1]} "
            f"(shapes {xs} and {ws})"
        )
    for i in (0, 1):
        if xs[2 + i] + 2 * padding[i] < ws[2 + i]:
            raise ShapeError(
                f"conv2d: kernel {ws[2:]} is larger than the padded input "
                f"(shapes {xs} and {ws}, padding {padding})"
            )
    out = apply(conv2d_p, x, w, stride=stride, padding=padding)
    if b is not None:
        if _shape(b) != (ws[0],):
            raise ShapeError(
                f"conv2d: bias must have shape ({ws[0]},), got {_shape(b)}"
            )
        out = out + reshape(b, (1, ws[0], 1, 1))
    return out


def conv2d_vjp(g, ans, x, w, stride, padding):
    gx = gw = None
    if needs_grad(x):
        gx = apply(
            conv2d_input_grad_p, g, w, stride=stride, padding=padding, x_shape=x.shape
        )
    if needs_grad(w):
        gw = apply(
            conv2d_weight_grad_p, x, g, stride=stride, padding=padding, w_shape=w.shape
        )
    return (gx, gw)


def conv2d_input_grad_vjp(gg, ans, g, w, stride, padding, x_shape):
    # input_grad(g, w) is the transpose of x -> conv2d(x, w): <input_grad(g, w), X> = <g, conv2d(X, w)>
    gg_g = (
        apply(conv2d_p, gg, w, stride=stride, padding=padding)
        if needs_grad(g)
        else None
    )
    gg_w = None
    if needs_grad(w):
        gg_w = apply(
            conv2d_weight_grad_p, gg, g, stride=stride, padding=padding, w_shape=w.shape
        )
    return (gg_g, gg_w)


def conv2d_weight_grad_vjp(gw, ans, x, g, stride, padding, w_shape):
    # <weight_grad(x, g), W> = <g, conv2d(x, W)>
    gx = None
    if needs_grad(x):
        gx = apply(
            conv2d_input_grad_p, g, gw, stride=stride, padding=padding, x_shape=x.shape
        )
    gg = (
        apply(conv2d_p, x, gw, stride=stride, padding=padding)
        if needs_grad(g)
        else None
    )
    return (gx, gg)


defvjp(conv2d_p, conv2d_vjp)
defvjp(conv2d_input_grad_p, conv2d_input_grad_vjp)
defvjp(conv2d_weight_grad_p, conv2d_weight_grad_vjp)
