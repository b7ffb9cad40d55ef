"""One random-option case builder per loss (the PyTorch-style ones and svm_loss).

The losses are compositions of registered primitives (plus the
``binary_cross_entropy`` primitive, which has its own entry in
``_numeric_specs.SPECS``), so they are not registry entries themselves; this
table gives them the same battery as the registry (see
``test_numeric_loss_battery.py``).

``CASES[name](rng, dtype)`` returns a :class:`LossCase`: the loss's name (the
same in ``numeric`` and ``torch.nn.functional``), its differentiable inputs
(a valid point away from every kink: margins, |d| = beta, d = 0, so central
finite differences are a fair reference), the constant positional arguments
that follow them (class labels) and the keyword options, float arrays cast to
``dtype``. Shapes and options (reduction, weight, ignore_index,
label_smoothing, p, margin, beta, delta, pos_weight, extra dimensions) are
drawn from ``rng``.
"""

from dataclasses import dataclass, field

import numpy as np

import numeric as nm


@dataclass
class LossCase:
    name: str
    arrays: list
    constants: list = field(default_factory=list)
    options: dict = field(default_factory=dict)

    def fn(self, *xs):
        """The loss as a function of the differentiable inputs only."""
        return getattr(nm, self.name)(*xs, *self.constants, **self.options)


REDUCTIONS = ("mean", "sum", "none")


def _pick(rng, options):
    return options[int(rng.integers(len(options)))]


def _class_shape(rng):
    """A score shape (C,), (N, C) or (N, C, d1[, d2]) with C in 2..4."""
    c = int(rng.integers(2, 5))
    extra = [int(v) for v in rng.integers(1, 4, size=int(rng.integers(0, 3)))]
    if rng.integers(5) == 0:
        return (c,)
    return (int(rng.integers(1, 4)), c, *extra)


