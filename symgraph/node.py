"""Expression nodes: symbols, constants and op applications, hash-consed.

A :class:`Node` is immutable. Building the same thing twice (same op, same
argument nodes, same constant value, same display name) returns the same
object, so identity is structural equality and a DAG shares every repeated
subexpression. Construction goes through :func:`make`, which applies the
op's own exact folding and construction-time rewrites (declared with the op
in ``symgraph/ops/``) before hash-consing. This module sits below every other
part of symgraph: it reads the op table of ``opdef.py`` and prints through
``printing.py``, and nothing it imports imports it back.
"""

from __future__ import annotations

import numbers
import threading
import weakref
from collections.abc import Callable, Mapping
from fractions import Fraction
from functools import partial
from typing import TYPE_CHECKING, Any, NoReturn

import numpy as np

from .constvalues import Number, const_number, const_value, float_of, is_const
from .errors import LimitError
from .hooks import Hooks
from .identifiers import checked_name
from .opdef import OPS
from .printing import const_text, latex_text, to_text
from .traverse import rebuild
from .traverse import toposort as _toposort

if TYPE_CHECKING:
    import sympy

__all__ = [
    "Node",
    "as_node",
    "const",
    "const_number",
    "const_value",
    "float_of",
    "is_const",
    "make",
    "register_converter",
    "register_hook",
    "symbol",
]

# The hash-consing table: key -> weak reference to the node (a plain dict is
# cheaper to read than a WeakValueDictionary). A key holds the argument nodes
# (compared by identity); the reference's callback removes the entry as its
# node dies, so the table keeps nothing alive.
_TABLE: dict[tuple, weakref.ref] = {}
# Reads take no lock. An insert looks up again under the lock, so two threads
# building one new node make one object; the removal callback takes the lock
# too, so it cannot delete an entry just put in the dead one's place. It is
# reentrant: a node can die (the cyclic collector) inside an insert.
_LOCK = threading.RLock()


def _forget(
    key: tuple,
    ref: weakref.ref,
    _table: dict = _TABLE,
    _lock: Any = _LOCK,
) -> None:
    """``ref``'s callback: remove ``key``'s entry if it is still ``ref`` (table
    and lock bound as defaults, for nodes that die at interpreter exit)."""
    with _lock:
        if _table.get(key) is ref:
            del _table[key]


# Largest integer constant kept exactly, in bits. Beyond it folding stops and
# the expression stays symbolic.
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
    value: Number | str | None  # a constant, a symbol's name, or None
    name: str | None

    def __init__(self, *_a: object, **_k: object) -> None:
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
        name = checked_name(name, "display name")
        return _intern(self.op, self.args, None, name)

    @property
    def label(self) -> str:
        """The name a table or drawing shows: symbol name, display name or value."""
        if self.op == "symbol":
            assert isinstance(self.value, str)  # a symbol's value is its name
            return self.value
        if self.op == "const":
            return const_text(self.value)
        return self.name or self.op

    def __repr__(self) -> str:
        return to_text(self)

    __str__ = __repr__

    def _repr_latex_(self) -> str:
        """LaTeX for Jupyter: the simplified form of a small result, bounded
        like ``str()`` (a DAG whose text would be too long shows a summary)."""
        text = to_text(self)
        if text.startswith("<"):
            return r"$\text{" + latex_text(text[1:-1]) + "}$"
        try:
            return "$" + _HOOKS["latex"](self) + "$"
        except ValueError:  # no SymPy form (too deep, too large a power)
            return r"$\texttt{" + latex_text(text) + "}$"

    def to_sympy(self) -> sympy.Expr:
        """The SymPy expression of this node (symbols become plain ``sympy.Symbol``)."""
        return _HOOKS["to_sympy"](self)

    def subs(self, mapping: Mapping[Any, Any] | None = None, **names: Any) -> Node:
        """This expression with symbols (or any subexpressions) replaced.

        ``mapping`` maps symbols, names or nodes to nodes or numbers (like
        SymPy's ``subs``); keyword arguments give names. The result is built
        with the usual construction rules, so constants fold.

        Examples
        --------
        >>> import symgraph as sg
        >>> x, y = sg.symbols("x y")
        >>> (x**2 + y).subs({x: 3})
        y + 9
        """
        table = {}
        for key, value in {**(mapping or {}), **names}.items():
            node = symbol(key) if isinstance(key, str) else as_node(key)
            table[node] = as_node(value)
        return rebuild(self, lambda n, _args: table.get(n), make)

    def diff(self, *variables: Node | str) -> Node:
        """The derivative in each variable in turn (``f.diff(x, x)`` is the
        second derivative), like SymPy's ``diff``.

        Examples
        --------
        >>> import symgraph as sg
        >>> x = sg.symbols("x")
        >>> (x**3).diff(x)
        3 * x**2
        >>> (x**3).diff(x, x)
        6 * x
        """
        if not variables:
            raise TypeError(
                "diff() needs the variable(s) to differentiate with respect to"
            )
        grad = _HOOKS["grad"]
        out = self
        for v in variables:
            (out,) = grad(out, [v])
        return out

    @property
    def free_symbols(self) -> set:
        """The symbols this expression uses."""
        return {n for n in _toposort([self]) if n.op == "symbol"}

    def __copy__(self) -> Node:
        return self  # immutable

    def __deepcopy__(self, memo: dict) -> Node:
        return self

    # -- arithmetic ----------------------------------------------------------
    # ``other``: a node, a number, or a SymPy expression (see as_node)
    def __add__(self, other: Any) -> Node:
        return make("add", self, as_node(other))

    def __radd__(self, other: Any) -> Node:
        return make("add", as_node(other), self)

    def __sub__(self, other: Any) -> Node:
        return make("sub", self, as_node(other))

    def __rsub__(self, other: Any) -> Node:
        return make("sub", as_node(other), self)

    def __mul__(self, other: Any) -> Node:
        return make("mul", self, as_node(other))

    def __rmul__(self, other: Any) -> Node:
        return make("mul", as_node(other), self)

    def __truediv__(self, other: Any) -> Node:
        return make("div", self, as_node(other))

    def __rtruediv__(self, other: Any) -> Node:
        return make("div", as_node(other), self)

    def __pow__(self, other: Any) -> Node:
        return make("pow", self, as_node(other))

    def __rpow__(self, other: Any) -> Node:
        return make("pow", as_node(other), self)

    def __neg__(self) -> Node:
        return make("neg", self)

    def __pos__(self) -> Node:
        return self

    # Ordering comparisons have no symbolic meaning here; refuse them loudly
    # instead of falling back to id-based ordering.
    def _no_order(self, other: object) -> NoReturn:
        raise TypeError(
            "symgraph nodes cannot be ordered; use sg.maximum / sg.relu for kinks"
        )

    __lt__ = __le__ = __gt__ = __ge__ = _no_order

    def __bool__(self) -> bool:
        return True

    # Immutable: the fields are set once, by _intern, through the slot descriptors.
    def __setattr__(self, name: str, value: object) -> None:
        raise AttributeError("symgraph nodes are immutable")

    def __delattr__(self, name: str) -> None:
        raise AttributeError("symgraph nodes are immutable")

    def __reduce__(self) -> NoReturn:
        raise TypeError("symgraph nodes are not pickled; use str(node) and sg.parse")


