"""``G.nn``: the names of TF1's ``tf.nn`` that this layer has, with TF1's
signatures and defaults.

Activations are the graph's own ops; the softmax cross-entropies give one loss
per example, as TF1's do, and take their arguments by keyword only
(``labels=``, ``logits=``), as TF1 insists. ``bias_add`` and ``dropout`` are
compositions of graph ops (dropout's mask is a random op, a constant to
gradients). TF1's ``tf.nn.conv2d`` and
``tf.nn.max_pool`` are deliberately absent: they take NHWC input and an HWIO
filter, while ``G.conv2d`` and ``G.max_pool2d`` follow PyTorch's NCHW, and the
same name with another layout would compute a wrong answer silently.
"""

from __future__ import annotations

import numbers
from collections.abc import Sequence

from numeric.errors import ArgumentError, ShapeError
from numeric.graph.constants import convert_to_tensor
from numeric.graph.dtypes import float64, int64
from numeric.graph.graph import GraphTensorLike, Tensor, get_default_graph
from numeric.graph.ops import (
    add,
    apply_op,
    divide,
    elu,
    multiply,
    negative,
    reduce_sum,
    relu,
    reshape,
    sigmoid,
    softplus,
    subtract,
    tanh,
)
from numeric.graph.ops import leaky_relu as _leaky_relu
from numeric.graph.ops import (
    log_softmax as _log_softmax,
)
from numeric.graph.ops import (
    softmax as _softmax,
)
from numeric.graph.random_ops import op_seeds, uniform_noise
from numeric.graph.shapes import format_shape, normalize_shape
from numeric.graph.tf1_ops import cast, greater_equal, l2_loss

__all__ = [
    "bias_add",
    "dropout",
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


# ----- layers -----------------------------------------------------------------------

_CHANNELS_LAST = (None, "NHWC", "N...C", "NWC", "NDHWC")
_CHANNELS_FIRST = ("NCHW", "NC...", "NCW", "NCDHW")


def bias_add(
    value: GraphTensorLike,
    bias: GraphTensorLike,
    data_format: str | None = None,
    name: str | None = None,
) -> Tensor:
    """``value + bias`` with the 1-D ``bias`` along the channel axis (TF1's
    ``tf.nn.bias_add``).

    The channel axis is the last for TF1's default ``data_format`` (None,
    ``"NHWC"``, ``"N...C"``), which is also a dense layer's feature axis, and
    axis 1 for ``"NCHW"`` / ``"NC..."`` (the layout of ``G.conv2d``'s
    output: pass ``data_format="NCHW"`` there). Gradients are ``Add``'s: the
    bias gets the upstream gradient summed over every other axis.

    Raises
    ------
    ShapeError
        ``bias`` not 1-D, ``value`` of rank below 2, or the sizes of ``bias``
        and of ``value``'s channel axis differ.
    ArgumentError
        An unknown ``data_format``.

    Examples
    --------
    >>> import numeric.graph as G
    >>> with G.Graph().as_default():
    ...     x = G.placeholder((None, 3), name="x")
    ...     feature_maps = G.placeholder((None, 2, 5, 5), name="maps")
    ...     print(G.nn.bias_add(x, [1.0, 2.0, 3.0]).shape)
    ...     print(G.nn.bias_add(feature_maps, [0.5, -0.5], data_format="NCHW").shape)
    (?, 3)
    (?, 2, 5, 5)
    """
    v = convert_to_tensor(value, get_default_graph())
    b = convert_to_tensor(bias, v.graph)
    if data_format in _CHANNELS_LAST:
        axis = -1
    elif data_format in _CHANNELS_FIRST:
        axis = 1
    else:
        raise ArgumentError(
            f"bias_add: unknown data_format {data_format!r}; use 'NHWC' (channels "
            "last, the default) or 'NCHW' (channels first)"
        )
    if b._shape is not None and len(b._shape) != 1:
        raise ShapeError(
            f"bias_add: bias must be 1-D, got shape {format_shape(b._shape)}"
        )
    shape = v._shape
    if shape is not None and len(shape) < 2:
        raise ShapeError(
            f"bias_add: value must have rank 2 or more, got {format_shape(shape)}"
        )
    if shape is not None and b._shape is not None:
        channels, size = shape[axis], b._shape[0]
        if channels is not None and size is not None and channels != size:
            raise ShapeError(
                f"bias_add: bias of size {size} does not match value {format_shape(shape)}"
                f" along its channel axis {axis} (data_format {data_format or 'NHWC'})"
            )
    if axis == -1:
        return add(v, b, name=name or "BiasAdd")
    if shape is None:
        raise ShapeError("bias_add: data_format NCHW needs value's rank to be known")
    column = reshape(b, (-1,) + (1,) * (len(shape) - 2))
    return add(v, column, name=name or "BiasAdd")


def _probability(what: str, value: object, low_open: bool) -> float:
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"dropout: {what} must be a number or a tensor, got {value!r}")
    p = float(value)
    ok = 0.0 < p <= 1.0 if low_open else 0.0 <= p < 1.0
    if not ok:
        bounds = "(0, 1]" if low_open else "[0, 1)"
        raise ArgumentError(f"dropout: {what} must lie in {bounds}, got {value!r}")
    return p


