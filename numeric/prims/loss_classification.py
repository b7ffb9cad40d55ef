"""Classification losses with PyTorch's semantics: nll_loss, cross_entropy,
multi_margin_loss.

Each is a composition of registered primitives (``log_softmax``, ``getitem``,
``where``, ``relu``, sums), so its VJP, its JVP and its derivatives of every
order come from the registry with no rule of its own. Arguments are checked
by :mod:`numeric.prims._loss_args` before anything is computed. Scores are
(C,), (N, C) or (N, C, d1, ...); class-index targets are (), (N,) or
(N, d1, ...).
"""

from __future__ import annotations

import numpy as np

from numeric.errors import ArgumentError, ShapeError
from numeric.prims._loss_args import (
    Reduction,
    TensorLike,
    check_int,
    check_real,
    check_reduction,
    class_indices,
    class_layout,
    class_view,
    class_weight,
    float_operand,
    no_nan_mean,
    reduce_plain,
)
from numeric.prims.elementwise import negative, relu, where
from numeric.prims.loss import cross_entropy_p, log_softmax
from numeric.prims.reduce import sum
from numeric.prims.shape import reshape
from numeric.tape import Tensor, apply

__all__ = ["cross_entropy", "multi_margin_loss", "nll_loss"]


def _gather_index(labels: np.ndarray, ndim: int) -> tuple:
    """The index picking ``x[n, labels[n, d...], d...]`` from an array of
    ``ndim`` axes whose class axis is 1 (0 for an unbatched (C,) input)."""
    if ndim == 1:
        return (labels,)
    # declared: NumPy's stubs match a shape of unknown length to their 0-d
    # overload (an empty tuple)
    grids: tuple[np.ndarray, ...] = np.indices(labels.shape, sparse=True)
    return (grids[0], labels, *grids[1:])


def _nll_parts(
    logp: Tensor, labels: np.ndarray, valid: np.ndarray, weight: Tensor | None
) -> tuple[Tensor, Tensor | float]:
    """The per-position losses ``-weight[y] * logp[n, y, ...]`` (0 where
    ``valid`` is false, with no gradient) and the divisor of ``'mean'``: the
    summed weights of the positions not ignored (their count without weight)."""
    every = bool(np.all(valid))
    safe = labels if every else np.where(valid, labels, 0)
    picked = logp[_gather_index(safe, logp.ndim)]
    if not every:
        # double where: a -inf picked at an ignored position never meets a
        # weight (inf * 0) in the forward or the backward pass
        picked = where(valid, picked, 0.0)
    elements = negative(picked)
    total: Tensor | float = float(np.count_nonzero(valid))
    if weight is not None:
        w = weight[safe]
        if not every:
            w = where(valid, w, 0.0)
        elements = elements * w
        total = sum(w)
    if not every:
        elements = where(valid, elements, 0.0)  # 0, not -0.0, where ignored
    return elements, total


def _reduce_weighted(
    elements: Tensor, total: Tensor | float, valid: np.ndarray, reduction: str
) -> Tensor:
    """PyTorch's reductions of nll_loss: ``'mean'`` divides by ``total`` and
    is NaN, with a zero gradient, when every target is ignored."""
    if reduction == "none":
        return elements
    if reduction == "sum":
        return sum(elements)
    if not np.any(valid):
        return sum(elements) + np.nan
    return sum(elements) / total


