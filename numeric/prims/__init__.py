"""The primitives, grouped by family; importing this package fills the registry."""

from numeric.prims import (
    conv,
    conv2d,
    conv_nd,
    conv_transpose,
    elementwise,
    linalg,
    loss,
    pool,
    pool_avg,
    reduce,
    shape,
)

__all__ = [
    "conv",
    "conv2d",
    "conv_nd",
    "conv_transpose",
    "elementwise",
    "linalg",
    "loss",
    "pool",
    "pool_avg",
    "reduce",
    "shape",
]
