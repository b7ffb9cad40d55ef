"""The primitives, grouped by family; importing this package fills the registry."""

from numeric.prims import conv, elementwise, linalg, loss, pool, reduce, shape

__all__ = ["conv", "elementwise", "linalg", "loss", "pool", "reduce", "shape"]
