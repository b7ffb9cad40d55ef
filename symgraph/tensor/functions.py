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


def _doc(summary: str, params: str, example: str) -> str:
    return f"""{summary}

    Parameters
    ----------
{params}

    Returns
    -------
    TensorNode
        Its shape is checked (and symbolic dimensions unified) as it is built.

    Raises
    ------
    ShapeError
        If the operands' shapes do not fit; the message names the op and
        every operand shape.

    Examples
    --------
    >>> import symgraph as sg
    >>> X, A, u, v = sg.tensors("X:n,m A:n,n u:n v:m")
{example}
    """


def matmul(a, b) -> TensorNode:
    return make("matmul", as_tensor(a), as_tensor(b))


def transpose(x, axes=None) -> TensorNode:
    return make("transpose", as_tensor(x), axes=None if axes is None else tuple(axes))


def sum(x, axis=None, keepdims: bool = False) -> TensorNode:
    return make("sum", as_tensor(x), axis=axis, keepdims=keepdims)


def trace(x) -> TensorNode:
    return make("trace", as_tensor(x))


def det(x) -> TensorNode:
    return make("det", as_tensor(x))


def logdet(x) -> TensorNode:
    return make("logdet", as_tensor(x))


def inv(x) -> TensorNode:
    return make("inv", as_tensor(x))


def diag(x) -> TensorNode:
    return make("diag", as_tensor(x))


def outer(u, v) -> TensorNode:
    return make("outer", as_tensor(u), as_tensor(v))


def norm(x, ord=None) -> TensorNode:
    return make("norm", as_tensor(x), ord=ord)


def reshape(x, shape) -> TensorNode:
    return make("reshape", as_tensor(x), shape=shape)


def softmax(x, axis=-1) -> TensorNode:
    return make("softmax", as_tensor(x), axis=axis)


def log_softmax(x, axis=-1) -> TensorNode:
    return make("log_softmax", as_tensor(x), axis=axis)


def logsumexp(x, axis=None, keepdims: bool = False) -> TensorNode:
    return make("logsumexp", as_tensor(x), axis=axis, keepdims=keepdims)


def eye(n) -> TensorNode:
    return _eye(n)


def correlate2d(x, w, mode: str = "valid") -> TensorNode:
    return make("correlate2d", as_tensor(x), as_tensor(w), mode=mode)


def convolve2d(x, w, mode: str = "valid") -> TensorNode:
    return make("convolve2d", as_tensor(x), as_tensor(w), mode=mode)


def conv2d(x, w, b=None, stride=1, padding=0) -> TensorNode:
    out = make("conv2d", as_tensor(x), as_tensor(w), stride=stride, padding=padding)
    if b is not None:
        out = out + make("expand_dims", as_tensor(b), axis=(1, 2))
    return out


def max_pool2d(x, size, stride=None) -> TensorNode:
    return make("max_pool2d", as_tensor(x), size=size, stride=stride)


def avg_pool2d(x, size, stride=None) -> TensorNode:
    return make("avg_pool2d", as_tensor(x), size=size, stride=stride)


