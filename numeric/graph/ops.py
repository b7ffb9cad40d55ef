"""The op registry of the graph layer: one declaration per op type.

Each :class:`OpDef` names the ``numeric`` function that evaluates the op, its
static shape rule and its dtype rule. Graph construction calls the shape rule
(so a mismatch of known shapes is a :class:`~numeric.errors.ShapeError` naming
the op and both shapes before anything runs); :mod:`numeric.graph.session`
calls ``numeric`` to compute values and gradients. No derivative is written
here: gradients come from the numeric engine.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from numeric.errors import ShapeError
from numeric.graph.graph import (
    Operation,
    Tensor,
    bool_,
    broadcast_shapes,
    convert_to_tensor,
    float64,
    format_shape,
    get_default_graph,
    int64,
)

# ----- registry ---------------------------------------------------------------


@dataclass(frozen=True)
class OpDef:
    """How to build and evaluate one op type.

    ``fn`` is the name of the ``numeric`` function computing the op from its
    inputs (``compute(nm, args, attrs)`` replaces it for the few ops numeric
    has no function for); ``kwargs`` are the attributes passed to it by
    keyword. ``shape``
    maps ``(op_name, input_shapes, attrs)`` to the output shape and raises
    ``ShapeError``; ``dtype`` maps the input dtypes to the output dtype.
    """

    type: str
    fn: str | None
    shape: Callable
    dtype: Callable
    kwargs: tuple = ()
    compute: Callable | None = field(default=None, compare=False)


OPS: dict[str, OpDef] = {}


def defop(op_type, fn, shape, dtype=None, kwargs=(), compute=None):
    OPS[op_type] = OpDef(
        op_type, fn, shape, dtype or _float_dtype, tuple(kwargs), compute
    )


# ----- dtype rules --------------------------------------------------------------


def _float_dtype(dtypes, attrs):
    return float64


def _closed_dtype(dtypes, attrs):
    """Integer inputs give an integer result for ops closed over the integers."""
    if dtypes and all(d in (int64, bool_) for d in dtypes):
        return int64
    return float64


def _where_dtype(dtypes, attrs):
    return _closed_dtype(dtypes[1:], attrs)


# ----- shape rules --------------------------------------------------------------


def _same_shape(name, shapes, attrs):
    return shapes[0]


def _broadcast_shape(name, shapes, attrs):
    return broadcast_shapes(name, *shapes)


def _normalize_axes(name, axis, ndim):
    axes = (axis,) if isinstance(axis, (int, np.integer)) else tuple(axis)
    out = []
    for a in axes:
        if not -ndim <= a < ndim:
            raise ShapeError(f"{name}: axis {a} is out of range for rank {ndim}")
        out.append(int(a) % ndim)
    if len(set(out)) != len(out):
        raise ShapeError(f"{name}: repeated axis in {axis!r}")
    return tuple(out)


def _reduce_shape(name, shapes, attrs):
    shape = shapes[0]
    axis, keepdims = attrs.get("axis"), attrs.get("keepdims", False)
    if shape is None:
        return () if axis is None and not keepdims else None
    axes = (
        range(len(shape)) if axis is None else _normalize_axes(name, axis, len(shape))
    )
    if keepdims:
        return tuple(1 if i in axes else d for i, d in enumerate(shape))
    return tuple(d for i, d in enumerate(shape) if i not in axes)


def _axis_shape(name, shapes, attrs):
    shape = shapes[0]
    if shape is not None:
        _normalize_axes(name, attrs.get("axis", -1), len(shape))
    return shape


def _dims_clash(a, b):
    return a is not None and b is not None and a != b


def _matmul_shape(name, shapes, attrs):
    a, b = shapes
    if a is None or b is None:
        return None
    if len(a) == 0 or len(b) == 0:
        raise ShapeError(
            f"{name}: matmul of a scalar, shapes {format_shape(a)} and {format_shape(b)}"
        )
    a2 = (1,) + a if len(a) == 1 else a
    b2 = b + (1,) if len(b) == 1 else b
    if _dims_clash(a2[-1], b2[-2]):
        raise ShapeError(
            f"{name}: inner dimensions differ, shapes {format_shape(a)} and "
            f"{format_shape(b)} ({a2[-1]} != {b2[-2]})"
        )
    batch = broadcast_shapes(name, a2[:-2], b2[:-2])
    out = batch + (a2[-2], b2[-1])
    if len(a) == 1:
        out = out[:-2] + out[-1:]
    if len(b) == 1:
        out = out[:-1]
    return out


def _reshape_shape(name, shapes, attrs):
    shape, target = shapes[0], attrs["shape"]
    if sum(1 for d in target if d == -1) > 1:
        raise ShapeError(f"{name}: at most one -1 in the new shape {tuple(target)}")
    known = int(np.prod([d for d in target if d != -1], dtype=np.int64))
    size = None
    if shape is not None and None not in shape:
        size = int(np.prod(shape, dtype=np.int64))
    if -1 not in target:
        if size is not None and size != known:
            raise ShapeError(
                f"{name}: cannot reshape {format_shape(shape)} ({size} elements) "
                f"to {format_shape(target)} ({known} elements)"
            )
        return tuple(target)
    if size is None:
        return tuple(None if d == -1 else d for d in target)
    if known == 0 or size % known:
        raise ShapeError(
            f"{name}: cannot reshape {format_shape(shape)} ({size} elements) "
            f"to {tuple(target)}"
        )
    return tuple(size // known if d == -1 else d for d in target)


def _transpose_shape(name, shapes, attrs):
    shape, axes = shapes[0], attrs.get("axes")
    if shape is None:
        return None
    if axes is None:
        return shape[::-1]
    if sorted(_normalize_axes(name, axes, len(shape))) != list(range(len(shape))):
        raise ShapeError(
            f"{name}: axes {tuple(axes)} do not permute shape {format_shape(shape)}"
        )
    return tuple(shape[a] for a in axes)


def _getitem_shape(name, shapes, attrs):
    shape, key = shapes[0], attrs["key"]
    if shape is None:
        return None
    key = key if isinstance(key, tuple) else (key,)
    if any(
        not isinstance(k, (int, np.integer, slice, type(None), type(Ellipsis)))
        for k in key
    ):
        if None not in shape:
            return np.empty(shape, dtype=np.int8)[attrs["key"]].shape
        return None
    n_index = sum(1 for k in key if k is not None and k is not Ellipsis)
    if n_index > len(shape):
        raise ShapeError(f"{name}: too many indices for shape {format_shape(shape)}")
    if Ellipsis in key:
        i = key.index(Ellipsis)
        key = key[:i] + (slice(None),) * (len(shape) - n_index) + key[i + 1 :]
    key = key + (slice(None),) * (len(shape) - n_index)
    out, axis = [], 0
    for k in key:
        if k is None:
            out.append(1)
            continue
        d = shape[axis]
        axis += 1
        if isinstance(k, slice):
            out.append(None if d is None else len(range(*k.indices(d))))
        elif d is not None and not -d <= k < d:
            raise ShapeError(f"{name}: index {k} is out of bounds for size {d}")
    return tuple(out)


def _pair(v):
    return (int(v), int(v)) if np.isscalar(v) else (int(v[0]), int(v[1]))


def _window_out(name, what, size, k, stride, pad):
    if size is None:
        return None
    out = (size + 2 * pad - k) // stride + 1
    if out < 1:
        raise ShapeError(
            f"{name}: {what} {k} is larger than the padded input size {size + 2 * pad}"
        )
    return out


def _conv2d_shape(name, shapes, attrs):
    x, w = shapes[0], shapes[1]
    b = shapes[2] if len(shapes) > 2 else ()
    for label, s, rank in (("input", x, 4), ("weight", w, 4)):
        if s is not None and len(s) != rank:
            raise ShapeError(
                f"{name}: {label} must be rank {rank} (NCHW/OIHW), got {format_shape(s)}"
            )
    if x is None or w is None:
        return None
    if _dims_clash(x[1], w[1]):
        raise ShapeError(
            f"{name}: input channels differ, input {format_shape(x)} (C={x[1]}) "
            f"and weight {format_shape(w)} (C={w[1]})"
        )
    if len(shapes) > 2 and b is not None and (len(b) != 1 or _dims_clash(b[0], w[0])):
        raise ShapeError(
            f"{name}: bias {format_shape(b)} does not fit weight {format_shape(w)}"
        )
    sh, sw = _pair(attrs.get("stride", 1))
    ph, pw = _pair(attrs.get("padding", 0))
    return (
        x[0],
        w[0],
        _window_out(name, "kernel height", x[2], w[2], sh, ph)
        if w[2] is not None
        else None,
        _window_out(name, "kernel width", x[3], w[3], sw, pw)
        if w[3] is not None
        else None,
    )


def _pool_shape(name, shapes, attrs):
    x = shapes[0]
    if x is None:
        return None
    if len(x) != 4:
        raise ShapeError(f"{name}: input must be rank 4 (NCHW), got {format_shape(x)}")
    kh, kw = _pair(attrs["size"])
    stride = attrs.get("stride")
    sh, sw = _pair(attrs["size"] if stride is None else stride)
    return (
        x[0],
        x[1],
        _window_out(name, "window height", x[2], kh, sh, 0),
        _window_out(name, "window width", x[3], kw, sw, 0),
    )


def _corr2d_shape(name, shapes, attrs):
    x, w = shapes
    for s in (x, w):
        if s is not None and len(s) != 2:
            raise ShapeError(f"{name}: 2-D inputs expected, got {format_shape(s)}")
    if x is None or w is None:
        return None
    mode = attrs.get("mode", "valid")
    out = []
    for n, k in zip(x, w):
        if n is None or k is None:
            out.append(None)
        elif mode == "valid":
            out.append(abs(n - k) + 1)
        elif mode == "full":
            out.append(n + k - 1)
        else:
            out.append(n)
    return tuple(out)


def _mse_shape(name, shapes, attrs):
    broadcast_shapes(name, *shapes)
    return ()


def _classification_shape(name, shapes, attrs):
    logits, labels = shapes
    if logits is not None and len(logits) != 2:
        raise ShapeError(
            f"{name}: logits must be (batch, classes), got {format_shape(logits)}"
        )
    if labels is not None and len(labels) != 1:
        raise ShapeError(f"{name}: labels must be (batch,), got {format_shape(labels)}")
    if logits is not None and labels is not None and _dims_clash(logits[0], labels[0]):
        raise ShapeError(
            f"{name}: batch sizes differ, logits {format_shape(logits)} and "
            f"labels {format_shape(labels)}"
        )
    return ()


def _getitem_compute(nm, args, attrs):
    x = args[0]
    if not hasattr(x, "data"):
        x = nm.tensor(x)
    return x[attrs["key"]]


def _identity_compute(nm, args, attrs):
    return args[0]


# ----- declarations -------------------------------------------------------------

# Binary elementwise (NumPy broadcasting)
defop("Add", "add", _broadcast_shape, _closed_dtype)
defop("Sub", "subtract", _broadcast_shape, _closed_dtype)
defop("Mul", "multiply", _broadcast_shape, _closed_dtype)
defop("RealDiv", "divide", _broadcast_shape)
defop("Pow", "power", _broadcast_shape)
defop("Maximum", "maximum", _broadcast_shape, _closed_dtype)
defop("Minimum", "minimum", _broadcast_shape, _closed_dtype)

# Unary elementwise
defop("Neg", "negative", _same_shape, _closed_dtype)
defop("Abs", "abs", _same_shape, _closed_dtype)
for _type, _fn in [
    ("Exp", "exp"),
    ("Log", "log"),
    ("Sin", "sin"),
    ("Cos", "cos"),
    ("Tan", "tan"),
    ("Tanh", "tanh"),
    ("Sigmoid", "sigmoid"),
    ("Relu", "relu"),
    ("Softplus", "softplus"),
    ("Sqrt", "sqrt"),
]:
    defop(_type, _fn, _same_shape)
defop("Elu", "elu", _same_shape, kwargs=("alpha",))
defop("LeakyRelu", "leaky_relu", _same_shape, kwargs=("negative_slope",))
defop("Identity", None, _same_shape, _closed_dtype, compute=_identity_compute)

# Reductions and normalizations along axes
defop("Sum", "sum", _reduce_shape, _closed_dtype, kwargs=("axis", "keepdims"))
defop("Mean", "mean", _reduce_shape, kwargs=("axis", "keepdims"))
defop("Max", "max", _reduce_shape, _closed_dtype, kwargs=("axis", "keepdims"))
defop("LogSumExp", "logsumexp", _reduce_shape, kwargs=("axis", "keepdims"))
defop("Softmax", "softmax", _axis_shape, kwargs=("axis",))
defop("LogSoftmax", "log_softmax", _axis_shape, kwargs=("axis",))

# Shape and linear algebra
defop("MatMul", "matmul", _matmul_shape, _closed_dtype)
defop("Reshape", "reshape", _reshape_shape, _closed_dtype, kwargs=("shape",))
defop("Transpose", "transpose", _transpose_shape, _closed_dtype, kwargs=("axes",))
defop("StridedSlice", None, _getitem_shape, _closed_dtype, compute=_getitem_compute)
defop("Select", "where", _broadcast_shape, _where_dtype)

# Convolution and pooling
defop("Conv2D", "conv2d", _conv2d_shape, kwargs=("stride", "padding"))
defop("MaxPool", "max_pool2d", _pool_shape, kwargs=("size", "stride"))
defop("AvgPool", "avg_pool2d", _pool_shape, kwargs=("size", "stride"))
defop("Correlate2D", "correlate2d", _corr2d_shape, kwargs=("mode",))
defop("Convolve2D", "convolve2d", _corr2d_shape, kwargs=("mode",))

# Losses
defop("MSE", "mse", _mse_shape)
defop("CrossEntropy", "cross_entropy", _classification_shape)
defop("SVMLoss", "svm_loss", _classification_shape, kwargs=("delta",))


# ----- building nodes -------------------------------------------------------------


def apply_op(op_type, inputs, name=None, **attrs) -> Tensor:
    """Create an op of a registered type on ``inputs`` (tensors or values)."""
    opdef = OPS[op_type]
    graph = next((x.graph for x in inputs if isinstance(x, Tensor)), None)
    if graph is None:
        graph = get_default_graph()
    tensors = [convert_to_tensor(x, graph) for x in inputs]
    display = graph.unique_name(name or op_type, mark_as_used=False)
    shape = opdef.shape(display, [t._shape for t in tensors], attrs)
    dtype = opdef.dtype([t.dtype for t in tensors], attrs)
    op = graph.create_op(op_type, tensors, [(shape, dtype)], attrs=attrs, name=name)
    return op.outputs[0]


def add(x, y, name=None):
    """``x + y`` with NumPy broadcasting (op type ``Add``)."""
    return apply_op("Add", [x, y], name)


def subtract(x, y, name=None):
    """``x - y`` (op type ``Sub``)."""
    return apply_op("Sub", [x, y], name)


def multiply(x, y, name=None):
    """``x * y`` elementwise (op type ``Mul``)."""
    return apply_op("Mul", [x, y], name)


def divide(x, y, name=None):
    """``x / y`` (true division, op type ``RealDiv``)."""
    return apply_op("RealDiv", [x, y], name)


def power(x, y, name=None):
    """``x ** y`` (op type ``Pow``)."""
    return apply_op("Pow", [x, y], name)


def maximum(x, y, name=None):
    """Elementwise maximum; a tie sends half the gradient to each side."""
    return apply_op("Maximum", [x, y], name)


def minimum(x, y, name=None):
    """Elementwise minimum; a tie sends half the gradient to each side."""
    return apply_op("Minimum", [x, y], name)


def negative(x, name=None):
    """``-x`` (op type ``Neg``)."""
    return apply_op("Neg", [x], name)


def matmul(a, b, name=None):
    """Matrix product with NumPy ``matmul`` rules (op type ``MatMul``)."""
    return apply_op("MatMul", [a, b], name)


def _unary(op_type, doc):
    def fn(x, name=None):
        return apply_op(op_type, [x], name)

    fn.__name__ = OPS[op_type].fn
    fn.__doc__ = doc
    return fn


exp = _unary("Exp", "Elementwise ``exp(x)``.")
log = _unary("Log", "Elementwise natural logarithm.")
sin = _unary("Sin", "Elementwise sine.")
cos = _unary("Cos", "Elementwise cosine.")
tan = _unary("Tan", "Elementwise tangent.")
tanh = _unary("Tanh", "Elementwise hyperbolic tangent.")
sigmoid = _unary("Sigmoid", "Elementwise logistic sigmoid (stable form).")
relu = _unary("Relu", "Elementwise ``max(x, 0)``; ``relu'(0) = 0``.")
softplus = _unary("Softplus", "Elementwise ``log(1 + exp(x))`` (stable form).")
absolute = _unary("Abs", "Elementwise absolute value; ``abs'(0) = 0``.")
sqrt = _unary("Sqrt", "Elementwise square root.")


def leaky_relu(x, negative_slope=0.01, name=None):
    """Leaky ReLU with slope ``negative_slope`` for negative inputs."""
    return apply_op("LeakyRelu", [x], name, negative_slope=float(negative_slope))


def elu(x, alpha=1.0, name=None):
    """Exponential linear unit: ``x`` for x > 0, ``alpha (exp(x) - 1)`` otherwise."""
    return apply_op("Elu", [x], name, alpha=float(alpha))


def identity(x, name=None):
    """The same value under a new name (op type ``Identity``)."""
    return apply_op("Identity", [x], name)


def _axis_attr(axis):
    if axis is None or isinstance(axis, (int, np.integer)):
        return None if axis is None else int(axis)
    return tuple(int(a) for a in axis)


def reduce_sum(x, axis=None, keepdims=False, name=None):
    """Sum over ``axis`` (all axes when None), TF1's ``tf.reduce_sum``."""
    return apply_op("Sum", [x], name, axis=_axis_attr(axis), keepdims=bool(keepdims))