def nll_loss(
    input: TensorLike,
    target: TensorLike,
    weight: TensorLike | None = None,
    ignore_index: int = -100,
    reduction: Reduction = "mean",
) -> Tensor:
    """Negative log-likelihood of log-probabilities ``input`` at class indices
    ``target``, like ``torch.nn.functional.nll_loss``.

    The loss of one position is ``-weight[y] * input[n, y, d1, ...]`` with
    ``y = target[n, d1, ...]``; a position whose label is ``ignore_index``
    contributes 0. ``'mean'`` divides the sum by the summed weights of the
    targets that are not ignored (by their count without ``weight``), so
    when every target is ignored it is NaN, as in PyTorch, with a zero
    gradient.

    Parameters
    ----------
    input : array_like or Tensor
        Log-probabilities of shape (C,), (N, C) or (N, C, d1, ...).
    target : array_like
        Class indices of shape (), (N,) or (N, d1, ...): integers (or floats
        holding whole numbers), in [0, C) or equal to ``ignore_index``. Not
        differentiable.
    weight : array_like or Tensor, optional
        One weight per class, shape (C,). A traced weight gets its gradient
        (PyTorch refuses one).
    ignore_index : int
        The label whose positions are skipped (-100 by default).
    reduction : {'mean', 'sum', 'none'}
        ``'none'`` returns one loss per position, of the target's shape.

    Returns
    -------
    Tensor
        A scalar, or the target's shape for ``reduction='none'``.

    Raises
    ------
    ShapeError
        If ``input`` is 0-d, or ``target`` or ``weight`` does not fit it.
    ArgumentError
        For a label outside [0, C) that is not ``ignore_index``, fractional
        labels, or an unknown ``reduction``.
    DifferentiationError
        If ``target`` is a traced tensor.

    Examples
    --------
    >>> import numeric as nm
    >>> logp = np.log(np.array([[0.5, 0.25, 0.25], [0.1, 0.8, 0.1]]))
    >>> round(nm.nll_loss(logp, np.array([0, 1])).item(), 6)  # -(ln .5 + ln .8) / 2
    0.458145
    >>> nm.nll_loss(logp, np.array([0, -100]), reduction="none").data.round(6)
    array([0.693147, 0.      ])
    """
    return _nll_loss("nll_loss", input, target, weight, ignore_index, reduction)


def _nll_loss(op, input, target, weight, ignore_index, reduction) -> Tensor:
    check_reduction(op, reduction)
    ignore_index = check_int(op, "ignore_index", ignore_index)
    logp = float_operand(input)
    _, n_classes, target_shape = class_layout(op, logp)
    labels = class_indices(
        op, target, n_classes, target_shape, ignore_index, logp.shape
    )
    w = class_weight(op, weight, n_classes)
    valid = labels != ignore_index
    elements, total = _nll_parts(logp, labels, valid, w)
    return _reduce_weighted(elements, total, valid, reduction)


def _is_probability_target(target: TensorLike, shape: tuple[int, ...]) -> bool:
    """PyTorch's rule: a target of the input's own shape holds probabilities."""
    return np.shape(target.data if isinstance(target, Tensor) else target) == shape


