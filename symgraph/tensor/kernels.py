"""NumPy kernels of the tensor ops that are more than one NumPy call.

Each kernel is kept as source text, executed once here (the registry's NumPy
functions are these very functions) and copied verbatim into generated
modules, which therefore import only NumPy and compute exactly what
``evaluate`` and ``lambdify`` compute. Stable forms: softmax and friends
shift by the maximum; sigmoid takes ``exp`` of ``-|x|`` only.
"""

from __future__ import annotations

import numpy as np

__all__ = ["HELPERS", "KERNELS", "helper_source"]

HELPERS = {
    "_sigmoid": '''\
def _sigmoid(x):
    """1 / (1 + exp(-x)), stable: exp of -|x| only."""
    with np.errstate(under="ignore"):
        e = np.exp(-np.abs(x))
        return np.where(x >= 0, 1 / (1 + e), e / (1 + e))''',
    "_softmax": '''\
def _softmax(x, axis):
    """exp(x) / sum(exp(x)) along axis (all axes for None), shifted by the max."""
    with np.errstate(under="ignore"):
        e = np.exp(x - np.max(x, axis=axis, keepdims=True))
        return e / np.sum(e, axis=axis, keepdims=True)''',
    "_log_softmax": '''\
def _log_softmax(x, axis):
    """x - logsumexp(x) along axis, with the maximum subtracted first."""
    s = x - np.max(x, axis=axis, keepdims=True)
    with np.errstate(under="ignore"):
        return s - np.log(np.sum(np.exp(s), axis=axis, keepdims=True))''',
    "_logsumexp": '''\
def _logsumexp(x, axis, keepdims):
    """log(sum(exp(x))) along axis (all axes for None), shifted by the max."""
    m = np.max(x, axis=axis, keepdims=True)
    with np.errstate(under="ignore"):
        out = np.log(np.sum(np.exp(x - m), axis=axis, keepdims=True)) + m
    return out if keepdims else np.squeeze(out, axis=axis)''',
    "_correlate2d": '''\
def _correlate2d(x, w, mode):
    """2-D cross-correlation, scipy.signal.correlate2d's "valid"/"full"."""
    kh, kw = w.shape
    if mode == "full":
        x = np.pad(x, ((kh - 1, kh - 1), (kw - 1, kw - 1)))
    win = np.lib.stride_tricks.sliding_window_view(x, (kh, kw))
    return np.tensordot(win, w, axes=([2, 3], [0, 1]))''',
    "_convolve2d": '''\
def _convolve2d(x, w, mode):
    """2-D convolution: correlation with the kernel rotated by 180 degrees."""
    return _correlate2d(x, w[::-1, ::-1], mode)''',
    "_windows": '''\
def _windows(x, size, stride, padding=(0, 0)):
    """Windows (..., Ho, Wo, kh, kw) of the last two axes, zero-padded."""
    if padding != (0, 0):
        pad = [(0, 0)] * (x.ndim - 2) + [(padding[0],) * 2, (padding[1],) * 2]
        x = np.pad(x, pad)
    win = np.lib.stride_tricks.sliding_window_view(x, size, axis=(-2, -1))
    return win[..., :: stride[0], :: stride[1], :, :]''',
    "_scatter_windows": '''\
def _scatter_windows(cols, shape, stride, padding=(0, 0)):
    """Adjoint of _windows: add cols (..., Ho, Wo, kh, kw) back into shape."""
    ho, wo, kh, kw = cols.shape[-4:]
    h, w = shape[-2] + 2 * padding[0], shape[-1] + 2 * padding[1]
    out = np.zeros(tuple(shape[:-2]) + (h, w))
    for a in range(kh):
        for b in range(kw):
            rows = slice(a, a + stride[0] * (ho - 1) + 1, stride[0])
            cols_ = slice(b, b + stride[1] * (wo - 1) + 1, stride[1])
            out[..., rows, cols_] += cols[..., a, b]
    return out[..., padding[0] : padding[0] + shape[-2], padding[1] : padding[1] + shape[-1]]''',
    "_conv2d": '''\
def _conv2d(x, w, stride, padding):
    """Batched cross-correlation, NCHW input and OIHW weight (PyTorch's conv2d)."""
    win = _windows(x, w.shape[2:], stride, padding)  # N, C, Ho, Wo, kh, kw
    out = np.tensordot(win, w, axes=([1, 4, 5], [1, 2, 3]))  # N, Ho, Wo, O
    return out.transpose(0, 3, 1, 2)''',
    "_conv2d_grad_input": '''\
def _conv2d_grad_input(g, w, x, stride, padding):
    """The adjoint of x -> conv2d(x, w): scatter g W back into x's shape."""
    cols = np.tensordot(g, w, axes=([1], [0]))  # N, Ho, Wo, C, kh, kw
    return _scatter_windows(cols.transpose(0, 3, 1, 2, 4, 5), np.shape(x), stride, padding)''',
    "_conv2d_grad_weight": '''\
def _conv2d_grad_weight(x, g, w, stride, padding):
    """The adjoint of w -> conv2d(x, w): correlate the input with g."""
    win = _windows(x, np.shape(w)[2:], stride, padding)  # N, C, Ho, Wo, kh, kw
    return np.tensordot(g, win, axes=([0, 2, 3], [0, 2, 3]))''',
    "_max_pool2d": '''\
def _max_pool2d(x, size, stride):
    """Maximum over windows of the last two axes."""
    return np.max(_windows(x, size, stride), axis=(-2, -1))''',
    "_max_pool2d_grad": '''\
def _max_pool2d_grad(g, x, size, stride):
    """Adjoint of max pooling: each window's g goes to its first maximum."""
    win = _windows(x, size, stride)
    flat = win.reshape(win.shape[:-2] + (-1,))
    hit = np.arange(flat.shape[-1]) == np.argmax(flat, axis=-1)[..., None]
    cols = (hit * np.asarray(g)[..., None]).reshape(win.shape)
    return _scatter_windows(cols, x.shape, stride)''',
    "_avg_pool2d": '''\
def _avg_pool2d(x, size, stride):
    """Mean over windows of the last two axes."""
    return np.mean(_windows(x, size, stride), axis=(-2, -1))''',
    "_avg_pool2d_grad": '''\
def _avg_pool2d_grad(g, x, size, stride):
    """Adjoint of average pooling: g / (kh * kw) to every entry of each window."""
    share = np.asarray(g)[..., None, None] / (size[0] * size[1])
    cols = np.broadcast_to(share, np.shape(g) + tuple(size))
    return _scatter_windows(cols, np.shape(x), stride)''',
}

# helpers a helper calls
_DEPENDS = {
    "_convolve2d": ("_correlate2d",),
    "_conv2d": ("_windows",),
    "_conv2d_grad_input": ("_scatter_windows",),
    "_conv2d_grad_weight": ("_windows",),
    "_max_pool2d": ("_windows",),
    "_max_pool2d_grad": ("_windows", "_scatter_windows"),
    "_avg_pool2d": ("_windows",),
    "_avg_pool2d_grad": ("_scatter_windows",),
}


def helper_source(names) -> list:
    """Source texts of ``names`` and the helpers they call, dependencies first."""
    out: list = []

    def add(name):
        for dep in _DEPENDS.get(name, ()):
            add(dep)
        if name not in out:
            out.append(name)

    for n in names:
        add(n)
    return [HELPERS[n] for n in out]


KERNELS: dict = {"np": np}
for _src in HELPERS.values():
    exec(compile(_src, "<symgraph.tensor.kernels>", "exec"), KERNELS)  # our own source
