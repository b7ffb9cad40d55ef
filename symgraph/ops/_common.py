"""Small pieces the op declarations share: node builders, exact-value tests,
NaN-aware folding, and the data access the numeric counterparts use."""

from __future__ import annotations

import math
from fractions import Fraction

import numpy as np

from ..node import Node, const, make
from ..opdef import defop

__all__ = [
    "HALF",
    "const",
    "data",
    "exact",
    "fold_exact",
    "is_exact",
    "is_zero",
    "make",
    "positive",
    "unary",
]

# The exact 1/2 of the tie rules: to_sympy gives SymPy's own Rational(1, 2).
HALF = Fraction(1, 2)


def is_zero(n: Node) -> bool:
    """A constant equal to 0 (exact, 0.0 or -0.0)."""
    return n.op == "const" and n.value == 0


def exact(n: Node) -> bool:
    """An exact constant (int or Fraction)."""
    return n.op == "const" and isinstance(n.value, (int, Fraction))


def is_exact(n: Node, v) -> bool:
    """An exact constant equal to ``v``: ``x*1`` folds, ``x*1.0`` stays (as in
    SymPy, so a float 1.0 that SymPy keeps survives a round trip through it)."""
    return exact(n) and n.value == v


def fold_exact(table: dict):
    """A ``fold`` for a unary op: its exact value at the exact arguments in
    ``table`` (``{0: 0}`` for sin), else None."""

    def fold(v):
        if isinstance(v, float):
            return None
        return table.get(v)

    return fold


def nan_free(*values) -> bool:
    """True when no value is a float NaN (folding then follows NumPy)."""
    return not any(isinstance(v, float) and math.isnan(v) for v in values)


def data(v):
    """The array inside a numeric Tensor, or the value as an array."""
    return getattr(v, "data", np.asarray(v))


def positive(v):
    """``v > 0`` as a boolean array, for the numeric counterparts' conditions."""
    return data(v) > 0


def unary(name, formula, numpy, partial, np_src, c_src="", numeric=None, **fields):
    """Declare a function of one argument whose partial is ``partial(x, out)``
    (``out`` the function's own node). ``numeric`` defaults to the engine's
    function of the same name; ``c_src`` to ``np_src`` without ``np.``."""
    fields.setdefault("sympy_class", name)
    fields.setdefault("doc", f"The elementwise {name} of x.")
    defop(
        name,
        1,
        formula=formula,
        numpy=numpy,
        partials=lambda x, out: (partial(x, out),),
        np_src=np_src,
        c_src=c_src,
        numeric=numeric or (lambda nm, x: getattr(nm, name)(x)),
        params=("x",),
        **fields,
    )