def cross_entropy(
    input: TensorLike,
    target: TensorLike,
    weight: TensorLike | None = None,
    ignore_index: int = -100,
    reduction: Reduction = "mean",
    label_smoothing: float = 0.0,
) -> Tensor:
    """Softmax cross-entropy of scores ``input`` against ``target``, like
    ``torch.nn.functional.cross_entropy``: ``nll_loss(log_softmax(input,
    axis=1), ...)``, through the stable log-softmax (finite for scores of
    +-1000).

    ``target`` holds either class indices (shape (), (N,) or (N, d1, ...),
    see :func:`nll_loss` for ``weight``, ``ignore_index`` and the weighted
    mean) or class probabilities (the input's own shape, floats): then the
    loss of a position is ``-sum_c weight[c] * target[n, c] * logp[n, c]``,
    ``'mean'`` divides by the number of positions N * d1 * ..., and
    ``ignore_index`` must keep its negative default. ``label_smoothing`` e
    mixes the target with the uniform distribution: ``(1 - e) * target + e / C``;
    with class indices and weights this is PyTorch's ``(1 - e) * nll +
    (e / C) * smooth`` with ``smooth = -sum_c weight[c] * logp[n, c]``, zero at
    ignored positions and divided by the same summed weights for ``'mean'``.
    ``cross_entropy(logits, labels)`` with (N, C) logits is the batch mean.

    Parameters
    ----------
    input : array_like or Tensor
        Unnormalised scores of shape (C,), (N, C) or (N, C, d1, ...).
    target : array_like or Tensor
        Class indices (not differentiable) or class probabilities (of the
        input's shape; differentiable).
    weight : array_like or Tensor, optional
        One weight per class, shape (C,).
    ignore_index : int
        The label whose positions are skipped (class indices only).
    reduction : {'mean', 'sum', 'none'}
    label_smoothing : float
        In [0, 1].

    Returns
    -------
    Tensor
        A scalar, or one loss per position for ``reduction='none'`` (shape
        (), (N,) or (N, d1, ...)).

    Raises
    ------
    ShapeError
        If ``input`` is 0-d, or ``target`` or ``weight`` does not fit it.
    ArgumentError
        For a label out of range, fractional labels, integer probabilities, a
        non-negative ``ignore_index`` with probabilities, ``label_smoothing``
        outside [0, 1], or an unknown ``reduction``.
    DifferentiationError
        If class-index ``target`` is a traced tensor.

    Examples
    --------
    >>> import numeric as nm
    >>> z = np.array([[2.0, 0.0, 0.0], [0.0, 0.0, 0.0]])
    >>> y = nm.cross_entropy(z, np.array([0, 2]))  # (log(e**2 + 2) - 2 + log 3) / 2
    >>> round(y.item(), 6)
    0.669079
    >>> y = nm.cross_entropy(z, np.array([0, 2]), label_smoothing=0.3)
    >>> round(y.item(), 6)  # 0.7 * nll + (0.3 / 3) * mean(-sum_c logp[c])
    0.869079
    >>> nm.grad(lambda z: nm.cross_entropy(z, np.array([0, -100])))(z).round(4)
    array([[-0.213 ,  0.1065,  0.1065],
           [ 0.    ,  0.    ,  0.    ]])
    """
    op = "cross_entropy"
    check_reduction(op, reduction)
    ignore_index = check_int(op, "ignore_index", ignore_index)
    eps = check_real(op, "label_smoothing", label_smoothing)
    if not 0.0 <= eps <= 1.0:
        raise ArgumentError(
            f"{op}: label_smoothing must lie in [0, 1], got {label_smoothing!r}"
        )
    x = float_operand(input)
    axis, n_classes, target_shape = class_layout(op, x)
    w = class_weight(op, weight, n_classes)
    if _is_probability_target(target, x.shape):
        return _probability_cross_entropy(x, target, w, ignore_index, reduction, eps)
    labels = class_indices(op, target, n_classes, target_shape, ignore_index, x.shape)
    valid = labels != ignore_index
    if _fused(x, w, reduction, eps, valid):
        return apply(cross_entropy_p, x, labels)
    logp = log_softmax(x, axis=axis)
    elements, total = _nll_parts(logp, labels, valid, w)
    nll = _reduce_weighted(elements, total, valid, reduction)
    if eps == 0.0:
        return nll
    # the uniform part: -sum_c weight[c] logp[c], zero where ignored, reduced
    # with nll's divisor (PyTorch's cross_entropy_loss_label_smoothing)
    spread = logp if w is None else logp * class_view(w, x.ndim)
    smooth = where(valid, negative(sum(spread, axis=axis)), 0.0)
    smooth = _reduce_weighted(smooth, total, valid, reduction)
    return (1.0 - eps) * nll + smooth * (eps / n_classes)


def _fused(x: Tensor, w, reduction: str, eps: float, valid: np.ndarray) -> bool:
    """True when the fused ``cross_entropy`` primitive computes the loss: the
    plain batch mean of (N, C) logits, N > 0, with no weight, smoothing or
    ignored label (the same value as the composition, in fewer operations)."""
    return (
        x.ndim == 2
        and x.shape[0] > 0
        and w is None
        and eps == 0.0
        and reduction == "mean"
        and bool(np.all(valid))
    )


