"""Optimizers, the global step and checkpoints: the graph layer's ``G.train``.

An optimizer's ``minimize`` adds a ``Gradients`` op (gradients from the numeric
engine) and one ``ApplyGradients`` op that updates every variable, slot and
the global step together with TF1's exact update rules. The step is refused
(``NonFiniteError``) when any gradient is non-finite, and then nothing changes.
Slots (``W/Momentum``, ``W/Adam``, ``W/Adam_1``) and Adam's ``beta1_power`` /
``beta2_power`` are ordinary non-trainable variables, so the initializer sets
them and the :class:`Saver` saves them.
"""

from __future__ import annotations

import numpy as np

from numeric.graph.constants import convert_to_tensor
from numeric.graph.dtypes import int64
from numeric.graph.gradients import gradients
from numeric.graph.graph import Tensor, get_default_graph
from numeric.graph.saver import Saver, latest_checkpoint
from numeric.graph.variables import Variable, trainable_variables

__all__ = [
    "AdamOptimizer",
    "GradientDescentOptimizer",
    "MomentumOptimizer",
    "Optimizer",
    "Saver",
    "get_global_step",
    "get_or_create_global_step",
    "latest_checkpoint",
]

GLOBAL_STEP = "global_step"


def get_global_step(graph=None):
    """The graph's global step variable, or None."""
    steps = (graph or get_default_graph()).get_collection(GLOBAL_STEP)
    return steps[0] if steps else None


def get_or_create_global_step(graph=None):
    """The int64 scalar variable ``global_step`` (created at the root scope,
    non-trainable, initial value 0) that ``minimize(global_step=...)`` increments."""
    graph = graph or get_default_graph()
    step = get_global_step(graph)
    if step is None:
        with graph.as_default(), graph.name_scope(""):
            step = Variable(
                np.int64(0), name="global_step", trainable=False, dtype=int64
            )
        graph.add_to_collection(GLOBAL_STEP, step)
    return step


class Optimizer:
    """Base class: ``compute_gradients``, ``apply_gradients``, ``minimize``.

    Subclasses declare ``_slot_names`` and implement ``_updates``.
    """

    _slot_names: tuple = ()

    def __init__(self, learning_rate, name):
        if not isinstance(learning_rate, Tensor):
            learning_rate = float(learning_rate)
            if not np.isfinite(learning_rate) or learning_rate < 0:
                raise ValueError(
                    f"learning_rate must be finite and >= 0, got {learning_rate}"
                )
        self.learning_rate = learning_rate
        self._name = name
        self._slots: dict = {}  # variable -> tuple of slot variables
        self._non_slots: dict = {}  # name -> variable

    # -- public --
    def compute_gradients(self, loss, var_list=None):
        """``[(gradient, variable), ...]``; the gradient is None where the
        variable does not affect ``loss``. ``var_list`` defaults to the
        graph's trainable variables."""
        if var_list is None:
            var_list = trainable_variables(loss.graph)
        var_list = list(var_list)
        if not var_list:
            raise ValueError("no variables to optimize")
        return list(zip(gradients(loss, var_list), var_list))

    def apply_gradients(self, grads_and_vars, global_step=None, name=None):
        """One operation applying the update rule to every ``(g, v)`` with a
        gradient, creating the slots on first use, and incrementing
        ``global_step`` when given."""
        pairs = [(g, v) for g, v in grads_and_vars if g is not None]
        if not pairs:
            names = [v.op.name for _, v in grads_and_vars]
            raise ValueError(f"No gradients provided for any variable: {names}")
        graph = pairs[0][1].graph
        for _, v in pairs:
            if not isinstance(v, Variable):
                raise TypeError(f"apply_gradients: {v!r} is not a Variable")
            if v not in self._slots:
                self._slots[v] = self._create_slots(v)
        self._create_non_slots(graph)
        grads = [convert_to_tensor(g, graph) for g, _ in pairs]
        var_list = [v for _, v in pairs]
        inputs = list(grads)
        if isinstance(self.learning_rate, Tensor):
            inputs.append(self.learning_rate)
        reads = list(var_list)
        for v in var_list:
            reads.extend(self._slots[v])
        reads.extend(self._non_slots.values())
        if global_step is not None:
            reads.append(global_step)
        op = graph.create_op(
            "ApplyGradients",
            inputs,
            [],
            attrs={
                "optimizer": self,
                "variables": tuple(var_list),
                "learning_rate": self.learning_rate,
                "global_step": global_step,
                "reads": tuple(reads),
            },
            name=name or self._name,
        )
        return op

    def minimize(self, loss, global_step=None, var_list=None, name=None):
        """``apply_gradients(compute_gradients(loss, var_list), global_step)``."""
        return self.apply_gradients(
            self.compute_gradients(loss, var_list), global_step=global_step, name=name
        )

    def get_slot_names(self):
        return list(self._slot_names)

    def get_slot(self, var, name):
        """The slot variable ``name`` of ``var`` (None if not created yet)."""
        slots = self._slots.get(var)
        if slots is None or name not in self._slot_names:
            return None
        return slots[self._slot_names.index(name)]

    # -- internals --
    def _create_slots(self, var):
        shape = var._shape
        if shape is None or None in shape:
            raise ValueError(f"{var.op.name}: slots need a fully known variable shape")
        graph = var.graph
        slots = []
        with graph.as_default(), graph.name_scope(""):
            for i, _ in enumerate(self._slot_names):
                suffix = self._name if i == 0 else f"{self._name}_{i}"
                slots.append(
                    Variable(
                        np.zeros(shape), name=f"{var.op.name}/{suffix}", trainable=False
                    )
                )
        return tuple(slots)

    def _create_non_slots(self, graph):
        pass

    def _updates(self, op, grads, read, lr):
        raise NotImplementedError


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

    def __init__(self, learning_rate, name="GradientDescent"):
        super().__init__(learning_rate, name)

    def _updates(self, op, grads, read, lr):
        lr = self.learning_rate if lr is None else lr
        return {v: read(v) - lr * g for v, g in zip(op.attrs["variables"], grads)}


