"""The one registry of numeric primitives.

A primitive is declared once: a name, a forward NumPy function and a VJP rule.
The tape (:mod:`numeric.tape`) records ``(primitive, parents, params)`` for each
result and the backward driver looks the rule up here; nothing else knows how
an op is differentiated. ``numeric.prims`` fills the registry on import.

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

A primitive without a rule raises ``NotImplementedError`` when the driver
needs it: "not implemented", "undefined" and "zero" are three different things.
Rules compute with the engine's own primitives, so they are recorded by an
outer trace and differentiate again.
"""

from __future__ import annotations

from collections.abc import Callable

__all__ = [
    "UNDEFINED",
    "Primitive",
    "defprim",
    "defvjp",
    "lookup",
    "needs_grad",
    "primitives",
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


class Primitive:
    """A named operation with a NumPy forward function and a VJP rule.

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

    __slots__ = ("impl", "name", "nargs", "vjp")

    def __init__(self, name: str, impl: Callable, nargs: int | None):
        self.name = name
        self.impl = impl
        self.nargs = nargs
        self.vjp: Callable | None = None

    def __call__(self, *args, **params):
        from numeric.tape import apply

        return apply(self, *args, **params)

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
