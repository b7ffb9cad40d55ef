"""Neural-network layers as functions: dropout, batch_norm, layer_norm.

Compositions of registered primitives (no rules of their own), with PyTorch's
semantics: inverted dropout, batch normalisation that in training normalises
with the batch statistics and updates the running statistics in place (with
the unbiased variance), and layer normalisation over the trailing axes.
"""

from __future__ import annotations

import numbers

import numpy as np

from numeric.errors import ArgumentError, ShapeError
from numeric.prims.reduce import mean
from numeric.prims.statistics import var
from numeric.tape import Tensor, as_tensor

__all__ = ["batch_norm", "dropout", "layer_norm"]


def _rng(seed):
    if isinstance(seed, np.random.Generator):
        return seed
    if seed is None or isinstance(seed, numbers.Integral):
        return np.random.default_rng(seed)
    raise ArgumentError(
        f"dropout: seed must be None, an int or a numpy Generator, got {seed!r}"
    )


def dropout(x, p: float = 0.5, training: bool = True, seed=None):
    """Inverted dropout: zero each entry with probability ``p`` and scale the
    others by ``1 / (1 - p)``, so the expected value is unchanged; the
    identity when ``training`` is false (PyTorch's ``F.dropout``).

    Parameters
    ----------
    x : array_like or Tensor
    p : float
        The drop probability, in [0, 1] (1 gives zeros).
    training : bool
        False: return ``x`` unchanged.
    seed : None, int or numpy.random.Generator
        The random source of the mask (None: fresh entropy); a Generator is
        advanced, as in a training loop.

    Raises
    ------
    ArgumentError
        If ``p`` is outside [0, 1] or ``seed`` is of another kind.

    Examples
    --------
    >>> import numeric as nm
    >>> nm.dropout(np.ones(6), p=0.5, seed=0).data
    array([2., 0., 0., 0., 2., 2.])
    """
    if not isinstance(p, numbers.Real) or not 0.0 <= float(p) <= 1.0:
        raise ArgumentError(f"dropout: p must be a probability in [0, 1], got {p!r}")
    rng = _rng(seed)
    x = as_tensor(x)
    if not training or p == 0:
        return x
    if p == 1:
        return x * 0.0
    keep = rng.random(x.shape) >= p
    return x * (keep / (1.0 - float(p)))


def _channel_view(t, ndim: int):
    """A (C,) vector shaped to broadcast over (N, C, *spatial)."""
    return t.reshape((1, -1) + (1,) * (ndim - 2)) if ndim > 2 else t


def _stats_array(value, name: str, c: int):
    if value is None:
        return None
    if isinstance(value, Tensor):
        if value._tracked:
            raise ArgumentError(
                f"batch_norm: {name} is a statistic, not a traced value"
            )
        value = value.data
    if not isinstance(value, np.ndarray) or value.shape != (c,):
        raise ShapeError(
            f"batch_norm: {name} must be an ndarray (or Tensor) of shape ({c},), "
            f"got {getattr(value, 'shape', type(value).__name__)}"
        )
    return value


