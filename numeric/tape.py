"""Tensors, the tape they are recorded on, and the backward driver.

A :class:`Tensor` wraps a float64 (the default) or float32 ndarray. Applying a primitive to Tensors
(:func:`apply`) computes the result with the primitive's NumPy function and,
when an input is *traced* (a leaf that requires grad, or anything computed from
one), records ``(primitive, parents, params)`` on the result: the tape is the
graph of these records. :func:`backward_pass` walks it in reverse topological
order, without recursion, calling each primitive's VJP rule from
:mod:`numeric.registry` and summing cotangents at branches. The rules compute
with Tensors too, so when the pass runs with ``create_graph=True`` (inside an
outer :func:`numeric.grad`) the gradient is itself recorded and differentiates
again.
"""

from __future__ import annotations

import numbers
from contextlib import contextmanager

import numpy as np

from numeric.errors import DifferentiationError, NonFiniteError, ShapeError
from numeric.registry import _REGISTRY, UNDEFINED, Primitive

__all__ = ["Tensor", "apply", "backward_pass", "detect_anomaly", "no_grad", "tensor"]


class _State:
    """Global tracing state (the engine is not thread-safe, like autograd)."""

    __slots__ = ("anomaly", "depth", "recording", "vjp_of")

    def __init__(self):
        self.recording = True  # False inside no_grad and first-order backward
        self.depth = 0  # number of enclosing grad / value_and_grad calls
        self.anomaly = False  # detect_anomaly(): check every value for inf/NaN
        self.vjp_of = None  # the primitive whose VJP is running (for messages)


_STATE = _State()


@contextmanager
def no_grad():
    """Context manager: operations inside record nothing on the tape."""
    previous = _STATE.recording
    _STATE.recording = False
    try:
        yield
    finally:
        _STATE.recording = previous


@contextmanager
def detect_anomaly():
    """Debug mode: stop at the first op that makes a non-finite value.

    Inside the context, every primitive's result and every cotangent its VJP
    returns is checked. The first one holding an inf or NaN computed from
    finite inputs raises :class:`~numeric.errors.NonFiniteError` naming the
    primitive, the direction (forward or backward), the input, and the index of
    the first bad entry. It costs one ``isfinite`` pass per value, so it is for
    debugging, like PyTorch's ``torch.autograd.detect_anomaly``. NumPy's
    divide, overflow and invalid warnings are off inside (the error says more).

    Examples
    --------
    >>> import numeric as nm
    >>> with nm.detect_anomaly():
    ...     nm.log(nm.tensor([1.0, 0.0]))
    Traceback (most recent call last):
    ...
    numeric.errors.NonFiniteError: forward: log produced -inf at index (1,) from finite inputs
    """
    previous = _STATE.anomaly
    _STATE.anomaly = True
    try:
        # NumPy's warnings would only repeat, less precisely, what is raised
        with np.errstate(divide="ignore", over="ignore", invalid="ignore"):
            yield
    finally:
        _STATE.anomaly = previous


def _first_non_finite(arr: np.ndarray):
    """(index, value) of the first inf/NaN entry of ``arr``, or None."""
    bad = ~np.isfinite(arr)
    if not bad.any():
        return None
    index = tuple(int(i) for i in np.unravel_index(int(np.argmax(bad)), arr.shape))
    return index, arr[index] if arr.ndim else arr.item()


def _all_finite(arrays) -> bool:
    return all(
        a.dtype.kind == "b" or bool(np.isfinite(a).all())
        for a in map(np.asarray, arrays)
    )


def _check_forward(prim, datas, out):
    bad = _first_non_finite(out)
    if bad is not None and _all_finite(datas):
        index, value = bad
        where = "forward" if _STATE.vjp_of is None else f"backward of {_STATE.vjp_of}"
        raise NonFiniteError(
            f"{where}: {prim.name} produced {value} at index {index} from finite inputs"
        )


def _check_backward(prim, i, ct, node, parents, term):
    bad = _first_non_finite(term.data)
    if bad is not None and _all_finite(
        [ct.data, node.data] + [p.data for p in parents]
    ):
        index, value = bad
        raise NonFiniteError(
            f"backward: the VJP of {prim.name} produced {value} at index {index} "
            f"in the gradient of its input {i}, from finite values and cotangent"
        )


