"""Tensor exercises on NumPy object arrays of nodes.

``symbols_array`` makes a grid of named symbols; ``correlate2d`` and
``convolve2d`` follow ``scipy.signal.correlate2d`` / ``convolve2d`` for the
modes "valid", "full" and "same", so each output entry is an explicit sum of
products whose gradients a student can read off entry by entry.
"""

from __future__ import annotations

import itertools

import numpy as np

from .errors import ShapeError
from .extensions import tensor as _tensor
from .node import Node, as_node, const, make, symbol

__all__ = [
    "avg_pool2d",
    "convolve2d",
    "correlate2d",
    "elementwise",
    "max_pool2d",
    "symbols_array",
]


def symbols_array(prefix: str, shape) -> np.ndarray:
    """Object array of symbols named ``prefix_i_j...`` (``X_0_0``, ``X_0_1`` ...).

    Examples
    --------
    >>> import symgraph as sg
    >>> sg.symbols_array("W", (2, 2))
    array([[W_0_0, W_0_1],
           [W_1_0, W_1_1]], dtype=object)
    """
    shape = (shape,) if isinstance(shape, int) else tuple(shape)
    out = np.empty(shape, dtype=object)
    for idx in itertools.product(*(range(n) for n in shape)):
        out[idx] = symbol("_".join([prefix, *map(str, idx)]))
    return out


def _as_object_2d(a, what: str) -> np.ndarray:
    arr = np.asarray(a, dtype=object)
    if arr.ndim != 2:
        raise ShapeError(f"{what} must be 2-D, got shape {arr.shape}")
    out = np.empty(arr.shape, dtype=object)
    for idx in np.ndindex(arr.shape):
        out[idx] = as_node(arr[idx])
    return out


def _sum(terms: list) -> Node:
    if not terms:
        return const(0)
    acc = terms[0]
    for t in terms[1:]:
        acc = make("add", acc, t)
    return acc


def _full_correlation(x: np.ndarray, w: np.ndarray) -> np.ndarray:
    """out[i, j] = sum_mn x[i + m - (kh-1), j + n - (kw-1)] * w[m, n], x zero outside."""
    (h, wd), (kh, kw) = x.shape, w.shape
    out = np.empty((h + kh - 1, wd + kw - 1), dtype=object)
    for i, j in np.ndindex(out.shape):
        terms = []
        for m in range(kh):
            r = i + m - (kh - 1)
            if not 0 <= r < h:
                continue
            for n in range(kw):
                c = j + n - (kw - 1)
                if 0 <= c < wd:
                    terms.append(make("mul", x[r, c], w[m, n]))
        out[i, j] = _sum(terms)
    return out


