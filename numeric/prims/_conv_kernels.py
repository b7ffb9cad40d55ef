"""NumPy kernels of the NCHW convolution: padding, im2col, col2im.

Plain arrays in, plain arrays out; the primitives in
:mod:`numeric.prims.conv2d` wrap them. Geometry arrives already checked and
fitted (see :mod:`numeric.prims.conv_args`): padding is ``((top, bottom),
(left, right))`` where bottom/right may be negative (a crop), stride and
dilation are pairs, and the windows tile the padded input exactly.

The columns are laid out (N, groups, C/groups * kh * kw, Ho * Wo): one
sample's block is the matrix that multiplies the weight, so the forward pass
writes NCHW output directly (no transposed copy), and the weight gradient is a
batch of products against the transposed block (BLAS reads it transposed in
place).
"""

from __future__ import annotations

import numpy as np
from numpy.lib.stride_tricks import as_strided

from numeric.prims import _workspace


def padded(x, padding, fill=0.0):
    """``x`` (N, C, H, W) with ``fill`` rows/columns added (or, for a negative
    bottom/right, trailing ones removed) as ``padding`` says.

    Returns ``x`` itself or a view when nothing is added; otherwise a pooled
    buffer (valid until the caller drops it).
    """
    (pt, pb), (pl, pr) = padding
    n, c, h, w = x.shape
    if pt <= 0 and pb <= 0 and pl <= 0 and pr <= 0:
        return x[:, :, -pt : h + pb if pb else h, -pl : w + pr if pr else w]
    hp, wp = h + pt + pb, w + pl + pr
    out = _workspace.empty((n, c, hp, wp), x.dtype)
    rows = slice(max(pt, 0), max(pt, 0) + h - max(-pt, 0) - max(-pb, 0))
    cols = slice(max(pl, 0), max(pl, 0) + w - max(-pl, 0) - max(-pr, 0))
    out[:, :, rows, cols] = x[
        :, :, max(-pt, 0) : h - max(-pb, 0), max(-pl, 0) : w - max(-pr, 0)
    ]
    # fill only the border: the interior was just written
    out[:, :, : rows.start] = fill
    out[:, :, rows.stop :] = fill
    out[:, :, rows, : cols.start] = fill
    out[:, :, rows, cols.stop :] = fill
    return out


def unpadded(xp, padding, size):
    """The inverse of :func:`padded` for a gradient: the (H, W) interior of
    ``xp``, with zeros for input rows/columns the padding cropped away."""
    (pt, pb), (pl, pr) = padding
    h, w = size
    if pb >= 0 and pr >= 0:
        return xp[:, :, pt : pt + h, pl : pl + w]
    out = np.zeros(xp.shape[:2] + (h, w), xp.dtype)
    rows, cols = h + min(pb, 0), w + min(pr, 0)
    out[:, :, :rows, :cols] = xp[:, :, pt : pt + rows, pl : pl + cols]
    return out


def out_size(xp_shape, kernel, stride, dilation) -> tuple:
    return tuple(
        (xp_shape[2 + i] - dilation[i] * (kernel[i] - 1) - 1) // stride[i] + 1
        for i in (0, 1)
    )


def window_view(xp, kernel, stride, dilation, out_hw, groups=1):
    """(N, G, C/G, kh, kw, Ho, Wo) strided view of every window of ``xp``."""
    n, c, _, _ = xp.shape
    s0, s1, s2, s3 = xp.strides
    cg = c // groups
    return as_strided(
        xp,
        (n, groups, cg, kernel[0], kernel[1], out_hw[0], out_hw[1]),
        (
            s0,
            cg * s1,
            s1,
            dilation[0] * s2,
            dilation[1] * s3,
            stride[0] * s2,
            stride[1] * s3,
        ),
        writeable=False,
    )


def im2col(x, kernel, stride, padding, dilation, groups):
    """The (N, G, C/G*kh*kw, Ho*Wo) columns of ``x`` and (Ho, Wo)."""
    xp = padded(x, padding)
    ho, wo = out_size(xp.shape, kernel, stride, dilation)
    return padded_im2col(xp, kernel, stride, dilation, groups, (ho, wo)), (ho, wo)


def padded_im2col(xp, kernel, stride, dilation, groups, out_hw, buffer=None):
    """The columns of an already padded ``xp``, written into ``buffer`` (a
    flat-enough array of xp's dtype) when one is given."""
    n, c = xp.shape[:2]
    kg = (c // groups) * kernel[0] * kernel[1]
    p = out_hw[0] * out_hw[1]
    if kernel == (1, 1) and stride == (1, 1) and xp.flags.c_contiguous:
        return xp.reshape(n, groups, kg, p)  # the input is its own columns
    shape = (n, groups, c // groups, *kernel, *out_hw)
    if buffer is None:
        cols = _workspace.empty(shape, xp.dtype)
    else:
        cols = buffer.reshape(-1)[: n * groups * kg * p].reshape(shape)
    np.copyto(cols, window_view(xp, kernel, stride, dilation, out_hw, groups))
    return cols.reshape(n, groups, kg, p)


def chunks(n, per_sample_bytes, budget):
    """(start, stop) ranges of samples whose columns fit in ``budget`` bytes."""
    step = max(1, min(n, budget // max(per_sample_bytes, 1)))
    return [(i, min(i + step, n)) for i in range(0, n, step)], step


def col2im_add(xp, cols, stride, dilation):
    """Add each window's column back into the padded ``xp`` where it came
    from (the transpose of :func:`im2col`); ``cols`` is (N, C, kh, kw, Ho, Wo)."""
    kernel, (ho, wo) = cols.shape[2:4], cols.shape[4:]
    for a in range(kernel[0]):
        r0 = a * dilation[0]
        rows = slice(r0, r0 + stride[0] * (ho - 1) + 1, stride[0])
        for b in range(kernel[1]):
            c0 = b * dilation[1]
            xp[:, :, rows, c0 : c0 + stride[1] * (wo - 1) + 1 : stride[1]] += cols[
                :, :, a, b
            ]


def blas_ready(a):
    """``a`` as an array BLAS can read (a broadcast, stride-0 cotangent such as
    the one ``sum`` sends back is copied once)."""
    if a.flags.c_contiguous:
        return a
    out = _workspace.empty(a.shape, a.dtype)
    np.copyto(out, a)
    return out
