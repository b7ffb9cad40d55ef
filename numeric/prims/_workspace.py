"""Reusable scratch arrays for the convolution and pooling kernels.

A convolution's forward and backward passes need large temporaries (the
im2col columns, the padded input, the col2im sum). Allocating them fresh on
every call makes the process map new pages each time, and the page faults
cost as much as the arithmetic at training-loop sizes (see
``docs/performance.md``). This pool keeps the most recent buffers and hands
one out again only when nothing else holds it: a buffer is free when its
reference count shows the pool as its only owner, so a buffer saved on the
tape, or viewed by a result the user still holds, is never overwritten.
"""

from __future__ import annotations

import sys

import numpy as np

# Buffers larger than this are not kept: at that size the arithmetic dwarfs
# the page faults, and the memory is better handed back.
_MAX_KEPT_BYTES = 256 * 2**20
_MAX_TOTAL_BYTES = 512 * 2**20
_MAX_BUFFERS = 12

_POOL: list[np.ndarray] = []  # most recently used last


def _is_free(i: int) -> bool:
    # one reference from the list, one for getrefcount's argument
    return sys.getrefcount(_POOL[i]) == 2


def empty(shape: tuple, dtype) -> np.ndarray:
    """An uninitialised C-contiguous array, reused from the pool when one fits."""
    dtype = np.dtype(dtype)
    shape = tuple(int(n) for n in shape)
    for i in range(len(_POOL) - 1, -1, -1):
        buf = _POOL[i]
        if buf.shape == shape and buf.dtype == dtype:
            del buf
            if _is_free(i):
                found = _POOL.pop(i)
                _POOL.append(found)
                return found
    out = np.empty(shape, dtype)
    if out.nbytes <= _MAX_KEPT_BYTES:
        _POOL.append(out)
        _trim()
    return out


def zeros(shape: tuple, dtype) -> np.ndarray:
    """Like ``np.zeros``, from the pool when one fits."""
    out = empty(shape, dtype)
    out.fill(0)
    return out


def _trim() -> None:
    """Drop the least recently used buffers beyond the pool's limits (a buffer
    still in use stays alive with its owner; the pool only forgets it)."""
    total = sum(b.nbytes for b in _POOL)
    while _POOL and (len(_POOL) > _MAX_BUFFERS or total > _MAX_TOTAL_BYTES):
        total -= _POOL.pop(0).nbytes


def clear() -> None:
    """Forget every pooled buffer (the memory is freed once no result uses it)."""
    _POOL.clear()
