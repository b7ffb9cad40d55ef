"""Sources of a graph: constants, placeholders, and conversion of values.

:func:`constant` freezes a value into a ``Const`` operation; :func:`placeholder`
declares a value that each :meth:`Session.run` must feed; :func:`convert_to_tensor`
turns Python numbers and arrays into constants where an op expects a tensor.
"""

from __future__ import annotations

import enum
from typing import Any

import numpy as np
import numpy.typing as npt

from numeric.errors import ShapeError
from numeric.graph.dtypes import (
    as_dtype,
    bool_,
    float64,
    int64,
    is_dtype,
    is_python_int_array,
)
from numeric.graph.graph import (
    Graph,
    GraphTensorLike,
    Operation,
    Tensor,
    get_default_graph,
)
from numeric.graph.intmath import exact_int64
from numeric.graph.shapes import ShapeLike, format_shape, normalize_shape


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
    value: npt.ArrayLike,
    dtype: npt.DTypeLike | None = None,
    shape: ShapeLike = None,
    name: str | None = None,
) -> Tensor:
    """A constant tensor holding ``value`` (TF1's ``tf.constant``).

    Parameters
    ----------
    value : array_like
        Python ints give int64, floats give float64 (numeric computes in
        float64, unlike TF1's float32).
    dtype : optional
        Requested dtype; floating requests hold float64, integer ones int64.
    shape : sequence of ints, optional
        The constant's shape: a scalar ``value`` fills it, a ``value`` with
        that many elements is reshaped to it (TF1's rule, except that TF1
        also pads a short list with its last element, which is refused here).
    name : str, optional
        Operation name (default ``"Const"``), made unique in the graph.

    Raises
    ------
    ShapeError
        ``value`` neither a scalar nor of the size of ``shape``.
    TypeError
        A non-numeric value, or non-integers asked for as int64.

    Examples
    --------
    >>> import numeric.graph as G
    >>> with G.Graph().as_default():
    ...     print(G.constant(2) + G.constant(3))
    ...     print(G.constant(0.5, G.float32, shape=(2, 3), name="half"))
    Tensor("Add:0", shape=(), dtype=int64)
    Tensor("half:0", shape=(2, 3), dtype=float64)
    """
    if name is not None and not isinstance(name, str):
        raise TypeError(f"constant: name must be a str, got {name!r}")
    arr, dt = _value_and_dtype(value, dtype)
    if shape is not None:
        arr = _shaped(arr, shape)
    arr.setflags(write=False)
    op = get_default_graph().create_op(
        "Const", [], [(arr.shape, dt)], attrs={"value": arr}, name=name or "Const"
    )
    return op.outputs[0]


def _shaped(arr: np.ndarray, shape: ShapeLike) -> np.ndarray:
    """``arr`` filling (a scalar) or reshaped to ``shape`` (same size)."""
    if is_dtype(shape):
        raise TypeError(f"constant: shape must be a sequence of sizes, got {shape!r}")
    dims = normalize_shape(shape)
    if dims is None or None in dims:
        raise ShapeError(
            f"constant: shape must be fully known, got {format_shape(dims)}"
        )
    target = tuple(int(d) for d in dims if d is not None)
    size = int(np.prod(target, dtype=np.int64))
    if arr.ndim == 0:
        return np.full(target, arr, dtype=arr.dtype)
    if arr.size == size:
        return arr.reshape(target).copy()
    raise ShapeError(
        f"constant: a value of shape {format_shape(arr.shape)} ({arr.size} "
        f"elements) cannot make shape {format_shape(target)} ({size} elements); "
        "give a scalar or exactly that many values"
    )


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


class _Unset(enum.Enum):
    """The default of an argument that was not given (None is a valid shape)."""

    token = 0


_UNSET = _Unset.token
_ORDERS = {
    "ours": ("shape", "name", "dtype"),
    "TF1": ("dtype", "shape", "name"),
}


def _placeholder_arguments(args: tuple, keywords: dict) -> dict:
    """The shape, name and dtype of a placeholder call in either order."""
    if len(args) > 3:
        raise TypeError(
            f"placeholder takes at most 3 positional arguments ({len(args)} given)"
        )
    order = "TF1" if args and is_dtype(args[0]) else "ours"
    given = dict(zip(_ORDERS[order], args))
    for key, value in keywords.items():
        if value is _UNSET:
            continue
        if key in given:
            position = _ORDERS[order].index(key) + 1
            hint = (
                " (the first argument is the shape unless it is a dtype such as "
                "G.float32)"
                if order == "ours" and position == 1
                else ""
            )
            raise TypeError(
                f"placeholder: {key} given twice, as positional argument "
                f"{position} ({given[key]!r}) and as {key}={value!r}{hint}"
            )
        given[key] = value
    shape, name = given.get("shape"), given.get("name")
    if is_dtype(shape):
        raise TypeError(
            f"placeholder: shape must be None, an int or a sequence of sizes, "
            f"got the dtype {shape!r}; pass dtypes as dtype= or first (TF1's order)"
        )
    if name is not None and not isinstance(name, str):
        raise TypeError(f"placeholder: name must be a str, got {name!r}")
    return {"shape": shape, "name": name, "dtype": given.get("dtype", float64)}


def placeholder(
    *args: Any,
    shape: ShapeLike | _Unset = _UNSET,
    name: str | _Unset | None = _UNSET,
    dtype: npt.DTypeLike | _Unset = _UNSET,
) -> Tensor:
    """A tensor that must be fed in :meth:`Session.run`.

    Two call forms: ``placeholder(shape=None, name=None, dtype=float64)``, and
    TF1's ``placeholder(dtype, shape=None, name=None)``, chosen by the first
    positional argument: when it is a dtype (``G.float32``, ``np.float32``,
    ``"float32"``, ``float``, ...) the TF1 order applies.

    Parameters
    ----------
    shape : tuple or None
        ``None`` entries accept any size along that axis; ``shape=None``
        accepts any shape.
    name : str, optional
        Default ``"Placeholder"``.
    dtype : optional
        A floating dtype (the default) holds float64, as numeric computes in
        float64 (``G.float32`` included); an integer one holds int64 (e.g.
        class labels); bool holds bool.

    Raises
    ------
    TypeError
        An argument given both by position and by keyword, a dtype where the
        shape goes, a name that is not a str, or an unsupported dtype.

    Examples
    --------
    >>> import numeric.graph as G
    >>> with G.Graph().as_default():
    ...     print(G.placeholder((None, 3), name="x"))
    ...     print(G.placeholder(G.float32, shape=(None, 3), name="y"))
    ...     print(G.placeholder(G.int32, [None], "labels"))
    Tensor("x:0", shape=(?, 3), dtype=float64)
    Tensor("y:0", shape=(?, 3), dtype=float64)
    Tensor("labels:0", shape=(?,), dtype=int64)
    """
    given = _placeholder_arguments(args, {"shape": shape, "name": name, "dtype": dtype})
    try:
        dt = as_dtype(given["dtype"])
    except TypeError as exc:
        raise TypeError(f"placeholder: {exc}") from None
    dims = normalize_shape(given["shape"])
    op = get_default_graph().create_op(
        "Placeholder",
        [],
        [(dims, dt)],
        attrs={"shape": dims},
        name=given["name"] or "Placeholder",
    )
    return op.outputs[0]
