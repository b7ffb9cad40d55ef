"""Tensor nodes: immutable, hash-consed vertices of a tensor-level DAG.

A :class:`TensorNode` records ``op(*args, **params)`` and carries the
resulting shape (a tuple of dimensions, concrete or symbolic, see
``dims.py``) and the dimension bindings made while building it. Building the
same thing twice returns the same object, so a DAG shares every repeated
subexpression, as symgraph's scalar nodes do. Shapes are checked when a node
is built: :func:`make` runs the op's shape rule from the registry, then the
construction-time folding of ``fold.py``.
"""

from __future__ import annotations

import math
import numbers
import weakref
from fractions import Fraction

import numpy as np

from ..errors import LimitError, ShapeError
from .dims import ShapeContext, as_dim, check_name, parse_shape_spec, shape_text

__all__ = [
    "TensorNode",
    "as_tensor",
    "const",
    "eye",
    "fill",
    "make",
    "symbol",
    "tensors",
]

_TABLE: weakref.WeakValueDictionary = weakref.WeakValueDictionary()
_MAX_INT_BITS = 4096


class TensorNode:
    """One vertex of a tensor expression DAG.

    Attributes
    ----------
    op : ``"symbol"``, ``"const"`` or the name of a registered tensor op.
    args : input nodes.
    params : the op's parameters as a tuple of ``(name, value)`` pairs
        (a symbol's name, a constant's value, an axis, ...).
    shape : tuple of dimensions (``int`` or SymPy symbols/expressions).
    bound : dimension bindings made so far, ``((symbol, int), ...)``.
    name : a display name given with :meth:`named`, or None.
    """

    __slots__ = ("__weakref__", "args", "bound", "name", "op", "params", "shape")

    op: str
    args: tuple
    params: tuple
    shape: tuple
    bound: tuple
    name: str | None

    def __init__(self, *_a, **_k):
        raise TypeError("build tensor nodes with sg.tensors and operators")

    # -- structure -------------------------------------------------------------
    @property
    def ndim(self) -> int:
        return len(self.shape)

    def param(self, key: str, default=None):
        for k, v in self.params:
            if k == key:
                return v
        return default

    @property
    def kwargs(self) -> dict:
        return dict(self.params)

    @property
    def value(self):
        """A symbol's name or a constant's value (as for scalar nodes)."""
        return self.param("value")

    def named(self, name: str) -> TensorNode:
        """This computation with a display name (shown by tables and code)."""
        if self.op in ("symbol", "const"):
            raise TypeError(f"only intermediate results can be named, not {self}")
        check_name(name, "display name")
        return _intern(self.op, self.args, self.params, self.shape, self.bound, name)

    # -- display ----------------------------------------------------------------
    def __repr__(self) -> str:
        from .printing import to_numpy

        return to_numpy(self)

    __str__ = __repr__

    def _repr_latex_(self) -> str:
        from .latex import to_latex

        return "$" + to_latex(self) + "$"

    def __bool__(self):
        return True

    def __reduce__(self):
        raise TypeError("tensor nodes are not pickled; use str(node) and sg.parse")

    # -- operators ---------------------------------------------------------------
    def __add__(self, other):
        return make("add", self, as_tensor(other))

    def __radd__(self, other):
        return make("add", as_tensor(other), self)

    def __sub__(self, other):
        return make("sub", self, as_tensor(other))

    def __rsub__(self, other):
        return make("sub", as_tensor(other), self)

    def __mul__(self, other):
        return make("mul", self, as_tensor(other))

    def __rmul__(self, other):
        return make("mul", as_tensor(other), self)

    def __truediv__(self, other):
        return make("div", self, as_tensor(other))

    def __rtruediv__(self, other):
        return make("div", as_tensor(other), self)

    def __pow__(self, other):
        return make("pow", self, as_tensor(other))

    def __rpow__(self, other):
        return make("pow", as_tensor(other), self)

    def __matmul__(self, other):
        return make("matmul", self, as_tensor(other))

    def __rmatmul__(self, other):
        return make("matmul", as_tensor(other), self)

    def __neg__(self):
        return make("neg", self)

    def __pos__(self):
        return self

    @property
    def T(self) -> TensorNode:
        """The transpose (axes reversed; a vector or scalar is unchanged)."""
        return make("transpose", self)

    def _no_order(self, other):
        raise TypeError("tensor nodes cannot be compared; use maximum, relu or where")

    __lt__ = __le__ = __gt__ = __ge__ = _no_order


def _frozen(self, name, value=None):
    raise AttributeError("tensor nodes are immutable")


TensorNode.__setattr__ = _frozen
TensorNode.__delattr__ = _frozen


def _intern(op, args, params, shape, bound, name=None) -> TensorNode:
    if op == "symbol":
        key = (op, params, shape)
    elif op == "const":
        v = params[0][1]
        key = (op, float, v.hex()) if isinstance(v, float) else (op, type(v), v)
    else:
        key = (op, tuple(map(id, args)), params, name)
    node = _TABLE.get(key)
    if node is None:
        node = object.__new__(TensorNode)
        for attr, value in (
            ("op", op),
            ("args", args),
            ("params", params),
            ("shape", shape),
            ("bound", bound),
            ("name", name),
        ):
            object.__setattr__(node, attr, value)
        _TABLE[key] = node
    return node


