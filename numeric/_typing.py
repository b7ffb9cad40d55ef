"""Type aliases for numeric's annotations: names for what its functions accept.

Nothing here runs beyond defining the names and one protocol (the types they
refer to are imported for type checkers only), so any module of the engine can
import it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Protocol, TypeAlias

if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence

    import numpy.typing as npt

    from numeric.graph.graph import Graph
    from numeric.graph.graph import Tensor as GraphTensor
    from numeric.graph.shapes import TensorShape
    from numeric.tape import Tensor

__all__ = [
    "Axis",
    "GraphTensorLike",
    "IntPair",
    "SessionLike",
    "ShapeLike",
    "TensorLike",
]

# An array operand of the eager engine: a Tensor, or anything np.asarray takes
# (numbers, ndarrays, nested sequences of numbers or Tensors).
TensorLike: TypeAlias = "Tensor | npt.ArrayLike"

# An operand of a graph op: a graph Tensor, or a value made into a constant.
GraphTensorLike: TypeAlias = "GraphTensor | npt.ArrayLike"

# A static shape of the graph layer: None (any rank), one int, or a sequence of
# sizes with None (or -1) where a size is unknown.
ShapeLike: TypeAlias = "TensorShape | int | Sequence[int | None] | None"

# NumPy's axis argument: one axis, several, or None for all of them.
Axis: TypeAlias = "int | tuple[int, ...] | None"

# A window, stride, padding or dilation: one int for both spatial axes, or a pair.
IntPair: TypeAlias = "int | tuple[int, int]"


class SessionLike(Protocol):
    """What the core graph module asks of a session: the graph it runs, and
    ``run``. ``numeric.graph.session.Session`` is one; the core module names
    this protocol so that it never imports the session module."""

    graph: Graph

    def run(self, fetches: Any, feed_dict: Mapping[Any, Any] | None = None) -> Any:
        """Values of ``fetches`` with ``feed_dict`` fed."""
        ...