# _intern sets the fields through the slots' descriptors (Node.__setattr__ refuses)
_SET_OP = Node.__dict__["op"].__set__
_SET_ARGS = Node.__dict__["args"].__set__
_SET_VALUE = Node.__dict__["value"].__set__
_SET_NAME = Node.__dict__["name"].__set__


def _intern(
    op: str, args: tuple[Node, ...], value: Number | str | None, name: str | None
) -> Node:
    key: tuple
    if op == "const":
        # float.hex tells -0.0 from 0.0 and makes every NaN one key
        key = (
            (op, float, value.hex())
            if isinstance(value, float)
            else (op, type(value), value)
        )
    else:
        key = (op, args, value, name)
    ref = _TABLE.get(key)
    if ref is not None:
        node = ref()
        if node is not None:
            return node
    with _LOCK:
        ref = _TABLE.get(key)
        node = None if ref is None else ref()
        if node is None:
            node = object.__new__(Node)
            _SET_OP(node, op)
            _SET_ARGS(node, args)
            _SET_VALUE(node, value)
            _SET_NAME(node, name)
            _TABLE[key] = weakref.ref(node, partial(_forget, key))
    return node


def symbol(name: str) -> Node:
    """The symbol called ``name`` (one name, one node; the name in Python's
    normal form, see ``identifiers.py``)."""
    name = checked_name(name, "symbol name")
    return _intern("symbol", (), name, None)


def const(value) -> Node:
    """A numeric constant node; integers and fractions stay exact."""
    kind = type(value)
    if kind is float or (kind is int and value.bit_length() <= MAX_INT_BITS):
        return _intern("const", (), value, None)  # the common cases, already normal
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


# Converters for values of other libraries (a SymPy expression): installed by
# the module that knows the library (``sympy_bridge``), so this module never
# imports it. Each takes a value and returns a node, or None if not its kind.
_CONVERTERS: list[Callable[[Any], Node | None]] = []


# What nodes' methods need of higher layers (to_sympy, latex, grad), installed
# by those layers when symgraph is imported: this module imports none of them.
_HOOKS = Hooks("symgraph")


def register_hook(name: str, function: Callable[..., Any]) -> None:
    """Install the function a node method delegates to (``to_sympy``, ``latex``,
    ``grad``)."""
    _HOOKS.register(name, function)


def register_converter(convert: Callable[[Any], Node | None]) -> None:
    """Let :func:`as_node` accept another library's values (``convert`` returns
    a node, or None for a value that is not of its kind)."""
    if convert not in _CONVERTERS:
        _CONVERTERS.append(convert)


def as_node(value) -> Node:
    """Coerce a number, NumPy scalar or SymPy expression to a node."""
    if isinstance(value, Node):
        return value
    if isinstance(value, np.ndarray) and value.ndim == 0:
        value = value.item()
    if isinstance(value, (numbers.Real, Fraction)) and not isinstance(value, bool):
        return const(value)
    for convert in _CONVERTERS:
        node = convert(value)
        if node is not None:
            return node
    if isinstance(value, np.ndarray):
        raise TypeError(
            "an array cannot be a single node; use sg.symbols_array and NumPy object arrays"
        )
    raise TypeError(f"cannot use a {type(value).__name__} as an expression")


def make(op: str, *args: Node) -> Node:
    """Apply a registered op to nodes, folding and rewriting first.

    Constants fold when the op's declaration gives an exact value
    (``OpDef.fold``); otherwise the op's construction-time rewrites
    (``OpDef.rewrite``: ``x * 1 = x``, ...) may return a simpler node.
    """
    try:
        opdef = OPS[op]
    except KeyError:
        raise ValueError(f"unknown op {op!r}") from None
    fold = opdef.fold
    if fold is not None and all(a.op == "const" for a in args):
        value = fold(*[a.value for a in args])
        if value is not None:
            try:
                return const(value)
            except LimitError:
                pass  # too large to keep exactly: the expression stays symbolic
    rewrite = opdef.rewrite
    if rewrite is not None:
        node = rewrite(*args)
        if node is not None:
            return node
    return _intern(op, args, None, None)
