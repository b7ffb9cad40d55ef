"""Loop implementations of the PyTorch-style losses, written from PyTorch's
documented formulas one position at a time, with NumPy and no numeric code:
the independent reference of ``test_numeric_losses_reference.py``."""

import math

import numpy as np


def _reduce(losses, reduction, shape, denominator=None):
    values = np.array(losses, dtype=float).reshape(shape)
    if reduction == "none":
        return values
    total = float(sum(losses))
    if reduction == "sum":
        return total
    count = len(losses) if denominator is None else denominator
    return total / count if count else math.nan


def _positions(x):
    """(n, (d1, ...)) for every position of (N, C, d1, ...) scores."""
    return [(idx[0], idx[1:]) for idx in np.ndindex((x.shape[0],) + x.shape[2:])]


def _log_softmax(z):
    m = max(z)
    lse = m + math.log(sum(math.exp(v - m) for v in z))
    return [v - lse for v in z]


def cross_entropy(
    x,
    target,
    weight=None,
    ignore_index=-100,
    reduction="mean",
    label_smoothing=0.0,
):
    """PyTorch's CrossEntropyLoss documentation, position by position."""
    x, target = np.asarray(x, dtype=float), np.asarray(target)
    unbatched = x.ndim == 1
    if unbatched:
        x, target = x[None], target[None]
    c = x.shape[1]
    w = np.ones(c) if weight is None else np.asarray(weight, dtype=float)
    probabilities = target.shape == x.shape
    eps = label_smoothing
    losses, denominator = [], 0.0
    for n, rest in _positions(x):
        logp = _log_softmax([x[(n, k, *rest)] for k in range(c)])
        if probabilities:
            q = [target[(n, k, *rest)] * (1 - eps) + eps / c for k in range(c)]
            losses.append(-sum(w[k] * q[k] * logp[k] for k in range(c)))
            denominator += 1
            continue
        y = int(target[(n, *rest)])
        if y == ignore_index:
            losses.append(0.0)
            continue
        if eps:
            q = [(1 - eps) * (k == y) + eps / c for k in range(c)]
            losses.append(-sum(w[k] * q[k] * logp[k] for k in range(c)))
        else:
            losses.append(-w[y] * logp[y])
        denominator += w[y]
    shape = () if unbatched else (x.shape[0],) + x.shape[2:]
    return _reduce(losses, reduction, shape, denominator)


def nll_loss(x, target, weight=None, ignore_index=-100, reduction="mean"):
    x, target = np.asarray(x, dtype=float), np.asarray(target)
    unbatched = x.ndim == 1
    if unbatched:
        x, target = x[None], target[None]
    w = np.ones(x.shape[1]) if weight is None else np.asarray(weight, dtype=float)
    losses, denominator = [], 0.0
    for n, rest in _positions(x):
        y = int(target[(n, *rest)])
        if y == ignore_index:
            losses.append(0.0)
            continue
        losses.append(-w[y] * x[(n, y, *rest)])
        denominator += w[y]
    shape = () if unbatched else (x.shape[0],) + x.shape[2:]
    return _reduce(losses, reduction, shape, denominator)


def multi_margin_loss(x, target, p=1, margin=1.0, weight=None, reduction="mean"):
    x, target = np.asarray(x, dtype=float), np.asarray(target)
    unbatched = x.ndim == 1
    if unbatched:
        x, target = x[None], target[None]
    n, c = x.shape
    losses = []
    for i in range(n):
        y = int(target[i])
        scale = 1.0 if weight is None else weight[y]
        terms = [
            scale * max(0.0, margin - x[i, y] + x[i, j]) ** p
            for j in range(c)
            if j != y
        ]
        losses.append(sum(terms) / c)
    return _reduce(losses, reduction, () if unbatched else (n,))


def binary_cross_entropy(x, t, weight=None, reduction="mean"):
    x, t = np.asarray(x, dtype=float), np.asarray(t, dtype=float)
    w = np.broadcast_to(1.0 if weight is None else weight, x.shape)
    losses = []
    for i in np.ndindex(x.shape):
        log_x = max(math.log(x[i]), -100.0) if x[i] > 0 else -100.0
        log_1mx = max(math.log(1 - x[i]), -100.0) if x[i] < 1 else -100.0
        losses.append(-w[i] * (t[i] * log_x + (1 - t[i]) * log_1mx))
    return _reduce(losses, reduction, x.shape)


def binary_cross_entropy_with_logits(
    x, t, weight=None, reduction="mean", pos_weight=None
):
    """-w [pw t log sigmoid(x) + (1 - t) log(1 - sigmoid(x))], for moderate x."""
    x, t = np.asarray(x, dtype=float), np.asarray(t, dtype=float)
    w = np.broadcast_to(1.0 if weight is None else weight, x.shape)
    pw = np.broadcast_to(1.0 if pos_weight is None else pos_weight, x.shape)
    losses = []
    for i in np.ndindex(x.shape):
        s = 1.0 / (1.0 + math.exp(-x[i]))
        losses.append(
            -w[i] * (pw[i] * t[i] * math.log(s) + (1 - t[i]) * math.log(1 - s))
        )
    return _reduce(losses, reduction, x.shape)


def _elementwise(x, t, f, reduction, weight=None, weighted_mean=True):
    x, t = np.broadcast_arrays(np.asarray(x, dtype=float), np.asarray(t, dtype=float))
    w = np.ones(x.shape) if weight is None else np.asarray(weight, dtype=float)
    losses = [w[i] * f(x[i] - t[i]) for i in np.ndindex(x.shape)]
    if weight is not None and weighted_mean and reduction == "mean":
        return float(sum(losses)) / float(w.sum())
    return _reduce(losses, reduction, x.shape)


def mse_loss(x, t, reduction="mean", weight=None):
    return _elementwise(x, t, lambda d: d * d, reduction, weight)


def l1_loss(x, t, reduction="mean", weight=None):
    return _elementwise(x, t, abs, reduction, weight)


def smooth_l1_loss(x, t, reduction="mean", beta=1.0):
    def f(d):
        if abs(d) < beta:
            return 0.5 * d * d / beta
        return abs(d) - 0.5 * beta

    return _elementwise(x, t, f, reduction)


def huber_loss(x, t, reduction="mean", delta=1.0, weight=None):
    def f(d):
        if abs(d) < delta:
            return 0.5 * d * d
        return delta * (abs(d) - 0.5 * delta)

    return _elementwise(x, t, f, reduction, weight, weighted_mean=False)