def batch_norm(
    x,
    running_mean,
    running_var,
    weight=None,
    bias=None,
    training: bool = False,
    momentum: float = 0.1,
    eps: float = 1e-5,
):
    """Batch normalisation over (N, C) or (N, C, *spatial) input, like
    ``torch.nn.functional.batch_norm``.

    In training the batch mean and biased variance (over every axis but C)
    normalise ``x``, and ``running_mean``/``running_var`` (float arrays or
    Tensors of shape (C,), or None) are updated in place:
    ``r = (1 - momentum) * r + momentum * batch_stat``, with the *unbiased*
    batch variance for ``running_var``, as PyTorch does. In evaluation the
    running statistics normalise ``x`` (they get no gradient).

    Raises
    ------
    ShapeError
        If ``x`` is not at least 2-D, or a statistic, weight or bias is not (C,).
    ArgumentError
        In training with a single value per channel; in evaluation without
        running statistics; for a momentum outside [0, 1].

    Examples
    --------
    >>> import numeric as nm
    >>> rm, rv = np.zeros(2), np.ones(2)
    >>> y = nm.batch_norm(np.array([[1.0, 2.0], [3.0, 6.0]]), rm, rv, training=True)
    >>> np.round(y.data, 4), rm, rv
    (array([[-1., -1.],
           [ 1.,  1.]]), array([0.2, 0.4]), array([1.1, 1.7]))
    """
    x = as_tensor(x)
    if x.ndim < 2:
        raise ShapeError(f"batch_norm: x must be (N, C, ...), got shape {x.shape}")
    c = x.shape[1]
    rm = _stats_array(running_mean, "running_mean", c)
    rv = _stats_array(running_var, "running_var", c)
    for name, t in (("weight", weight), ("bias", bias)):
        if t is not None and np.shape(t.data if isinstance(t, Tensor) else t) != (c,):
            raise ShapeError(f"batch_norm: {name} must have shape ({c},)")
    if not 0.0 <= float(momentum) <= 1.0:
        raise ArgumentError(f"batch_norm: momentum must lie in [0, 1], got {momentum}")
    axes = (0,) + tuple(range(2, x.ndim))
    count = x.size // c if c else 0
    if training:
        if count <= 1:
            raise ArgumentError(
                f"batch_norm: training needs more than one value per channel, got "
                f"input shape {x.shape}"
            )
        mu = mean(x, axis=axes, keepdims=True)
        sigma2 = var(x, axis=axes, keepdims=True)
        # all checks passed: update the running statistics in place
        m = float(momentum)
        if rm is not None:
            rm *= 1.0 - m
            rm += m * mu.data.reshape(c)
        if rv is not None:
            rv *= 1.0 - m
            rv += m * sigma2.data.reshape(c) * (count / (count - 1))
    else:
        if rm is None or rv is None:
            raise ArgumentError(
                "batch_norm: evaluation (training=False) needs running_mean and "
                "running_var"
            )
        mu = _channel_view(Tensor(rm), x.ndim)
        sigma2 = _channel_view(Tensor(rv), x.ndim)
    out = (x - mu) / (sigma2 + float(eps)) ** 0.5
    if weight is not None:
        out = out * _channel_view(as_tensor(weight), x.ndim)
    if bias is not None:
        out = out + _channel_view(as_tensor(bias), x.ndim)
    return out


def layer_norm(x, normalized_shape, weight=None, bias=None, eps: float = 1e-5):
    """Layer normalisation over the trailing ``normalized_shape`` axes, like
    ``torch.nn.functional.layer_norm`` (biased variance; ``weight`` and
    ``bias`` of shape ``normalized_shape``).

    Raises
    ------
    ShapeError
        If ``x``'s trailing axes are not ``normalized_shape``.

    Examples
    --------
    >>> import numeric as nm
    >>> nm.layer_norm(np.array([[1.0, 3.0]]), 2).data.round(4)
    array([[-1.,  1.]])
    """
    x = as_tensor(x)
    if isinstance(normalized_shape, numbers.Integral):
        normalized_shape = (int(normalized_shape),)
    shape = tuple(int(n) for n in normalized_shape)
    k = len(shape)
    if k == 0 or x.shape[x.ndim - k :] != shape or k > x.ndim:
        raise ShapeError(
            f"layer_norm: the input's trailing axes {x.shape} do not match "
            f"normalized_shape {shape}"
        )
    axes = tuple(range(x.ndim - k, x.ndim))
    mu = mean(x, axis=axes, keepdims=True)
    sigma2 = var(x, axis=axes, keepdims=True)
    out = (x - mu) / (sigma2 + float(eps)) ** 0.5
    if weight is not None:
        out = out * as_tensor(weight)
    if bias is not None:
        out = out + as_tensor(bias)
    return out
