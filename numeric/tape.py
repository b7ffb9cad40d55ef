"""Tensors and the tape they are recorded on.

A :class:`Tensor` wraps a float64 (the default) or float32 ndarray. Applying a
primitive to Tensors (:func:`apply`) computes the result with the primitive's NumPy function and,
when an input is *traced* (a leaf that requires grad, or anything computed from
one), records ``(primitive, parents, params)`` on the result: the tape is the
graph of these records, which :mod:`numeric.backward` sweeps in reverse. When
an input carries tangents of a live ``jvp`` call, :func:`apply` also has them
pushed forward (:mod:`numeric.tangents`). Tensor's operators and array methods
live in its base class (:mod:`numeric._tensor_methods`), the dtype rules in
:mod:`numeric._dtypes`. Imports go one way: this module installs :func:`apply`
in :mod:`numeric.registry`, and :mod:`numeric.backward` and
:mod:`numeric.tangents` install the reverse sweep and the tangent push here.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TypeAlias

import numpy as np
import numpy.typing as npt

from numeric._dtypes import const_array, float_array
from numeric._state import STATE, check_forward, detect_anomaly, no_grad
from numeric._tensor_methods import TensorMethods
from numeric.errors import ArgumentError, DifferentiationError, ShapeError
from numeric.registry import _REGISTRY, Primitive, set_applier

__all__ = ["Tensor", "apply", "as_tensor", "detect_anomaly", "no_grad", "tensor"]

# An array operand of the eager engine: a Tensor, or anything np.asarray takes
# (numbers, ndarrays, nested sequences of numbers or Tensors).
TensorLike: TypeAlias = "Tensor | npt.ArrayLike"

_STATE = STATE  # the engine's tracing state (numeric._state)
_new = object.__new__


def _float_array(data) -> np.ndarray:
    """``data`` as a floating ndarray: a Tensor's own array, or
    :func:`numeric._dtypes.float_array` of anything else."""
    return data.data if isinstance(data, Tensor) else float_array(data)


def _make(data: np.ndarray) -> Tensor:
    """An untraced Tensor around ``data`` (no conversion, no copy)."""
    t = _new(Tensor)
    t.data = data
    t.grad = None
    t.requires_grad = False
    t._tracked = False
    t._prim = None
    t._parents = ()
    t._params = None
    t._dual = None
    return t


class Tensor(TensorMethods):
    """An n-dimensional float64 or float32 array that records how it was computed.

    Make one with :func:`numeric.tensor`. Arithmetic operators, ``@``,
    indexing, ``.T``, ``.reshape``, ``.sum``, ``.mean`` and ``.max`` return
    Tensors; comparisons return plain boolean ndarrays (no gradient flows
    through a comparison). ``backward()`` fills ``.grad`` of every leaf that
    requires grad, accumulating over calls like PyTorch.
    """

    __slots__ = (
        "__weakref__",
        "_dual",
        "_params",
        "_parents",
        "_prim",
        "_tracked",
        "data",
        "grad",
        "requires_grad",
    )
    data: np.ndarray
    grad: np.ndarray | None
    requires_grad: bool
    _tracked: bool
    _prim: Primitive | None  # the tape record: (primitive, parents, params)
    _parents: tuple
    _params: dict | None
    _dual: dict | None  # forward mode: {jvp tag: tangent Tensor}

    def __init__(self, data: TensorLike, requires_grad: bool = False) -> None:
        if isinstance(data, (list, tuple)) and _holds_live(data):
            raise ArgumentError(
                "Tensor: data holds traced tensors, whose gradient this "
                "constructor would drop; use nm.tensor(data) or nm.stack(data)"
            )
        self.data = _float_array(data)
        self.grad = None
        self.requires_grad = bool(requires_grad)
        self._tracked = self.requires_grad
        self._prim = None
        self._parents = ()
        self._params = None
        self._dual = None

    # ----- array-like attributes -----
    @property
    def shape(self) -> tuple:
        return self.data.shape

    @property
    def ndim(self) -> int:
        return self.data.ndim

    @property
    def size(self) -> int:
        return self.data.size

    @property
    def dtype(self) -> np.dtype:
        return self.data.dtype

    def __len__(self) -> int:
        return len(self.data)

    def __iter__(self) -> Iterator[Tensor]:
        if self.ndim == 0:
            raise TypeError("iteration over a 0-d tensor")
        return (self[i] for i in range(len(self.data)))

    def __array__(
        self, dtype: npt.DTypeLike | None = None, copy: bool | None = None
    ) -> np.ndarray:
        if dtype is None:
            return self.data
        return self.data.astype(dtype)

    def item(self) -> float:
        """The value of a one-element tensor as a Python float."""
        return self.data.item()

    def numpy(self) -> np.ndarray:
        """The underlying ndarray (shared, not copied, as in PyTorch)."""
        return self.data

    def __float__(self) -> float:
        return float(self.data)

    def __bool__(self) -> bool:
        return bool(self.data)

    def __repr__(self) -> str:
        body = np.array2string(self.data, separator=", ", prefix="Tensor(")
        if self._prim is not None:
            return f"Tensor({body}, op={self._prim.name})"
        if self.requires_grad:
            return f"Tensor({body}, requires_grad=True)"
        return f"Tensor({body})"

    # ----- differentiation -----
    def backward(self, g: npt.ArrayLike | None = None) -> None:
        """Accumulate d(self)/d(leaf) into ``leaf.grad`` for every leaf that
        requires grad.

        Parameters
        ----------
        g : array_like, optional
            The upstream cotangent, of this tensor's shape. May be omitted only
            when the tensor has exactly one element (then it is 1).

        Raises
        ------
        DifferentiationError
            If the tensor does not depend on any tensor that requires grad.
        ShapeError
            If ``g`` is omitted for a tensor of several elements, or has the
            wrong shape.
        """
        if not self._tracked:
            raise DifferentiationError(
                "backward: this tensor does not require grad and was not computed "
                "from a tensor that does"
            )
        if g is None:
            if self.data.size != 1:
                raise ShapeError(
                    f"backward: the output has shape {self.shape}; a non-scalar "
                    "output needs an explicit upstream gradient g of that shape"
                )
            g = np.ones(self.shape, dtype=self.dtype)
        else:
            g = np.asarray(_float_array(g), dtype=self.dtype)
            if g.shape != self.shape:
                raise ShapeError(
                    f"backward: upstream gradient g has shape {g.shape}, "
                    f"expected the output's shape {self.shape}"
                )
        leaves, cts = _DRIVER[0](self, _make(g), None, create_graph=False)
        for leaf, ct in zip(leaves, cts):
            value = np.array(ct.data, dtype=leaf.dtype)  # a fresh, writeable copy
            leaf.grad = value if leaf.grad is None else leaf.grad + value


def _is_live(t: Tensor) -> bool:
    """True when gradient or tangent information rides on ``t``."""
    return t._tracked or t._dual is not None


def _holds_live(seq) -> bool:
    """True when the nested list/tuple ``seq`` holds a traced Tensor."""
    stack = [seq]
    while stack:
        for item in stack.pop():
            if isinstance(item, Tensor):
                if _is_live(item):
                    return True
            elif isinstance(item, (list, tuple)):
                stack.append(item)
    return False


def _holds_tensor(seq) -> bool:
    stack = [seq]
    while stack:
        for item in stack.pop():
            if isinstance(item, Tensor):
                return True
            if isinstance(item, (list, tuple)):
                stack.append(item)
    return False


def _lift(value):
    """A list or tuple holding Tensors, stacked into one Tensor with gradient.

    The items must have equal shapes, as for ``np.array``; anything else is
    returned unchanged.
    """
    if not isinstance(value, (list, tuple)) or not _holds_tensor(value):
        return value
    if not value:
        return value
    items = [_lift(item) for item in value]  # recursion depth = nesting of data
    shapes = [
        np.shape(item.data if isinstance(item, Tensor) else item) for item in items
    ]
    if any(shape != shapes[0] for shape in shapes):
        listed = ", ".join(str(shape) for shape in shapes)
        raise ShapeError(
            f"a sequence of tensors is stacked into one tensor, so its items must "
            f"have equal shapes; got {listed}"
        )
    return apply(_REGISTRY["stack"], *items, axis=0)


def as_tensor(x) -> Tensor:
    """``x`` as a Tensor: itself, a stacked sequence of Tensors, or a constant."""
    if isinstance(x, Tensor):
        return x
    lifted = _lift(x)
    return lifted if isinstance(lifted, Tensor) else Tensor(lifted)


def tensor(data: TensorLike, requires_grad: bool = False) -> Tensor:
    """Make a :class:`Tensor` holding ``data`` as a floating array.

    Parameters
    ----------
    data : array_like or Tensor
        Numbers or nested sequences. Float32 and float64 data keep their dtype
        (as in PyTorch: float32 in, float32 computed, float32 gradients);
        integer, boolean and other float data become float64. The array is
        copied. Traced tensors inside ``data`` (inside a function given to
        ``nm.grad``, say) keep their gradient, as with ``jnp.array`` in JAX:
        ``nm.tensor([x, y])`` is ``nm.stack([x, y])``.
    requires_grad : bool
        Whether ``backward()`` should fill this tensor's ``.grad``: the result
        is then a new leaf.

    Raises
    ------
    ArgumentError
        If ``requires_grad`` is true and ``data`` holds traced tensors (a new
        leaf would silently cut their gradient; PyTorch's ``torch.tensor``
        does that with a warning).

    Examples
    --------
    >>> import numeric as nm
    >>> x = nm.tensor([1.0, 2.0], requires_grad=True)
    >>> (x * x).sum().backward()
    >>> x.grad
    array([2., 4.])
    >>> nm.tensor(np.ones(2, dtype=np.float32)).dtype, nm.tensor([1, 2]).dtype
    (dtype('float32'), dtype('float64'))
    >>> nm.grad(lambda a: nm.sum(nm.tensor([a, 2 * a, a * a])))(3.0)
    array(9.)
    """
    lifted = _lift(data)
    if isinstance(lifted, Tensor) and _is_live(lifted):
        if requires_grad:
            raise ArgumentError(
                "tensor: data holds traced tensors; requires_grad=True would make "
                "a new leaf and drop their gradient. Leave requires_grad False to "
                "keep the gradient, or pass plain arrays for a new leaf"
            )
        if lifted is data:  # one traced Tensor: a copy that keeps the gradient
            lifted = apply(_REGISTRY["identity"], data)
            lifted.data = lifted.data.copy()
        return lifted
    return Tensor(np.array(_float_array(lifted)), requires_grad)


def apply(prim: Primitive, *args, **params) -> Tensor:
    """Apply ``prim`` to Tensors, arrays or numbers and return a Tensor.

    The result records ``(prim, parents, params)`` when an input is traced and
    recording is on, so the backward driver can find the primitive's VJP. When
    an input carries a tangent of a live ``jvp`` call, the primitive's JVP rule
    pushes it forward onto the result. A list or tuple holding Tensors is
    stacked first (with its gradient), as ``np.asarray`` would stack numbers.
    """
    nargs = prim.nargs
    if nargs is not None and len(args) != nargs:
        raise TypeError(f"{prim.name} takes {nargs} inputs, got {len(args)}")
    datas: list = []  # a Tensor's array, or None until a constant is converted
    tracked = False
    like = None  # the floating dtype of the Tensor operands
    for a in args:
        if isinstance(a, Tensor):
            datas.append(a.data)
            if a._tracked:
                tracked = True
            dtype = a.data.dtype
            if dtype is not like and dtype.kind == "f":
                like = dtype if like is None else np.promote_types(like, dtype)
        elif isinstance(a, (list, tuple)) and _holds_tensor(a):
            return apply(prim, *[_lift(a) for a in args], **params)
        else:
            datas.append(None)
    for i, a in enumerate(args):
        if datas[i] is None:
            datas[i] = const_array(a, like)
    out = prim.impl(*datas, **params)
    if type(out) is not np.ndarray:
        out = np.asarray(out)
    if STATE.anomaly:
        check_forward(prim, datas, out)
    result = _new(Tensor)  # _make, inlined: this runs for every operation
    result.data = out
    result.grad = None
    result.requires_grad = False
    result._prim = None
    result._params = None
    result._dual = None
    if tracked and STATE.recording:
        result._tracked = True
        result._prim = prim
        result._params = params
        result._parents = _inputs(args, datas)
    else:
        result._tracked = False
        result._parents = ()
    if STATE.tags:
        _TANGENTS[0](prim, args, datas, result, params)
    return result


set_applier(apply)  # calling a Primitive object applies it here

_DRIVER: list = [None]  # the backward driver, installed by numeric.backward
_TANGENTS: list = [None]  # the tangent push, installed by numeric.tangents


def set_backward_driver(fn) -> None:
    """Install ``fn(end, g, wrt, create_graph)`` as the reverse sweep that
    ``Tensor.backward`` runs (:mod:`numeric.backward` does, on import)."""
    _DRIVER[0] = fn


def set_tangent_pusher(fn) -> None:
    """Install ``fn(prim, args, datas, result, params)`` as what :func:`apply`
    calls while a ``jvp`` is live (:mod:`numeric.tangents` does, on import)."""
    _TANGENTS[0] = fn


def _inputs(args, datas) -> tuple:
    """The inputs of an application as Tensors (constants wrapped, not copied)."""
    return tuple(
        [a if isinstance(a, Tensor) else _make(d) for a, d in zip(args, datas)]
    )