# ----- leaves -----------------------------------------------------------------
def symbol(name: str, shape=()) -> TensorNode:
    """The tensor symbol ``name`` of ``shape`` (dims are ints or names)."""
    check_name(name, "tensor name")
    from .printing import RESERVED

    if name in RESERVED:
        raise ShapeError(
            f"{name!r} is the name of a function in printed expressions; "
            "choose another tensor name"
        )
    shape = tuple(as_dim(d) for d in shape)
    return _intern("symbol", (), (("value", name),), shape, ())


def const(value) -> TensorNode:
    """A scalar constant (rank 0); integers and fractions stay exact."""
    if isinstance(value, TensorNode):
        return value
    if isinstance(value, bool):
        raise TypeError("booleans are not numbers here; use 0 or 1")
    if isinstance(value, np.ndarray) and value.ndim == 0:
        value = value.item()
    if isinstance(value, Fraction):
        value = value.numerator if value.denominator == 1 else value
    elif isinstance(value, numbers.Integral):
        value = int(value)
    elif isinstance(value, numbers.Real):
        value = float(value)
    else:
        raise TypeError(f"a constant must be a real number, not {type(value).__name__}")
    if isinstance(value, int) and value.bit_length() > _MAX_INT_BITS:
        raise LimitError(f"integer constant exceeds {_MAX_INT_BITS} bits")
    if (
        isinstance(value, Fraction)
        and max(value.numerator.bit_length(), value.denominator.bit_length())
        > _MAX_INT_BITS
    ):
        raise LimitError(f"rational constant exceeds {_MAX_INT_BITS} bits")
    return _intern("const", (), (("value", value),), (), ())


def eye(n) -> TensorNode:
    """The identity matrix of size ``n`` (an int or a dimension name)."""
    d = as_dim(n)
    return _intern("eye", (), (("n", d),), (d, d), ())


def fill(shape, value) -> TensorNode:
    """An array of ``shape`` with every entry ``value`` (``ones``, ``zeros``)."""
    dims = tuple(as_dim(d) for d in shape)
    v = const(value).value
    return _intern("fill", (), (("shape", dims), ("value", v)), dims, ())


def const_float(node: TensorNode) -> float:
    try:
        return float(node.value)
    except OverflowError:
        return math.inf if node.value > 0 else -math.inf


def is_const(node: TensorNode, value=None) -> bool:
    if node.op != "const":
        return False
    return value is None or node.value == value


def as_tensor(value) -> TensorNode:
    """A tensor node as is; a number as a rank-0 constant."""
    if isinstance(value, TensorNode):
        return value
    if isinstance(value, (numbers.Real, Fraction, np.ndarray)) and not isinstance(
        value, bool
    ):
        if isinstance(value, np.ndarray) and value.ndim != 0:
            raise TypeError(
                "an array cannot be a constant of a tensor expression; "
                "declare it as a tensor symbol and bind its value"
            )
        return const(value)
    from ..node import Node

    if isinstance(value, Node):
        raise TypeError(
            f"cannot mix the scalar node {value} into a tensor expression; "
            "declare scalars with sg.tensors('a')"
        )
    raise TypeError(f"cannot use a {type(value).__name__} in a tensor expression")


# ----- op nodes ---------------------------------------------------------------
def make(op: str, *args: TensorNode, **params) -> TensorNode:
    """Apply a registered tensor op: check shapes, fold, hash-cons."""
    from .fold import fold
    from .registry import TOPS

    try:
        opdef = TOPS[op]
    except KeyError:
        raise ValueError(f"unknown tensor op {op!r}") from None
    if opdef.nargs is not None and len(args) != opdef.nargs:
        raise TypeError(f"{op} takes {opdef.nargs} tensor arguments, got {len(args)}")
    for a in args:
        if not isinstance(a, TensorNode):
            raise TypeError(f"{op}: expected tensor nodes, got {type(a).__name__}")
    params = opdef.normalize(args, params)
    ctx = ShapeContext(op, args)
    shape = tuple(opdef.shape(ctx, *args, **dict(params)))
    bound = ctx.frozen_bound()
    folded = fold(op, args, params, shape)
    # a fold may not drop a dimension binding this application made
    if folded is not None and set(bound) <= set(folded.bound):
        return folded
    return _intern(op, tuple(args), params, shape, bound)


def tensors(spec):
    """Declare tensor symbols with their shapes in one call.

    Parameters
    ----------
    spec : str or dict
        ``"X:n,m w:m y:n"``: names, each with a comma-separated list of
        dimensions (names for symbolic sizes, integers for concrete ones).
        ``a`` or ``a:`` is a scalar. A dict ``{"X": ("n", "m"), "a": ()}``
        works too.

    Returns
    -------
    TensorNode or tuple of TensorNode
        One node per name, in order (a single node for one name).

    Raises
    ------
    ShapeError, SymbolNameError
        For a malformed spec, a name given twice, or a name that is both a
        tensor and a dimension.

    Examples
    --------
    >>> import symgraph as sg
    >>> X, w, y = sg.tensors("X:n,m w:m y:n")
    >>> X.shape
    (n, m)
    >>> sg.grad(0.5 * sg.sum((X @ w - y) ** 2), w)
    X.T @ (X @ w - y)
    """
    shapes = parse_shape_spec(spec)
    out = tuple(symbol(name, shape) for name, shape in shapes.items())
    return out[0] if len(out) == 1 else out


def describe(node: TensorNode) -> str:
    """``X (n, m)``: a name or op with its shape, for messages."""
    head = node.value if node.op == "symbol" else (node.name or node.op)
    return f"{head} {shape_text(node.shape)}"
