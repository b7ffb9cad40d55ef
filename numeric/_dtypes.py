"""The eager engine's dtype rules: how data and constant operands become arrays.

A Tensor holds float32 or float64 (the default), as in PyTorch; these
functions turn what a user passes (numbers, nested sequences, ndarrays of any
real dtype) into such arrays, and a constant operand of a primitive into an
array of the dtype its Tensor operands fix. They know nothing of Tensors:
:mod:`numeric.tape` calls them for the data a Tensor does not already hold.
"""

from __future__ import annotations

import numpy as np

__all__ = ["const_array", "float_array"]

_FLOATS = (np.dtype(np.float32), np.dtype(np.float64))


def float_array(data) -> np.ndarray:
    """``data`` as a floating ndarray: float32 and float64 are kept, as in
    PyTorch; every other real dtype (bool, ints, float16, longdouble) becomes
    float64, the default."""
    arr = np.asarray(data)
    if arr.dtype not in _FLOATS:
        if arr.dtype.kind not in "biuf":
            raise TypeError(
                f"tensor: cannot make a float tensor from data of dtype {arr.dtype}"
            )
        arr = arr.astype(np.float64)
    return arr


def const_array(value, like=None) -> np.ndarray:
    """A non-Tensor operand as an array.

    ``like`` is the floating dtype of the Tensor operands (None when there are
    none). Bools stay bool. Python ints and floats are *weak*, as in NumPy 2 and
    PyTorch: they take ``like`` (``float32_tensor * 2.0`` stays float32), and so
    do integer arrays (PyTorch's rule: an integer operand never widens a float
    one). Float32 and float64 arrays keep their dtype and promote as NumPy does
    (float32 with float64 gives float64); other floats become float64.
    """
    target = np.float64 if like is None else like
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return np.asarray(value, dtype=target)
    arr = np.asarray(value)
    kind = arr.dtype.kind
    if kind == "f":
        return arr if arr.dtype in _FLOATS else arr.astype(np.float64)
    if kind in "iu":
        return arr.astype(target)
    if kind == "b":
        return arr
    raise TypeError(f"cannot use a value of dtype {arr.dtype} as a numeric operand")