def _labels_for(rng, shape, ignore_index):
    """Class indices for scores of ``shape``, some set to ``ignore_index``
    (but not all of them, so 'mean' stays finite)."""
    c = shape[0] if len(shape) == 1 else shape[1]
    tshape = () if len(shape) == 1 else (shape[0],) + tuple(shape[2:])
    labels = rng.integers(0, c, size=tshape)
    if ignore_index != -100 and labels.size > 1:
        labels.flat[rng.permutation(labels.size)[: labels.size // 2]] = ignore_index
    if np.all(labels == ignore_index):
        labels.flat[0] = (ignore_index + 1) % c
    return labels


def _weight(rng, c, dtype):
    return rng.uniform(0.3, 2.0, size=c).astype(dtype) if rng.integers(2) else None


def _cross_entropy_index(rng, dtype):
    shape = _class_shape(rng)
    c = shape[0] if len(shape) == 1 else shape[1]
    ignore = _pick(rng, (-100, 0, c - 1))
    options = {
        "reduction": _pick(rng, REDUCTIONS),
        "weight": _weight(rng, c, dtype),
        "ignore_index": ignore,
        "label_smoothing": _pick(rng, (0.0, 0.0, 0.25, 1.0)),
    }
    labels = _labels_for(rng, shape, ignore)
    x = (2 * rng.normal(size=shape)).astype(dtype)
    return LossCase("cross_entropy", [x], [labels], options)


def _cross_entropy_probability(rng, dtype):
    shape = _class_shape(rng)
    c = shape[0] if len(shape) == 1 else shape[1]
    options = {
        "reduction": _pick(rng, REDUCTIONS),
        "weight": _weight(rng, c, dtype),
        "label_smoothing": _pick(rng, (0.0, 0.1)),
    }
    q = rng.uniform(0.1, 1.0, size=shape)  # unnormalised is allowed
    x = rng.normal(size=shape)
    return LossCase("cross_entropy", [x.astype(dtype), q.astype(dtype)], [], options)


def _nll_loss(rng, dtype):
    shape = _class_shape(rng)
    c = shape[0] if len(shape) == 1 else shape[1]
    ignore = _pick(rng, (-100, 1))
    options = {
        "reduction": _pick(rng, REDUCTIONS),
        "weight": _weight(rng, c, dtype),
        "ignore_index": ignore,
    }
    labels = _labels_for(rng, shape, ignore)
    logp = rng.normal(size=shape).astype(dtype)
    return LossCase("nll_loss", [logp], [labels], options)


def _multi_margin_loss(rng, dtype):
    batched = bool(rng.integers(4))
    n, c = int(rng.integers(1, 4)), int(rng.integers(2, 5))
    shape = (n, c) if batched else (c,)
    options = {
        "p": _pick(rng, (1, 2)),
        "margin": _pick(rng, (1.0, 0.5)),
        "weight": _weight(rng, c, dtype),
        "reduction": _pick(rng, REDUCTIONS),
    }
    labels = rng.integers(0, c, size=shape[:-1])
    while True:  # every hinge argument at least 0.05 away from its kink at 0
        x = rng.normal(size=shape)
        rows = x.reshape(-1, c)
        picked = rows[np.arange(len(rows)), labels.reshape(-1)][:, None]
        if np.min(np.abs(options["margin"] - picked + rows)) > 0.05:
            break
    return LossCase("multi_margin_loss", [x.astype(dtype)], [labels], options)


def _svm_loss(rng, dtype):
    # the CS231n loss (not PyTorch's): batch mean of sum_{j != y} relu(margin)
    n, c = int(rng.integers(1, 4)), int(rng.integers(2, 5))
    delta = _pick(rng, (1.0, 0.5))
    labels = rng.integers(0, c, size=n)
    while True:  # every margin at least 0.05 away from its kink at 0
        x = rng.normal(size=(n, c))
        margins = x - x[np.arange(n), labels][:, None] + delta
        if np.min(np.abs(margins)) > 0.05:
            break
    return LossCase("svm_loss", [x.astype(dtype)], [labels], {"delta": delta})


def _shape(rng):
    return tuple(int(v) for v in rng.integers(1, 4, size=int(rng.integers(1, 4))))


def _binary_cross_entropy(rng, dtype):
    shape = _shape(rng)
    options = {
        "reduction": _pick(rng, REDUCTIONS),
        "weight": (
            rng.uniform(0.3, 2.0, size=shape[-1:]).astype(dtype)
            if rng.integers(2)
            else None
        ),
    }
    x = rng.uniform(0.05, 0.95, size=shape)
    t = rng.uniform(0.0, 1.0, size=shape)
    return LossCase(
        "binary_cross_entropy", [x.astype(dtype), t.astype(dtype)], [], options
    )


def _binary_cross_entropy_with_logits(rng, dtype):
    shape = _shape(rng)
    options = {
        "reduction": _pick(rng, REDUCTIONS),
        "weight": (
            rng.uniform(0.3, 2.0, size=shape).astype(dtype) if rng.integers(2) else None
        ),
        "pos_weight": (
            rng.uniform(0.3, 3.0, size=shape[-1:]).astype(dtype)
            if rng.integers(2)
            else None
        ),
    }
    x = 3 * rng.normal(size=shape)
    t = rng.uniform(0.0, 1.0, size=shape)
    arrays = [x.astype(dtype), t.astype(dtype)]
    return LossCase("binary_cross_entropy_with_logits", arrays, [], options)


def _pair_away_from(rng, shape, kinks):
    """``(x, t)`` whose differences are at least 0.05 away from each ``|d|``
    in ``kinks``."""
    while True:
        x, t = rng.normal(size=shape), rng.normal(size=shape)
        gap = np.abs(np.abs(x - t)[..., None] - np.asarray(kinks, dtype=float))
        if np.min(gap) > 0.05:
            return x, t


def _regression(name, kinks, **choices):
    def case(rng, dtype):
        shape = _shape(rng)
        options = {"reduction": _pick(rng, REDUCTIONS)}
        for key, values in choices.items():
            options[key] = _pick(rng, values)
        if name in ("mse_loss", "l1_loss", "huber_loss") and rng.integers(2):
            options["weight"] = rng.uniform(0.3, 2.0, size=shape).astype(dtype)
        points = [0.0] + [options[k] for k in kinks]
        x, t = _pair_away_from(rng, shape, points)
        return LossCase(name, [x.astype(dtype), t.astype(dtype)], [], options)

    return case


CASES = {
    "cross_entropy/index": _cross_entropy_index,
    "cross_entropy/probability": _cross_entropy_probability,
    "nll_loss": _nll_loss,
    "multi_margin_loss": _multi_margin_loss,
    "svm_loss": _svm_loss,
    "binary_cross_entropy": _binary_cross_entropy,
    "binary_cross_entropy_with_logits": _binary_cross_entropy_with_logits,
    "mse_loss": _regression("mse_loss", ()),
    "l1_loss": _regression("l1_loss", ()),
    "smooth_l1_loss": _regression("smooth_l1_loss", ("beta",), beta=(1.0, 0.5, 0.0)),
    "huber_loss": _regression("huber_loss", ("delta",), delta=(1.0, 0.5, 2.0)),
}
