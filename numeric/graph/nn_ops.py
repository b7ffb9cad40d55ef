"""Layer and loss ops of the TF1-style layer (TF1's ``nn_ops``): convolution,
pooling, SciPy-mode 2-D correlation and convolution, and the losses. Each
function adds one node of a registered op type through
:func:`~numeric.graph.ops.apply_op`, like the math ops in
:mod:`~numeric.graph.ops`.
"""

from __future__ import annotations

from numeric._typing import IntPair
from numeric.graph.constants import convert_to_tensor
from numeric.graph.dtypes import int64
from numeric.graph.graph import GraphTensorLike, Tensor, get_default_graph
from numeric.graph.ops import apply_op
from numeric.graph.window_rules import avg_pool_options, conv2d_options, pool_options


def conv2d(
    x: GraphTensorLike,
    w: GraphTensorLike,
    b: GraphTensorLike | None = None,
    stride: IntPair = 1,
    padding: IntPair | str = 0,
    dilation: IntPair = 1,
    groups: int = 1,
    name: str | None = None,
) -> Tensor:
    """2-D cross-correlation of NCHW batches, as ``nm.conv2d`` (PyTorch semantics).

    Parameters
    ----------
    x : Tensor or array_like, shape (N, C, H, W) or unbatched (C, H, W)
    w : Tensor or array_like, shape (O, C / groups, kh, kw)
    b : Tensor or array_like, shape (O,), optional
    stride, padding, dilation, groups
        As in ``nm.conv2d``: ints or pairs; padding may also be ``'valid'``
        or ``'same'`` (stride 1 only; for an even extent the extra zero goes
        at the bottom / right, as in PyTorch).
    name : str, optional
        Operation name (default ``"Conv2D"``).

    Returns
    -------
    Tensor
        Shape (N, O, Ho, Wo), or (O, Ho, Wo) for an unbatched input, with
        ``None`` where a size is not known yet.

    Raises
    ------
    ArgumentError
        A bad stride, padding, dilation or groups, or 'same' with a stride,
        when the node is built.
    ShapeError
        Known shapes that cannot fit (ranks, channels, groups, bias, a kernel
        larger than the padded input).

    Examples
    --------
    >>> import numpy as np
    >>> import numeric.graph as G
    >>> with G.Graph().as_default():
    ...     x = G.placeholder((None, 3, 28, 28), name="x")
    ...     w = G.Variable(np.zeros((8, 3, 5, 5)), name="w")
    ...     print(G.conv2d(x, w, padding="same").shape)
    ...     print(G.conv2d(x, w, stride=2, dilation=2).shape)
    (?, 8, 28, 28)
    (?, 8, 10, 10)
    """
    options = conv2d_options(stride, padding, dilation, groups)
    inputs = [x, w] if b is None else [x, w, b]
    return apply_op("Conv2D", inputs, name, **options)


def max_pool2d(
    x: GraphTensorLike,
    kernel_size: IntPair | None = None,
    stride: IntPair | None = None,
    padding: IntPair = 0,
    dilation: IntPair = 1,
    ceil_mode: bool = False,
    name: str | None = None,
    *,
    size: IntPair | None = None,
) -> Tensor:
    """Maximum over windows of NCHW batches, as ``nm.max_pool2d``.

    Parameters
    ----------
    x : Tensor or array_like, shape (N, C, H, W) or unbatched (C, H, W)
    kernel_size : int or pair of ints
        The window (``size=`` is accepted too, as by ``nm.max_pool2d``).
    stride, padding, dilation, ceil_mode
        As in ``nm.max_pool2d``: the stride defaults to the window; padding
        (never selected) is at most half the window.
    name : str, optional
        Operation name (default ``"MaxPool"``).

    Returns
    -------
    Tensor
        Shape (N, C, Ho, Wo) or (C, Ho, Wo). Tied maxima in a window send the
        whole gradient to the first in row-major order.

    Raises
    ------
    ArgumentError
        A bad option, when the node is built.
    ShapeError
        A wrong rank or a window larger than the padded input.

    Examples
    --------
    >>> import numeric.graph as G
    >>> with G.Graph().as_default():
    ...     x = G.placeholder((None, 8, 7, 7), name="x")
    ...     print(G.max_pool2d(x, 2).shape, G.max_pool2d(x, 2, ceil_mode=True).shape)
    (?, 8, 3, 3) (?, 8, 4, 4)
    """
    options = pool_options(
        "max_pool2d", kernel_size, size, stride, padding, dilation, ceil_mode
    )
    return apply_op("MaxPool", [x], name, **options)


