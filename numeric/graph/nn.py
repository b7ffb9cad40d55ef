"""``G.nn``: the names of TF1's ``tf.nn`` that this layer has, with TF1's
signatures and defaults.

Activations are the graph's own ops; the softmax cross-entropies give one loss
per example, as TF1's do, and take their arguments by keyword only
(``labels=``, ``logits=``), as TF1 insists. TF1's ``tf.nn.conv2d`` and
``tf.nn.max_pool`` are deliberately absent: they take NHWC input and an HWIO
filter, while ``G.conv2d`` and ``G.max_pool2d`` follow PyTorch's NCHW, and the
same name with another layout would compute a wrong answer silently.
"""

from __future__ import annotations

from numeric.graph.constants import convert_to_tensor
from numeric.graph.dtypes import int64
from numeric.graph.graph import GraphTensorLike, Tensor, get_default_graph
from numeric.graph.ops import (
    apply_op,
    elu,
    multiply,
    negative,
    reduce_sum,
    relu,
    sigmoid,
    softplus,
    tanh,
)
from numeric.graph.ops import leaky_relu as _leaky_relu
from numeric.graph.ops import (
    log_softmax as _log_softmax,
)
from numeric.graph.ops import (
    softmax as _softmax,
)
from numeric.graph.tf1_ops import l2_loss

__all__ = [
    "elu",
    "l2_loss",
    "leaky_relu",
    "log_softmax",
    "relu",
    "sigmoid",
    "softmax",
    "softmax_cross_entropy_with_logits",
    "softmax_cross_entropy_with_logits_v2",
    "softplus",
    "sparse_softmax_cross_entropy_with_logits",
    "tanh",
]


def _axis(fn: str, axis: int | None, dim: int | None) -> int:
    if dim is not None:
        if axis is not None:
            raise ValueError(f"{fn}: give axis or dim, not both")
        axis = dim
    return -1 if axis is None else int(axis)


def softmax(
    logits: GraphTensorLike,
    axis: int | None = None,
    name: str | None = None,
    dim: int | None = None,
) -> Tensor:
    """Softmax along ``axis`` (the last when None; ``dim`` is TF1's older name)."""
    return _softmax(logits, _axis("softmax", axis, dim), name=name)


def log_softmax(
    logits: GraphTensorLike,
    axis: int | None = None,
    name: str | None = None,
    dim: int | None = None,
) -> Tensor:
    """Log-softmax along ``axis`` (the last when None)."""
    return _log_softmax(logits, _axis("log_softmax", axis, dim), name=name)


def leaky_relu(
    features: GraphTensorLike, alpha: float = 0.2, name: str | None = None
) -> Tensor:
    """TF1's ``tf.nn.leaky_relu``: slope ``alpha`` (default 0.2, TF1's) below 0.

    ``G.leaky_relu`` has PyTorch's default slope 0.01; this one keeps TF1's.
    """
    return _leaky_relu(features, negative_slope=alpha, name=name)


def softmax_cross_entropy_with_logits(
    *,
    labels: GraphTensorLike,
    logits: GraphTensorLike,
    axis: int = -1,
    name: str | None = None,
) -> Tensor:
    """Cross-entropy of ``logits`` against a distribution ``labels`` (e.g.
    one-hot), one value per example: ``-sum(labels * log_softmax(logits), axis)``.

    Built from ``log_softmax``, ``multiply`` and ``reduce_sum``, so its gradient
    is the eager engine's. Gradients flow into ``labels`` too, as with TF1's
    ``softmax_cross_entropy_with_logits_v2`` (the older v1 stopped them).

    Examples
    --------
    >>> import numeric.graph as G
    >>> with G.Graph().as_default():
    ...     loss = G.nn.softmax_cross_entropy_with_logits(
    ...         labels=[[0.0, 1.0], [1.0, 0.0]], logits=[[0.0, 0.0], [2.0, 0.0]]
    ...     )
    ...     with G.Session() as sess:
    ...         print(loss.shape, sess.run(loss).round(4))
    (2,) [0.6931 0.1269]
    """
    log_p = _log_softmax(logits, int(axis))
    per_example = reduce_sum(multiply(labels, log_p), axis=int(axis))
    return negative(per_example, name=name or "softmax_cross_entropy_with_logits")


softmax_cross_entropy_with_logits_v2 = softmax_cross_entropy_with_logits


def sparse_softmax_cross_entropy_with_logits(
    *, labels: GraphTensorLike, logits: GraphTensorLike, name: str | None = None
) -> Tensor:
    """Cross-entropy of ``logits`` (batch, classes) against int class
    ``labels`` (batch,), one value per example (``nm.cross_entropy`` with
    ``reduction="none"``).

    Examples
    --------
    >>> import numeric.graph as G
    >>> with G.Graph().as_default():
    ...     loss = G.nn.sparse_softmax_cross_entropy_with_logits(
    ...         labels=[1, 0], logits=[[0.0, 0.0], [2.0, 0.0]]
    ...     )
    ...     with G.Session() as sess:
    ...         print(loss.shape, sess.run(loss).round(4))
    (2,) [0.6931 0.1269]
    """
    graph = logits.graph if isinstance(logits, Tensor) else get_default_graph()
    labels = convert_to_tensor(labels, graph)
    if labels.dtype != int64:
        raise TypeError(
            "sparse_softmax_cross_entropy_with_logits: labels "
            f"{labels.name} must be integers, not {labels.dtype}"
        )
    return apply_op(
        "SparseSoftmaxCrossEntropyWithLogits",
        [logits, labels],
        name,
        reduction="none",
    )
