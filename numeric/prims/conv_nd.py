"""N-d ``convolve`` and ``correlate`` with ``scipy.signal`` semantics.

Part of the registry in :mod:`numeric.registry`. With ``axes=None`` they are
``scipy.signal.convolve`` / ``correlate`` (all axes, modes "full", "valid",
"same"); with ``axes`` they follow ``scipy.signal.fftconvolve``: only those
axes are convolved, the others broadcast. Correlation is convolution with the
kernel flipped along the convolved axes, in every mode (SciPy's N-d
``correlate`` centres "same" like ``convolve``, unlike ``correlate2d``).

Every mode is a crop of "full", so each VJP pads the cotangent back to the
"full" shape and uses the flip identities, written with the same primitives:
for ``y = convolve(x, w, "full")``, ``dx = correlate(g, w, "valid")`` and
``dw = correlate(g, x, "valid")``; for ``y = correlate(x, w, "full")``,
``dx = convolve(g, w, "valid")`` and ``dw = flip(correlate(g, x, "valid"))``.
"""

from __future__ import annotations

import numbers
from collections.abc import Sequence

import numpy as np

from numeric.errors import ArgumentError, ShapeError
from numeric.prims.conv_args import shape_of
from numeric.prims.reduce import unbroadcast
from numeric.prims.shape import pad
from numeric.registry import defprim, defvjp, needs_grad
from numeric.tape import Tensor, TensorLike, apply

_MODES = ("full", "valid", "same")


def _axes_arg(op, axes, ndim):
    if axes is None:
        return tuple(range(ndim))
    try:
        items = [
            int(a) for a in ((axes,) if isinstance(axes, numbers.Integral) else axes)
        ]
    except (TypeError, ValueError):
        raise ArgumentError(
            f"{op}: axes must be an int, a sequence of ints or None, got {axes!r}"
        ) from None
    if any(not -ndim <= a < ndim for a in items):
        raise ArgumentError(f"{op}: axes {axes!r} out of range for {ndim}-d inputs")
    out = tuple(sorted({a % ndim for a in items}))
    if len(out) != len(items):
        raise ArgumentError(f"{op}: axes {axes!r} repeat an axis")
    return out


def _check(op, x, w, mode, axes):
    """Checked axes (a sorted tuple) of a convolve / correlate call."""
    if not isinstance(mode, str) or mode not in _MODES:
        raise ArgumentError(
            f"{op}: mode must be 'full', 'valid' or 'same', got {mode!r}"
        )
    xs, ws = shape_of(x), shape_of(w)
    if len(xs) != len(ws):
        raise ShapeError(
            f"{op}: inputs must have the same number of dimensions, got shapes {xs} and {ws}"
        )
    if 0 in xs or 0 in ws:
        raise ShapeError(f"{op}: inputs must not be empty, got shapes {xs} and {ws}")
    axes = _axes_arg(op, axes, len(xs))
    for i in range(len(xs)):
        if i in axes:
            continue
        if xs[i] != ws[i] and 1 not in (xs[i], ws[i]):
            raise ShapeError(
                f"{op}: axis {i} is not convolved, so its sizes must match or one be 1 "
                f"(broadcast), got shapes {xs} and {ws}"
            )
        if mode == "same" and ws[i] > xs[i]:
            # SciPy would crop the broadcast axis back to x's size 1 (keeping
            # one arbitrary slice); refuse instead of guessing
            raise ShapeError(
                f"{op}: in 'same' mode the output has the first input's shape, so "
                f"the second may not broadcast it along axis {i} (shapes {xs} and {ws})"
            )
    if mode == "valid":
        bigger = all(xs[a] >= ws[a] for a in axes)
        smaller = all(xs[a] <= ws[a] for a in axes)
        if not (bigger or smaller):
            raise ShapeError(
                f"{op}: in 'valid' mode one input must be at least as large as the "
                f"other along every convolved axis {axes}, got shapes {xs} and {ws}"
            )
    return axes


def _full_shape(xs, ws, axes):
    return tuple(
        xs[i] + ws[i] - 1 if i in axes else max(xs[i], ws[i]) for i in range(len(xs))
    )