_FLOATS = (np.dtype(np.float32), np.dtype(np.float64))


def _float_array(data) -> np.ndarray:
    """``data`` as a floating ndarray: float32 and float64 are kept, as in
    PyTorch; every other real dtype (bool, ints, float16, longdouble) becomes
    float64, the default."""
    if isinstance(data, Tensor):
        return data.data
    arr = np.asarray(data)
    if arr.dtype not in _FLOATS:
        if arr.dtype.kind not in "biuf":
            raise TypeError(
                f"tensor: cannot make a float tensor from data of dtype {arr.dtype}"
            )
        arr = arr.astype(np.float64)
    return arr


def _const_array(value, like=None) -> np.ndarray:
    """A non-Tensor operand as an array.

    ``like`` is the floating dtype of the Tensor operands (None when there are
    none). Bools stay bool. Python ints and floats are *weak*, as in NumPy 2 and
    PyTorch: they take ``like`` (``float32_tensor * 2.0`` stays float32), and so
    do integer arrays (PyTorch's rule: an integer operand never widens a float
    one). Float32 and float64 arrays keep their dtype and promote as NumPy does
    (float32 with float64 gives float64); other floats become float64.
    """
    target = np.float64 if like is None else like
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return np.asarray(value, dtype=target)
    arr = np.asarray(value)
    kind = arr.dtype.kind
    if kind == "f":
        return arr if arr.dtype in _FLOATS else arr.astype(np.float64)
    if kind in "iu":
        return arr.astype(target)
    if kind == "b":
        return arr
    raise TypeError(f"cannot use a value of dtype {arr.dtype} as a numeric operand")


def _make(data: np.ndarray) -> Tensor:
    """An untraced Tensor around ``data`` (no conversion, no copy)."""
    t = object.__new__(Tensor)
    t.data = data
    t.grad = None
    t.requires_grad = False
    t._tracked = False
    t._prim = None
    t._parents = ()
    t._params = None
    return t


class Tensor:
    """An n-dimensional float64 or float32 array that records how it was computed.

    Make one with :func:`numeric.tensor`. Arithmetic operators, ``@``,
    indexing, ``.T``, ``.reshape``, ``.sum``, ``.mean`` and ``.max`` return
    Tensors; comparisons return plain boolean ndarrays (no gradient flows
    through a comparison). ``backward()`` fills ``.grad`` of every leaf that
    requires grad, accumulating over calls like PyTorch.
    """

    __slots__ = (
        "__weakref__",
        "_params",
        "_parents",
        "_prim",
        "_tracked",
        "data",
        "grad",
        "requires_grad",
    )
    # NumPy defers `ndarray <op> Tensor` to Tensor's reflected operators.
    __array_ufunc__ = None

    def __init__(self, data, requires_grad: bool = False):
        self.data = _float_array(data)
        self.grad = None
        self.requires_grad = bool(requires_grad)
        self._tracked = self.requires_grad
        self._prim = None
        self._parents = ()
        self._params = None

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
    def dtype(self):
        return self.data.dtype

    @property
    def T(self) -> Tensor:
        return apply(_REGISTRY["transpose"], self, axes=None)

    def __len__(self) -> int:
        return len(self.data)

    def __iter__(self):
        if self.ndim == 0:
            raise TypeError("iteration over a 0-d tensor")
        return (self[i] for i in range(len(self.data)))

    def __array__(self, dtype=None, copy=None):
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
    def backward(self, g=None) -> None:
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
        leaves, cts = backward_pass(self, _make(g), None, create_graph=False)
        for leaf, ct in zip(leaves, cts):
            value = np.array(ct.data, dtype=leaf.dtype)  # a fresh, writeable copy
            leaf.grad = value if leaf.grad is None else leaf.grad + value

    # ----- operators -----
    def __add__(self, other):
        return apply(_REGISTRY["add"], self, other)

    def __radd__(self, other):
        return apply(_REGISTRY["add"], other, self)

    def __sub__(self, other):
        return apply(_REGISTRY["subtract"], self, other)

    def __rsub__(self, other):
        return apply(_REGISTRY["subtract"], other, self)

    def __mul__(self, other):
        return apply(_REGISTRY["multiply"], self, other)

    def __rmul__(self, other):
        return apply(_REGISTRY["multiply"], other, self)

    def __truediv__(self, other):
        return apply(_REGISTRY["divide"], self, other)

    def __rtruediv__(self, other):
        return apply(_REGISTRY["divide"], other, self)

    def __pow__(self, other):
        return apply(_REGISTRY["power"], self, other)

    def __rpow__(self, other):
        return apply(_REGISTRY["power"], other, self)

    def __matmul__(self, other):
        return apply(_REGISTRY["matmul"], self, other)

    def __rmatmul__(self, other):
        return apply(_REGISTRY["matmul"], other, self)

    def __neg__(self):
        return apply(_REGISTRY["negative"], self)

    def __pos__(self):
        return self

    def __getitem__(self, index):
        return apply(_REGISTRY["getitem"], self, index=_normalize_index(index))

    def __lt__(self, other):
        return np.less(self.data, _operand_data(other))

    def __le__(self, other):
        return np.less_equal(self.data, _operand_data(other))

    def __gt__(self, other):
        return np.greater(self.data, _operand_data(other))

    def __ge__(self, other):
        return np.greater_equal(self.data, _operand_data(other))

    # ----- methods -----
    def reshape(self, *shape) -> Tensor:
        if len(shape) == 1 and not isinstance(shape[0], numbers.Integral):
            shape = tuple(shape[0])
        return apply(_REGISTRY["reshape"], self, shape=shape)

    def sum(self, axis=None, keepdims: bool = False) -> Tensor:
        return apply(_REGISTRY["sum"], self, axis=axis, keepdims=keepdims)

    def mean(self, axis=None, keepdims: bool = False) -> Tensor:
        return apply(_REGISTRY["mean"], self, axis=axis, keepdims=keepdims)

    def max(self, axis=None, keepdims: bool = False) -> Tensor:
        return apply(_REGISTRY["max"], self, axis=axis, keepdims=keepdims)