def reduce_mean(x, axis=None, keepdims=False, name=None):
    """Mean over ``axis`` (all axes when None), TF1's ``tf.reduce_mean``."""
    return apply_op("Mean", [x], name, axis=_axis_attr(axis), keepdims=bool(keepdims))


def reduce_max(x, axis=None, keepdims=False, name=None):
    """Maximum over ``axis``; tied maxima share the gradient evenly."""
    return apply_op("Max", [x], name, axis=_axis_attr(axis), keepdims=bool(keepdims))


def logsumexp(x, axis=None, keepdims=False, name=None):
    """Stable ``log(sum(exp(x), axis))``."""
    return apply_op(
        "LogSumExp", [x], name, axis=_axis_attr(axis), keepdims=bool(keepdims)
    )


def softmax(x, axis=-1, name=None):
    """Softmax along ``axis`` (last by default)."""
    return apply_op("Softmax", [x], name, axis=int(axis))


def log_softmax(x, axis=-1, name=None):
    """Log-softmax along ``axis`` (last by default)."""
    return apply_op("LogSoftmax", [x], name, axis=int(axis))


def reshape(x, shape, name=None):
    """Reshape to ``shape`` (one entry may be -1)."""
    shape = (int(shape),) if np.isscalar(shape) else tuple(int(d) for d in shape)
    return apply_op("Reshape", [x], name, shape=shape)


