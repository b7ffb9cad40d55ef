"""Graph structure of the TF1-style layer: graphs, operations, tensors, names.

A :class:`Graph` records :class:`Operation` nodes in creation order. Each
operation stores its op type, its input tensors and its attributes (never a
closure); its outputs are :class:`Tensor` objects named ``"<op name>:<index>"``
like TF1's. Names are made unique per graph and prefixed by name scopes. This
module computes nothing: :mod:`numeric.graph.session` evaluates operations with
the ``numeric`` engine, looking each op type up in :mod:`numeric.graph.ops`.
"""

from __future__ import annotations

import contextlib
import threading
from numbers import Number

import numpy as np

from numeric.errors import ShapeError
from numeric.graph.errors import GraphError

# ----- dtypes ---------------------------------------------------------------

float64 = np.dtype(np.float64)
int64 = np.dtype(np.int64)
bool_ = np.dtype(np.bool_)


def as_dtype(dtype) -> np.dtype:
    """Return the dtype a node really holds for a requested ``dtype``.

    ``numeric`` computes in float64, so every floating request (``"float32"``,
    ``np.float32``, ...) gives float64; integer requests give int64.
    """
    if dtype is None:
        return float64
    try:
        dt = np.dtype(dtype)
    except TypeError as exc:
        raise TypeError(f"unsupported dtype {dtype!r}") from exc
    if dt.kind == "f":
        return float64
    if dt.kind in "iu":
        return int64
    if dt.kind == "b":
        return bool_
    raise TypeError(f"unsupported dtype {dt} (use float64, int64 or bool)")


def dtype_name(dtype: np.dtype) -> str:
    return "bool" if dtype == bool_ else str(dtype)


# ----- shapes ---------------------------------------------------------------


def normalize_shape(shape):
    """``None`` (any rank) or a tuple of ints and ``None`` (any size)."""
    if shape is None:
        return None
    if isinstance(shape, TensorShape):
        return shape.dims
    if isinstance(shape, (int, np.integer)):
        shape = (shape,)
    dims = []
    for d in shape:
        if d is None or (isinstance(d, (int, np.integer)) and d == -1):
            dims.append(None)
        elif isinstance(d, (int, np.integer)) and d >= 0:
            dims.append(int(d))
        else:
            raise ValueError(f"invalid dimension {d!r} in shape {tuple(shape)!r}")
    return tuple(dims)


def format_shape(shape) -> str:
    """TF1's text for a static shape: ``(?, 3)``, ``()``, ``<unknown>``."""
    if shape is None:
        return "<unknown>"
    parts = ["?" if d is None else str(d) for d in shape]
    if len(parts) == 1:
        return f"({parts[0]},)"
    return "(" + ", ".join(parts) + ")"


def shape_fits(value_shape, static_shape) -> bool:
    """True when a concrete ``value_shape`` is allowed by ``static_shape``."""
    if static_shape is None:
        return True
    if len(value_shape) != len(static_shape):
        return False
    return all(s is None or s == v for v, s in zip(value_shape, static_shape))


class TensorShape:
    """A static shape: ``dims`` is a tuple with ``None`` for unknown sizes,
    or ``None`` when even the rank is unknown. Prints like TF1: ``(?, 3)``."""

    __slots__ = ("dims",)

    def __init__(self, dims):
        self.dims = normalize_shape(dims)

    @property
    def ndims(self):
        return None if self.dims is None else len(self.dims)

    def as_list(self):
        if self.dims is None:
            raise ValueError("as_list() is not defined on an unknown TensorShape")
        return list(self.dims)

    def is_fully_defined(self) -> bool:
        return self.dims is not None and None not in self.dims

    def __len__(self):
        if self.dims is None:
            raise ValueError("the rank of this shape is unknown")
        return len(self.dims)

    def __iter__(self):
        if self.dims is None:
            raise ValueError("cannot iterate over a shape of unknown rank")
        return iter(self.dims)

    def __getitem__(self, i):
        if self.dims is None:
            raise ValueError("the rank of this shape is unknown")
        return self.dims[i]

    def __eq__(self, other):
        if isinstance(other, TensorShape):
            return self.dims == other.dims
        if isinstance(other, (tuple, list)):
            return self.dims == tuple(other)
        return NotImplemented

    def __hash__(self):
        return hash(self.dims)

    def __str__(self):
        return format_shape(self.dims)

    def __repr__(self):
        return f"TensorShape({format_shape(self.dims)})"


