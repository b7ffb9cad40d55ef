"""2-D correlation and convolution with SciPy semantics.

Part of the registry in :mod:`numeric.registry`. ``correlate2d`` and
``convolve2d`` reproduce ``scipy.signal.correlate2d``/``convolve2d`` for the
modes "valid", "full" and "same"; their VJPs are the flip-180 identities written
with the same two primitives, so they differentiate again. The batched NCHW
``conv2d`` is in :mod:`numeric.prims.conv2d`, the N-d ``convolve`` and
``correlate`` in :mod:`numeric.prims.conv_nd`.
"""

from __future__ import annotations

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from numeric.errors import ArgumentError, ShapeError
from numeric.prims.shape import getitem_p, pad
from numeric.registry import defprim, defvjp, needs_grad
from numeric.tape import Tensor, TensorLike, apply

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


def correlate2d(x: TensorLike, w: TensorLike, mode: str = "valid") -> Tensor:
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


def convolve2d(x: TensorLike, w: TensorLike, mode: str = "valid") -> Tensor:
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
