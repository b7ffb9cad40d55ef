"""Forward mode on the tape: pushing tangents through one primitive application.

When a ``jvp`` call is live (:mod:`numeric.forward`), every
:func:`numeric.tape.apply` whose inputs carry tangents calls
:func:`push_tangents`, which computes the result's tangent under each live tag
with the primitive's JVP rule from the registry (dual numbers). Imports go one
way: this module installs :func:`push_tangents` in the tape on import, as
:mod:`numeric.backward` installs the reverse sweep, and :mod:`numeric.forward`
imports it.
"""

from __future__ import annotations

from numeric._state import STATE
from numeric.errors import ShapeError
from numeric.registry import Primitive
from numeric.tape import Tensor, _float_array, _inputs, _make, set_tangent_pusher

__all__ = ["push_tangents"]


def push_tangents(
    prim: Primitive, args: tuple, datas: list, result: Tensor, params: dict
) -> None:
    """Forward mode: the result's tangent for every live perturbation.

    Perturbations are pushed outermost first, each with only the ones outside
    it live, so a tangent of an inner ``jvp`` carries the outer tangents it
    depends on (nested forward mode) and no tangent mixes two calls.
    """
    duals = [a._dual for a in args if isinstance(a, Tensor) and a._dual is not None]
    if not duals:
        return
    tags = STATE.tags
    inputs = result._parents or _inputs(args, datas)
    # filled as it goes: an inner tag's rule reads the outer tangents of ``ans``
    out = result._dual = {}
    try:
        for level, tag in enumerate(tags):
            dots = tuple(
                a._dual.get(tag) if isinstance(a, Tensor) and a._dual else None
                for a in args
            )
            if all(d is None for d in dots):
                continue
            if prim.jvp is None:
                raise NotImplementedError(
                    f"JVP of {prim.name} is not implemented: forward mode (nm.jvp, "
                    "nm.jacobian(mode='forward'), nm.hessian, nm.hvp) cannot go "
                    "through it"
                )
            STATE.tags = tags[:level]
            dot = prim.jvp(dots, result, *inputs, **params)
            if dot is None:
                continue  # structurally zero
            if not isinstance(dot, Tensor):
                dot = _make(_float_array(dot))
            if dot.data.shape != result.data.shape:
                raise ShapeError(
                    f"JVP of {prim.name}: the tangent has shape {dot.data.shape}, "
                    f"but the output has shape {result.data.shape}"
                )
            out[tag] = dot
    finally:
        STATE.tags = tags
    if not out:
        result._dual = None


set_tangent_pusher(push_tangents)
