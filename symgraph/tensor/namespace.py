"""The namespace printed tensor text evaluates in: each name it uses bound to
NumPy's function (or a small helper for ``logdet``, ``softmax``, the
convolutions and pooling).

Printed text (``printing.py``) is valid Python; with these names, the tensor
names bound to arrays and the dimension names to their sizes, it computes
the expression's value. The tests evaluate every printed gradient this way.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from ..ops import OPS
from .kernels import KERNELS
from .ops_conv import pair
from .ops_elementwise import ELEMENTWISE, numpy_name

__all__ = ["numpy_namespace"]


def _helpers():
    def softmax(x, axis=-1):
        return KERNELS["_softmax"](np.asarray(x, dtype=float), axis)

    def log_softmax(x, axis=-1):
        return KERNELS["_log_softmax"](np.asarray(x, dtype=float), axis)

    def logsumexp(x, axis=None, keepdims=False):
        return KERNELS["_logsumexp"](np.asarray(x, dtype=float), axis, keepdims)

    return softmax, log_softmax, logsumexp


def numpy_namespace() -> dict[str, Any]:
    """Names that printed tensor text uses, bound to NumPy functions.

    ``eval(text, {"__builtins__": {}}, {**numpy_namespace(), **arrays,
    **dims})`` computes a printed expression (for our own printed text; user
    input goes through ``sg.parse``).
    """
    softmax, log_softmax, logsumexp = _helpers()
    ns: dict[str, Any] = {numpy_name(op): OPS[op].numpy for op in ELEMENTWISE}
    ns["where"] = np.where  # printed as where(c > 0, a, b)
    ns.update(
        sum=np.sum,
        trace=np.trace,
        det=np.linalg.det,
        logdet=lambda x: np.linalg.slogdet(x)[1],
        inv=np.linalg.inv,
        diag=np.diag,
        norm=np.linalg.norm,
        outer=np.outer,
        reshape=np.reshape,
        transpose=np.transpose,
        expand_dims=np.expand_dims,
        ones_like=np.ones_like,
        zeros_like=np.zeros_like,
        eye=np.eye,
        zeros=np.zeros,
        ones=np.ones,
        full=np.full,
        softmax=softmax,
        log_softmax=log_softmax,
        logsumexp=logsumexp,
        inf=math.inf,
        nan=math.nan,
        pi=math.pi,
    )
    ns.update(_conv_namespace())
    return ns


def _conv_namespace() -> dict:
    """Convolution and pooling with NumPy's and PyTorch's keyword spellings."""

    def _ns_pool(kernel):
        def f(x, size, stride=None):
            size = (size, size) if isinstance(size, int) else tuple(size)
            stride = size if stride is None else stride
            stride = (stride, stride) if isinstance(stride, int) else tuple(stride)
            return kernel(x, size, stride)

        return f

    def _ns_conv(kernel):
        def f(*args, stride=1, padding=0):
            return kernel(
                *args,
                pair(stride, "stride", "conv2d", 1),
                pair(padding, "padding", "conv2d", 0),
            )

        return f

    # The names printed text uses, for numpy_namespace()
    namespace = {
        "correlate2d": lambda x, w, mode="valid": KERNELS["_correlate2d"](x, w, mode),
        "convolve2d": lambda x, w, mode="valid": KERNELS["_convolve2d"](x, w, mode),
        "flip": lambda x, axes=None: (
            x[..., ::-1, ::-1] if axes is not None else x[::-1, ::-1]
        ),
        "conv2d": _ns_conv(KERNELS["_conv2d"]),
        "conv2d_grad_input": _ns_conv(KERNELS["_conv2d_grad_input"]),
        "conv2d_grad_weight": _ns_conv(KERNELS["_conv2d_grad_weight"]),
        "max_pool2d": _ns_pool(KERNELS["_max_pool2d"]),
        "avg_pool2d": _ns_pool(KERNELS["_avg_pool2d"]),
    }
    namespace["max_pool2d_grad"] = lambda g, x, size, stride=None: _ns_pool(
        lambda x_, s, st: KERNELS["_max_pool2d_grad"](g, x_, s, st)
    )(x, size, stride)
    namespace["avg_pool2d_grad"] = lambda g, x, size, stride=None: _ns_pool(
        lambda x_, s, st: KERNELS["_avg_pool2d_grad"](g, x_, s, st)
    )(x, size, stride)
    return namespace
