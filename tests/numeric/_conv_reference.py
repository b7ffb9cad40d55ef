"""Loop references for the NCHW convolution and pooling tests.

Written from the definitions in PyTorch's documentation, one output (or one
input tap) at a time, sharing no code with ``numeric/prims``: the engine is
checked against these in CI, where PyTorch is not installed.
"""

import numpy as np


def conv2d_ref(x, w, b, stride, padding, dilation, groups):
    """``padding`` is ((top, bottom), (left, right)), zeros."""
    n, c, h, v = x.shape
    o, cg, kh, kw = w.shape
    (pt, pb), (pl, pr) = padding
    xp = np.zeros((n, c, h + pt + pb, v + pl + pr))
    xp[:, :, pt : pt + h, pl : pl + v] = x
    eh, ew = dilation[0] * (kh - 1) + 1, dilation[1] * (kw - 1) + 1
    ho = (xp.shape[2] - eh) // stride[0] + 1
    wo = (xp.shape[3] - ew) // stride[1] + 1
    og = o // groups
    y = np.zeros((n, o, ho, wo))
    for f in range(o):
        group = f // og
        chans = slice(group * cg, (group + 1) * cg)
        for i in range(ho):
            for j in range(wo):
                r, s = i * stride[0], j * stride[1]
                patch = xp[
                    :,
                    chans,
                    r : r + eh : dilation[0],
                    s : s + ew : dilation[1],
                ]
                y[:, f, i, j] = (patch * w[f]).sum(axis=(1, 2, 3))
    if b is not None:
        y += b[None, :, None, None]
    return y


def conv_transpose2d_ref(x, w, b, stride, padding, output_padding, groups, dilation):
    """Each input value scatters ``value * w[c_in]`` onto the output."""
    n, cin, h, v = x.shape
    _, cog, kh, kw = w.shape
    ho = (
        (h - 1) * stride[0]
        - 2 * padding[0]
        + dilation[0] * (kh - 1)
        + output_padding[0]
        + 1
    )
    wo = (
        (v - 1) * stride[1]
        - 2 * padding[1]
        + dilation[1] * (kw - 1)
        + output_padding[1]
        + 1
    )
    cin_g = cin // groups
    y = np.zeros((n, cog * groups, ho, wo))
    for ci in range(cin):
        group = ci // cin_g
        for i in range(h):
            for j in range(v):
                for a in range(kh):
                    for q in range(kw):
                        r = i * stride[0] - padding[0] + a * dilation[0]
                        s = j * stride[1] - padding[1] + q * dilation[1]
                        if 0 <= r < ho and 0 <= s < wo:
                            y[:, group * cog : (group + 1) * cog, r, s] += (
                                x[:, ci, i, j, None] * w[ci, :, a, q][None, :]
                            )
    if b is not None:
        y += b[None, :, None, None]
    return y


def pooled_size(size, k, s, p, d, ceil_mode):
    """PyTorch's documented output size; with ceil_mode a window that would
    start in the right padding is dropped."""
    span = size + 2 * p - d * (k - 1) - 1
    out = (-(-span // s) if ceil_mode else span // s) + 1
    while ceil_mode and (out - 1) * s >= size + p:
        out -= 1
    return out


def max_pool2d_ref(x, k, s, p, d, ceil_mode):
    """(values, flat indices): the first strict maximum over the in-bounds taps
    in row-major window order."""
    n, c, h, v = x.shape
    ho = pooled_size(h, k[0], s[0], p[0], d[0], ceil_mode)
    wo = pooled_size(v, k[1], s[1], p[1], d[1], ceil_mode)
    vals = np.zeros((n, c, ho, wo))
    idx = np.zeros((n, c, ho, wo), dtype=np.int64)
    for a in range(n):
        for f in range(c):
            for i in range(ho):
                for j in range(wo):
                    best, where = -np.inf, None
                    for u in range(k[0]):
                        for q in range(k[1]):
                            r = i * s[0] - p[0] + u * d[0]
                            t = j * s[1] - p[1] + q * d[1]
                            inside = 0 <= r < h and 0 <= t < v
                            if inside and (where is None or x[a, f, r, t] > best):
                                best, where = x[a, f, r, t], r * v + t
                    vals[a, f, i, j], idx[a, f, i, j] = best, where
    return vals, idx


def avg_pool2d_ref(x, k, s, p, ceil_mode, count_include_pad, divisor_override):
    n, c, h, v = x.shape
    ho = pooled_size(h, k[0], s[0], p[0], 1, ceil_mode)
    wo = pooled_size(v, k[1], s[1], p[1], 1, ceil_mode)
    y = np.zeros((n, c, ho, wo))
    for i in range(ho):
        for j in range(wo):
            r0, t0 = i * s[0] - p[0], j * s[1] - p[1]
            r1, t1 = min(r0 + k[0], h + p[0]), min(t0 + k[1], v + p[1])
            pool = (r1 - r0) * (t1 - t0)
            r0, t0, r1, t1 = max(r0, 0), max(t0, 0), min(r1, h), min(t1, v)
            total = x[:, :, r0:r1, t0:t1].sum(axis=(2, 3))
            if divisor_override is not None:
                y[:, :, i, j] = total / divisor_override
            elif count_include_pad:
                y[:, :, i, j] = total / pool
            else:
                y[:, :, i, j] = total / ((r1 - r0) * (t1 - t0))
    return y


def adaptive_avg_pool2d_ref(x, out):
    h, v = x.shape[2:]
    y = np.zeros(x.shape[:2] + tuple(out))
    for i in range(out[0]):
        r0, r1 = (i * h) // out[0], -(-((i + 1) * h) // out[0])
        for j in range(out[1]):
            t0, t1 = (j * v) // out[1], -(-((j + 1) * v) // out[1])
            y[:, :, i, j] = x[:, :, r0:r1, t0:t1].mean(axis=(2, 3))
    return y
