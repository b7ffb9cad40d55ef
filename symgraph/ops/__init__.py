"""The op declarations: every op symgraph knows, each declared once.

Importing this package fills :data:`symgraph.opdef.OPS`, family by family:
``arithmetic`` (+ - * / ** and unary minus), ``elementary`` (smooth
functions), ``kinks`` (steps, ``where``, activations), ``ties`` (maxima and minima),
``trigonometric`` (sec, csc, cot, their inverses, atan2), ``hyperbolic``
(the inverse and reciprocal hyperbolic functions), ``logexp`` (log2, log10,
exp2, logaddexp, logsumexp). See
:class:`symgraph.opdef.OpDef` for the fields a declaration holds, and
``docs/symbolic_engine.md`` ("Adding an op") for a worked example.
"""

from __future__ import annotations

from ..opdef import OPS, UNDEFINED, Helper, OpDef, defop
from . import (  # noqa: F401  (fill the table)
    arithmetic,
    constants,
    elementary,
    hyperbolic,
    kinks,
    logexp,
    ties,
    trigonometric,
)

__all__ = ["OPS", "UNDEFINED", "Helper", "OpDef", "defop", "formula_of", "partials_of"]


def partials_of(op_name: str, args: tuple, out) -> tuple:
    """Local partials of one application ``out = op(*args)``, one per argument.

    Each entry is a node, or :data:`UNDEFINED` where the op cannot be
    differentiated in that argument.
    """
    op = OPS[op_name]
    parts = op.partials(*args, out)
    if len(parts) != len(args):
        raise AssertionError(
            f"the partials rule of {op_name!r} gave {len(parts)} partials "
            f"for {len(args)} arguments"
        )
    return tuple(parts)


def formula_of(op: OpDef, args=None):
    """The op's SymPy formula, on ``args`` or on real dummy symbols ``a0, a1, ...``."""
    import sympy as sp

    if args is None:
        args = sp.symbols(f"a0:{op.nargs}", real=True)
    return op.formula(sp, *args)
