"""The dtypes a graph node can hold, and the int64 rule.

``numeric`` computes in float64, so every floating request gives float64;
integer requests give int64, kept exact: an integer value that does not fit
int64 (a uint64 above 2**63 - 1, a float beyond the range or with a fraction)
is refused by the callers of :func:`int64_problem`, never wrapped or rounded.
This module is the bottom of the graph layer: it imports nothing from it.
"""

from __future__ import annotations

import numpy as np

float64 = np.dtype(np.float64)
int64 = np.dtype(np.int64)
bool_ = np.dtype(np.bool_)
# TF1's names for the dtypes TF1 code asks for most. They are what they say
# (np.float32, np.int32) so that code reads as written, but a node asked for
# one holds float64 or int64 (see as_dtype): numeric computes in those.
float32 = np.dtype(np.float32)
int32 = np.dtype(np.int32)

INT64_MIN = int(np.iinfo(np.int64).min)
INT64_MAX = int(np.iinfo(np.int64).max)


def as_dtype(dtype) -> np.dtype:
    """Return the dtype a node really holds for a requested ``dtype``.

    ``numeric`` computes in float64, so every floating request (``"float32"``,
    ``np.float32``, ...) gives float64; integer requests give int64.
    """
    if dtype is None:
        return float64
    try:
        dt = np.dtype(dtype)
    except TypeError as exc:
        raise TypeError(f"unsupported dtype {dtype!r}") from exc
    if dt.kind == "f":
        return float64
    if dt.kind in "iu":
        return int64
    if dt.kind == "b":
        return bool_
    raise TypeError(f"unsupported dtype {dt} (use float64, int64 or bool)")


def is_dtype(value: object) -> bool:
    """True when ``value`` names a dtype rather than a shape: an ``np.dtype``,
    a NumPy scalar type (``np.float32``), the Python types ``float``, ``int``
    and ``bool``, or a string (``"float32"``; an unknown name is refused by
    :func:`as_dtype`). A shape is None, an int, a sequence or a TensorShape.
    """
    if isinstance(value, (np.dtype, str)):
        return True
    return isinstance(value, type) and issubclass(value, (np.generic, float, int))


def dtype_name(dtype: np.dtype) -> str:
    """TF1's spelling of a dtype in messages and reprs (``bool``, ``int64``)."""
    return "bool" if dtype == bool_ else str(dtype)


def is_python_int_array(arr: np.ndarray) -> bool:
    """True for an object array of Python ints (NumPy's result for ints too
    large for int64 and uint64)."""
    return arr.dtype == object and all(
        isinstance(v, int) and not isinstance(v, bool) for v in arr.flat
    )


def int64_problem(arr: np.ndarray) -> str | None:
    """Why the values of ``arr`` cannot be held exactly as int64, or None.

    Signed integers and bools always fit; unsigned integers fit up to
    2**63 - 1; floats fit when finite, integral and inside the int64 range;
    Python ints too large for NumPy (an object array) never fit.
    """
    kind = arr.dtype.kind
    if kind in "ib" or arr.size == 0:
        return None
    if kind == "u":
        top = int(arr.max())
        return None if top <= INT64_MAX else f"{top} is larger than the int64 maximum"
    if kind == "f":
        if not np.all(np.isfinite(arr)):
            return "non-finite values cannot be int64"
        if not np.all(arr == np.round(arr)):
            return "non-integer values cannot be int64"
        # 2.0**63 is the first float above INT64_MAX; -2.0**63 is INT64_MIN
        if np.any(arr >= 2.0**63) or np.any(arr < -(2.0**63)):
            return "values outside the int64 range [-2**63, 2**63 - 1]"
        return None
    if is_python_int_array(arr):
        bad = [v for v in arr.flat if not INT64_MIN <= v <= INT64_MAX]
        if not bad:
            return None
        return f"{bad[0]} is outside the int64 range [-2**63, 2**63 - 1]"
    return f"values of dtype {arr.dtype} are not integers"
