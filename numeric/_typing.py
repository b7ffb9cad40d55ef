"""Type aliases for numeric's annotations that name no class of the project.

Aliases that name one live beside it, so that no import (not even one for
type checkers) runs upwards: ``TensorLike`` in :mod:`numeric.tape`,
``ShapeLike`` in :mod:`numeric.graph.shapes`, ``GraphTensorLike`` and
``SessionLike`` in :mod:`numeric.graph.graph`.
"""

from __future__ import annotations

from typing import TypeAlias

__all__ = ["Axis", "IntPair"]

# NumPy's axis argument: one axis, several, or None for all of them.
Axis: TypeAlias = "int | tuple[int, ...] | None"

# A window, stride, padding or dilation: one int for both spatial axes, or a pair.
IntPair: TypeAlias = "int | tuple[int, int]"
