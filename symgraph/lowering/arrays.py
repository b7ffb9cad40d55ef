"""Which arrays a lowered function computes on, and with which functions.

NumPy values (arrays, scalars, nested lists) are converted to float64
arrays, as always. Any other array is used as it is, never converted: an
array with ``__array_namespace__`` (the Python array API standard: JAX,
CuPy, array-api-strict, ...) is computed with its own namespace, and a
duck array that implements both NumPy protocols ``__array_ufunc__`` and
``__array_function__`` but has no namespace (Dask) is computed with NumPy's
functions, which hand the work back to the array's own library. The
generated code spells every op with NumPy's names (``np.sin``); for another
namespace ``np`` is bound to a :class:`Namespace` that looks each name up
there, with the array API's spelling where it differs (``np.arctan`` is
``atan`` there).
"""

from __future__ import annotations

import numbers

import numpy as np

__all__ = ["Namespace", "foreign_namespace", "namespace_of"]

# NumPy's name -> the array API standard's name, where they differ.
_ARRAY_API_NAMES = {
    "arctan": "atan",
    "arcsin": "asin",
    "arccos": "acos",
    "arctanh": "atanh",
    "arcsinh": "asinh",
    "arccosh": "acosh",
    "arctan2": "atan2",
    "power": "pow",
    "absolute": "abs",
    "concatenate": "concat",
}


# NumPy names that compute nothing on arrays and that other namespaces need
# not have: NumPy's own are used (errstate only concerns NumPy's warnings).
_NUMPY_ONLY = {"errstate"}


class Namespace:
    """NumPy's spelling over another array namespace ``xp``."""

    def __init__(self, xp):
        self.xp = xp

    def __getattr__(self, name):
        xp = self.xp
        fn = getattr(xp, name, None)
        if fn is None and name in _ARRAY_API_NAMES:
            fn = getattr(xp, _ARRAY_API_NAMES[name], None)
        if fn is None and name in _NUMPY_ONLY:
            fn = getattr(np, name)
        if fn is None:
            label = getattr(xp, "__name__", type(xp).__name__)
            raise TypeError(
                f"the array namespace {label} has no function {name!r} "
                f"(NumPy's np.{name}), which this expression needs"
            )
        setattr(self, name, fn)  # looked up once
        return fn

    def __repr__(self):
        return f"Namespace({getattr(self.xp, '__name__', self.xp)!r})"


def foreign_namespace(value):
    """The namespace to compute with for a non-NumPy array, or None for a
    value NumPy takes (an ndarray, a number, a list...)."""
    kind = type(value)
    if kind is np.ndarray or kind is float:
        return None
    if isinstance(value, (np.ndarray, np.generic, numbers.Number, list, tuple)):
        return None
    if hasattr(kind, "__array_namespace__"):
        return value.__array_namespace__()
    if hasattr(kind, "__array_ufunc__") and hasattr(kind, "__array_function__"):
        return np  # Dask and other duck arrays: NumPy's functions dispatch to them
    return None


def namespace_of(values: list, names: list):
    """The one namespace of the non-NumPy arrays among ``values`` (None when
    all are NumPy's). Raises TypeError when arrays of two libraries meet."""
    found = None
    for value, name in zip(values, names):
        xp = foreign_namespace(value)
        if xp is None:
            continue
        if found is None:
            found, first = xp, name
        elif xp is not found:
            raise TypeError(
                f"arguments {first} and {name} are arrays of different "
                f"libraries ({type(values[names.index(first)]).__name__} and "
                f"{type(value).__name__}); give arrays of one library"
            )
    return found
