"""High-precision evaluation of a DAG, to confirm a disagreement before it is
reported.

Each node is computed from its op's SymPy formula on SymPy Floats of the
requested number of digits (SymPy evaluates functions of Floats with mpmath),
in topological order, so a DAG with shared subexpressions costs one
evaluation per node. The point's coordinates are taken as the exact binary
values of the floats given; constants as the decimals they print as (``0.1``
is one tenth, as the user typed it). A node whose value is not a real number
(a pole, a logarithm of a negative) is NaN, which a ``where`` may leave
behind in the branch it does not take; a root that is not a finite real
number makes the result None: the point is outside the domain.
"""

from __future__ import annotations

from fractions import Fraction
from typing import Any

from .node import Node
from .opdef import OPS
from .printing import const_text
from .traverse import toposort

__all__ = ["evaluate_precise"]


def _const(sp, value, digits: int):
    if isinstance(value, int):
        return sp.Integer(value)
    if isinstance(value, Fraction):
        return sp.Rational(value.numerator, value.denominator)
    return sp.Float(const_text(value), digits)  # nan / inf become SymPy's


def _finite_real(sp, v) -> bool:
    return bool(v.is_number and v.is_extended_real and v.is_finite)


def evaluate_precise(roots: list, point: dict, digits: int = 50) -> list | None:
    """Values of ``roots`` at ``point`` (``{name: float}``) to ``digits``
    significant digits, as SymPy Floats; None when some node on the way is
    not a finite real number.

    Examples
    --------
    >>> import symgraph as sg
    >>> x = sg.symbols("x")
    >>> (v,) = evaluate_precise([(1 + x) - 1], {"x": 1e-30})
    >>> float(v)
    1e-30
    """
    import sympy as sp

    memo: dict[Node, Any] = {}  # node -> its SymPy Float (or nan)
    for node in toposort(roots):
        if node.op == "symbol":
            value = sp.Float(float(point[node.value]), digits)
        elif node.op == "const":
            value = _const(sp, node.value, digits)
        else:
            args = [memo[a] for a in node.args]
            try:
                value = OPS[node.op].formula(sp, *args)
                if not value.is_Number:
                    value = value.evalf(digits)
            except (TypeError, ValueError, ArithmeticError):
                value = sp.nan  # e.g. Max of a complex number
        memo[node] = value if _finite_real(sp, value) else sp.nan
    values = [memo[r] for r in roots]
    return values if all(_finite_real(sp, v) for v in values) else None