def _crop(xs, ws, mode, axes):
    """Start and size of a mode's output inside "full", per axis (SciPy's
    ``_centered``: the offset is (full - out) // 2)."""
    full = _full_shape(xs, ws, axes)
    if mode == "full":
        out = full
    elif mode == "same":
        out = tuple(xs[i] if i in axes else full[i] for i in range(len(xs)))
    else:
        out = tuple(
            abs(xs[i] - ws[i]) + 1 if i in axes else full[i] for i in range(len(xs))
        )
    return tuple((f - o) // 2 for f, o in zip(full, out)), out


def _corr_valid(a, b, axes):
    """sum_k a[n + k] * b[k] along ``axes`` (a at least b there), broadcasting
    the other axes; a loop over b's taps, each a vectorised multiply-add."""
    k_shape = tuple(b.shape[i] for i in axes)
    out_shape = tuple(
        a.shape[i] - b.shape[i] + 1 if i in axes else max(a.shape[i], b.shape[i])
        for i in range(a.ndim)
    )
    out = np.zeros(out_shape, np.result_type(a, b))
    for k in np.ndindex(*k_shape):
        src = [slice(None)] * a.ndim
        tap = [slice(None)] * a.ndim
        for axis, offset in zip(axes, k):
            src[axis] = slice(offset, offset + out_shape[axis])
            tap[axis] = slice(offset, offset + 1)
        out += a[tuple(src)] * b[tuple(tap)]
    return out


def _flip(a, axes):
    return a[
        tuple(
            slice(None, None, -1) if i in axes else slice(None) for i in range(a.ndim)
        )
    ]


def _convolve_full(x, w, axes):
    # convolution commutes: loop over the taps of the smaller operand
    if np.prod([w.shape[i] for i in axes]) > np.prod([x.shape[i] for i in axes]):
        x, w = w, x
    widths = [(w.shape[i] - 1,) * 2 if i in axes else (0, 0) for i in range(x.ndim)]
    return _corr_valid(np.pad(x, widths), _flip(w, axes), axes)


def _convolve_impl(x, w, mode, axes):
    (start, size) = _crop(x.shape, w.shape, mode, axes)
    if mode == "valid" and all(x.shape[i] >= w.shape[i] for i in axes):
        return _corr_valid(x, _flip(w, axes), axes)
    full = _convolve_full(x, w, axes)
    return full[tuple(slice(s, s + n) for s, n in zip(start, size))]


def _correlate_impl(x, w, mode, axes):
    return _convolve_impl(x, _flip(w, axes), mode, axes)


def _flip_impl(x, axes):
    return _flip(x, axes)


convolve_p = defprim("convolve", _convolve_impl, 2)
correlate_p = defprim("correlate", _correlate_impl, 2)
flip_p = defprim("flip", _flip_impl, 1)


def flip(x, axes) -> Tensor:
    """``x`` reversed along ``axes`` (a tuple of ints), like ``np.flip``."""
    return apply(flip_p, x, axes=tuple(axes))


def _full_cotangent(g, xs, ws, mode, axes):
    """Zero-pad a mode's cotangent to the "full" shape (the crop's transpose)."""
    if mode == "full":
        return g
    start, _ = _crop(xs, ws, mode, axes)
    full = _full_shape(xs, ws, axes)
    return pad(g, [(s, f - s - n) for s, f, n in zip(start, full, g.shape)])


def convolve_vjp(g, ans, x, w, mode, axes):
    gf = _full_cotangent(g, x.shape, w.shape, mode, axes)
    gx = gw = None
    if needs_grad(x):
        gx = unbroadcast(apply(correlate_p, gf, w, mode="valid", axes=axes), x.shape)
    if needs_grad(w):
        gw = unbroadcast(apply(correlate_p, gf, x, mode="valid", axes=axes), w.shape)
    return (gx, gw)


def correlate_vjp(g, ans, x, w, mode, axes):
    gf = _full_cotangent(g, x.shape, w.shape, mode, axes)
    gx = gw = None
    if needs_grad(x):
        gx = unbroadcast(apply(convolve_p, gf, w, mode="valid", axes=axes), x.shape)
    if needs_grad(w):
        flipped = flip(apply(correlate_p, gf, x, mode="valid", axes=axes), axes)
        gw = unbroadcast(flipped, w.shape)
    return (gx, gw)


def flip_vjp(g, ans, x, axes):
    return (flip(g, axes),)


defvjp(convolve_p, convolve_vjp)
defvjp(correlate_p, correlate_vjp)
defvjp(flip_p, flip_vjp)


def convolve(
    x: TensorLike, w: TensorLike, mode: str = "full", axes: Sequence[int] | None = None
) -> Tensor:
    """N-d convolution, as ``scipy.signal.convolve`` (and, given ``axes``, as
    ``scipy.signal.fftconvolve``).

    Parameters
    ----------
    x, w : Tensor or array_like
        Two arrays with the same number of dimensions.
    mode : {"full", "valid", "same"}
        "full": every overlap; "valid": only full overlaps (either input may
        be the larger one, as in SciPy); "same": the size of ``x``, centred
        in "full" (offset ``(k - 1) // 2`` for a kernel of size ``k``).
    axes : int, sequence of ints or None
        The axes to convolve (default: all). Along the others the sizes must
        match or one be 1, and broadcast (in "same" mode only ``w`` may have
        size 1 where ``x`` does not).

    Returns
    -------
    Tensor

    Raises
    ------
    ShapeError
        Different ranks, an empty input, sizes that do not fit ``mode`` or do
        not broadcast.
    ArgumentError
        An unknown mode, or bad ``axes``.

    Examples
    --------
    >>> import numeric as nm
    >>> nm.convolve([1.0, 2.0, 3.0], [0.0, 1.0, 0.5]).data
    array([0. , 1. , 2.5, 4. , 1.5])
    >>> x = np.arange(6.0).reshape(2, 3)
    >>> nm.convolve(x, [[1.0, -1.0]], mode="same", axes=1).data
    array([[0., 1., 1.],
           [3., 1., 1.]])
    """
    axes = _check("convolve", x, w, mode, axes)
    return apply(convolve_p, x, w, mode=mode, axes=axes)


def correlate(
    x: TensorLike, w: TensorLike, mode: str = "full", axes: Sequence[int] | None = None
) -> Tensor:
    """N-d cross-correlation, as ``scipy.signal.correlate``: convolution with
    ``w`` flipped along the convolved axes, in every mode.

    Parameters, returns and errors as :func:`convolve` (``axes`` as
    ``scipy.signal.fftconvolve`` takes it; SciPy's ``correlate`` itself has
    no ``axes``).

    Examples
    --------
    >>> import numeric as nm
    >>> nm.correlate([1.0, 2.0, 3.0], [0.0, 1.0, 0.5]).data
    array([0.5, 2. , 3.5, 3. , 0. ])
    """
    axes = _check("correlate", x, w, mode, axes)
    return apply(correlate_p, x, w, mode=mode, axes=axes)