# ----- tensors and operations -----------------------------------------------


class Tensor:
    """One output of an :class:`Operation`: a symbolic value in a graph.

    Tensors support ``+ - * / ** @``, unary minus, indexing, ``.T``,
    ``.reshape`` and ``.sum/.mean/.max`` (defined in
    :mod:`numeric.graph.ops`); their value exists only inside
    :meth:`Session.run`.
    """

    # NumPy must hand ``ndarray + tensor`` back to Tensor.__radd__.
    __array_ufunc__ = None

    def __init__(self, op: Operation, value_index: int, shape, dtype):
        self.op = op
        self.value_index = value_index
        self._shape = normalize_shape(shape)
        self.dtype = np.dtype(dtype)

    @property
    def name(self) -> str:
        return f"{self.op.name}:{self.value_index}"

    @property
    def graph(self) -> Graph:
        return self.op.graph

    @property
    def shape(self) -> TensorShape:
        return TensorShape(self._shape)

    def get_shape(self) -> TensorShape:
        return self.shape

    def eval(self, feed_dict=None, session=None):
        """Value of this tensor in ``session`` (default: the default session)."""
        from numeric.graph.session import _session_for

        return _session_for(self.graph, session).run(self, feed_dict=feed_dict)

    def __repr__(self):
        return (
            f'Tensor("{self.name}", shape={format_shape(self._shape)}, '
            f"dtype={dtype_name(self.dtype)})"
        )

    def __bool__(self):
        raise TypeError(
            "using a graph Tensor as a Python bool is not allowed; "
            "run it in a Session to get its value"
        )

    def __iter__(self):
        if self._shape is None or not self._shape or self._shape[0] is None:
            raise TypeError(
                f"{self.name}: cannot iterate over a tensor whose first "
                f"dimension is unknown (shape {format_shape(self._shape)})"
            )
        return (self[i] for i in range(self._shape[0]))

    def __len__(self):
        if self._shape is None or not self._shape or self._shape[0] is None:
            raise TypeError(
                f"{self.name}: len() of a tensor whose first dimension is "
                f"unknown (shape {format_shape(self._shape)})"
            )
        return self._shape[0]


class Operation:
    """A node of a :class:`Graph`: ``outputs = type(*inputs, **attrs)``.

    Fetching an operation in :meth:`Session.run` runs it and gives ``None``.
    """

    def __init__(self, graph, name, op_type, inputs, attrs, control_inputs):
        self.graph = graph
        self.name = name
        self.type = op_type
        self.inputs = tuple(inputs)
        self.attrs = dict(attrs)
        self.control_inputs = tuple(control_inputs)
        self.outputs: tuple[Tensor, ...] = ()
        self._id = len(graph._ops)

    def run(self, feed_dict=None, session=None):
        """Run this operation in ``session`` (default: the default session)."""
        from numeric.graph.session import _session_for

        _session_for(self.graph, session).run(self, feed_dict=feed_dict)

    def __repr__(self):
        return f"<Operation '{self.name}' type={self.type}>"


# ----- graphs, names and scopes ----------------------------------------------