_X = "    x : TensorNode (or a number)"
_DOCS = {
    matmul: ("``a @ b`` with NumPy's rules for vectors (operands of rank 1 or 2).",
             "    a, b : TensorNode", "    >>> print(sg.matmul(X.T, u))\n    X.T @ u"),
    transpose: ("``x.T`` (axes reversed; a vector is unchanged), or the axes permuted.",
                f"{_X}\n    axes : optional permutation", "    >>> X.T.shape\n    (m, n)"),
    sum: ("Sum of all entries, or along ``axis`` (an int or a tuple of ints).",
          f"{_X}\n    axis : int, tuple of ints or None\n    keepdims : bool",
          "    >>> sg.sum(X, axis=0).shape\n    (m,)"),
    trace: ("``tr(X)`` of a square matrix; its gradient is ``I``.", _X,
            "    >>> print(sg.grad(sg.trace(A), A))\n    eye(n)"),
    det: ("``det(X)``; its gradient is ``det(X) X^-T`` (Jacobi's formula).", _X,
          "    >>> print(sg.grad(sg.det(A), A))\n    det(A) * inv(A).T"),
    logdet: ("``log |det X|`` (``numpy.linalg.slogdet``); its gradient is ``X^-T``.", _X,
             "    >>> print(sg.grad(sg.logdet(A), A))\n    inv(A).T"),
    inv: ("The inverse of a square matrix; its adjoint is ``-X^-T G X^-T``.", _X,
          "    >>> print(sg.grad(u @ sg.inv(A) @ u, A))\n    -inv(A).T @ outer(u, u) @ inv(A).T"),
    diag: ("A vector to a diagonal matrix, or a square matrix's diagonal (``np.diag``).",
           _X, "    >>> sg.diag(u).shape, sg.diag(A).shape\n    ((n, n), (n,))"),
    outer: ("The outer product ``u vᵀ`` of two vectors.", "    u, v : vectors",
            "    >>> sg.outer(u, v).shape\n    (n, m)"),
    norm: ("The 2-norm (or ``ord=1``) of a vector, the Frobenius norm of a matrix; "
           "at 0 the 2-norm's gradient is 0 (PyTorch's convention).",
           f"{_X}\n    ord : None, 1, 2 (vectors) or 'fro' (matrices)",
           "    >>> print(sg.grad(sg.norm(u) ** 2, u))\n    2 * u"),
    reshape: ("``x`` with a new shape of the same size (dimensions may be names).",
              f"{_X}\n    shape : tuple of ints or names",
              "    >>> sg.reshape(X, ('m', 'n')).shape\n    (m, n)"),
    softmax: ("``exp(x) / sum(exp(x))`` along ``axis`` (None: all entries), stable.",
              f"{_X}\n    axis : int or None", "    >>> print(sg.grad(sg.logsumexp(u), u))\n    softmax(u)"),
    log_softmax: ("``x - logsumexp(x, axis, keepdims=True)``, stable.",
                  f"{_X}\n    axis : int or None", "    >>> sg.log_softmax(X, axis=0).shape\n    (n, m)"),
    logsumexp: ("``log(sum(exp(x)))`` over all entries or along ``axis``, stable.",
                f"{_X}\n    axis : int or None\n    keepdims : bool",
                "    >>> sg.logsumexp(X, axis=1).shape\n    (n,)"),
    eye: ("The ``n x n`` identity (``n`` an int or a dimension name).",
          "    n : int or str", "    >>> print(sg.eye('n') @ A)\n    A"),
    correlate2d: ("2-D cross-correlation, ``scipy.signal.correlate2d`` (\"valid\" or \"full\").",
                  "    x, w : 2-D TensorNodes\n    mode : \"valid\" or \"full\"",
                  "    >>> K = sg.tensors('K:3,3')\n    >>> sg.correlate2d(X, K).shape\n    (n - 2, m - 2)"),
    convolve2d: ("2-D convolution, ``scipy.signal.convolve2d`` (\"valid\" or \"full\").",
                 "    x, w : 2-D TensorNodes\n    mode : \"valid\" or \"full\"",
                 "    >>> K = sg.tensors('K:3,3')\n    >>> sg.convolve2d(X, K, 'full').shape\n    (n + 2, m + 2)"),
    conv2d: ("Batched cross-correlation as ``torch.nn.functional.conv2d`` (NCHW, OIHW).",
             "    x : (N, C, H, W)\n    w : (O, C, kh, kw)\n    b : optional (O,) bias\n"
             "    stride, padding : int or pair of ints",
             "    >>> I, W = sg.tensors('I:N,3,H,V W:8,3,3,3')\n    >>> sg.conv2d(I, W, padding=1).shape\n    (N, 8, H, V)"),
    max_pool2d: ("Maximum over windows of the last two axes; a tie routes to the first maximum.",
                 f"{_X}\n    size : int or pair\n    stride : int or pair (default ``size``)",
                 "    >>> sg.max_pool2d(sg.tensors('P:4,6'), 2).shape\n    (2, 3)"),
    avg_pool2d: ("Mean over windows of the last two axes.",
                 f"{_X}\n    size : int or pair\n    stride : int or pair (default ``size``)",
                 "    >>> sg.avg_pool2d(sg.tensors('P:4,6'), (2, 3)).shape\n    (2, 2)"),
}  # fmt: skip
for _fn, (_summary, _params, _example) in _DOCS.items():
    _fn.__doc__ = _doc(_summary, _params, _example)


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
