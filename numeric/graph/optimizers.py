"""TF1's update rules: gradient descent, momentum, Adam, RMSProp, Adagrad.

Each rule is written as TF1's CPU kernel computes it
(``tensorflow/core/kernels/training_ops.cc``: ``ApplyGradientDescent``,
``ApplyMomentum``, ``ApplyAdam``, ``ApplyRMSProp``, ``ApplyCenteredRMSProp``,
``ApplyAdagrad``), in float64, with TF1's slot names and initial values.
"""

from __future__ import annotations

import numpy as np

from numeric.graph.graph import Tensor
from numeric.graph.optimizer import Optimizer, zeros
from numeric.graph.variables import Variable


class GradientDescentOptimizer(Optimizer):
    """``var -= learning_rate * g``.

    Examples
    --------
    >>> import numeric.graph as G
    >>> with G.Graph().as_default():
    ...     w = G.Variable(1.0, name="w")
    ...     step = G.train.GradientDescentOptimizer(0.25).minimize(w * w)
    ...     with G.Session() as sess:
    ...         sess.run(G.global_variables_initializer())
    ...         sess.run(step)
    ...         print(sess.run(w))
    0.5
    """

    def __init__(
        self, learning_rate: float | Tensor, name: str = "GradientDescent"
    ) -> None:
        super().__init__(learning_rate, name)

    def _updates(self, op, grads, read, lr):
        return {v: read(v) - lr * g for v, g in zip(op.attrs["variables"], grads)}


class MomentumOptimizer(Optimizer):
    """TF1's momentum: ``accum = momentum * accum + g``; ``var -= lr * accum``;
    with ``use_nesterov``: ``var -= lr * g + lr * momentum * accum`` (new accum).

    Slot ``"momentum"`` (variable ``<var>/Momentum``), zeros at first.
    """

    _slot_specs = (("momentum", zeros),)

    def __init__(
        self,
        learning_rate: float | Tensor,
        momentum: float,
        use_nesterov: bool = False,
        name: str = "Momentum",
    ) -> None:
        super().__init__(learning_rate, name)
        self.momentum = float(momentum)
        self.use_nesterov = bool(use_nesterov)

    def _updates(self, op, grads, read, lr):
        out = {}
        for v, g in zip(op.attrs["variables"], grads):
            accum_var = self._slots[v]["momentum"]
            accum = self.momentum * read(accum_var) + g
            if self.use_nesterov:
                out[v] = read(v) - (lr * g + lr * self.momentum * accum)
            else:
                out[v] = read(v) - lr * accum
            out[accum_var] = accum
        return out


class AdamOptimizer(Optimizer):
    """TF1's Adam: ``lr_t = lr * sqrt(1 - beta2^t) / (1 - beta1^t)``;
    ``m = beta1 m + (1 - beta1) g``; ``v = beta2 v + (1 - beta2) g^2``;
    ``var -= lr_t m / (sqrt(v) + epsilon)``.

    Slots ``"m"`` and ``"v"`` (variables ``<var>/Adam`` and ``<var>/Adam_1``).
    The step count lives in ``beta1_power`` and ``beta2_power`` (``beta1^t``,
    ``beta2^t``, starting at ``beta1`` and ``beta2``), shared by all variables
    and returned by :meth:`_get_beta_accumulators` as in TF1.
    """

    _slot_specs = (("m", zeros), ("v", zeros))

    def __init__(
        self,
        learning_rate: float | Tensor = 0.001,
        beta1: float = 0.9,
        beta2: float = 0.999,
        epsilon: float = 1e-08,
        name: str = "Adam",
    ) -> None:
        super().__init__(learning_rate, name)
        self.beta1, self.beta2, self.epsilon = (
            float(beta1),
            float(beta2),
            float(epsilon),
        )

    def _get_beta_accumulators(self):
        """``(beta1_power, beta2_power)``: TF1's name for Adam's step state."""
        return self._non_slots.get("beta1_power"), self._non_slots.get("beta2_power")

    def _create_non_slots(self, graph):
        if self._non_slots:
            return
        with graph.as_default(), graph.name_scope(""):
            self._non_slots["beta1_power"] = Variable(
                np.float64(self.beta1), name="beta1_power", trainable=False
            )
            self._non_slots["beta2_power"] = Variable(
                np.float64(self.beta2), name="beta2_power", trainable=False
            )

    def _updates(self, op, grads, read, lr):
        b1p_var, b2p_var = self._get_beta_accumulators()
        b1p, b2p = read(b1p_var), read(b2p_var)
        lr_t = lr * np.sqrt(1 - b2p) / (1 - b1p)
        out = {}
        for v, g in zip(op.attrs["variables"], grads):
            m_var, v_var = self._slots[v]["m"], self._slots[v]["v"]
            m = self.beta1 * read(m_var) + (1 - self.beta1) * g
            s = self.beta2 * read(v_var) + (1 - self.beta2) * g * g
            out[v] = read(v) - lr_t * m / (np.sqrt(s) + self.epsilon)
            out[m_var], out[v_var] = m, s
        out[b1p_var] = np.asarray(b1p * self.beta1)
        out[b2p_var] = np.asarray(b2p * self.beta2)
        return out


