"""Binary cross-entropy on probabilities and on logits, with PyTorch's
semantics.

Part of the registry in :mod:`numeric.registry`: ``binary_cross_entropy`` is
an elementwise primitive, because PyTorch's loss is not the plain formula at
the edges (the logarithms are clamped to >= -100 in the forward pass, and the
gradient divides by ``max(x (1 - x), 1e-12)``); its VJP and JVP are written
with the engine's own operations, so they differentiate again.
``binary_cross_entropy_with_logits`` is a composition of ``softplus`` and
arithmetic (the stable log-sum-exp form), with no rule of its own.
"""

from __future__ import annotations

import numpy as np

from numeric.errors import ArgumentError, ShapeError
from numeric.prims._loss_args import (
    Reduction,
    TensorLike,
    check_broadcasts_to,
    check_reduction,
    float_operand,
    reduce_plain,
    scale_operand,
)
from numeric.prims.elementwise import (
    _add_dots,
    log,
    log1p,
    negative,
    softplus,
    where,
)
from numeric.prims.reduce import unbroadcast
from numeric.registry import defjvp, defprim, defvjp, needs_grad
from numeric.tape import Tensor, apply

__all__ = ["binary_cross_entropy", "binary_cross_entropy_with_logits"]

# PyTorch's EPSILON of the BCE gradient is a C++ float constant: 1e-12 rounded
# to float32 (9.99999996e-13), also when the computation is in double
_BCE_EPS = float(np.float32(1e-12))
_LOG_FLOOR = -100.0  # PyTorch clamps both logarithms to >= -100


def _binary_cross_entropy_impl(x, t):
    # log(0) = -inf is clamped to -100 right away: no divide-by-zero warning
    with np.errstate(divide="ignore"):
        log_x = np.maximum(np.log(x), _LOG_FLOOR)
        log_1mx = np.maximum(np.log1p(-x), _LOG_FLOOR)
    return (t - 1.0) * log_1mx - t * log_x


binary_cross_entropy_p = defprim("binary_cross_entropy", _binary_cross_entropy_impl, 2)


def _bce_dx(x: Tensor, t: Tensor) -> Tensor:
    # PyTorch's gradient: (x - t) / max(x (1 - x), EPSILON), finite at x = 0
    # and 1; where x (1 - x) > EPSILON it is the exact derivative
    # -t / x + (1 - t) / (1 - x) of the formula
    d = x * (1.0 - x)
    return (x - t) / where(d.data > _BCE_EPS, d, _BCE_EPS)


def _bce_dt(x: Tensor) -> Tensor:
    # d/dt = log(1 - x) - log(x), not clamped (PyTorch: +-inf at x = 0, 1)
    with np.errstate(divide="ignore"):
        return log1p(negative(x)) - log(x)


def binary_cross_entropy_vjp(g, ans, x, t):
    gx = unbroadcast(g * _bce_dx(x, t), x.shape) if needs_grad(x) else None
    gt = unbroadcast(g * _bce_dt(x), t.shape) if needs_grad(t) else None
    return (gx, gt)


def binary_cross_entropy_jvp(dots, ans, x, t):
    dx, dt = dots
    return _add_dots(
        None if dx is None else dx * _bce_dx(x, t),
        None if dt is None else dt * _bce_dt(x),
        ans.shape,
    )


defvjp(binary_cross_entropy_p, binary_cross_entropy_vjp)
defjvp(binary_cross_entropy_p, binary_cross_entropy_jvp)


def _same_shape(op: str, x: Tensor, t: Tensor) -> None:
    if x.shape != t.shape:
        raise ShapeError(
            f"{op}: target shape {t.shape} must equal the input shape {x.shape}"
        )


def _check_unit_interval(op: str, name: str, values: np.ndarray) -> None:
    bad = ~((values >= 0.0) & (values <= 1.0))  # NaN is bad too
    if np.any(bad):
        raise ArgumentError(
            f"{op}: every element of {name} must lie in [0, 1], got "
            f"{values[bad].flat[0]}"
        )


