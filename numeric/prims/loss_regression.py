"""Regression losses with PyTorch's semantics: mse_loss, l1_loss,
smooth_l1_loss, huber_loss.

Compositions of registered primitives (``abs``, ``where``, arithmetic,
sums), so their VJPs, JVPs and higher derivatives come from the registry.
Like PyTorch, ``input`` and ``target`` broadcast against each other, with a
``UserWarning`` when their shapes differ (usually a bug), and both are
differentiable. Kinks follow PyTorch: ``l1'(0) = 0`` (its ``sign``), and the
pieces of smooth L1 and Huber meet with equal slopes, the quadratic piece
holding ``|d| < beta`` (the second derivative at ``|d| = beta`` is the
linear piece's, 0).
"""

from __future__ import annotations

import warnings

import numpy as np

from numeric.errors import ArgumentError, ShapeError
from numeric.prims._loss_args import (
    Reduction,
    TensorLike,
    check_real,
    check_reduction,
    float_operand,
    reduce_plain,
)
from numeric.prims.elementwise import abs, where
from numeric.prims.reduce import sum
from numeric.tape import Tensor

__all__ = ["huber_loss", "l1_loss", "mse_loss", "smooth_l1_loss"]


def _difference(op: str, input: TensorLike, target: TensorLike) -> Tensor:
    """``input - target``, broadcasting with PyTorch's warning when the shapes
    differ."""
    x, t = float_operand(input), float_operand(target)
    if x.shape != t.shape:
        try:
            shape = np.broadcast_shapes(x.shape, t.shape)
        except ValueError:
            raise ShapeError(
                f"{op}: target shape {t.shape} does not broadcast with the input "
                f"shape {x.shape}"
            ) from None
        warnings.warn(
            f"{op}: target shape {t.shape} differs from the input shape {x.shape}; "
            f"they broadcast to {shape}, which is rarely what a loss means",
            UserWarning,
            stacklevel=3,
        )
    return x - t


def _element_weight(op: str, weight: TensorLike | None, input: TensorLike):
    """PyTorch's elementwise ``weight`` of mse_loss, l1_loss and huber_loss:
    exactly the input's shape."""
    if weight is None:
        return None
    w = float_operand(weight)
    shape = np.shape(input.data if isinstance(input, Tensor) else input)
    if w.shape != shape:
        raise ShapeError(
            f"{op}: weight must have the input's shape {shape}, got {w.shape}"
        )
    return w


def _reduce_weighted_sum(elements: Tensor, weight: Tensor, reduction: str) -> Tensor:
    """mse_loss and l1_loss with ``weight``: ``'mean'`` divides by the sum of
    the weights (PyTorch 2.13)."""
    elements = elements * weight
    if reduction == "none":
        return elements
    if reduction == "sum":
        return sum(elements)
    return sum(elements) / sum(weight)


def mse_loss(
    input: TensorLike,
    target: TensorLike,
    reduction: Reduction = "mean",
    weight: TensorLike | None = None,
) -> Tensor:
    """Squared error ``(input - target)**2``, like
    ``torch.nn.functional.mse_loss``.

    Parameters
    ----------
    input, target : array_like or Tensor
        Broadcast against each other (a ``UserWarning`` when the shapes
        differ); both are differentiable.
    reduction : {'mean', 'sum', 'none'}
    weight : array_like or Tensor, optional
        Of the input's shape; multiplies each squared error, and ``'mean'``
        then divides by ``sum(weight)``.

    Returns
    -------
    Tensor

    Raises
    ------
    ShapeError
        If the shapes do not broadcast, or ``weight`` is not the input's shape.
    ArgumentError
        For an unknown ``reduction``.

    Examples
    --------
    >>> import numeric as nm
    >>> nm.mse_loss(np.array([1.0, 2.0]), np.array([0.0, 0.0])).item()
    2.5
    """
    op = "mse_loss"
    check_reduction(op, reduction)
    w = _element_weight(op, weight, input)
    d = _difference(op, input, target)
    elements = d * d
    if w is not None:
        return _reduce_weighted_sum(elements, w, reduction)
    return reduce_plain(elements, reduction)


def l1_loss(
    input: TensorLike,
    target: TensorLike,
    reduction: Reduction = "mean",
    weight: TensorLike | None = None,
) -> Tensor:
    """Absolute error ``|input - target|``, like ``torch.nn.functional.l1_loss``;
    its gradient at ``input == target`` is 0 (abs'(0) = 0, PyTorch's sign).

    Parameters
    ----------
    input, target : array_like or Tensor
        Broadcast against each other (a ``UserWarning`` when the shapes
        differ); both are differentiable.
    reduction : {'mean', 'sum', 'none'}
    weight : array_like or Tensor, optional
        Of the input's shape; multiplies each error, and ``'mean'`` then
        divides by ``sum(weight)``.

    Returns
    -------
    Tensor

    Raises
    ------
    ShapeError
        If the shapes do not broadcast, or ``weight`` is not the input's shape.
    ArgumentError
        For an unknown ``reduction``.

    Examples
    --------
    >>> import numeric as nm
    >>> nm.grad(lambda x: nm.l1_loss(x, np.zeros(3), reduction="sum"))(
    ...     np.array([-2.0, 0.0, 3.0]))
    array([-1.,  0.,  1.])
    """
    op = "l1_loss"
    check_reduction(op, reduction)
    w = _element_weight(op, weight, input)
    elements = abs(_difference(op, input, target))
    if w is not None:
        return _reduce_weighted_sum(elements, w, reduction)
    return reduce_plain(elements, reduction)