def _select(
    full: np.ndarray, s1, s2, mode: str, correlation: bool = False
) -> np.ndarray:
    """Cut SciPy's "valid" / "same" windows out of a full result.

    SciPy centres "same" on the convolution; a correlation is a convolution
    with the kernel reversed, which moves the centre by one for even sizes.
    """
    if mode == "full":
        return full
    if mode == "same":
        starts = [(f - n + correlation) // 2 for f, n in zip(full.shape, s1)]
        return full[starts[0] : starts[0] + s1[0], starts[1] : starts[1] + s1[1]]
    if mode == "valid":
        if all(a >= b for a, b in zip(s1, s2)):
            small = s2
        elif all(b >= a for a, b in zip(s1, s2)):
            small = s1
        else:
            raise ShapeError(
                f"valid mode needs one input at least as large as the other in every "
                f"dimension, got shapes {tuple(s1)} and {tuple(s2)}"
            )
        size = [abs(a - b) + 1 for a, b in zip(s1, s2)]
        st = [k - 1 for k in small]
        return full[st[0] : st[0] + size[0], st[1] : st[1] + size[1]]
    raise ValueError(f"mode must be 'valid', 'full' or 'same', not {mode!r}")


def correlate2d(x, w, mode: str = "valid") -> np.ndarray:
    """2-D cross-correlation of object arrays, as ``scipy.signal.correlate2d``.

    Parameters
    ----------
    x, w : 2-D arrays of nodes or numbers
    mode : "valid", "full" or "same"

    Returns
    -------
    Object array of nodes; entry ``(i, j)`` of "valid" mode is
    ``sum_mn x[i+m, j+n] * w[m, n]``.

    Examples
    --------
    >>> import symgraph as sg
    >>> X, W = sg.symbols_array("x", (2, 2)), sg.symbols_array("w", (1, 2))
    >>> sg.correlate2d(X, W)
    array([[x_0_0 * w_0_0 + x_0_1 * w_0_1],
           [x_1_0 * w_0_0 + x_1_1 * w_0_1]], dtype=object)
    """
    # tensor hook: tensor expressions go to symgraph.tensor
    if _tensor.involved(x, w):
        return _tensor.correlate2d(x, w, mode)
    if mode not in ("valid", "full", "same"):
        raise ValueError(f"mode must be 'valid', 'full' or 'same', not {mode!r}")
    xo, wo = _as_object_2d(x, "x"), _as_object_2d(w, "w")
    if mode == "valid":
        _select(
            np.empty((xo.shape[0] + wo.shape[0] - 1, xo.shape[1] + wo.shape[1] - 1)),
            xo.shape,
            wo.shape,
            mode,
        )  # shape check before the work
    return _select(
        _full_correlation(xo, wo), xo.shape, wo.shape, mode, correlation=True
    )


def convolve2d(x, w, mode: str = "valid") -> np.ndarray:
    """2-D convolution of object arrays, as ``scipy.signal.convolve2d``.

    Convolution is correlation with the kernel rotated by 180 degrees.
    """
    # tensor hook: tensor expressions go to symgraph.tensor
    if _tensor.involved(x, w):
        return _tensor.convolve2d(x, w, mode)
    if mode not in ("valid", "full", "same"):
        raise ValueError(f"mode must be 'valid', 'full' or 'same', not {mode!r}")
    xo, wo = _as_object_2d(x, "x"), _as_object_2d(w, "w")
    if mode == "valid":
        _select(
            np.empty((xo.shape[0] + wo.shape[0] - 1, xo.shape[1] + wo.shape[1] - 1)),
            xo.shape,
            wo.shape,
            mode,
        )
    return _select(_full_correlation(xo, wo[::-1, ::-1]), xo.shape, wo.shape, mode)


def elementwise(op: str, *operands):
    """Apply op elementwise when any operand is an array, else to the nodes."""
    # tensor hook: tensor expressions go to symgraph.tensor
    if _tensor.involved(*operands):
        return _tensor.elementwise(op, *operands)
    if any(isinstance(o, np.ndarray) for o in operands):
        arrays = np.broadcast_arrays(*[np.asarray(o, dtype=object) for o in operands])
        out = np.empty(arrays[0].shape, dtype=object)
        for idx in np.ndindex(out.shape):
            out[idx] = make(op, *[as_node(a[idx]) for a in arrays])
        return out
    return make(op, *[as_node(o) for o in operands])


# ----- Pooling ----------------------------------------------------------------
def _pool_windows(x, size, stride, what: str):
    """Validate a pooling call; yield (output index, window entries row-major)."""
    arr = np.asarray(x, dtype=object)
    if arr.ndim < 2:
        raise ShapeError(f"{what}: input must be at least 2-D, got shape {arr.shape}")
    kh, kw = _pair(size, "size", what)
    sh, sw = (kh, kw) if stride is None else _pair(stride, "stride", what)
    h, w = arr.shape[-2:]
    if kh > h or kw > w:
        raise ShapeError(f"{what}: window {(kh, kw)} is larger than the input {(h, w)}")
    out_shape = arr.shape[:-2] + ((h - kh) // sh + 1, (w - kw) // sw + 1)
    windows = []
    for idx in np.ndindex(out_shape):
        *lead, i, j = idx
        block = arr[(*lead, slice(i * sh, i * sh + kh), slice(j * sw, j * sw + kw))]
        windows.append((idx, [as_node(v) for v in block.ravel()]))
    return out_shape, windows


def _pair(v, what: str, op: str) -> tuple:
    pair = (v, v) if isinstance(v, (int, np.integer)) else tuple(v)
    if (
        len(pair) != 2
        or not all(
            isinstance(p, (int, np.integer)) and not isinstance(p, bool) for p in pair
        )
        or min(pair) < 1
    ):
        raise ValueError(
            f"{op}: {what} must be a positive int or a pair of them, not {v!r}"
        )
    return int(pair[0]), int(pair[1])


def max_pool2d(x, size, stride=None) -> np.ndarray:
    """Max pooling over the last two axes of an object array.

    Each output entry is one ``maxpool(v0, v1, ...)`` node over its window in
    row-major order. Backpropagation through it is the max gate's routing:
    the whole gradient goes to the window's largest entry, and at a tie to
    the first of the tied entries, exactly as ``numeric.max_pool2d`` does
    (where ``max(v0, v1, ...)`` would split a tie evenly).

    Parameters
    ----------
    x : array of nodes or numbers, at least 2-D (leading axes are kept,
        e.g. channels)
    size : int or (int, int), the window
    stride : int or (int, int), default ``size`` (non-overlapping windows)

    Returns
    -------
    Object array of shape ``x.shape[:-2] + ((H - kh) // sh + 1, (W - kw) // sw + 1)``.

    Examples
    --------
    >>> import symgraph as sg
    >>> sg.max_pool2d(sg.symbols_array("x", (1, 2)), (1, 2))
    array([[maxpool(x_0_0, x_0_1)]], dtype=object)
    """
    # tensor hook: tensor expressions go to symgraph.tensor
    if _tensor.involved(x):
        return _tensor.max_pool2d(x, size, stride)
    out_shape, windows = _pool_windows(x, size, stride, "max_pool2d")
    out = np.empty(out_shape, dtype=object)
    for idx, entries in windows:
        out[idx] = (
            make("maxpool", *entries) if len(entries) > 1 else as_node(entries[0])
        )
    return out


def avg_pool2d(x, size, stride=None) -> np.ndarray:
    """Average pooling over the last two axes: each window's sum divided by its size.

    Parameters as :func:`max_pool2d`. Backpropagation spreads each upstream
    gradient evenly, ``1 / (kh * kw)`` to every entry of the window.

    Examples
    --------
    >>> import symgraph as sg
    >>> sg.avg_pool2d(sg.symbols_array("x", (1, 2)), (1, 2))
    array([[(x_0_0 + x_0_1) / 2]], dtype=object)
    """
    # tensor hook: tensor expressions go to symgraph.tensor
    if _tensor.involved(x):
        return _tensor.avg_pool2d(x, size, stride)
    out_shape, windows = _pool_windows(x, size, stride, "avg_pool2d")
    out = np.empty(out_shape, dtype=object)
    for idx, entries in windows:
        out[idx] = make("div", _sum(entries), const(len(entries)))
    return out
