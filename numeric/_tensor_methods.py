"""The operators and array methods of :class:`~numeric.tape.Tensor`.

:class:`TensorMethods` is the base class of ``Tensor`` that holds what makes it
feel like an ndarray: the arithmetic operators and ``@`` (reflected ones too),
indexing, ``.T``, ``.reshape`` and the reductions, each one primitive of the
registry applied to the tensor, and the comparisons, which give plain boolean
arrays (no gradient flows through a comparison). Imports go one way: this
module is below the tape and applies a primitive through the function the tape
installs in :mod:`numeric.registry` (``set_applier``).
"""

from __future__ import annotations

import numbers
from collections.abc import Sequence
from typing import Any, TypeAlias, TypeVar

import numpy as np
import numpy.typing as npt

from numeric._typing import Axis
from numeric.registry import _APPLY, _REGISTRY

__all__ = ["TensorMethods"]

_T = TypeVar("_T", bound="TensorMethods")

# An operand: a Tensor, or anything np.asarray takes (numeric.tape.TensorLike).
_Operand: TypeAlias = "TensorMethods | npt.ArrayLike"

# Every method below is ``apply(primitive, ...)``: ``_APPLY[0]`` is the tape's
# ``apply``, looked up on each call (one list index, no extra frame).


class TensorMethods:
    """Operators, indexing, reshaping and reductions of a Tensor (its base)."""

    __slots__ = ()
    # NumPy defers `ndarray <op> Tensor` to Tensor's reflected operators.
    __array_ufunc__ = None

    data: np.ndarray

    @property
    def T(self: _T) -> _T:
        return _APPLY[0](_REGISTRY["transpose"], self, axes=None)

    # ----- operators -----
    def __add__(self: _T, other: _Operand) -> _T:
        return _APPLY[0](_REGISTRY["add"], self, other)

    def __radd__(self: _T, other: _Operand) -> _T:
        return _APPLY[0](_REGISTRY["add"], other, self)

    def __sub__(self: _T, other: _Operand) -> _T:
        return _APPLY[0](_REGISTRY["subtract"], self, other)

    def __rsub__(self: _T, other: _Operand) -> _T:
        return _APPLY[0](_REGISTRY["subtract"], other, self)

    def __mul__(self: _T, other: _Operand) -> _T:
        return _APPLY[0](_REGISTRY["multiply"], self, other)

    def __rmul__(self: _T, other: _Operand) -> _T:
        return _APPLY[0](_REGISTRY["multiply"], other, self)

    def __truediv__(self: _T, other: _Operand) -> _T:
        return _APPLY[0](_REGISTRY["divide"], self, other)

    def __rtruediv__(self: _T, other: _Operand) -> _T:
        return _APPLY[0](_REGISTRY["divide"], other, self)

    def __pow__(self: _T, other: _Operand) -> _T:
        return _APPLY[0](_REGISTRY["power"], self, other)

    def __rpow__(self: _T, other: _Operand) -> _T:
        return _APPLY[0](_REGISTRY["power"], other, self)

    def __matmul__(self: _T, other: _Operand) -> _T:
        return _APPLY[0](_REGISTRY["matmul"], self, other)

    def __rmatmul__(self: _T, other: _Operand) -> _T:
        return _APPLY[0](_REGISTRY["matmul"], other, self)

    def __neg__(self: _T) -> _T:
        return _APPLY[0](_REGISTRY["negative"], self)

    def __pos__(self: _T) -> _T:
        return self

    def __getitem__(self: _T, index: Any) -> _T:
        return _APPLY[0](_REGISTRY["getitem"], self, index=_normalize_index(index))

    # comparisons give plain boolean arrays: no gradient flows through them
    def __lt__(self, other: _Operand) -> np.ndarray:
        return np.less(self.data, _operand_data(other))

    def __le__(self, other: _Operand) -> np.ndarray:
        return np.less_equal(self.data, _operand_data(other))

    def __gt__(self, other: _Operand) -> np.ndarray:
        return np.greater(self.data, _operand_data(other))

    def __ge__(self, other: _Operand) -> np.ndarray:
        return np.greater_equal(self.data, _operand_data(other))

    # ----- methods -----
    def reshape(self: _T, *shape: int | Sequence[int]) -> _T:
        """The tensor with a new shape: ``t.reshape(2, 3)`` or ``t.reshape((2, 3))``."""
        dims: tuple = shape
        if len(shape) == 1 and not isinstance(shape[0], (int, numbers.Integral)):
            dims = tuple(shape[0])
        return _APPLY[0](_REGISTRY["reshape"], self, shape=dims)

    def sum(self: _T, axis: Axis = None, keepdims: bool = False) -> _T:
        return _APPLY[0](_REGISTRY["sum"], self, axis=axis, keepdims=keepdims)

    def mean(self: _T, axis: Axis = None, keepdims: bool = False) -> _T:
        return _APPLY[0](_REGISTRY["mean"], self, axis=axis, keepdims=keepdims)

    def max(self: _T, axis: Axis = None, keepdims: bool = False) -> _T:
        return _APPLY[0](_REGISTRY["max"], self, axis=axis, keepdims=keepdims)

    def min(self: _T, axis: Axis = None, keepdims: bool = False) -> _T:
        return _APPLY[0](_REGISTRY["min"], self, axis=axis, keepdims=keepdims)

    def prod(self: _T, axis: Axis = None, keepdims: bool = False) -> _T:
        return _APPLY[0](_REGISTRY["prod"], self, axis=axis, keepdims=keepdims)

    def ravel(self: _T) -> _T:
        """The tensor as 1-D (a reshape, so the gradient flows)."""
        return self.reshape(-1)

    def flatten(self: _T) -> _T:
        """The tensor as 1-D, like ``ndarray.flatten``."""
        return self.reshape(-1)


def _operand_data(x):
    return x.data if isinstance(x, TensorMethods) else x


def _normalize_index(index):
    """Tensors and lists inside an index become integer/boolean ndarrays."""
    if isinstance(index, tuple):
        return tuple(_normalize_index_part(i) for i in index)
    return _normalize_index_part(index)


def _normalize_index_part(part):
    if isinstance(part, TensorMethods):
        part = part.data
        if part.dtype.kind == "f":
            if not np.all(part == np.round(part)):
                raise IndexError("a tensor used as an index must hold integers")
            part = part.astype(np.intp)
        return part
    if isinstance(part, list):
        return np.asarray(part)
    return part
