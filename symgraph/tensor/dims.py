"""Dimensions and shapes of tensor nodes: concrete integers or symbolic names.

A dimension is a Python ``int`` or a SymPy expression in positive integer
symbols (``n``, ``m``, or a derived size such as ``H - k + 1`` after a
convolution). Two symbolic dimensions match only when they are equal; a
symbolic name meeting a concrete size *unifies* with it: the binding
(``m = 3``) is recorded on the node and travels with every expression built
from it, and a second, different binding of the same name is an error.
"""

from __future__ import annotations

import functools
import keyword
import re

import sympy as sp

from ..errors import ShapeError, SymbolNameError

__all__ = [
    "Dim",
    "ShapeContext",
    "as_dim",
    "check_name",
    "dim_symbol",
    "dim_text",
    "parse_shape_spec",
    "resolve",
    "shape_text",
]

Dim = int | sp.Expr

_NAME = re.compile(r"[A-Za-z][A-Za-z0-9_]*\Z")


def check_name(name: str, what: str) -> str:
    """Refuse a name that is not a plain identifier (or is a Python keyword)."""
    if not isinstance(name, str) or not _NAME.match(name):
        raise SymbolNameError(
            f"{what} {name!r} is not allowed: use a letter followed by letters, digits or _"
        )
    if keyword.iskeyword(name) or keyword.issoftkeyword(name):
        raise SymbolNameError(f"{what} {name!r} is a Python keyword")
    return name


@functools.cache
def dim_symbol(name: str) -> sp.Symbol:
    """The SymPy symbol of a symbolic dimension (a positive integer)."""
    check_name(name, "dimension name")
    return sp.Symbol(name, integer=True, positive=True)


def as_dim(d) -> Dim:
    """Normalise a dimension: ``int`` stays, a name becomes its symbol."""
    if isinstance(d, bool):
        raise TypeError("a dimension cannot be a boolean")
    if isinstance(d, int):
        if d < 1:
            raise ShapeError(f"dimensions must be positive, got {d}")
        return d
    if isinstance(d, str):
        return dim_symbol(d.strip())
    if isinstance(d, sp.Integer):
        return as_dim(int(d))
    if isinstance(d, sp.Expr):
        return d
    if hasattr(d, "__index__"):
        return as_dim(int(d))
    raise TypeError(f"a dimension is an int or a name, not {d!r}")


def dim_text(d: Dim) -> str:
    return str(d)


def shape_text(shape: tuple) -> str:
    """``(n, m)``, ``(3,)`` or ``()``, as NumPy prints shapes."""
    if len(shape) == 1:
        return f"({dim_text(shape[0])},)"
    return "(" + ", ".join(dim_text(d) for d in shape) + ")"


def resolve(d: Dim, bound: dict):
    """``d`` with bound names replaced by their sizes (an int when it can be)."""
    if isinstance(d, int) or not bound:
        return d
    if d.is_Symbol:
        return bound.get(d, d)
    value = d.subs(bound)
    return int(value) if value.is_Integer else value


class ShapeContext:
    """Shape inference for one op application: unification with bindings.

    ``bound`` starts as the merge of the arguments' bindings; ``fail``
    raises a :class:`ShapeError` naming the op and every operand shape.
    """

    def __init__(self, op: str, args: tuple):
        self.op = op
        self.shapes = [a.shape for a in args]
        self.bound: dict = {}
        for a in args:
            for sym, value in a.bound:
                old = self.bound.get(sym)
                if old is not None and old != value:
                    self.fail(
                        f"the dimension {sym} is {old} in one operand and {value} in another"
                    )
                self.bound[sym] = value

    def fail(self, reason: str):
        shapes = " and ".join(shape_text(s) for s in self.shapes)
        noun = "shape" if len(self.shapes) == 1 else "shapes"
        raise ShapeError(f"{self.op}: {noun} {shapes}: {reason}")

    def equal(self, a: Dim, b: Dim) -> bool:
        """Whether two dimensions are known equal (bindings applied)."""
        if a == b:
            return True
        ra, rb = resolve(a, self.bound), resolve(b, self.bound)
        if ra == rb:
            return True
        if isinstance(ra, int) or isinstance(rb, int):
            return False
        return sp.expand(ra - rb) == 0

    def unify(self, a: Dim, b: Dim, what: str = "") -> Dim:
        """The common value of two dimensions that must be equal."""
        if self.equal(a, b):
            return a if isinstance(a, int) or not isinstance(b, int) else b
        ra, rb = resolve(a, self.bound), resolve(b, self.bound)
        for sym_side, int_side in ((ra, rb), (rb, ra)):
            if isinstance(int_side, int) and isinstance(sym_side, sp.Symbol):
                self.bound[sym_side] = int_side
                return int_side
        where = f" ({what})" if what else ""
        self.fail(f"{dim_text(a)} and {dim_text(b)} differ{where}")
        raise AssertionError  # pragma: no cover

    def broadcast(self, *shapes: tuple) -> tuple:
        """NumPy broadcasting of symbolic shapes (1 stretches; names must match)."""
        rank = max((len(s) for s in shapes), default=0)
        out = []
        for axis in range(-rank, 0):
            dims = [s[axis] for s in shapes if len(s) >= -axis]
            d = 1
            for e in dims:
                if e == 1:
                    continue
                if d == 1:
                    d = e
                    continue
                if self.equal(d, e):
                    if isinstance(e, int):
                        d = e
                    continue
                d = self.unify(d, e, f"axis {axis} does not broadcast")
            out.append(d)
        return tuple(out)

    def frozen_bound(self) -> tuple:
        return tuple(sorted(self.bound.items(), key=lambda kv: kv[0].name))


def parse_shape_spec(spec) -> dict:
    """``"X:n,m w:m y:n a"`` (or a dict) -> ``{"X": (n, m), "w": (m,), ...}``.

    A name alone or with an empty shape (``a`` or ``a:``) is a scalar; dims
    are names or positive integers. A dict maps names to a shape given as a
    tuple (of names / ints), a ``"n,m"`` string, or ``()`` for a scalar.
    """
    out: dict = {}
    if isinstance(spec, dict):
        items = list(spec.items())
    elif isinstance(spec, str):
        items = []
        for part in spec.replace(";", " ").split():
            name, _, dims = part.partition(":")
            items.append((name, dims))
    else:
        raise TypeError(
            f"shapes must be a string such as 'X:n,m w:m' or a dict, not {spec!r}"
        )
    for name, dims in items:
        check_name(name, "tensor name")
        if name in out:
            raise ShapeError(f"the shape of {name} is given twice")
        if isinstance(dims, str):
            parts = [p.strip() for p in dims.split(",")] if dims.strip() else []
            if any(not p for p in parts):
                raise ShapeError(f"empty dimension in the shape of {name}: {dims!r}")
            dims = tuple(int(p) if p.isdigit() else p for p in parts)
        elif isinstance(dims, int):
            dims = (dims,)
        out[name] = tuple(as_dim(d) for d in dims)
    if not out:
        raise ShapeError("no tensor declared")
    names = set(out)
    for shape in out.values():
        for d in shape:
            if not isinstance(d, int) and d.is_Symbol and d.name in names:
                raise SymbolNameError(
                    f"{d.name!r} is both a tensor and a dimension name"
                )
    return out
