"""Variables of the graph layer and the operations that write them.

A :class:`Variable` is the output tensor of a ``VariableV2`` operation; its
value lives in each :class:`~numeric.graph.session.Session`, not in the graph
(as in TF1). Writing ops (``Assign``, ``AssignAdd``, ``AssignSub``) refer to
the variable by attribute, so running an initializer never reads it.
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
import numpy.typing as npt

from numeric.errors import ShapeError
from numeric.graph.constants import constant
from numeric.graph.dtypes import as_dtype, dtype_name, float64, int64
from numeric.graph.feeds import check_feed_value
from numeric.graph.graph import (
    Graph,
    GraphTensorLike,
    Operation,
    Tensor,
    get_default_graph,
    session_for,
)
from numeric.graph.session import Session
from numeric.graph.shapes import format_shape

GLOBAL_VARIABLES = "variables"
TRAINABLE_VARIABLES = "trainable_variables"


class Variable(Tensor):
    """A tensor whose value persists across :meth:`Session.run` calls.

    Parameters
    ----------
    initial_value : array_like or Tensor
        The value the initializer assigns; a tensor is evaluated when the
        initializer runs (e.g. a random constant).
    name : str, optional
        Default ``"Variable"``; made unique, and prefixed by name scopes.
    trainable : bool
        Listed in :func:`trainable_variables` (the optimizers' default).
    dtype : optional
        float64 by default for floats, int64 for integers.

    Examples
    --------
    >>> import numeric.graph as G
    >>> with G.Graph().as_default():
    ...     w = G.Variable([1.0, 2.0], name="w")
    ...     with G.Session() as sess:
    ...         sess.run(w.initializer)
    ...         print(sess.run(w.assign_add([1.0, 1.0])))
    [2. 3.]
    """

    def __init__(
        self,
        initial_value: GraphTensorLike,
        name: str | None = None,
        trainable: bool = True,
        dtype: npt.DTypeLike | None = None,
    ) -> None:
        if name is not None and not isinstance(name, str):
            hint = (
                " (TF1's second positional argument is trainable; pass it as "
                "trainable=)"
                if isinstance(name, bool)
                else ""
            )
            raise TypeError(f"Variable: name must be a str, got {name!r}{hint}")
        graph = (
            initial_value.graph
            if isinstance(initial_value, Tensor)
            else get_default_graph()
        )
        if isinstance(initial_value, Operation):
            raise TypeError("a Variable's initial value must be a value or a tensor")
        if not isinstance(initial_value, Tensor):
            initial_value = np.asarray(initial_value)
            if dtype is None:
                dtype = np.int64 if initial_value.dtype.kind in "iu" else np.float64
        dt = as_dtype(dtype if dtype is not None else initial_value.dtype)
        shape = (
            initial_value._shape
            if isinstance(initial_value, Tensor)
            else tuple(initial_value.shape)
        )
        op = graph.create_op(
            "VariableV2",
            [],
            [(shape, dt)],
            attrs={"shape": shape},
            name=name or "Variable",
        )
        Tensor.__init__(self, op, 0, shape, dt)
        op.outputs = (self,)
        op.attrs["variable"] = self
        self.trainable = bool(trainable)
        with graph.as_default(), graph.name_scope(op.name + "/"):
            if isinstance(initial_value, Tensor):
                self.initial_value = initial_value
            else:
                self.initial_value = constant(
                    initial_value, dtype=dt, name="initial_value"
                )
            self._initializer_op = self.assign(self.initial_value, name="Assign").op
        graph.add_to_collection(GLOBAL_VARIABLES, self)
        if self.trainable:
            graph.add_to_collection(TRAINABLE_VARIABLES, self)

    @property
    def initializer(self) -> Operation:
        """The operation assigning the initial value."""
        return self._initializer_op

    def value(self) -> Tensor:
        return self

    def load(self, value: npt.ArrayLike, session: Session | None = None) -> None:
        """Set the variable's value in ``session`` (default: the default
        session) at once, adding no operation to the graph (TF1's
        ``Variable.load``). Optimizer slots are variables, so this sets a
        training state too.

        Raises
        ------
        FeedError
            ``value`` is not numbers of a shape the variable allows, or does
            not fit its dtype (int64 values are never wrapped or rounded).
        """
        sess = session_for(self.graph, session)
        arr = check_feed_value(self, value, verb="load")
        sess._assign_all({self: np.array(arr, dtype=self.dtype, copy=True)})

    def _write(self, op_type, value, name):
        graph = self.graph
        if isinstance(value, Tensor):
            if value.graph is not graph:
                raise ValueError(f"{op_type}: value {value.name} is from another graph")
        else:
            with graph.as_default():
                value = constant(value, dtype=self.dtype)
        if self.dtype == int64 and value.dtype == float64:
            raise TypeError(
                f"{op_type} to {self.op.name}: the variable is int64 and "
                f"{value.name} is float64 (integers are never rounded)"
            )
        if value._shape is not None and not _compatible(value._shape, self._shape):
            raise ShapeError(
                f"{op_type} to {self.op.name}: value shape {format_shape(value._shape)} "
                f"does not match the variable's shape {format_shape(self._shape)}"
            )
        with graph.as_default():
            op = graph.create_op(
                op_type,
                [value],
                [(self._shape, self.dtype)],
                attrs={"variable": self},
                name=name or op_type,
            )
        return op.outputs[0]

    def assign(self, value: GraphTensorLike, name: str | None = None) -> Tensor:
        """An op setting the variable to ``value``; running it gives the new value."""
        return self._write("Assign", value, name)

    def assign_add(self, delta: GraphTensorLike, name: str | None = None) -> Tensor:
        """An op adding ``delta`` to the variable; running it gives the new value."""
        return self._write("AssignAdd", delta, name)

    def assign_sub(self, delta: GraphTensorLike, name: str | None = None) -> Tensor:
        """An op subtracting ``delta`` from the variable."""
        return self._write("AssignSub", delta, name)

    def __repr__(self) -> str:
        return (
            f"<Variable '{self.name}' shape={format_shape(self._shape)} "
            f"dtype={dtype_name(self.dtype)}_ref>"
        )


def _compatible(a, b):
    if a is None or b is None:
        return True
    return len(a) == len(b) and all(
        x is None or y is None or x == y for x, y in zip(a, b)
    )


def global_variables(graph: Graph | None = None) -> list[Variable]:
    """All variables of the (default) graph, in creation order, slots included."""
    return (graph or get_default_graph()).get_collection(GLOBAL_VARIABLES)


def trainable_variables(graph: Graph | None = None) -> list[Variable]:
    """The variables created with ``trainable=True``, in creation order."""
    return (graph or get_default_graph()).get_collection(TRAINABLE_VARIABLES)


def group(*inputs: Operation | Tensor, name: str | None = None) -> Operation:
    """An operation that runs all ``inputs`` (operations or tensors)."""
    graph = inputs[0].graph if inputs else get_default_graph()
    return graph.create_op(
        "NoOp", [], [], name=name or "group_deps", control_inputs=inputs
    )


def no_op(name: str | None = None) -> Operation:
    """An operation that does nothing."""
    return get_default_graph().create_op("NoOp", [], [], name=name or "NoOp")


def variables_initializer(
    var_list: Iterable[Variable], name: str = "init"
) -> Operation:
    """An operation running the initializers of ``var_list``."""
    var_list = list(var_list)
    graph = var_list[0].graph if var_list else get_default_graph()
    return graph.create_op(
        "NoOp", [], [], name=name, control_inputs=[v.initializer for v in var_list]
    )


def global_variables_initializer() -> Operation:
    """An operation (named ``init``) initializing every global variable,
    including optimizer slots created so far: build it after ``minimize``."""
    return variables_initializer(global_variables(), name="init")