def avg_pool2d(
    x: GraphTensorLike,
    kernel_size: IntPair | None = None,
    stride: IntPair | None = None,
    padding: IntPair = 0,
    ceil_mode: bool = False,
    count_include_pad: bool = True,
    divisor_override: int | None = None,
    name: str | None = None,
    *,
    size: IntPair | None = None,
) -> Tensor:
    """Mean over windows of NCHW batches, as ``nm.avg_pool2d``.

    Parameters
    ----------
    x : Tensor or array_like, shape (N, C, H, W) or unbatched (C, H, W)
    kernel_size : int or pair of ints
        The window (``size=`` is accepted too).
    stride, padding, ceil_mode, count_include_pad, divisor_override
        As in ``nm.avg_pool2d``.
    name : str, optional
        Operation name (default ``"AvgPool"``).

    Returns
    -------
    Tensor
        Shape (N, C, Ho, Wo) or (C, Ho, Wo).

    Raises
    ------
    ArgumentError
        A bad option, when the node is built.
    ShapeError
        A wrong rank or a window larger than the padded input.

    Examples
    --------
    >>> import numeric.graph as G
    >>> with G.Graph().as_default():
    ...     x = G.placeholder((None, 8, 7, 7), name="x")
    ...     print(G.avg_pool2d(x, 3, stride=2, padding=1).shape)
    (?, 8, 4, 4)
    """
    options = pool_options(
        "avg_pool2d", kernel_size, size, stride, padding, 1, ceil_mode
    )
    del options["dilation"]  # nm.avg_pool2d has none
    options.update(avg_pool_options(count_include_pad, divisor_override))
    return apply_op("AvgPool", [x], name, **options)


def correlate2d(
    x: GraphTensorLike, w: GraphTensorLike, mode: str = "valid", name: str | None = None
) -> Tensor:
    """2-D cross-correlation with SciPy's modes."""
    return apply_op("Correlate2D", [x, w], name, mode=mode)


def convolve2d(
    x: GraphTensorLike, w: GraphTensorLike, mode: str = "valid", name: str | None = None
) -> Tensor:
    """2-D convolution with SciPy's modes."""
    return apply_op("Convolve2D", [x, w], name, mode=mode)


def mse(
    prediction: GraphTensorLike, target: GraphTensorLike, name: str | None = None
) -> Tensor:
    """Mean squared error, a scalar."""
    return apply_op("MSE", [prediction, target], name)


def cross_entropy(
    logits: GraphTensorLike, labels: GraphTensorLike, name: str | None = None
) -> Tensor:
    """Mean softmax cross-entropy of ``logits`` (batch, classes) and int ``labels``."""
    labels = convert_to_tensor(labels, _graph_of(logits))
    if labels.dtype != int64:
        raise TypeError(
            f"cross_entropy: labels {labels.name} must be int64, not {labels.dtype}"
        )
    return apply_op("CrossEntropy", [logits, labels], name)


def svm_loss(
    scores: GraphTensorLike,
    labels: GraphTensorLike,
    delta: float = 1.0,
    name: str | None = None,
) -> Tensor:
    """Multiclass hinge loss of ``scores`` (batch, classes) and int ``labels``."""
    labels = convert_to_tensor(labels, _graph_of(scores))
    if labels.dtype != int64:
        raise TypeError(
            f"svm_loss: labels {labels.name} must be int64, not {labels.dtype}"
        )
    return apply_op("SVMLoss", [scores, labels], name, delta=float(delta))


def _graph_of(x):
    return x.graph if isinstance(x, Tensor) else get_default_graph()
