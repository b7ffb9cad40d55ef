"""Argument checks and reductions shared by the PyTorch-style losses.

Every loss of :mod:`numeric.prims.loss_classification`,
:mod:`numeric.prims.loss_binary` and :mod:`numeric.prims.loss_regression`
validates its arguments here, before anything is computed, so a bad call
raises an error naming the argument at fault and changes nothing. The
reductions are compositions of registered primitives.
"""

from __future__ import annotations

import numbers
from typing import TYPE_CHECKING, Literal, TypeAlias

import numpy as np

from numeric.errors import ArgumentError, DifferentiationError, ShapeError
from numeric.prims.reduce import mean, sum
from numeric.prims.shape import reshape
from numeric.tape import Tensor, as_tensor

if TYPE_CHECKING:
    import numpy.typing as npt

# An array operand: a Tensor, or anything np.asarray takes.
TensorLike: TypeAlias = "Tensor | npt.ArrayLike"
# PyTorch's reduction names.
Reduction: TypeAlias = Literal["mean", "sum", "none"]

REDUCTIONS = ("mean", "sum", "none")


def check_reduction(op: str, reduction: object) -> None:
    """Refuse a reduction that is not one of PyTorch's three names."""
    if not isinstance(reduction, str) or reduction not in REDUCTIONS:
        raise ArgumentError(
            f"{op}: reduction must be 'mean', 'sum' or 'none', got {reduction!r}"
        )


def check_real(op: str, name: str, value: object) -> float:
    """``value`` as a float; a bool, a string or an array is refused."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise ArgumentError(f"{op}: {name} must be a real number, got {value!r}")
    return float(value)


def check_int(op: str, name: str, value: object) -> int:
    """``value`` as an int; a bool, a float or an array is refused."""
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise ArgumentError(f"{op}: {name} must be an integer, got {value!r}")
    return int(value)


def float_operand(value: TensorLike) -> Tensor:
    """A float operand as a Tensor (float32 and float64 kept, others float64)."""
    return as_tensor(value)


def scale_operand(value: TensorLike) -> Tensor | float:
    """A weight-like operand: a Python number stays a number, so it takes the
    input's dtype (a float32 loss stays float32); anything else is a Tensor."""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return float(value)
    return as_tensor(value)


def no_nan_mean(elements: Tensor) -> Tensor:
    """The mean of ``elements``; NaN for no elements, as PyTorch, with no
    NumPy warning, and a zero gradient."""
    if elements.size == 0:
        return sum(elements) + np.nan
    return mean(elements)


def reduce_plain(elements: Tensor, reduction: str) -> Tensor:
    """PyTorch's reductions: ``'none'`` returns ``elements``, ``'sum'`` their
    sum, ``'mean'`` their mean (NaN when there are none)."""
    if reduction == "none":
        return elements
    if reduction == "sum":
        return sum(elements)
    return no_nan_mean(elements)


def check_broadcasts_to(
    op: str, name: str, value: Tensor | float, shape: tuple[int, ...]
) -> None:
    """Refuse ``value`` unless it broadcasts to ``shape`` without enlarging it."""
    try:
        fits = np.broadcast_shapes(np.shape(value), shape) == tuple(shape)
    except ValueError:
        fits = False
    if not fits:
        raise ShapeError(
            f"{op}: {name} of shape {np.shape(value)} does not broadcast to the "
            f"input's shape {tuple(shape)}"
        )


def class_weight(op: str, weight: TensorLike | None, n_classes: int) -> Tensor | None:
    """A per-class ``weight`` of shape (C,) as a Tensor, or None."""
    if weight is None:
        return None
    w = float_operand(weight)
    if w.shape != (n_classes,):
        raise ShapeError(
            f"{op}: weight must have shape ({n_classes},), one entry per class, "
            f"got {w.shape}"
        )
    return w


def class_view(t: Tensor, ndim: int) -> Tensor:
    """A (C,) vector shaped to broadcast along axis 1 of an (N, C, d1, ...)
    array (unchanged for an unbatched (C,) input)."""
    if ndim <= 1:
        return t
    return reshape(t, (1, t.shape[0]) + (1,) * (ndim - 2))


def class_layout(op: str, x: Tensor) -> tuple[int, int, tuple[int, ...]]:
    """For scores ``x`` of shape (C,), (N, C) or (N, C, d1, ...): the class
    axis, the number of classes and the shape of a class-index target."""
    if x.ndim == 0:
        raise ShapeError(
            f"{op}: input must have shape (C,), (N, C) or (N, C, d1, ...), got a "
            "0-d input"
        )
    if x.ndim == 1:
        return 0, x.shape[0], ()
    return 1, x.shape[1], (x.shape[0],) + x.shape[2:]


def class_indices(
    op: str,
    target: TensorLike,
    n_classes: int,
    shape: tuple[int, ...],
    ignore_index: int | None = None,
    input_shape: tuple[int, ...] | None = None,
) -> np.ndarray:
    """Validate a class-index ``target`` and return it as an intp array.

    Integer (or boolean) arrays are taken as they are; floating arrays (and
    Tensors, whose data are floats) must hold whole numbers. Every label lies
    in [0, C) or equals ``ignore_index`` (None: nothing is ignored).
    """
    if isinstance(target, Tensor):
        if target._tracked:
            raise DifferentiationError(
                f"{op}: target holds class labels, which are not differentiable; "
                "pass them as an integer array or a tensor without requires_grad"
            )
        target = target.data
    labels = np.asarray(target)
    if labels.shape != shape:
        described = f"input of shape {input_shape}" if input_shape else "input"
        raise ShapeError(
            f"{op}: target (class labels) must have shape {shape} for {described}, "
            f"got {labels.shape}"
        )
    kind = labels.dtype.kind
    if (
        kind == "f"
        and np.all(np.isfinite(labels))
        and np.all(labels == np.round(labels))
    ):
        labels = labels.astype(np.intp)
    elif kind not in "iub":
        raise ArgumentError(
            f"{op}: target holds class labels; labels must be integers, got dtype "
            f"{labels.dtype}" + (" with fractions" if kind == "f" else "")
        )
    labels = labels.astype(np.intp)
    bad = (labels < 0) | (labels >= n_classes)
    if ignore_index is not None:
        bad &= labels != ignore_index
    if np.any(bad):
        note = "" if ignore_index is None else f" (ignore_index is {ignore_index})"
        raise ArgumentError(
            f"{op}: target labels must lie in [0, {n_classes}), got "
            f"{labels[bad].flat[0]}{note}"
        )
    return labels
