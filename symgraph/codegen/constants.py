"""Constants as source text: exact where the target allows, never a Python int
that a float expression would overflow."""

from __future__ import annotations

import math
from fractions import Fraction

from ..node import float_of

__all__ = ["c_const", "py_const", "py_float_const"]


_int_as_float = _frac_as_float = float_of


_EXACT = 2**53  # integers below this are exact doubles


def _py_float(x: float) -> str:
    if math.isnan(x):
        return "np.nan"
    if math.isinf(x):
        return "np.inf" if x > 0 else "(-np.inf)"
    s = repr(x)
    return f"({s})" if s.startswith("-") else s


def _c_float(x: float) -> str:
    if math.isnan(x):
        return "NAN"
    if math.isinf(x):
        return "INFINITY" if x > 0 else "(-INFINITY)"
    s = repr(x)
    return f"({s})" if s.startswith("-") else s


def py_const(value) -> str:
    """Python source of a constant: ints as ints, fractions as exact divisions."""
    if isinstance(value, int):
        if abs(value) < _EXACT:
            return f"({value})" if value < 0 else str(value)
        return _py_float(_int_as_float(value))
    if isinstance(value, Fraction):
        n, d = value.numerator, value.denominator
        if abs(n) < _EXACT and d < _EXACT:
            return f"({n} / {d})"
        return _py_float(_frac_as_float(value))
    return _py_float(value)


def py_float_const(value) -> str:
    """Python source of a constant that must be a float (``np.full``)."""
    if isinstance(value, Fraction) and not (
        abs(value.numerator) >= _EXACT or value.denominator >= _EXACT
    ):
        return py_const(value)
    if isinstance(value, int):
        return _py_float(_int_as_float(value))
    if isinstance(value, Fraction):
        return _py_float(_frac_as_float(value))
    return _py_float(value)


def c_const(value) -> str:
    """C source of a constant: always a double; fractions as exact divisions."""
    if isinstance(value, int):
        return _c_float(_int_as_float(value))
    if isinstance(value, Fraction):
        n, d = value.numerator, value.denominator
        if abs(n) < _EXACT and d < _EXACT:
            return f"({float(n)!r} / {float(d)!r})"
        return _c_float(_frac_as_float(value))
    return _c_float(value)
