"""The primitives, grouped by family; importing this package fills the registry."""

from numeric.prims import (
    arithmetic,
    contract,
    conv,
    decomp,
    elementwise,
    join,
    layers,
    linalg,
    loss,
    norms,
    pool,
    reduce,
    scan,
    shape,
    special,
    statistics,
)

__all__ = [
    "arithmetic",
    "contract",
    "conv",
    "decomp",
    "elementwise",
    "join",
    "layers",
    "linalg",
    "loss",
    "norms",
    "pool",
    "reduce",
    "scan",
    "shape",
    "special",
    "statistics",
]