def _noise_shape(noise_shape, shape):
    try:
        noise = normalize_shape(noise_shape)
    except (TypeError, ValueError) as exc:
        raise ArgumentError(f"dropout: noise_shape: {exc}") from None
    if noise is None or shape is None:
        return noise
    fits = len(noise) == len(shape) and all(
        n is None or d is None or n in (1, d) for n, d in zip(noise, shape)
    )
    if not fits:
        raise ShapeError(
            f"dropout: noise_shape {format_shape(noise)} does not broadcast to "
            f"x's shape {format_shape(shape)}"
        )
    return noise


def dropout(
    x: GraphTensorLike,
    keep_prob: GraphTensorLike | None = None,
    noise_shape: Sequence[int | None] | None = None,
    seed: int | None = None,
    name: str | None = None,
    rate: GraphTensorLike | None = None,
) -> Tensor:
    """Inverted dropout with TF1's 1.x signature (``tf.nn.dropout``): each
    entry is kept with probability ``keep_prob`` and scaled by ``1 / keep_prob``,
    or set to 0, so the expected value is unchanged.

    Give ``keep_prob`` (TF1 1.x) or ``rate = 1 - keep_prob`` (TF1 1.15 and
    later), a number or a tensor: a ``placeholder_with_default(1.0, ())``
    switches dropout off at evaluation. Each run draws a new mask, from a
    generator seeded like the random ops (``seed`` and the graph seed); an
    entry is kept when its uniform draw ``u`` satisfies ``u >= rate``. The
    mask is a constant to gradients: ``x`` gets ``mask / keep_prob``.
    ``noise_shape`` (broadcastable to ``x``'s shape, None sizes taken from
    ``x``) shares one decision along its length-1 axes.

    Raises
    ------
    ArgumentError
        Both or neither of ``keep_prob`` and ``rate``, a number ``keep_prob``
        outside (0, 1] or ``rate`` outside [0, 1).
    TypeError
        Non-floating ``x``.
    ShapeError
        A ``noise_shape`` that does not broadcast to ``x``.

    Examples
    --------
    >>> import numeric.graph as G
    >>> with G.Graph().as_default():
    ...     h = G.nn.dropout(G.ones((2, 4)), keep_prob=0.5, seed=0)
    ...     with G.Session() as sess:
    ...         print(sess.run(h))
    [[2. 0. 2. 2.]
     [0. 0. 0. 2.]]
    """
    t = convert_to_tensor(x, get_default_graph())
    if t.dtype != float64:
        raise TypeError(f"dropout: x ({t.name}) must be floating, not {t.dtype}")
    if (keep_prob is None) == (rate is None):
        raise ArgumentError(
            "dropout: give exactly one of keep_prob and rate (rate = 1 - keep_prob)"
        )
    noise = _noise_shape(noise_shape, t._shape)
    op_seeds(t.graph, "dropout", seed)  # checks seed before anything is built
    graph = t.graph
    with graph.as_default(), graph.name_scope(name or "dropout"):
        if keep_prob is not None:
            if isinstance(keep_prob, Tensor):
                keep, drop = keep_prob, subtract(1.0, keep_prob)
            else:
                p = _probability("keep_prob", keep_prob, low_open=True)
                keep, drop = convert_to_tensor(p), convert_to_tensor(1.0 - p)
        else:
            if isinstance(rate, Tensor):
                keep, drop = subtract(1.0, rate), rate
            else:
                p = _probability("rate", rate, low_open=False)
                keep, drop = convert_to_tensor(1.0 - p), convert_to_tensor(p)
        u = uniform_noise(t, noise, seed, "random_uniform")
        mask = cast(greater_equal(u, drop), float64)
        return multiply(divide(t, keep), mask)
