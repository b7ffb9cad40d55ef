"""Sources of a graph: constants, placeholders, and conversion of values.

:func:`constant` freezes a value into a ``Const`` operation; :func:`placeholder`
declares a value that each :meth:`Session.run` must feed; :func:`convert_to_tensor`
turns Python numbers and arrays into constants where an op expects a tensor.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from numeric.graph.dtypes import as_dtype, bool_, float64, int64, is_python_int_array
from numeric.graph.graph import (
    Graph,
    GraphTensorLike,
    Operation,
    Tensor,
    get_default_graph,
)
from numeric.graph.intmath import exact_int64
from numeric.graph.shapes import ShapeLike, TensorShape, normalize_shape


def _as_array(value) -> np.ndarray:
    """``np.asarray(value)``, except that a list of Python ints stays integer:
    NumPy turns ``[1, 2**63]`` into float64, rounding the large entry."""
    arr = np.asarray(value)
    if isinstance(value, (list, tuple)) and arr.dtype.kind == "f":
        leaves = np.asarray(value, dtype=object)
        if is_python_int_array(leaves):
            return leaves
    return arr


def _value_and_dtype(value, dtype):
    """``value`` frozen as an array of the dtype a node of it holds.

    Integers are exact: a value that does not fit int64 (a uint64 above
    2**63 - 1, a Python int beyond 64 bits, a float out of range) raises
    LimitError, a non-integer float asked for as int64 raises TypeError.
    """
    dt: np.dtype
    if dtype is None:
        if isinstance(value, bool):
            dt = bool_
        elif isinstance(value, (int, np.integer)):
            dt = int64
        else:
            arr = _as_array(value)
            if arr.dtype.kind not in "biuf" and not is_python_int_array(arr):
                raise TypeError(
                    f"cannot make a constant of {type(value).__name__} value "
                    f"(dtype {arr.dtype}); numeric constants only"
                )
            dt = int64 if arr.dtype == object else as_dtype(arr.dtype)
    else:
        dt = as_dtype(dtype)
    arr = _as_array(value)
    if dt == int64:
        if arr.dtype.kind == "f" and not np.all(arr == np.round(arr)):
            raise TypeError(
                f"cannot hold non-integer values in an int64 constant: {value!r}"
            )
        if arr.dtype.kind in "iuf" or is_python_int_array(arr):
            return exact_int64(arr, "int64 constant"), dt
    if arr.dtype.kind not in "biuf":
        raise TypeError(f"cannot make a constant of dtype {arr.dtype}; numeric only")
    return np.array(arr, dtype=dt), dt


def constant(
    value: npt.ArrayLike, dtype: npt.DTypeLike | None = None, name: str | None = None
) -> Tensor:
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


def convert_to_tensor(value: GraphTensorLike, graph: Graph | None = None) -> Tensor:
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


def placeholder(
    shape: ShapeLike = None, name: str | None = None, dtype: npt.DTypeLike = float64
) -> Tensor:
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