class RMSPropOptimizer(Optimizer):
    """TF1's RMSProp (kernel ``ApplyRMSProp``)::

        ms  = ms + (g * g - ms) * (1 - decay)
        mom = momentum * mom + lr * g / sqrt(ms + epsilon)
        var = var - mom

    With ``centered=True`` (``ApplyCenteredRMSProp``) the mean gradient ``mg``
    is tracked too, ``mg = mg + (g - mg) * (1 - decay)``, and the denominator
    is ``sqrt(ms - mg * mg + epsilon)``. Epsilon is inside the square root, as
    in TF1 (PyTorch's ``RMSprop`` adds it outside).

    Slots, in TF1's order: ``"rms"`` (``ms``, ones at first: TF1's choice),
    ``"mg"`` (centered only, zeros) and ``"momentum"`` (``mom``, zeros), the
    variables ``<var>/RMSProp``, ``<var>/RMSProp_1`` (, ``<var>/RMSProp_2``).

    Parameters
    ----------
    learning_rate : float or Tensor
        A number >= 0, or a scalar node (a schedule, a placeholder).
    decay : float
        TF1's name for the moving averages' factor (PyTorch's ``alpha``).
    momentum, epsilon : float
        As in the formulas above.
    centered : bool
        Normalize by the estimated variance instead of the second moment.
    name : str
        Prefix of the update op's and the slots' names.

    Examples
    --------
    >>> import numeric.graph as G
    >>> with G.Graph().as_default():
    ...     w = G.Variable(1.0, name="w")
    ...     step = G.train.RMSPropOptimizer(0.1).minimize(w * w)
    ...     with G.Session() as sess:
    ...         sess.run(G.global_variables_initializer())
    ...         sess.run(step)  # ms = 0.9 + 0.1 * 2**2 = 1.3
    ...         print(round(float(sess.run(w)), 12))
    0.824588396145
    """

    def __init__(
        self,
        learning_rate: float | Tensor,
        decay: float = 0.9,
        momentum: float = 0.0,
        epsilon: float = 1e-10,
        centered: bool = False,
        name: str = "RMSProp",
    ) -> None:
        super().__init__(learning_rate, name)
        self.decay, self.momentum, self.epsilon = (
            float(decay),
            float(momentum),
            float(epsilon),
        )
        self.centered = bool(centered)
        self._slot_specs = (("rms", np.ones),)
        if self.centered:
            self._slot_specs += (("mg", zeros),)
        self._slot_specs += (("momentum", zeros),)

    def _updates(self, op, grads, read, lr):
        rho = self.decay
        out = {}
        for v, g in zip(op.attrs["variables"], grads):
            slots = self._slots[v]
            ms = read(slots["rms"])
            ms = ms + (g * g - ms) * (1 - rho)
            denominator = ms + self.epsilon
            if self.centered:
                mg = read(slots["mg"])
                mg = mg + (g - mg) * (1 - rho)
                denominator = (ms - mg * mg) + self.epsilon
                out[slots["mg"]] = mg
            mom = read(slots["momentum"]) * self.momentum + (g * lr) / np.sqrt(
                denominator
            )
            out[v] = read(v) - mom
            out[slots["rms"]], out[slots["momentum"]] = ms, mom
        return out


class AdagradOptimizer(Optimizer):
    """TF1's Adagrad (kernel ``ApplyAdagrad``)::

        accumulator = accumulator + g * g
        var = var - g * lr / sqrt(accumulator)

    Slot ``"accumulator"`` (variable ``<var>/Adagrad``), starting at
    ``initial_accumulator_value``.

    Parameters
    ----------
    learning_rate : float or Tensor
        A number >= 0, or a scalar node.
    initial_accumulator_value : float
        Must be positive, as in TF1 (ValueError otherwise).
    name : str
        Prefix of the update op's and the slot's names.

    Examples
    --------
    >>> import numeric.graph as G
    >>> with G.Graph().as_default():
    ...     w = G.Variable(1.0, name="w")
    ...     step = G.train.AdagradOptimizer(0.5, 0.25).minimize(w * w)
    ...     with G.Session() as sess:
    ...         sess.run(G.global_variables_initializer())
    ...         sess.run(step)  # accumulator = 0.25 + 2**2 = 4.25
    ...         print(round(float(sess.run(w)), 12))
    0.514928749927
    """

    def __init__(
        self,
        learning_rate: float | Tensor,
        initial_accumulator_value: float = 0.1,
        name: str = "Adagrad",
    ) -> None:
        super().__init__(learning_rate, name)
        value = float(initial_accumulator_value)
        if not value > 0:
            raise ValueError(
                f"initial_accumulator_value must be positive: {initial_accumulator_value}"
            )
        self.initial_accumulator_value = value
        self._slot_specs = (("accumulator", lambda shape: np.full(shape, value)),)

    def _updates(self, op, grads, read, lr):
        out = {}
        for v, g in zip(op.attrs["variables"], grads):
            accum_var = self._slots[v]["accumulator"]
            accum = read(accum_var) + g * g
            out[v] = read(v) - g * lr * (1 / np.sqrt(accum))  # TF1: grad*lr*rsqrt
            out[accum_var] = accum
        return out