def _probability_cross_entropy(x, target, w, ignore_index, reduction, eps) -> Tensor:
    op = "cross_entropy"
    q = float_operand(target)
    raw = target.data if isinstance(target, Tensor) else np.asarray(target)
    if raw.dtype.kind != "f":
        raise ArgumentError(
            f"{op}: a target of the input's shape {x.shape} holds class "
            f"probabilities and must be floating point, got dtype {raw.dtype}"
        )
    if ignore_index >= 0:
        raise ArgumentError(
            f"{op}: ignore_index ({ignore_index}) applies to class-index targets "
            "only, not to class probabilities"
        )
    axis, n_classes, _ = class_layout(op, x)
    if eps > 0.0:
        q = q * (1.0 - eps) + eps / n_classes
    terms = log_softmax(x, axis=axis) * q
    if w is not None:
        terms = terms * class_view(w, x.ndim)
    elements = negative(sum(terms, axis=axis))
    return reduce_plain(elements, reduction)


def multi_margin_loss(
    input: TensorLike,
    target: TensorLike,
    p: int = 1,
    margin: float = 1.0,
    weight: TensorLike | None = None,
    reduction: Reduction = "mean",
) -> Tensor:
    """Multi-class hinge loss, like ``torch.nn.functional.multi_margin_loss``.

    For scores ``x`` of one sample and its label ``y``:
    ``sum_{j != y} weight[y] * max(0, margin - x[y] + x[j])**p / C``, then
    ``'mean'`` averages over the samples. A margin term exactly at 0 gets no
    gradient (relu'(0) = 0, PyTorch's ``z > 0`` test).

    Parameters
    ----------
    input : array_like or Tensor
        Scores of shape (N, C) or (C,).
    target : array_like
        Class indices of shape (N,) or (), in [0, C). Not differentiable.
    p : {1, 2}
        The power of each hinge term.
    margin : float
    weight : array_like or Tensor, optional
        One weight per class, shape (C,), applied by the sample's label.
    reduction : {'mean', 'sum', 'none'}

    Returns
    -------
    Tensor
        A scalar, or (N,) / () for ``reduction='none'``.

    Raises
    ------
    ShapeError
        If ``input`` is not (N, C) or (C,), or ``target`` or ``weight`` does
        not fit it.
    ArgumentError
        For ``p`` other than 1 or 2, a label outside [0, C), or an unknown
        ``reduction``.

    Examples
    --------
    >>> import numeric as nm
    >>> x = np.array([[0.1, 0.2, 0.4, 0.8]])
    >>> round(nm.multi_margin_loss(x, np.array([3])).item(), 6)  # (.3 + .4 + .6) / 4
    0.325
    """
    op = "multi_margin_loss"
    check_reduction(op, reduction)
    if isinstance(p, bool) or p not in (1, 2):
        raise ArgumentError(f"{op}: p must be 1 or 2, got {p!r}")
    margin = check_real(op, "margin", margin)
    x = float_operand(input)
    if x.ndim not in (1, 2):
        raise ShapeError(f"{op}: input must have shape (N, C) or (C,), got {x.shape}")
    unbatched = x.ndim == 1
    if unbatched:
        x = reshape(x, (1, x.shape[0]))
    n, n_classes = x.shape
    labels = class_indices(
        op, target, n_classes, () if unbatched else (n,), None, x.shape
    ).reshape(n)
    w = class_weight(op, weight, n_classes)
    rows = np.arange(n)
    correct = reshape(x[rows, labels], (n, 1))
    hinge = relu(margin - correct + x)
    if p == 2:
        hinge = hinge * hinge
    if w is not None:
        hinge = hinge * reshape(w[labels], (n, 1))
    others = np.ones((n, n_classes), dtype=bool)
    others[rows, labels] = False
    elements = sum(where(others, hinge, 0.0), axis=1) / float(n_classes)
    if unbatched:
        elements = reshape(elements, ())
    if reduction == "none":
        return elements
    if reduction == "sum":
        return sum(elements)
    return no_nan_mean(elements)
