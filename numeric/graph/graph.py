"""The core of the TF1-style layer: graphs, operations, tensors, names.

A :class:`Graph` records :class:`Operation` nodes in creation order. Each
operation stores its op type, its input tensors and its attributes (never a
closure); its outputs are :class:`Tensor` objects named ``"<op name>:<index>"``
like TF1's. Names are made unique per graph and prefixed by name scopes. This
module computes nothing and knows no op type: the modules above it
(:mod:`~numeric.graph.ops`, :mod:`~numeric.graph.session`, ...) import it,
never the other way round. It keeps the per-thread stacks of default graphs
and sessions; ``tensor.eval()`` calls ``run`` on whatever session is default.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import TYPE_CHECKING, Any, NoReturn, Protocol, TypeAlias, TypeVar

import numpy as np
import numpy.typing as npt

from numeric._typing import Axis
from numeric.graph.dtypes import dtype_name
from numeric.graph.errors import GraphError
from numeric.graph.shapes import ShapeLike, TensorShape, format_shape, normalize_shape

# An operand of a graph op: a graph Tensor, or a value made into a constant.
GraphTensorLike: TypeAlias = "Tensor | npt.ArrayLike"

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

    if TYPE_CHECKING:
        # Installed by numeric.graph.ops when numeric.graph is imported (the way
        # TF1's math_ops adds them), so this module knows no op; declared here
        # for type checkers (tests/test_public_api_annotations.py checks that
        # the two agree).
        def __add__(self, other: GraphTensorLike) -> Tensor: ...
        def __radd__(self, other: GraphTensorLike) -> Tensor: ...
        def __sub__(self, other: GraphTensorLike) -> Tensor: ...
        def __rsub__(self, other: GraphTensorLike) -> Tensor: ...
        def __mul__(self, other: GraphTensorLike) -> Tensor: ...
        def __rmul__(self, other: GraphTensorLike) -> Tensor: ...
        def __truediv__(self, other: GraphTensorLike) -> Tensor: ...
        def __rtruediv__(self, other: GraphTensorLike) -> Tensor: ...
        def __pow__(self, other: GraphTensorLike) -> Tensor: ...
        def __rpow__(self, other: GraphTensorLike) -> Tensor: ...
        def __matmul__(self, other: GraphTensorLike) -> Tensor: ...
        def __rmatmul__(self, other: GraphTensorLike) -> Tensor: ...
        def __neg__(self) -> Tensor: ...
        def __pos__(self) -> Tensor: ...
        def __abs__(self) -> Tensor: ...
        def __getitem__(self, key: Any) -> Tensor: ...
        @property
        def T(self) -> Tensor: ...
        def reshape(self, *shape: int | Sequence[int]) -> Tensor: ...
        def sum(self, axis: Axis = None, keepdims: bool = False) -> Tensor: ...
        def mean(self, axis: Axis = None, keepdims: bool = False) -> Tensor: ...
        def max(self, axis: Axis = None, keepdims: bool = False) -> Tensor: ...

    def __init__(
        self, op: Operation, value_index: int, shape: ShapeLike, dtype: npt.DTypeLike
    ) -> None:
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

    def eval(
        self,
        feed_dict: Mapping[Any, Any] | None = None,
        session: SessionLike | None = None,
    ) -> Any:
        """Value of this tensor in ``session`` (default: the default session)."""
        return session_for(self.graph, session).run(self, feed_dict=feed_dict)

    def __repr__(self) -> str:
        return (
            f'Tensor("{self.name}", shape={format_shape(self._shape)}, '
            f"dtype={dtype_name(self.dtype)})"
        )

    def __bool__(self) -> NoReturn:
        raise TypeError(
            "using a graph Tensor as a Python bool is not allowed; "
            "run it in a Session to get its value"
        )

    def __iter__(self) -> Iterator[Tensor]:
        if self._shape is None or not self._shape or self._shape[0] is None:
            raise TypeError(
                f"{self.name}: cannot iterate over a tensor whose first "
                f"dimension is unknown (shape {format_shape(self._shape)})"
            )
        return (self[i] for i in range(self._shape[0]))

    def __len__(self) -> int:
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

    def __init__(
        self,
        graph: Graph,
        name: str,
        op_type: str,
        inputs: Iterable[Tensor],
        attrs: Mapping[str, Any],
        control_inputs: Iterable[Operation],
    ) -> None:
        self.graph = graph
        self.name = name
        self.type = op_type
        self.inputs = tuple(inputs)
        self.attrs = dict(attrs)
        self.control_inputs = tuple(control_inputs)
        self.outputs: tuple[Tensor, ...] = ()
        self._id = len(graph._ops)

    def run(
        self,
        feed_dict: Mapping[Any, Any] | None = None,
        session: SessionLike | None = None,
    ) -> None:
        """Run this operation in ``session`` (default: the default session)."""
        session_for(self.graph, session).run(self, feed_dict=feed_dict)

    def __repr__(self) -> str:
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

    def __init__(self) -> None:
        self._ops: list[Operation] = []
        self._by_name: dict[str, Operation] = {}
        self._names_in_use: dict[str, int] = {}
        self._name_stack = ""
        self._collections: dict[str, list] = {}
        self.seed: int | None = None  # the graph-level random seed

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
    def name_scope(self, name: str | None) -> Iterator[str]:
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
        self,
        op_type: str,
        inputs: Iterable[Tensor],
        outputs: Iterable[tuple[ShapeLike, npt.DTypeLike]],
        attrs: Mapping[str, Any] | None = None,
        name: str | None = None,
        control_inputs: Iterable[Operation | Tensor] = (),
    ) -> Operation:
        """Add an operation. ``outputs`` is a list of ``(shape, dtype)``.

        ``control_inputs`` are operations that must run before this one.
        """
        inputs = list(inputs)
        controls = [c.op if isinstance(c, Tensor) else c for c in control_inputs]
        for t in inputs:
            if t.graph is not self:
                raise GraphError(
                    f"{op_type}: input {t.name} belongs to another graph "
                    "than the one the operation is created in"
                )
        for c in controls:
            if c.graph is not self:
                raise GraphError(
                    f"{op_type}: control input {c.name} is from another graph"
                )
        if name is None:
            name = op_type
        else:
            _check_name(name)
        op = Operation(
            self, self.unique_name(name), op_type, inputs, attrs or {}, controls
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
    def add_to_collection(self, key: str, value: Any) -> None:
        self._collections.setdefault(key, []).append(value)

    def get_collection(self, key: str) -> list:
        return list(self._collections.get(key, []))

    # -- default --
    @contextlib.contextmanager
    def as_default(self) -> Iterator[Graph]:
        """Make this graph the default graph inside a ``with`` block."""
        _state.graph_stack.append(self)
        try:
            yield self
        finally:
            _state.graph_stack.pop()

    def __repr__(self) -> str:
        return f"<Graph with {len(self._ops)} operations>"


def _check_name(name):
    if not isinstance(name, str) or not name or ":" in name:
        raise ValueError(f"invalid operation name {name!r} (non-empty, no ':')")


class _State(threading.local):
    def __init__(self) -> None:
        self.graph_stack: list[Graph] = []
        # the sessions entered, innermost last: numeric.graph.session pushes
        # its Sessions here (this module does not know the class)
        self.session_stack: list[Any] = []


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


def name_scope(name: str | None) -> contextlib.AbstractContextManager[str]:
    """``with G.name_scope("layer1"):`` on the default graph (TF1's ``tf.name_scope``)."""
    return get_default_graph().name_scope(name)


# ----- default sessions --------------------------------------------------------


class SessionLike(Protocol):
    """What this module asks of a session: its graph and ``run``
    (:class:`~numeric.graph.session.Session` is one; naming the protocol
    keeps this module from importing the session module)."""

    graph: Graph

    def run(self, fetches: Any, feed_dict: Mapping[Any, Any] | None = None) -> Any:
        """Values of ``fetches`` with ``feed_dict`` fed."""


_SessionT = TypeVar("_SessionT", bound=SessionLike)


def session_for(graph: Graph, session: _SessionT | None = None) -> _SessionT:
    """``session``, or the default session; either must run ``graph``.

    Raises
    ------
    ValueError
        No session given and none is default.
    GraphError
        The session runs another graph.
    """
    if session is None:
        if not _state.session_stack:
            raise ValueError(
                "no default session: pass session=, or call inside "
                "`with G.Session() as sess:`"
            )
        session = _state.session_stack[-1]
    if session.graph is not graph:
        raise GraphError("the session's graph is not the graph of this node")
    return session