def binary_cross_entropy(
    input: TensorLike,
    target: TensorLike,
    weight: TensorLike | None = None,
    reduction: Reduction = "mean",
) -> Tensor:
    """Binary cross-entropy of probabilities ``input`` against ``target``, like
    ``torch.nn.functional.binary_cross_entropy``.

    Elementwise ``-weight * (t * log(x) + (1 - t) * log(1 - x))`` with each
    logarithm clamped to >= -100, as PyTorch does, so ``x = 0`` or ``1`` gives
    a finite loss (at most 100 per element). The gradient is PyTorch's:
    ``d/dx = weight * (x - t) / max(x (1 - x), 1e-12)`` (finite at 0 and 1;
    the exact derivative wherever ``x (1 - x) > 1e-12``), and ``d/dt = weight *
    (log(1 - x) - log(x))``, not clamped. Prefer
    :func:`binary_cross_entropy_with_logits` on logits: it is stable.

    Parameters
    ----------
    input : array_like or Tensor
        Probabilities, each in [0, 1].
    target : array_like or Tensor
        Of the input's shape, each in [0, 1]; differentiable.
    weight : array_like or Tensor, optional
        Broadcasts to the input's shape; multiplies each element's loss.
    reduction : {'mean', 'sum', 'none'}
        ``'mean'`` is the plain mean over the elements.

    Returns
    -------
    Tensor

    Raises
    ------
    ShapeError
        If ``target`` is not of the input's shape or ``weight`` does not
        broadcast to it.
    ArgumentError
        If an element of ``input`` or ``target`` is outside [0, 1] (or NaN),
        or for an unknown ``reduction``.

    Examples
    --------
    >>> import numeric as nm
    >>> x, t = np.array([0.9, 0.2, 0.0]), np.array([1.0, 0.0, 1.0])
    >>> nm.binary_cross_entropy(x, t, reduction="none").data.round(6)
    array([  0.105361,   0.223144, 100.      ])
    >>> nm.grad(lambda x: nm.binary_cross_entropy(x, t, reduction="sum"))(x)
    array([-1.11111111e+00,  1.25000000e+00, -1.00000000e+12])
    """
    op = "binary_cross_entropy"
    check_reduction(op, reduction)
    x, t = float_operand(input), float_operand(target)
    _same_shape(op, x, t)
    _check_unit_interval(op, "input", x.data)
    _check_unit_interval(op, "target", t.data)
    w = None if weight is None else scale_operand(weight)
    if w is not None:
        check_broadcasts_to(op, "weight", w, x.shape)
    elements = apply(binary_cross_entropy_p, x, t)
    if w is not None:
        elements = elements * w
    return reduce_plain(elements, reduction)


def binary_cross_entropy_with_logits(
    input: TensorLike,
    target: TensorLike,
    weight: TensorLike | None = None,
    reduction: Reduction = "mean",
    pos_weight: TensorLike | None = None,
) -> Tensor:
    """Binary cross-entropy of logits ``input`` against ``target``, like
    ``torch.nn.functional.binary_cross_entropy_with_logits``.

    Elementwise ``weight * ((1 - t) * x + (1 + (pos_weight - 1) * t) *
    softplus(-x))``, which is ``-weight * (pos_weight * t * log(sigmoid(x)) +
    (1 - t) * log(1 - sigmoid(x)))`` in the stable log-sum-exp form: finite
    for logits of +-1000, with gradient ``weight * ((1 - t) - (1 + (pos_weight
    - 1) t) sigmoid(-x))``. ``target`` is not checked to lie in [0, 1]
    (PyTorch does not check it either).

    Parameters
    ----------
    input : array_like or Tensor
        Logits, any real values.
    target : array_like or Tensor
        Of the input's shape; differentiable.
    weight : array_like or Tensor, optional
        Broadcasts to the input's shape; multiplies each element's loss.
    reduction : {'mean', 'sum', 'none'}
        ``'mean'`` is the plain mean over the elements.
    pos_weight : array_like or Tensor, optional
        The weight of the positive term, broadcast to the input's shape (one
        per class along the last axis for shape (C,)).

    Returns
    -------
    Tensor

    Raises
    ------
    ShapeError
        If ``target`` is not of the input's shape, or ``weight`` or
        ``pos_weight`` does not broadcast to it.
    ArgumentError
        For an unknown ``reduction``.

    Examples
    --------
    >>> import numeric as nm
    >>> z, t = np.array([1000.0, -1000.0, 0.0]), np.array([0.0, 0.0, 1.0])
    >>> nm.binary_cross_entropy_with_logits(z, t, reduction="none").data.round(6)
    array([1.00000e+03, 0.00000e+00, 6.93147e-01])
    >>> nm.grad(lambda z: nm.binary_cross_entropy_with_logits(z, t, pos_weight=3.0))(z)
    array([ 0.33333333,  0.        , -0.5       ])
    """
    op = "binary_cross_entropy_with_logits"
    check_reduction(op, reduction)
    x, t = float_operand(input), float_operand(target)
    _same_shape(op, x, t)
    w = None if weight is None else scale_operand(weight)
    if w is not None:
        check_broadcasts_to(op, "weight", w, x.shape)
    pw = None if pos_weight is None else scale_operand(pos_weight)
    if pw is not None:
        check_broadcasts_to(op, "pos_weight", pw, x.shape)
    # -log(sigmoid(x)) = softplus(-x), stable at both ends
    neg_log_sigmoid = softplus(negative(x))
    if pw is not None:
        neg_log_sigmoid = neg_log_sigmoid * ((pw - 1.0) * t + 1.0)
    elements = (1.0 - t) * x + neg_log_sigmoid
    if w is not None:
        elements = elements * w
    return reduce_plain(elements, reduction)