class MomentumOptimizer(Optimizer):
    """TF1's momentum: ``accum = momentum * accum + g``; ``var -= lr * accum``;
    with ``use_nesterov``: ``var -= lr * g + lr * momentum * accum`` (new accum)."""

    _slot_names = ("Momentum",)

    def __init__(self, learning_rate, momentum, use_nesterov=False, name="Momentum"):
        super().__init__(learning_rate, name)
        self.momentum = float(momentum)
        self.use_nesterov = bool(use_nesterov)

    def _updates(self, op, grads, read, lr):
        lr = self.learning_rate if lr is None else lr
        out = {}
        for v, g in zip(op.attrs["variables"], grads):
            (accum_var,) = self._slots[v]
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
    ``var -= lr_t m / (sqrt(v) + epsilon)``. ``beta1^t`` and ``beta2^t`` are
    the variables ``beta1_power`` and ``beta2_power``."""

    _slot_names = ("Adam", "Adam_1")

    def __init__(
        self, learning_rate=0.001, beta1=0.9, beta2=0.999, epsilon=1e-08, name="Adam"
    ):
        super().__init__(learning_rate, name)
        self.beta1, self.beta2, self.epsilon = (
            float(beta1),
            float(beta2),
            float(epsilon),
        )

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
        lr = self.learning_rate if lr is None else lr
        b1p_var, b2p_var = (
            self._non_slots["beta1_power"],
            self._non_slots["beta2_power"],
        )
        b1p, b2p = read(b1p_var), read(b2p_var)
        lr_t = lr * np.sqrt(1 - b2p) / (1 - b1p)
        out = {}
        for v, g in zip(op.attrs["variables"], grads):
            m_var, v_var = self._slots[v]
            m = self.beta1 * read(m_var) + (1 - self.beta1) * g
            s = self.beta2 * read(v_var) + (1 - self.beta2) * g * g
            out[v] = read(v) - lr_t * m / (np.sqrt(s) + self.epsilon)
            out[m_var], out[v_var] = m, s
        out[b1p_var] = np.asarray(b1p * self.beta1)
        out[b2p_var] = np.asarray(b2p * self.beta2)
        return out
