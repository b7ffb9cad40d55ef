"""The user-facing constructors of tensor expressions (``sg.trace(X)`` ...).

Each is a thin call of :func:`~symgraph.tensor.node.make` on a registry op,
so shapes are checked as the expression is built. The elementwise functions
of the scalar registry (``exp``, ``relu``, ...) are generated from it.
"""

from __future__ import annotations

from .node import TensorNode, as_tensor, make
from .node import eye as _eye
from .ops_elementwise import ELEMENTWISE

__all__ = [
    "avg_pool2d", "conv2d", "convolve2d", "correlate2d", "det", "diag", "elementwise",
    "eye", "inv", "log_softmax", "logdet", "logsumexp", "matmul", "max_pool2d",
    "norm", "outer", "reshape", "softmax", "sum", "trace", "transpose",
]  # fmt: skip


def matmul(a, b) -> TensorNode:
    """``a @ b`` (NumPy's rules for vectors; rank <= 2)."""
    return make("matmul", as_tensor(a), as_tensor(b))


def transpose(x, axes=None) -> TensorNode:
    """``x.T`` (axes reversed), or the axes permuted by ``axes``."""
    return make("transpose", as_tensor(x), axes=None if axes is None else tuple(axes))


def sum(x, axis=None, keepdims: bool = False) -> TensorNode:
    """Sum of all entries, or along ``axis`` (an int or a tuple of ints).

    Examples
    --------
    >>> import symgraph as sg
    >>> X = sg.tensors("X:n,m")
    >>> sg.sum(X, axis=0).shape
    (m,)
    """
    return make("sum", as_tensor(x), axis=axis, keepdims=keepdims)


def trace(x) -> TensorNode:
    """``tr(X)`` of a square matrix; ``d/dX tr(X) = I``."""
    return make("trace", as_tensor(x))


def det(x) -> TensorNode:
    """``det(X)``; ``d/dX det(X) = det(X) X^-T`` (Jacobi's formula)."""
    return make("det", as_tensor(x))


def logdet(x) -> TensorNode:
    """``log |det X|`` (``numpy.linalg.slogdet``); ``d/dX = X^-T``."""
    return make("logdet", as_tensor(x))


def inv(x) -> TensorNode:
    """The inverse of a square matrix; its adjoint is ``-X^-T G X^-T``."""
    return make("inv", as_tensor(x))


def diag(x) -> TensorNode:
    """A vector to a diagonal matrix, or a square matrix's diagonal (``np.diag``)."""
    return make("diag", as_tensor(x))


def outer(u, v) -> TensorNode:
    """The outer product ``u vᵀ`` of two vectors."""
    return make("outer", as_tensor(u), as_tensor(v))


def norm(x, ord=None) -> TensorNode:
    """Vector 2-norm (default) or 1-norm; matrix Frobenius norm.

    At ``x = 0`` the 2-norm's gradient is 0 (PyTorch's convention).
    """
    return make("norm", as_tensor(x), ord=ord)


def reshape(x, shape) -> TensorNode:
    """``x`` with a new shape of the same size (dims may be names)."""
    return make("reshape", as_tensor(x), shape=shape)


def softmax(x, axis=-1) -> TensorNode:
    """``exp(x) / sum(exp(x))`` along ``axis`` (None: over all entries), stable."""
    return make("softmax", as_tensor(x), axis=axis)


def log_softmax(x, axis=-1) -> TensorNode:
    """``x - logsumexp(x, axis, keepdims=True)``, stable."""
    return make("log_softmax", as_tensor(x), axis=axis)


def logsumexp(x, axis=None, keepdims: bool = False) -> TensorNode:
    """``log(sum(exp(x)))`` over all entries or along ``axis``, stable."""
    return make("logsumexp", as_tensor(x), axis=axis, keepdims=keepdims)


def eye(n) -> TensorNode:
    """The ``n x n`` identity (``n`` an int or a dimension name)."""
    return _eye(n)


def correlate2d(x, w, mode: str = "valid") -> TensorNode:
    """2-D cross-correlation (``scipy.signal.correlate2d``; "valid" or "full")."""
    return make("correlate2d", as_tensor(x), as_tensor(w), mode=mode)


def convolve2d(x, w, mode: str = "valid") -> TensorNode:
    """2-D convolution (``scipy.signal.convolve2d``; "valid" or "full")."""
    return make("convolve2d", as_tensor(x), as_tensor(w), mode=mode)


def conv2d(x, w, b=None, stride=1, padding=0) -> TensorNode:
    """Batched cross-correlation as ``torch.nn.functional.conv2d``.

    ``x`` is (N, C, H, W), ``w`` is (O, C, kh, kw), ``b`` an optional (O,)
    bias; the output is (N, O, Ho, Wo) with ``Ho = (H + 2p - kh) // s + 1``.
    """
    out = make("conv2d", as_tensor(x), as_tensor(w), stride=stride, padding=padding)
    if b is not None:
        out = out + make("expand_dims", as_tensor(b), axis=(1, 2))
    return out


def max_pool2d(x, size, stride=None) -> TensorNode:
    """Maximum over windows of the last two axes; a tie routes to the first maximum."""
    return make("max_pool2d", as_tensor(x), size=size, stride=stride)


def avg_pool2d(x, size, stride=None) -> TensorNode:
    """Mean over windows of the last two axes."""
    return make("avg_pool2d", as_tensor(x), size=size, stride=stride)


def elementwise(op: str, *operands) -> TensorNode:
    """Apply an op of the scalar registry entry by entry (with broadcasting)."""
    return make(op, *[as_tensor(o) for o in operands])


def _lifted(op: str):
    def f(*operands):
        return elementwise(op, *operands)

    f.__name__ = f.__qualname__ = op
    f.__doc__ = (
        f"Elementwise ``{op}`` of tensor expressions (lifted from the scalar registry)."
    )
    return f


FUNCTIONS = {op: _lifted(op) for op in ELEMENTWISE}
