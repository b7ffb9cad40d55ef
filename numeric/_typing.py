"""Type aliases for numeric's annotations: names for what its functions accept.

Nothing here runs beyond defining the names (the types they refer to are
imported for type checkers only), so any module of the engine can import it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, TypeAlias

if TYPE_CHECKING:
    import numpy.typing as npt

    from numeric.graph.graph import Tensor as GraphTensor
    from numeric.tape import Tensor

__all__ = ["Axis", "GraphTensorLike", "IntPair", "TensorLike"]

# An array operand of the eager engine: a Tensor, or anything np.asarray takes
# (numbers, ndarrays, nested sequences of numbers or Tensors).
TensorLike: TypeAlias = "Tensor | npt.ArrayLike"

# An operand of a graph op: a graph Tensor, or a value made into a constant.
GraphTensorLike: TypeAlias = "GraphTensor | npt.ArrayLike"

# NumPy's axis argument: one axis, several, or None for all of them.
Axis: TypeAlias = "int | tuple[int, ...] | None"

# A window, stride, padding or dilation: one int for both spatial axes, or a pair.
IntPair: TypeAlias = "int | tuple[int, int]"