def transpose(x, axes=None, name=None):
    """Permute axes (reverse them when ``axes`` is None)."""
    axes = None if axes is None else tuple(int(a) for a in axes)
    return apply_op("Transpose", [x], name, axes=axes)


def where(condition, x, y, name=None):
    """``x`` where ``condition`` holds, else ``y`` (op type ``Select``)."""
    return apply_op("Select", [condition, x, y], name)


def conv2d(x, w, b=None, stride=1, padding=0, name=None):
    """2-D cross-correlation, NCHW input and OIHW weight (PyTorch semantics)."""
    inputs = [x, w] if b is None else [x, w, b]
    return apply_op("Conv2D", inputs, name, stride=stride, padding=padding)


def max_pool2d(x, size, stride=None, name=None):
    """Max pooling over ``size`` windows (NCHW); ties send the gradient to the first."""
    return apply_op("MaxPool", [x], name, size=size, stride=stride)


def avg_pool2d(x, size, stride=None, name=None):
    """Average pooling over ``size`` windows (NCHW)."""
    return apply_op("AvgPool", [x], name, size=size, stride=stride)


def correlate2d(x, w, mode="valid", name=None):
    """2-D cross-correlation with SciPy's modes."""
    return apply_op("Correlate2D", [x, w], name, mode=mode)


