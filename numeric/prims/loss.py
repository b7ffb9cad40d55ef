"""Log-sum-exp, softmax and the losses built on them.

Part of the registry in :mod:`numeric.registry`. ``logsumexp``, ``softmax`` and
``log_softmax`` are primitives computed in their stable forms (shift by the
maximum); ``mse``, ``cross_entropy`` and ``svm_loss`` are compositions of
primitives, so their gradients come from the registry with no rule of their own.
"""

from __future__ import annotations

import numpy as np

from numeric.errors import ArgumentError, DifferentiationError, ShapeError
from numeric.prims.elementwise import relu, where
from numeric.prims.reduce import _axes, _ndim, _regrow, mean, sum
from numeric.prims.shape import reshape
from numeric.registry import UNDEFINED, defjvp, defprim, defvjp
from numeric.tape import Tensor, apply, as_tensor


def _stable_lse(x, axis):
    """log(sum(exp(x))) over ``axis`` with keepdims, shifted by the maximum."""
    m = np.maximum.reduce(x, axis=axis, keepdims=True)
    m = np.where(np.isfinite(m), m, 0.0)  # all -inf (or inf) slices: no shift
    # exp of a shifted value may underflow to 0; an all -inf slice sums to 0
    # and its log is -inf, the exact value (no divide-by-zero error for it)
    with np.errstate(under="ignore", divide="ignore"):
        return np.log(np.add.reduce(np.exp(x - m), axis=axis, keepdims=True)) + m


# ----- logsumexp -----


def _logsumexp_impl(x, axis, keepdims):
    out = _stable_lse(x, axis)
    if keepdims:
        return out
    axes = _axes(axis, x.ndim)
    return np.reshape(out, tuple(n for i, n in enumerate(x.shape) if i not in axes))


logsumexp_p = defprim("logsumexp", _logsumexp_impl, 1)


def logsumexp(x, axis=None, keepdims=False):
    """``log(sum(exp(x), axis))`` computed stably (finite for |x| ~ 1000)."""
    axis = None if axis is None else _axes(axis, _ndim(x))
    return apply(logsumexp_p, x, axis=axis, keepdims=bool(keepdims))


def logsumexp_vjp(g, ans, x, axis, keepdims):
    # d lse / dx = softmax(x) over the reduced axes
    axes = _axes(axis, x.ndim)
    with np.errstate(under="ignore"):  # tiny probabilities times g: 0 is right
        return (_regrow(g, x, axis, keepdims) * softmax(x, axis=axes),)


def logsumexp_jvp(dots, ans, x, axis, keepdims):
    axes = _axes(axis, x.ndim)
    with np.errstate(under="ignore"):
        return sum(dots[0] * softmax(x, axis=axes), axis=axis, keepdims=keepdims)


defvjp(logsumexp_p, logsumexp_vjp)
defjvp(logsumexp_p, logsumexp_jvp)

# ----- softmax / log_softmax -----


def _softmax_impl(x, axis):
    m = np.maximum.reduce(x, axis=axis, keepdims=True)
    m = np.where(np.isfinite(m), m, 0.0)  # all -inf slices: no shift (no inf - inf)
    with np.errstate(under="ignore"):  # small probabilities underflow to 0
        e = np.exp(x - m)
        total = np.add.reduce(e, axis=axis, keepdims=True)
        # an all -inf slice has no mass: its softmax is 0, not 0/0 = NaN
        return e / np.where(total == 0, 1.0, total)


softmax_p = defprim("softmax", _softmax_impl, 1)


def softmax(x, axis=-1):
    """``exp(x) / sum(exp(x), axis)``, shifted by the maximum for stability."""
    return apply(softmax_p, x, axis=_axes(axis, _ndim(x)))


def softmax_vjp(g, ans, x, axis):
    # J^T g = s * (g - <g, s>)
    with np.errstate(under="ignore"):  # tiny probabilities times g: 0 is right
        return (ans * (g - sum(g * ans, axis=axis, keepdims=True)),)


def softmax_jvp(dots, ans, x, axis):
    # J v = s * (v - <v, s>): J is symmetric, the same form as the VJP
    return softmax_vjp(dots[0], ans, x, axis)[0]


defvjp(softmax_p, softmax_vjp)
defjvp(softmax_p, softmax_jvp)


def _shifted_log_softmax(x, axis):
    """``(x - m) - log(sum(exp(x - m)))``: subtracting the maximum first keeps
    the result exact near 0 (``x - lse(x)`` at |x| ~ 1000 cancels to 1e-13)."""
    m = np.maximum.reduce(x, axis=axis, keepdims=True)
    m = np.where(np.isfinite(m), m, 0.0)  # all -inf (or inf) slices: no shift
    shifted = x - m
    with np.errstate(under="ignore", divide="ignore"):  # as in _stable_lse
        return shifted - np.log(
            np.add.reduce(np.exp(shifted), axis=axis, keepdims=True)
        )


def _log_softmax_impl(x, axis):
    return _shifted_log_softmax(x, axis)


log_softmax_p = defprim("log_softmax", _log_softmax_impl, 1)


def log_softmax(x, axis=-1):
    """``x - logsumexp(x, axis, keepdims=True)``, finite for |x| ~ 1000."""
    return apply(log_softmax_p, x, axis=_axes(axis, _ndim(x)))