def _smooth(d: Tensor, beta: float) -> Tensor:
    """``0.5 d**2 / beta`` where ``|d| < beta``, else ``|d| - 0.5 beta``."""
    a = abs(d)
    return where(a.data < beta, 0.5 * d * d / beta, a - 0.5 * beta)


def smooth_l1_loss(
    input: TensorLike,
    target: TensorLike,
    reduction: Reduction = "mean",
    beta: float = 1.0,
) -> Tensor:
    """Smooth L1 loss, like ``torch.nn.functional.smooth_l1_loss``:
    ``0.5 d**2 / beta`` where ``|d| < beta`` and ``|d| - 0.5 beta`` elsewhere,
    for ``d = input - target``; ``beta = 0`` is the L1 loss (as PyTorch).

    The gradient is ``d / beta`` inside and ``sign(d)`` outside: continuous,
    0 at ``d = 0``.

    Parameters
    ----------
    input, target : array_like or Tensor
        Broadcast against each other (a ``UserWarning`` when the shapes
        differ); both are differentiable.
    reduction : {'mean', 'sum', 'none'}
    beta : float
        The width of the quadratic piece, >= 0.

    Returns
    -------
    Tensor

    Raises
    ------
    ShapeError
        If the shapes do not broadcast.
    ArgumentError
        For a negative ``beta`` or an unknown ``reduction``.

    Examples
    --------
    >>> import numeric as nm
    >>> d = np.array([-2.0, 0.5, 0.0])
    >>> nm.smooth_l1_loss(d, np.zeros(3), reduction="none").data
    array([1.5  , 0.125, 0.   ])
    """
    op = "smooth_l1_loss"
    check_reduction(op, reduction)
    beta = check_real(op, "beta", beta)
    if not beta >= 0.0:
        raise ArgumentError(f"{op}: beta must be >= 0, got {beta!r}")
    d = _difference(op, input, target)
    elements = abs(d) if beta == 0.0 else _smooth(d, beta)
    return reduce_plain(elements, reduction)


def huber_loss(
    input: TensorLike,
    target: TensorLike,
    reduction: Reduction = "mean",
    delta: float = 1.0,
    weight: TensorLike | None = None,
) -> Tensor:
    """Huber loss, like ``torch.nn.functional.huber_loss``: ``0.5 d**2`` where
    ``|d| < delta`` and ``delta * (|d| - 0.5 delta)`` elsewhere, for
    ``d = input - target``; ``delta * smooth_l1_loss(beta=delta)``.

    The gradient is ``d`` inside and ``delta * sign(d)`` outside: continuous,
    0 at ``d = 0``.

    Parameters
    ----------
    input, target : array_like or Tensor
        Broadcast against each other (a ``UserWarning`` when the shapes
        differ); both are differentiable.
    reduction : {'mean', 'sum', 'none'}
    delta : float
        Where the quadratic piece turns linear, > 0.
    weight : array_like or Tensor, optional
        Of the input's shape; multiplies each element's loss. ``'mean'`` stays
        the plain mean of the weighted losses (PyTorch 2.13's huber_loss, unlike
        its mse_loss and l1_loss, which divide by ``sum(weight)``).

    Returns
    -------
    Tensor

    Raises
    ------
    ShapeError
        If the shapes do not broadcast, or ``weight`` is not the input's shape.
    ArgumentError
        For ``delta <= 0`` or an unknown ``reduction``.

    Examples
    --------
    >>> import numeric as nm
    >>> d = np.array([-2.0, 0.5, 0.0])
    >>> nm.huber_loss(d, np.zeros(3), reduction="none", delta=1.5).data
    array([1.875, 0.125, 0.   ])
    """
    op = "huber_loss"
    check_reduction(op, reduction)
    delta = check_real(op, "delta", delta)
    if not delta > 0.0:
        raise ArgumentError(f"{op}: delta must be > 0, got {delta!r}")
    w = _element_weight(op, weight, input)
    d = _difference(op, input, target)
    a = abs(d)
    elements = where(a.data < delta, 0.5 * d * d, delta * (a - 0.5 * delta))
    if w is not None:
        elements = elements * w
    return reduce_plain(elements, reduction)