def convolve2d(x, w, mode="valid", name=None):
    """2-D convolution with SciPy's modes."""
    return apply_op("Convolve2D", [x, w], name, mode=mode)


def mse(prediction, target, name=None):
    """Mean squared error, a scalar."""
    return apply_op("MSE", [prediction, target], name)


def cross_entropy(logits, labels, name=None):
    """Mean softmax cross-entropy of ``logits`` (batch, classes) and int ``labels``."""
    labels = convert_to_tensor(labels, _graph_of(logits))
    if labels.dtype != int64:
        raise TypeError(
            f"cross_entropy: labels {labels.name} must be int64, not {labels.dtype}"
        )
    return apply_op("CrossEntropy", [logits, labels], name)


def svm_loss(scores, labels, delta=1.0, name=None):
    """Multiclass hinge loss of ``scores`` (batch, classes) and int ``labels``."""
    labels = convert_to_tensor(labels, _graph_of(scores))
    if labels.dtype != int64:
        raise TypeError(
            f"svm_loss: labels {labels.name} must be int64, not {labels.dtype}"
        )
    return apply_op("SVMLoss", [scores, labels], name, delta=float(delta))


def _graph_of(x):
    return x.graph if isinstance(x, Tensor) else get_default_graph()


# ----- operators on Tensor ---------------------------------------------------------


