"""The one registry of numeric primitives.

A primitive is declared once: a name, a forward NumPy function, a VJP rule and
a JVP rule. The tape (:mod:`numeric.tape`) records ``(primitive, parents,
params)`` for each result, the backward driver looks the VJP up here and the
forward (tangent) driver looks the JVP up here; nothing else knows how an op is
differentiated. ``numeric.prims`` fills the registry on import.

A VJP rule has the fixed signature ``rule(g, ans, *inputs, **params)``: ``g`` is
the upstream cotangent, ``ans`` the forward result and ``inputs`` the forward
inputs, all :class:`~numeric.tape.Tensor` objects, and ``params`` the static
keyword parameters of the call. It returns a tuple with one entry per input:

- a Tensor (or array) of that input's shape: the cotangent for the input;
- ``None``: the contribution is structurally zero (the driver skips it). A rule
  may also return ``None`` for an input that needs no gradient
  (see :func:`needs_grad`), since the driver never reads that entry;
- :data:`UNDEFINED`: the op is not differentiable with respect to this input
  (an integer index, a boolean condition). Asking for that gradient raises.

A JVP rule has the signature ``rule(dots, ans, *inputs, **params)``: ``dots``
is a tuple with one tangent per input (a Tensor, or ``None`` for a zero
tangent, never all ``None``). It returns the output's tangent, a Tensor of
``ans``'s shape, or ``None`` when it is structurally zero.

A primitive without a rule raises ``NotImplementedError`` naming it when a
driver needs the rule: "not implemented", "undefined" and "zero" are three
different things. Rules compute with the engine's own primitives, so they are
recorded by an outer trace and differentiate again.

Imports go one way: this module knows nothing of Tensors. The tape installs
the function that applies a primitive (:func:`set_applier`), so calling a
primitive object works once :mod:`numeric.tape` is imported, which
``import numeric`` does.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

__all__ = [
    "UNDEFINED",
    "Primitive",
    "defjvp",
    "defjvp_elementwise",
    "deflinear",
    "defprim",
    "defvjp",
    "lookup",
    "needs_grad",
    "primitives",
    "set_applier",
]


class _Undefined:
    """Marker: the primitive is not differentiable with respect to an input."""

    _instance = None

    def __new__(cls):
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __repr__(self) -> str:
        return "UNDEFINED"


UNDEFINED = _Undefined()

_REGISTRY: dict[str, Primitive] = {}


def _no_applier(prim, *args, **params):
    raise RuntimeError(
        f"cannot apply {prim.name}: numeric.tape is not imported (import numeric)"
    )


_APPLY: list = [_no_applier]  # the tape replaces the one entry


def set_applier(fn: Callable) -> None:
    """Install ``fn(prim, *args, **params)`` as what calling a primitive does.

    :mod:`numeric.tape` calls this once, with its ``apply``.
    """
    _APPLY[0] = fn


class Primitive:
    """A named operation with a NumPy forward function, a VJP and a JVP rule.

    Parameters
    ----------
    name : str
        The NumPy-style name (``"exp"``, ``"matmul"``), unique in the registry.
    impl : callable
        ``impl(*arrays, **params) -> ndarray``, the forward computation on
        plain NumPy arrays.
    nargs : int or None
        The number of array inputs (None: any number, as for ``stack``).

    Calling a primitive applies it to Tensors, arrays or numbers and returns a
    :class:`~numeric.tape.Tensor` (recorded on the tape when an input is
    traced): ``lookup("add")(x, y)``. ``prim.impl`` evaluates it on arrays only.
    """

    __slots__ = ("impl", "jvp", "name", "nargs", "vjp")

    def __init__(self, name: str, impl: Callable, nargs: int | None):
        self.name = name
        self.impl = impl
        self.nargs = nargs
        self.vjp: Callable | None = None
        self.jvp: Callable | None = None

    def __call__(self, *args, **params):
        return _APPLY[0](self, *args, **params)

    def __repr__(self) -> str:
        return f"Primitive({self.name!r})"


def defprim(name: str, impl: Callable, nargs: int | None) -> Primitive:
    """Create a primitive and register it under ``name``."""
    if name in _REGISTRY:
        raise ValueError(f"primitive {name!r} is already registered")
    prim = Primitive(name, impl, nargs)
    _REGISTRY[name] = prim
    return prim


def defvjp(prim: Primitive, rule: Callable) -> Primitive:
    """Attach the VJP ``rule(g, ans, *inputs, **params) -> tuple`` to ``prim``."""
    prim.vjp = rule
    return prim


def defjvp(prim: Primitive, rule: Callable) -> Primitive:
    """Attach the JVP ``rule(dots, ans, *inputs, **params) -> tangent`` to ``prim``."""
    prim.jvp = rule
    return prim


def defjvp_elementwise(prim: Primitive) -> Primitive:
    """JVP of a one-input elementwise primitive from its VJP.

    An elementwise function has a diagonal Jacobian, which is its own
    transpose, so pushing a tangent forward is the VJP rule applied to it.
    """
    vjp = prim.vjp
    if vjp is None:
        raise ValueError(f"defjvp_elementwise: {prim.name} has no VJP yet")

    def elementwise_jvp(dots, ans, x, **params):
        return vjp(dots[0], ans, x, **params)[0]

    elementwise_jvp.__name__ = f"{prim.name}_jvp"
    prim.jvp = elementwise_jvp
    return prim


def deflinear(prim: Primitive) -> Primitive:
    """JVP of a primitive linear in its inputs: the primitive of the tangents.

    A missing (zero) tangent is replaced by zeros of that input's shape.
    """

    def linear_jvp(dots, ans, *inputs, **params):
        args = [d if d is not None else np.zeros(x.shape) for d, x in zip(dots, inputs)]
        return prim(*args, **params)

    linear_jvp.__name__ = f"{prim.name}_jvp"
    prim.jvp = linear_jvp
    return prim


def lookup(name: str) -> Primitive:
    """Return the registered primitive called ``name`` (``KeyError`` if none)."""
    try:
        return _REGISTRY[name]
    except KeyError:
        raise KeyError(f"no numeric primitive named {name!r}") from None


def primitives() -> list[Primitive]:
    """All registered primitives, in registration order."""
    return list(_REGISTRY.values())


def needs_grad(x) -> bool:
    """True when the Tensor ``x`` is traced, i.e. a gradient may flow into it.

    Rules use it to skip an expensive cotangent that no one will read (the
    input gradient of the first layer of a network, for instance).
    """
    return getattr(x, "_tracked", False)