class Graph:
    """A TF1-style graph: operations in creation order, unique names,
    name scopes and collections (``"variables"``, ``"trainable_variables"``).

    Examples
    --------
    >>> import numeric.graph as G
    >>> g = G.Graph()
    >>> with g.as_default():
    ...     c = G.constant(2.0)
    >>> c.graph is g
    True
    """

    def __init__(self):
        self._ops: list[Operation] = []
        self._by_name: dict[str, Operation] = {}
        self._names_in_use: dict[str, int] = {}
        self._name_stack = ""
        self._collections: dict[str, list] = {}

    # -- names --
    def unique_name(self, name: str, mark_as_used: bool = True) -> str:
        """Prefix ``name`` with the current scope and make it unique (TF1 rule:
        ``Const``, ``Const_1``, ``Const_2``, ...)."""
        if self._name_stack:
            name = f"{self._name_stack}/{name}"
        # TF1's rule (ops.Graph.unique_name), case-insensitive like TF1.
        name_key = name.lower()
        i = self._names_in_use.get(name_key, 0)
        if mark_as_used:
            self._names_in_use[name_key] = i + 1
        if i > 0:
            base_key = name_key
            while name_key in self._names_in_use:
                name_key = f"{base_key}_{i}"
                i += 1
            if mark_as_used:
                self._names_in_use[name_key] = 1
            name = f"{name}_{i - 1}"
        return name

    @contextlib.contextmanager
    def name_scope(self, name):
        """Prefix the names of operations created inside with ``name/``.

        Re-entering a scope name gives a fresh one (``layer1_1``), as in TF1;
        a name ending in ``/`` is reused as is; ``None`` or ``""`` resets to
        the root scope. Yields the scope string (``"layer1/"``).
        """
        old = self._name_stack
        if not name:
            new = ""
        elif name.endswith("/"):
            new = name[:-1]
        else:
            _check_name(name)
            new = self.unique_name(name)
        self._name_stack = new
        try:
            yield f"{new}/" if new else ""
        finally:
            self._name_stack = old

    # -- operations --
    def create_op(
        self, op_type, inputs, outputs, attrs=None, name=None, control_inputs=()
    ) -> Operation:
        """Add an operation. ``outputs`` is a list of ``(shape, dtype)``.

        ``control_inputs`` are operations that must run before this one.
        """
        inputs = list(inputs)
        control_inputs = [c.op if isinstance(c, Tensor) else c for c in control_inputs]
        for t in inputs:
            if t.graph is not self:
                raise GraphError(
                    f"{op_type}: input {t.name} belongs to another graph "
                    "than the one the operation is created in"
                )
        for c in control_inputs:
            if c.graph is not self:
                raise GraphError(
                    f"{op_type}: control input {c.name} is from another graph"
                )
        if name is None:
            name = op_type
        else:
            _check_name(name)
        op = Operation(
            self, self.unique_name(name), op_type, inputs, attrs or {}, control_inputs
        )
        op.outputs = tuple(Tensor(op, i, s, d) for i, (s, d) in enumerate(outputs))
        self._ops.append(op)
        self._by_name[op.name] = op
        return op

    def get_operations(self) -> list[Operation]:
        return list(self._ops)

    def get_operation_by_name(self, name: str) -> Operation:
        try:
            return self._by_name[name]
        except KeyError:
            raise KeyError(f"the graph has no operation named {name!r}") from None

    def get_tensor_by_name(self, name: str) -> Tensor:
        op_name, sep, index = name.rpartition(":")
        if not sep or not index.isdigit():
            raise ValueError(f"{name!r} is not a tensor name of the form 'op:0'")
        op = self.get_operation_by_name(op_name)
        i = int(index)
        if i >= len(op.outputs):
            raise KeyError(f"operation {op_name!r} has no output {i}")
        return op.outputs[i]

    # -- collections --
    def add_to_collection(self, key: str, value) -> None:
        self._collections.setdefault(key, []).append(value)

    def get_collection(self, key: str) -> list:
        return list(self._collections.get(key, []))

    # -- default --
    @contextlib.contextmanager
    def as_default(self):
        """Make this graph the default graph inside a ``with`` block."""
        _state.graph_stack.append(self)
        try:
            yield self
        finally:
            _state.graph_stack.pop()

    def __repr__(self):
        return f"<Graph with {len(self._ops)} operations>"


def _check_name(name):
    if not isinstance(name, str) or not name or ":" in name:
        raise ValueError(f"invalid operation name {name!r} (non-empty, no ':')")


class _State(threading.local):
    def __init__(self):
        self.graph_stack: list[Graph] = []
        self.session_stack: list = []


_state = _State()
_global_default_graph = Graph()


def get_default_graph() -> Graph:
    """The innermost graph made default by ``as_default()``, else the global one."""
    if _state.graph_stack:
        return _state.graph_stack[-1]
    return _global_default_graph


def reset_default_graph() -> None:
    """Replace the global default graph by a new, empty one.

    Raises
    ------
    GraphError
        Inside a ``with graph.as_default()`` block or an open ``with Session``.
    """
    global _global_default_graph
    if _state.graph_stack:
        raise GraphError("reset_default_graph() called inside a nested graph block")
    _global_default_graph = Graph()


