"""The values of constant nodes as numbers: exact where they are exact,
floats that saturate to infinity instead of overflowing.

Duck-typed on a node's ``op`` and ``value``, so this module imports nothing
of symgraph (``node.py`` re-exports these names).
"""

from __future__ import annotations

import math
from fractions import Fraction
from typing import Any

__all__ = ["Number", "const_number", "const_value", "float_of", "is_const"]

# The exact value of a constant node: integers and fractions stay exact.
Number = int | Fraction | float


def is_const(node: Any, value=None) -> bool:
    """True for a constant node (equal to ``value`` when one is given)."""
    if node.op != "const":
        return False
    return value is None or node.value == value


def float_of(value) -> float:
    """A number (int, Fraction, float) as a float: ``±inf`` past the float range,
    never an OverflowError."""
    try:
        return float(value)
    except OverflowError:
        return math.inf if value > 0 else -math.inf


def const_value(node: Any) -> float:
    """A constant node's value as a float (``±inf`` past the float range)."""
    return float_of(node.value)


def const_number(node: Any) -> Number:
    """A constant node's value as it is kept: an ``int``, ``Fraction`` or ``float``.

    Raises
    ------
    TypeError
        If ``node`` is not a constant.
    """
    value = node.value
    if node.op != "const" or not isinstance(value, (int, Fraction, float)):
        raise TypeError(f"{node} is not a constant")
    return value
