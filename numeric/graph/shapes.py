"""Static shapes of graph nodes: ``None`` for an unknown rank or size.

Shapes print like TF1's (``(?, 3)``, ``<unknown>``); :func:`broadcast_shapes`
is NumPy's rule with unknown sizes. Nothing here knows about graphs.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import TypeAlias, overload

import numpy as np

from numeric.errors import ShapeError

# A static shape: None (any rank), one int, or a sequence of sizes with None
# (or -1) where a size is unknown.
ShapeLike: TypeAlias = "TensorShape | int | Sequence[int | None] | None"


def normalize_shape(shape: ShapeLike) -> tuple[int | None, ...] | None:
    """``None`` (any rank) or a tuple of ints and ``None`` (any size)."""
    if shape is None:
        return None
    if isinstance(shape, TensorShape):
        return shape.dims
    if isinstance(shape, (int, np.integer)):
        shape = (shape,)
    dims: list[int | None] = []
    for d in shape:
        if d is None or (isinstance(d, (int, np.integer)) and d == -1):
            dims.append(None)
        elif isinstance(d, (int, np.integer)) and d >= 0:
            dims.append(int(d))
        else:
            raise ValueError(f"invalid dimension {d!r} in shape {tuple(shape)!r}")
    return tuple(dims)


def format_shape(shape) -> str:
    """TF1's text for a static shape: ``(?, 3)``, ``()``, ``<unknown>``."""
    if shape is None:
        return "<unknown>"
    parts = ["?" if d is None else str(d) for d in shape]
    if len(parts) == 1:
        return f"({parts[0]},)"
    return "(" + ", ".join(parts) + ")"


def shape_fits(value_shape, static_shape) -> bool:
    """True when a concrete ``value_shape`` is allowed by ``static_shape``."""
    if static_shape is None:
        return True
    if len(value_shape) != len(static_shape):
        return False
    return all(s is None or s == v for v, s in zip(value_shape, static_shape))


class TensorShape:
    """A static shape: ``dims`` is a tuple with ``None`` for unknown sizes,
    or ``None`` when even the rank is unknown. Prints like TF1: ``(?, 3)``."""

    __slots__ = ("dims",)

    def __init__(self, dims: ShapeLike) -> None:
        self.dims = normalize_shape(dims)

    @property
    def ndims(self) -> int | None:
        return None if self.dims is None else len(self.dims)

    def as_list(self) -> list[int | None]:
        if self.dims is None:
            raise ValueError("as_list() is not defined on an unknown TensorShape")
        return list(self.dims)

    def is_fully_defined(self) -> bool:
        return self.dims is not None and None not in self.dims

    def __len__(self) -> int:
        if self.dims is None:
            raise ValueError("the rank of this shape is unknown")
        return len(self.dims)

    def __iter__(self) -> Iterator[int | None]:
        if self.dims is None:
            raise ValueError("cannot iterate over a shape of unknown rank")
        return iter(self.dims)

    @overload
    def __getitem__(self, i: int) -> int | None: ...
    @overload
    def __getitem__(self, i: slice) -> tuple[int | None, ...]: ...
    def __getitem__(self, i: int | slice) -> int | tuple[int | None, ...] | None:
        if self.dims is None:
            raise ValueError("the rank of this shape is unknown")
        return self.dims[i]

    def __eq__(self, other: object) -> bool:
        if isinstance(other, TensorShape):
            return self.dims == other.dims
        if isinstance(other, (tuple, list)):
            return self.dims == tuple(other)
        return NotImplemented

    def __hash__(self) -> int:
        return hash(self.dims)

    def __str__(self) -> str:
        return format_shape(self.dims)

    def __repr__(self) -> str:
        return f"TensorShape({format_shape(self.dims)})"


def broadcast_shapes(op_name: str, *shapes):
    """Static broadcast of NumPy shapes with ``None`` for unknown sizes."""
    if any(s is None for s in shapes):
        return None
    ndim = max(len(s) for s in shapes)
    out = []
    for axis in range(ndim):
        dims = [s[axis - ndim + len(s)] for s in shapes if axis - ndim + len(s) >= 0]
        known = {d for d in dims if d is not None and d != 1}
        if len(known) > 1:
            raise ShapeError(
                f"{op_name}: shapes "
                + " and ".join(format_shape(s) for s in shapes)
                + " cannot be broadcast together"
            )
        if known:
            out.append(known.pop())
        elif any(d is None for d in dims):
            out.append(None)
        else:
            out.append(1)
    return tuple(out)
