"""Expression nodes: symbols, constants and op applications, hash-consed.

A :class:`Node` is immutable. Building the same thing twice (same op, same
argument nodes, same constant value, same display name) returns the same
object, so identity is structural equality and a DAG shares every repeated
subexpression. Construction goes through :func:`make`, which applies the
light construction-time folding of ``simplify.py`` before hash-consing.
"""

from __future__ import annotations

import keyword
import math
import numbers
import re
import weakref
from fractions import Fraction

import numpy as np

from .errors import LimitError, SymbolNameError

__all__ = ["Node", "as_node", "const", "const_value", "is_const", "make", "symbol"]

_NAME = re.compile(r"[A-Za-z][A-Za-z0-9_]*\Z")

# The hash-consing table. Keys hold the ids of argument nodes; a live node
# keeps its arguments alive, so an id in a live key cannot be reused.
_TABLE: weakref.WeakValueDictionary[tuple, Node] = weakref.WeakValueDictionary()

# Largest integer constant kept exactly, in bits. Beyond it folding stops and
# the expression stays symbolic (see simplify.py).
MAX_INT_BITS = 4096


class Node:
    """One vertex of an expression DAG.

    ``op`` is ``"symbol"``, ``"const"`` or the name of an op in the registry
    (``symgraph.ops.OPS``); ``args`` are the input nodes; ``value`` is the
    constant (an ``int``, ``Fraction`` or ``float``) or, for a symbol, its
    name; ``name`` is a display name given with :meth:`named`.
    """

    __slots__ = ("__weakref__", "args", "name", "op", "value")

    op: str
    args: tuple[Node, ...]
    value: object
    name: str | None

    def __init__(self, *_a, **_k):
        raise TypeError(
            "build nodes with sg.symbols, numbers and operators, not Node()"
        )

    # -- display -------------------------------------------------------------
    def named(self, name: str) -> Node:
        """Return this computation with a display name (used by tables and code).

        Symbols and constants keep their own identity and cannot be renamed.
        """
        if self.op in ("symbol", "const"):
            raise TypeError(
                f"only intermediate results can be named, not the {self.op} {self}"
            )
        _check_name(name, "display name")
        return _intern(self.op, self.args, None, name)

    @property
    def label(self) -> str:
        """The name a table or drawing shows: symbol name, display name or value."""
        if self.op == "symbol":
            return self.value
        if self.op == "const":
            return _const_text(self.value)
        return self.name or self.op

    def __repr__(self) -> str:
        from .printing import to_text

        return to_text(self)

    __str__ = __repr__

    def _repr_latex_(self) -> str:
        import sympy as sp

        return "$" + sp.latex(self.to_sympy()) + "$"

    def to_sympy(self):
        """The SymPy expression of this node (symbols become plain ``sympy.Symbol``)."""
        from .sympy_bridge import to_sympy

        return to_sympy(self)

    # -- arithmetic ----------------------------------------------------------
    def __add__(self, other):
        return make("add", self, as_node(other))

    def __radd__(self, other):
        return make("add", as_node(other), self)

    def __sub__(self, other):
        return make("sub", self, as_node(other))

    def __rsub__(self, other):
        return make("sub", as_node(other), self)

    def __mul__(self, other):
        return make("mul", self, as_node(other))

    def __rmul__(self, other):
        return make("mul", as_node(other), self)

    def __truediv__(self, other):
        return make("div", self, as_node(other))

    def __rtruediv__(self, other):
        return make("div", as_node(other), self)

    def __pow__(self, other):
        return make("pow", self, as_node(other))

    def __rpow__(self, other):
        return make("pow", as_node(other), self)

    def __neg__(self):
        return make("neg", self)

    def __pos__(self):
        return self

    # Ordering comparisons have no symbolic meaning here; refuse them loudly
    # instead of falling back to id-based ordering.
    def _no_order(self, other):
        raise TypeError(
            "symgraph nodes cannot be ordered; use sg.maximum / sg.relu for kinks"
        )

    __lt__ = __le__ = __gt__ = __ge__ = _no_order

    def __bool__(self):
        return True

    def __reduce__(self):
        raise TypeError("symgraph nodes are not pickled; use str(node) and sg.parse")