def name_scope(name):
    """``with G.name_scope("layer1"):`` on the default graph (TF1's ``tf.name_scope``)."""
    return get_default_graph().name_scope(name)


# ----- conversion -------------------------------------------------------------


def _value_and_dtype(value, dtype):
    if dtype is None:
        if isinstance(value, bool):
            dt = bool_
        elif isinstance(value, (int, np.integer)):
            dt = int64
        else:
            arr = np.asarray(value)
            if arr.dtype.kind not in "biuf":
                raise TypeError(
                    f"cannot make a constant of {type(value).__name__} value "
                    f"(dtype {arr.dtype}); numeric constants only"
                )
            dt = as_dtype(arr.dtype)
    else:
        dt = as_dtype(dtype)
    arr = np.asarray(value)
    if arr.dtype.kind not in "biuf":
        raise TypeError(f"cannot make a constant of dtype {arr.dtype}; numeric only")
    if dt == int64 and arr.dtype.kind == "f" and not np.all(arr == np.round(arr)):
        raise TypeError(
            f"cannot hold non-integer values in an int64 constant: {value!r}"
        )
    return np.array(arr, dtype=dt), dt


def constant(value, dtype=None, name=None) -> Tensor:
    """A constant tensor holding ``value``.

    Parameters
    ----------
    value : array_like
        Python ints give int64, floats give float64 (numeric computes in
        float64, unlike TF1's float32).
    dtype : optional
        Requested dtype; floating requests hold float64, integer ones int64.
    name : str, optional
        Operation name (default ``"Const"``), made unique in the graph.

    Examples
    --------
    >>> import numeric.graph as G
    >>> with G.Graph().as_default():
    ...     print(G.constant(2) + G.constant(3))
    Tensor("Add:0", shape=(), dtype=int64)
    """
    arr, dt = _value_and_dtype(value, dtype)
    arr.setflags(write=False)
    op = get_default_graph().create_op(
        "Const", [], [(arr.shape, dt)], attrs={"value": arr}, name=name or "Const"
    )
    return op.outputs[0]


def convert_to_tensor(value, graph=None) -> Tensor:
    """``value`` itself when it is a Tensor, else a new constant in ``graph``."""
    if isinstance(value, Tensor):
        return value
    if isinstance(value, Operation):
        raise TypeError(
            f"operation {value.name!r} has no value to use in an expression"
        )
    if graph is None:
        graph = get_default_graph()
    with graph.as_default():
        return constant(value)


def placeholder(shape=None, name=None, dtype=float64) -> Tensor:
    """A tensor that must be fed in :meth:`Session.run`.

    Parameters
    ----------
    shape : tuple or None
        ``None`` entries accept any size along that axis; ``shape=None``
        accepts any shape.
    name : str, optional
        Default ``"Placeholder"``.
    dtype : optional
        float64 (the default) or int64 (e.g. class labels).
    """
    if isinstance(shape, (str, np.dtype, type)) and not isinstance(shape, TensorShape):
        raise TypeError(
            "placeholder(shape, name=None, dtype=...): shape comes first "
            f"(got {shape!r}); pass the dtype as dtype="
        )
    dt = as_dtype(dtype)
    shape = normalize_shape(shape)
    op = get_default_graph().create_op(
        "Placeholder",
        [],
        [(shape, dt)],
        attrs={"shape": shape},
        name=name or "Placeholder",
    )
    return op.outputs[0]


def _is_scalar_number(x) -> bool:
    return isinstance(x, Number) and not isinstance(x, bool)


def broadcast_shapes(op_name: str, *shapes):
    """Static broadcast of NumPy shapes with ``None`` for unknown sizes."""
    if any(s is None for s in shapes):
        return None
    ndim = max(len(s) for s in shapes)
    out = []
    for axis in range(ndim):
        dims = [s[axis - ndim + len(s)] for s in shapes if axis - ndim + len(s) >= 0]
        known = {d for d in dims if d is not None and d != 1}
        if len(known) > 1:
            raise ShapeError(
                f"{op_name}: shapes "
                + " and ".join(format_shape(s) for s in shapes)
                + " cannot be broadcast together"
            )
        if known:
            out.append(known.pop())
        elif any(d is None for d in dims):
            out.append(None)
        else:
            out.append(1)
    return tuple(out)
