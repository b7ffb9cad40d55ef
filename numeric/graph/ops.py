"""The op functions of the graph layer (``G.add``, ``G.relu``, ``G.conv2d``, ...)
and the operators of :class:`~numeric.graph.graph.Tensor`.

Each function adds one operation of a type declared in
:mod:`numeric.graph.op_registry` (``OPS``) after its shape rule accepted the
inputs' static shapes. The operators ``+ - * / ** @``, unary minus, indexing,
``.T``, ``.reshape`` and ``.sum/.mean/.max`` are installed on ``Tensor`` when
this module is imported, the way TF1's ``math_ops`` overrides ``Tensor``'s
operators, so the core module stays free of op knowledge.
"""

from __future__ import annotations

import numpy as np

from numeric.graph.constants import convert_to_tensor
from numeric.graph.dtypes import int64
from numeric.graph.graph import Operation, Tensor, get_default_graph
from numeric.graph.op_registry import OPS

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