def _check_name(name: str, what: str) -> None:
    if not isinstance(name, str) or not _NAME.match(name):
        raise SymbolNameError(
            f"{what} {name!r} is not allowed: use a letter followed by letters, digits or _"
        )
    if keyword.iskeyword(name):
        raise SymbolNameError(f"{what} {name!r} is a Python keyword")


def _const_text(value) -> str:
    if isinstance(value, Fraction):
        return f"{value.numerator}/{value.denominator}"
    if isinstance(value, float):
        if math.isnan(value):
            return "nan"
        if math.isinf(value):
            return "inf" if value > 0 else "-inf"
    return repr(value)


def _intern(op: str, args: tuple, value, name: str | None) -> Node:
    if op == "const":
        # float.hex tells -0.0 from 0.0 and makes every NaN one key
        key = (
            (op, float, value.hex())
            if isinstance(value, float)
            else (op, type(value), value)
        )
    else:
        key = (op, tuple(map(id, args)), value, name)
    node = _TABLE.get(key)
    if node is None:
        node = object.__new__(Node)
        object.__setattr__(node, "op", op)
        object.__setattr__(node, "args", args)
        object.__setattr__(node, "value", value)
        object.__setattr__(node, "name", name)
        _TABLE[key] = node
    return node


def _frozen(self, name, value=None):  # also __delattr__, which gets no value
    raise AttributeError("symgraph nodes are immutable")


Node.__setattr__ = _frozen
Node.__delattr__ = _frozen


def symbol(name: str) -> Node:
    """The symbol called ``name`` (one name, one node)."""
    _check_name(name, "symbol name")
    return _intern("symbol", (), name, None)


def const(value) -> Node:
    """A numeric constant node; integers and fractions stay exact."""
    if isinstance(value, bool):
        raise TypeError("booleans are not numbers here; use 0 or 1")
    if isinstance(value, Fraction):
        if value.denominator == 1:
            value = value.numerator
    elif isinstance(value, numbers.Integral):
        value = int(value)
    elif isinstance(value, numbers.Real):
        value = float(value)
    else:
        raise TypeError(f"a constant must be a real number, not {type(value).__name__}")
    if isinstance(value, int) and value.bit_length() > MAX_INT_BITS:
        raise LimitError(
            f"integer constant of {value.bit_length()} bits exceeds {MAX_INT_BITS}"
        )
    if isinstance(value, Fraction) and (
        value.numerator.bit_length() > MAX_INT_BITS
        or value.denominator.bit_length() > MAX_INT_BITS
    ):
        raise LimitError(f"rational constant exceeds {MAX_INT_BITS} bits")
    return _intern("const", (), value, None)


def is_const(node: Node, value=None) -> bool:
    """True for a constant node (equal to ``value`` when one is given)."""
    if node.op != "const":
        return False
    return value is None or node.value == value


def const_value(node: Node) -> float:
    """A constant node's value as a float (``±inf`` past the float range)."""
    try:
        return float(node.value)
    except OverflowError:
        return math.inf if node.value > 0 else -math.inf


def as_node(value) -> Node:
    """Coerce a number, NumPy scalar or SymPy expression to a node."""
    if isinstance(value, Node):
        return value
    if isinstance(value, (np.ndarray,)) and value.ndim == 0:
        value = value.item()
    if isinstance(value, (numbers.Real, Fraction)) and not isinstance(value, bool):
        return const(value)
    try:
        import sympy as sp
    except ImportError:  # pragma: no cover - sympy is a hard dependency
        sp = None
    if sp is not None and isinstance(value, sp.Basic):
        from .sympy_bridge import from_sympy

        return from_sympy(value)
    if isinstance(value, np.ndarray):
        raise TypeError(
            "an array cannot be a single node; use sg.symbols_array and NumPy object arrays"
        )
    raise TypeError(f"cannot use a {type(value).__name__} as an expression")


def make(op: str, *args: Node) -> Node:
    """Apply a registered op to nodes, folding trivial cases first."""
    folded = fold(op, args)
    if folded is not None:
        return folded
    return _intern(op, args, None, None)


from .simplify import fold  # noqa: E402  (simplify builds nodes with this module)
