"""Learning-rate schedules of ``G.train``, with TF1's formulas.

Each function adds one scalar float64 node computed from the global step
(TF1's ``tf.train.exponential_decay``, ``inverse_time_decay``,
``polynomial_decay``, ``piecewise_constant``, ``cosine_decay``); pass it to an
optimizer as its learning rate and it is recomputed at every step from the
step's current value, before ``minimize(global_step=...)`` increments it.
The node is a host op: its NumPy kernel here is evaluated by the session and
has no gradient (differentiating through it is refused with an error).
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Sequence

import numpy as np

from numeric.graph.constants import convert_to_tensor
from numeric.graph.dtypes import float64
from numeric.graph.graph import Tensor
from numeric.graph.op_registry import defhost
from numeric.graph.schedule_rules import RULES


def _number(value, what):
    if isinstance(value, (Tensor, bool)) or not isinstance(
        value, (int, float, np.integer, np.floating)
    ):
        raise TypeError(f"{what} must be a Python number, not {value!r}")
    value = float(value)
    if not math.isfinite(value):
        raise ValueError(f"{what} must be finite, got {value}")
    return value


def _schedule(op_type, learning_rate, global_step, name, **attrs):
    """A ``op_type`` node of inputs ``[global_step, learning_rate]`` (the
    learning rate left out when None)."""
    if global_step is None:
        raise ValueError(f"global_step is required for {op_type}")
    given = [t for t in (global_step, learning_rate) if isinstance(t, Tensor)]
    graph = given[0].graph if given else None
    inputs = [convert_to_tensor(global_step, graph)]
    if learning_rate is not None:
        inputs.append(convert_to_tensor(learning_rate, inputs[0].graph))
    for t, what in zip(inputs, ("global_step", "learning_rate")):
        if t.graph is not inputs[0].graph:
            raise ValueError(f"{op_type}: {what} is from another graph")
        if t._shape is not None and t._shape != ():
            raise ValueError(f"{op_type}: {what} must be a scalar, got {t.shape}")
    op = inputs[0].graph.create_op(
        op_type, inputs, [((), float64)], attrs=attrs, name=name or op_type
    )
    return op.outputs[0]


def _decay_steps(decay_steps, what):
    value = _number(decay_steps, f"{what}: decay_steps")
    if value <= 0:
        raise ValueError(f"{what}: decay_steps must be positive, got {decay_steps}")
    return value


Number = float | int


def exponential_decay(
    learning_rate: Number | Tensor,
    global_step: Tensor | int,
    decay_steps: Number,
    decay_rate: Number,
    staircase: bool = False,
    name: str | None = None,
) -> Tensor:
    """``learning_rate * decay_rate ** (global_step / decay_steps)``; with
    ``staircase``, the exponent is ``floor(global_step / decay_steps)``.

    Parameters
    ----------
    learning_rate : float or Tensor
        The initial rate: a number or a scalar float node.
    global_step : Tensor or int
        The step, usually ``G.train.get_or_create_global_step()``.
    decay_steps : float
        A positive number of steps.
    decay_rate : float
        The factor per ``decay_steps``.
    staircase : bool
        Decay at whole multiples of ``decay_steps`` only.
    name : str, optional
        The node's name (default: the op type).

    Returns
    -------
    Tensor
        A scalar float64 node, recomputed at every run.

    Raises
    ------
    ValueError
        No ``global_step``, a non-positive ``decay_steps``, a non-scalar input.
    TypeError
        A hyperparameter that is not a Python number.

    Examples
    --------
    >>> import numeric.graph as G
    >>> with G.Graph().as_default():
    ...     step = G.Variable(250, name="step")
    ...     lr = G.train.exponential_decay(0.1, step, 100, 0.5, staircase=True)
    ...     with G.Session() as sess:
    ...         sess.run(step.initializer)
    ...         print(sess.run(lr))
    0.025
    """
    return _schedule(
        "ExponentialDecay", learning_rate, global_step, name,
        decay_steps=_decay_steps(decay_steps, "exponential_decay"),
        decay_rate=_number(decay_rate, "decay_rate"), staircase=bool(staircase),
    )  # fmt: skip


def inverse_time_decay(
    learning_rate: Number | Tensor,
    global_step: Tensor | int,
    decay_steps: Number,
    decay_rate: Number,
    staircase: bool = False,
    name: str | None = None,
) -> Tensor:
    """``learning_rate / (1 + decay_rate * global_step / decay_steps)``; with
    ``staircase``, ``floor(global_step / decay_steps)`` replaces the ratio.

    Parameters
    ----------
    learning_rate : float or Tensor
        The initial rate: a number or a scalar float node.
    global_step : Tensor or int
        The step, usually ``G.train.get_or_create_global_step()``.
    decay_steps : float
        A positive number of steps.
    decay_rate : float
        The rate of the inverse decay.
    staircase : bool
        Decay at whole multiples of ``decay_steps`` only.
    name : str, optional
        The node's name (default: the op type).

    Returns
    -------
    Tensor
        A scalar float64 node, recomputed at every run.

    Raises
    ------
    ValueError
        No ``global_step``, a non-positive ``decay_steps``, a non-scalar input.
    TypeError
        A hyperparameter that is not a Python number.

    Examples
    --------
    >>> import numeric.graph as G
    >>> with G.Graph().as_default():
    ...     lr = G.train.inverse_time_decay(0.1, G.constant(30), 10, 0.5)
    ...     with G.Session() as sess:
    ...         print(sess.run(lr))
    0.04
    """
    return _schedule(
        "InverseTimeDecay", learning_rate, global_step, name,
        decay_steps=_decay_steps(decay_steps, "inverse_time_decay"),
        decay_rate=_number(decay_rate, "decay_rate"), staircase=bool(staircase),
    )  # fmt: skip


def polynomial_decay(
    learning_rate: Number | Tensor,
    global_step: Tensor | int,
    decay_steps: Number,
    end_learning_rate: Number = 0.0001,
    power: Number = 1.0,
    cycle: bool = False,
    name: str | None = None,
) -> Tensor:
    """From ``learning_rate`` to ``end_learning_rate`` in ``decay_steps``::

        step = min(global_step, decay_steps)
        (learning_rate - end_learning_rate) * (1 - step / decay_steps) ** power
            + end_learning_rate

    With ``cycle``, ``decay_steps`` is instead multiplied by
    ``ceil(global_step / decay_steps)`` (1 at step 0), restarting the decay.

    Parameters
    ----------
    learning_rate : float or Tensor
        The initial rate: a number or a scalar float node.
    global_step : Tensor or int
        The step, usually ``G.train.get_or_create_global_step()``.
    decay_steps : float
        A positive number of steps.
    end_learning_rate, power : float
        The final rate and the polynomial's power.
    cycle : bool
        Restart the decay after each multiple of ``decay_steps``.
    name : str, optional
        The node's name (default: the op type).

    Returns
    -------
    Tensor
        A scalar float64 node, recomputed at every run.

    Raises
    ------
    ValueError
        No ``global_step``, a non-positive ``decay_steps``, a non-scalar input.
    TypeError
        A hyperparameter that is not a Python number.

    Examples
    --------
    >>> import numeric.graph as G
    >>> with G.Graph().as_default():
    ...     lr = G.train.polynomial_decay(0.1, G.constant(50), 100, 0.0, power=2.0)
    ...     with G.Session() as sess:
    ...         print(sess.run(lr))
    0.025
    """
    return _schedule(
        "PolynomialDecay", learning_rate, global_step, name,
        decay_steps=_decay_steps(decay_steps, "polynomial_decay"),
        end_learning_rate=_number(end_learning_rate, "end_learning_rate"),
        power=_number(power, "power"), cycle=bool(cycle),
    )  # fmt: skip


def cosine_decay(
    learning_rate: Number | Tensor,
    global_step: Tensor | int,
    decay_steps: Number,
    alpha: Number = 0.0,
    name: str | None = None,
) -> Tensor:
    """``learning_rate * ((1 - alpha) * c + alpha)`` with
    ``c = 0.5 * (1 + cos(pi * min(global_step, decay_steps) / decay_steps))``.

    Parameters
    ----------
    learning_rate : float or Tensor
        The initial rate: a number or a scalar float node.
    global_step : Tensor or int
        The step, usually ``G.train.get_or_create_global_step()``.
    decay_steps : float
        A positive number of steps.
    alpha : float
        The final rate as a fraction of ``learning_rate``.
    name : str, optional
        The node's name (default: the op type).

    Returns
    -------
    Tensor
        A scalar float64 node, recomputed at every run.

    Raises
    ------
    ValueError
        No ``global_step``, a non-positive ``decay_steps``, a non-scalar input.
    TypeError
        A hyperparameter that is not a Python number.

    Examples
    --------
    >>> import numeric.graph as G
    >>> with G.Graph().as_default():
    ...     lr = G.train.cosine_decay(0.1, G.constant(500), 1000, alpha=0.2)
    ...     with G.Session() as sess:
    ...         print(round(float(sess.run(lr)), 12))
    0.06
    """
    return _schedule(
        "CosineDecay", learning_rate, global_step, name,
        decay_steps=_decay_steps(decay_steps, "cosine_decay"),
        alpha=_number(alpha, "alpha"),
    )  # fmt: skip


def piecewise_constant(
    x: Tensor | int,
    boundaries: Sequence[Number],
    values: Sequence[Number],
    name: str | None = None,
) -> Tensor:
    """``values[0]`` while ``x <= boundaries[0]``, ``values[i]`` while
    ``boundaries[i - 1] < x <= boundaries[i]``, ``values[-1]`` after the last
    boundary (TF1's rule).

    Parameters
    ----------
    x : Tensor or int
        The step (any scalar number node).
    boundaries : sequence of numbers
        Strictly increasing.
    values : sequence of numbers
        One more than ``boundaries``.
    name : str, optional
        The node's name (default ``"PiecewiseConstant"``).

    Returns
    -------
    Tensor
        A scalar float64 node.

    Raises
    ------
    ValueError
        Lengths that do not fit, or boundaries that do not increase.

    Examples
    --------
    >>> import numeric.graph as G
    >>> with G.Graph().as_default():
    ...     lr = G.train.piecewise_constant(G.constant(100), [100, 200], [1.0, 0.5, 0.1])
    ...     with G.Session() as sess:
    ...         print(sess.run(lr))
    1.0
    """
    boundaries = [_number(b, "boundaries") for b in boundaries]
    values = [_number(v, "values") for v in values]
    if len(values) != len(boundaries) + 1:
        raise ValueError(
            "piecewise_constant: the length of boundaries should be 1 less than "
            f"the length of values ({len(boundaries)} and {len(values)})"
        )
    if any(b >= c for b, c in itertools.pairwise(boundaries)):
        raise ValueError(f"piecewise_constant: boundaries must increase: {boundaries}")
    return _schedule(
        "PiecewiseConstant", None, x, name,
        boundaries=tuple(boundaries), values=tuple(values),
    )  # fmt: skip


# ----- kernels ---------------------------------------------------------------------


def _kernel(rule):
    def kernel(arrays, attrs):
        step = arrays[0].item()  # a Python int for an int64 step: exact compares
        lr = float(arrays[1]) if len(arrays) > 1 else None
        return np.float64(rule(lr, step, attrs))

    return kernel


for _type, _rule in RULES.items():
    defhost(_type, _kernel(_rule))