def log_softmax_vjp(g, ans, x, axis):
    # J^T g = g - softmax(x) * sum(g)
    with np.errstate(under="ignore"):  # tiny probabilities times g: 0 is right
        return (g - softmax(x, axis=axis) * sum(g, axis=axis, keepdims=True),)


def log_softmax_jvp(dots, ans, x, axis):
    # J v = v - <softmax(x), v> (J^T has the sum and the softmax swapped)
    v = dots[0]
    with np.errstate(under="ignore"):
        return v - sum(softmax(x, axis=axis) * v, axis=axis, keepdims=True)


defvjp(log_softmax_p, log_softmax_vjp)
defjvp(log_softmax_p, log_softmax_jvp)

# ----- Losses (compositions) -----


def _as_tensor(x) -> Tensor:
    return as_tensor(x)


def _class_labels(labels, n: int, k: int, op: str) -> np.ndarray:
    """Validate integer class labels for ``n`` rows of ``k`` classes."""
    if isinstance(labels, Tensor):
        if labels._tracked:
            raise DifferentiationError(
                f"{op}: labels are class indices and not differentiable; pass "
                "them as an array or a tensor without requires_grad"
            )
        labels = labels.data
    labels = np.asarray(labels)
    if labels.shape != (n,):
        raise ShapeError(
            f"{op}: labels must have shape ({n},) to match scores of shape "
            f"({n}, {k}), got {labels.shape}"
        )
    if labels.dtype.kind == "f" and np.all(labels == np.round(labels)):
        labels = labels.astype(np.intp)
    if labels.dtype.kind not in "iu":
        raise ArgumentError(f"{op}: labels must be integers, got dtype {labels.dtype}")
    if n and (labels.min() < 0 or labels.max() >= k):
        bad = labels[(labels < 0) | (labels >= k)][0]
        raise ArgumentError(f"{op}: labels must lie in [0, {k}), got {bad}")
    return labels.astype(np.intp)


def _scores_2d(scores, op: str) -> Tensor:
    scores = _as_tensor(scores)
    if scores.ndim != 2:
        raise ShapeError(f"{op}: scores must have shape (N, K), got {scores.shape}")
    return scores


def mse(pred, target):
    """Mean squared error ``mean((pred - target)**2)``; shapes must be equal."""
    pred, target = _as_tensor(pred), _as_tensor(target)
    if pred.shape != target.shape:
        raise ShapeError(
            f"mse: pred and target shapes {pred.shape} and {target.shape} differ"
        )
    diff = pred - target
    return mean(diff * diff)


def _cross_entropy_impl(logits, labels):
    rows = np.arange(logits.shape[0])
    logp = _shifted_log_softmax(logits, 1)
    picked = logp[rows, labels.astype(np.intp)]
    if not picked.size:
        return -np.mean(picked)  # NaN with NumPy's warning, as before
    return -(np.add.reduce(picked) / picked.size)  # np.mean without its wrapper


cross_entropy_p = defprim("cross_entropy", _cross_entropy_impl, 2)


def cross_entropy(logits, labels):
    """Softmax cross-entropy of ``logits`` (N, K) against integer ``labels``
    (N,), averaged over the batch; computed through the stable log-softmax
    (finite for logits of +-1000).

    Raises
    ------
    ShapeError
        If ``logits`` is not 2-D or ``labels`` is not of shape (N,).
    ArgumentError
        If a label is not an integer in [0, K) (the message names ``labels``).
    """
    logits = _scores_2d(logits, "cross_entropy")
    n, k = logits.shape
    labels = _class_labels(labels, n, k, "cross_entropy")
    return apply(cross_entropy_p, logits, labels)


def cross_entropy_vjp(g, ans, logits, labels):
    # d/dz mean_i(lse(z_i) - z_i[y_i]) = (softmax(z) - onehot(y)) / N;
    # labels are class indices: no gradient is defined for them
    n, k = logits.shape
    scale = g / max(n, 1)
    onehot = np.zeros((n, k))
    onehot[np.arange(n), labels.data.astype(np.intp)] = 1.0
    with np.errstate(under="ignore"):  # tiny probabilities times g: 0 is right
        return ((softmax(logits, axis=1) - onehot) * scale, UNDEFINED)


def cross_entropy_jvp(dots, ans, logits, labels):
    # labels are class indices, never perturbed: only the logits' tangent counts
    if dots[0] is None:
        return None
    (cotangent, _) = cross_entropy_vjp(1.0, ans, logits, labels)
    return sum(cotangent * dots[0])


defvjp(cross_entropy_p, cross_entropy_vjp)
defjvp(cross_entropy_p, cross_entropy_jvp)


def svm_loss(scores, labels, delta=1.0):
    """Multiclass SVM hinge loss (CS231n): the batch mean of
    ``sum_{j != y} max(0, s_j - s_y + delta)``. A margin exactly at 0 gets no
    gradient (relu'(0) = 0)."""
    scores = _scores_2d(scores, "svm_loss")
    n, k = scores.shape
    labels = _class_labels(labels, n, k, "svm_loss")
    correct = reshape(scores[np.arange(n), labels], (n, 1))
    margins = relu(scores - correct + float(delta))
    others = np.ones((n, k), dtype=bool)
    others[np.arange(n), labels] = False
    return sum(where(others, margins, 0.0)) / max(n, 1)