def _binary(fn, reflected=False):
    if reflected:
        return lambda self, other: fn(other, self)
    return lambda self, other: fn(self, other)


def _install_operators():
    table = {
        "add": add,
        "sub": subtract,
        "mul": multiply,
        "truediv": divide,
        "pow": power,
        "matmul": matmul,
    }
    for dunder, fn in table.items():
        setattr(Tensor, f"__{dunder}__", _binary(fn))
        setattr(Tensor, f"__r{dunder}__", _binary(fn, reflected=True))
    Tensor.__neg__ = lambda self: negative(self)
    Tensor.__pos__ = lambda self: self
    Tensor.__abs__ = lambda self: absolute(self)
    Tensor.__getitem__ = lambda self, key: apply_op(
        "StridedSlice", [self], None, key=_freeze_key(key)
    )
    Tensor.T = property(lambda self: transpose(self))
    Tensor.reshape = lambda self, *shape: reshape(
        self, shape[0] if len(shape) == 1 and not np.isscalar(shape[0]) else shape
    )
    Tensor.sum = lambda self, axis=None, keepdims=False: reduce_sum(
        self, axis, keepdims
    )
    Tensor.mean = lambda self, axis=None, keepdims=False: reduce_mean(
        self, axis, keepdims
    )
    Tensor.max = lambda self, axis=None, keepdims=False: reduce_max(
        self, axis, keepdims
    )


def _freeze_key(key):
    """Indexing keys are attributes: tensors are not allowed, arrays are copied."""
    items = key if isinstance(key, tuple) else (key,)
    for k in items:
        if isinstance(k, (Tensor, Operation)):
            raise TypeError("indexing a graph tensor with a tensor is not supported")
        if isinstance(k, (list, np.ndarray)):
            arr = np.asarray(k)
            if arr.dtype.kind not in "biu":
                raise TypeError(
                    f"index arrays must be integer or boolean, not {arr.dtype}"
                )
    if isinstance(key, list):
        return np.asarray(key)
    return key


_install_operators()