def _operand_data(x):
    return x.data if isinstance(x, Tensor) else x


def _normalize_index(index):
    """Tensors and lists inside an index become integer/boolean ndarrays."""
    if isinstance(index, tuple):
        return tuple(_normalize_index_part(i) for i in index)
    return _normalize_index_part(index)


def _normalize_index_part(part):
    if isinstance(part, Tensor):
        part = part.data
        if part.dtype.kind == "f":
            if not np.all(part == np.round(part)):
                raise IndexError("a tensor used as an index must hold integers")
            part = part.astype(np.intp)
        return part
    if isinstance(part, list):
        return np.asarray(part)
    return part


def tensor(data, requires_grad: bool = False) -> Tensor:
    """Make a :class:`Tensor` holding ``data`` as a floating array.

    Parameters
    ----------
    data : array_like or Tensor
        Numbers or nested sequences. Float32 and float64 data keep their dtype
        (as in PyTorch: float32 in, float32 computed, float32 gradients);
        integer, boolean and other float data become float64. The array is
        copied.
    requires_grad : bool
        Whether ``backward()`` should fill this tensor's ``.grad``.

    Examples
    --------
    >>> import numeric as nm
    >>> x = nm.tensor([1.0, 2.0], requires_grad=True)
    >>> (x * x).sum().backward()
    >>> x.grad
    array([2., 4.])
    >>> nm.tensor(np.ones(2, dtype=np.float32)).dtype, nm.tensor([1, 2]).dtype
    (dtype('float32'), dtype('float64'))
    """
    return Tensor(np.array(_float_array(data)), requires_grad)


def apply(prim: Primitive, *args, **params) -> Tensor:
    """Apply ``prim`` to Tensors, arrays or numbers and return a Tensor.

    The result records ``(prim, parents, params)`` when an input is traced and
    recording is on, so the backward driver can find the primitive's VJP.
    """
    if prim.nargs is not None and len(args) != prim.nargs:
        raise TypeError(f"{prim.name} takes {prim.nargs} inputs, got {len(args)}")
    datas: list = []  # a Tensor's array, or None until a constant is converted
    tracked = False
    like = None  # the floating dtype of the Tensor operands
    for a in args:
        if isinstance(a, Tensor):
            datas.append(a.data)
            tracked = tracked or a._tracked
            dtype = a.data.dtype
            if dtype is not like and dtype.kind == "f":
                like = dtype if like is None else np.promote_types(like, dtype)
        else:
            datas.append(None)
    for i, a in enumerate(args):
        if datas[i] is None:
            datas[i] = _const_array(a, like)
    out = prim.impl(*datas, **params)
    if not isinstance(out, np.ndarray):
        out = np.asarray(out)
    if _STATE.anomaly:
        _check_forward(prim, datas, out)
    result = _make(out)
    if tracked and _STATE.recording:
        result._tracked = True
        result._prim = prim
        result._params = params
        result._parents = tuple(
            a if isinstance(a, Tensor) else _make(d) for a, d in zip(args, datas)
        )
    return result


