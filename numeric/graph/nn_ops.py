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


def conv2d(
    x: GraphTensorLike,
    w: GraphTensorLike,
    b: GraphTensorLike | None = None,
    stride: IntPair = 1,
    padding: IntPair | str = 0,
    name: str | None = None,
) -> Tensor:
    """2-D cross-correlation, NCHW input and OIHW weight (PyTorch semantics)."""
    inputs = [x, w] if b is None else [x, w, b]
    return apply_op("Conv2D", inputs, name, stride=stride, padding=padding)


def max_pool2d(
    x: GraphTensorLike,
    size: IntPair,
    stride: IntPair | None = None,
    name: str | None = None,
) -> Tensor:
    """Max pooling over ``size`` windows (NCHW); ties send the gradient to the first."""
    return apply_op("MaxPool", [x], name, size=size, stride=stride)


def avg_pool2d(
    x: GraphTensorLike,
    size: IntPair,
    stride: IntPair | None = None,
    name: str | None = None,
) -> Tensor:
    """Average pooling over ``size`` windows (NCHW)."""
    return apply_op("AvgPool", [x], name, size=size, stride=stride)


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