def _toposort(end: Tensor, stop: set) -> list:
    """Traced ancestors of ``end``, parents before children, without recursion.

    The walk does not go past a node whose id is in ``stop``.
    """
    order = []
    visited = set()
    stack = [(end, False)]
    while stack:
        node, expanded = stack.pop()
        if expanded:
            order.append(node)
            continue
        if id(node) in visited:
            continue
        visited.add(id(node))
        stack.append((node, True))
        if id(node) not in stop:
            for parent in node._parents:
                if parent._tracked and id(parent) not in visited:
                    stack.append((parent, False))
    return order


def backward_pass(end: Tensor, g: Tensor, wrt, create_graph: bool):
    """Reverse sweep from ``end`` with upstream cotangent ``g``.

    Parameters
    ----------
    end : Tensor
        The output; must be traced.
    g : Tensor
        Its cotangent, of ``end``'s shape.
    wrt : sequence of Tensor or None
        The tensors to differentiate with respect to; the sweep stops at them.
        ``None`` means every traced leaf that requires grad.
    create_graph : bool
        Record the VJP computations on the tape (for higher derivatives).

    Returns
    -------
    (targets, cotangents)
        Parallel lists; a target nothing flowed into gets zeros of its shape.
    """
    if wrt is None:
        order = _toposort(end, set())
        targets = [n for n in order if n._prim is None and n.requires_grad]
        target_ids = {id(n): k for k, n in enumerate(targets)}
        relevant = {id(n) for n in order}
    else:
        targets = list(wrt)
        target_ids = {id(n): k for k, n in enumerate(targets)}
        order = _toposort(end, set(target_ids))
        relevant = set()
        for node in order:
            if id(node) in target_ids or any(id(p) in relevant for p in node._parents):
                relevant.add(id(node))
    results = [None] * len(targets)
    cotangents = {id(end): g}
    previous = _STATE.recording
    _STATE.recording = create_graph
    try:
        for node in reversed(order):
            ct = cotangents.pop(id(node), None)
            if ct is None:
                continue  # structurally zero: nothing flowed here
            k = target_ids.get(id(node))
            if k is not None:
                results[k] = ct
                continue
            prim = node._prim
            if prim is None:
                continue  # a leaf nobody asked about
            parents = node._parents
            if not any(id(p) in relevant for p in parents):
                continue
            if prim.vjp is None:
                raise NotImplementedError(f"VJP of {prim.name} is not implemented")
            _STATE.vjp_of = prim.name
            try:
                terms = prim.vjp(ct, node, *parents, **node._params)
            finally:
                _STATE.vjp_of = None
            if len(terms) != len(parents):
                raise RuntimeError(
                    f"VJP of {prim.name} returned {len(terms)} cotangents for "
                    f"{len(parents)} inputs"
                )
            for i, (parent, term) in enumerate(zip(parents, terms)):
                if term is None or id(parent) not in relevant:
                    continue
                if term is UNDEFINED:
                    raise DifferentiationError(
                        f"{prim.name} is not differentiable with respect to its "
                        f"input {i}"
                    )
                if not isinstance(term, Tensor):
                    term = _make(_float_array(term))
                if term.shape != parent.shape:
                    raise ShapeError(
                        f"VJP of {prim.name}: cotangent for input {i} has shape "
                        f"{term.shape}, but the input has shape {parent.shape}"
                    )
                if _STATE.anomaly:
                    _check_backward(prim, i, ct, node, parents, term)
                prev = cotangents.get(id(parent))
                cotangents[id(parent)] = term if prev is None else prev + term
    finally:
        _STATE.recording = previous
    for k, target in enumerate(targets):
        if results[k] is None:
            results[k] = _make(np.zeros(target.shape, dtype=target.dtype))
    return targets, results
