"""The optimizer base class of ``G.train``: gradients, slots, one update op.

``minimize`` adds a ``Gradients`` op (gradients from the numeric engine) and
one ``ApplyGradients`` op that updates every variable, slot and the global
step together. The session computes all new values first and refuses the
whole step (``NonFiniteError``) when a gradient or any new value is not
finite (:mod:`numeric.graph.execute`).

Slots are ordinary non-trainable variables named like TF1's (``w/Momentum``,
``w/Adam``, ``w/Adam_1``, ...) and found by TF1's slot names through
:meth:`Optimizer.get_slot`; the initializer sets them, the Saver saves them,
and ``slot.load(value, sess)`` or ``slot.assign`` sets them, so a step can
start from any given state.
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np

from numeric.graph.constants import convert_to_tensor
from numeric.graph.gradients import gradients
from numeric.graph.graph import GraphTensorLike, Operation, Tensor
from numeric.graph.variables import Variable, trainable_variables


def zeros(shape):
    """Slot initializer: zeros of the variable's shape."""
    return np.zeros(shape)


class Optimizer:
    """Base class: ``compute_gradients``, ``apply_gradients``, ``minimize``.

    A subclass lists its slots in ``_slot_specs`` as ``(TF1 slot name,
    initializer of a shape)`` in TF1's creation order, and computes one step in
    ``_updates(op, grads, read, lr)``: ``read(variable)`` gives a current value
    and the result maps every variable and slot it changes to its new value.
    """

    _slot_specs: tuple = ()

    def __init__(self, learning_rate: float | Tensor, name: str) -> None:
        if not isinstance(learning_rate, Tensor):
            learning_rate = float(learning_rate)
            if not np.isfinite(learning_rate) or learning_rate < 0:
                raise ValueError(
                    f"learning_rate must be finite and >= 0, got {learning_rate}"
                )
        self.learning_rate = learning_rate
        self._name = name
        self._slots: dict = {}  # variable -> {slot name: slot variable}
        self._non_slots: dict = {}  # name -> variable

    # -- public --
    def compute_gradients(
        self, loss: Tensor, var_list: Iterable[Variable] | None = None
    ) -> list[tuple[Tensor | None, Variable]]:
        """``[(gradient, variable), ...]``; the gradient is None where the
        variable does not affect ``loss``. ``var_list`` defaults to the
        graph's trainable variables."""
        if var_list is None:
            var_list = trainable_variables(loss.graph)
        var_list = list(var_list)
        if not var_list:
            raise ValueError("no variables to optimize")
        return list(zip(gradients(loss, var_list), var_list))

    def apply_gradients(
        self,
        grads_and_vars: Iterable[tuple[GraphTensorLike | None, Variable]],
        global_step: Variable | None = None,
        name: str | None = None,
    ) -> Operation:
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
            reads.extend(self._slots[v].values())
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

    def minimize(
        self,
        loss: Tensor,
        global_step: Variable | None = None,
        var_list: Iterable[Variable] | None = None,
        name: str | None = None,
    ) -> Operation:
        """``apply_gradients(compute_gradients(loss, var_list), global_step)``."""
        return self.apply_gradients(
            self.compute_gradients(loss, var_list), global_step=global_step, name=name
        )

    def get_slot_names(self) -> list[str]:
        """TF1's names of this optimizer's slots (``["m", "v"]`` for Adam)."""
        return [slot for slot, _ in self._slot_specs]

    def get_slot(self, var: Variable, name: str) -> Variable | None:
        """The slot variable ``name`` of ``var``, or None (unknown name, or
        ``var`` not optimized yet), as TF1's ``Optimizer.get_slot``.

        Examples
        --------
        >>> import numeric.graph as G
        >>> with G.Graph().as_default():
        ...     w = G.Variable([1.0, 2.0], name="w")
        ...     opt = G.train.MomentumOptimizer(0.1, momentum=0.9)
        ...     train = opt.minimize(G.reduce_sum(w * w))
        ...     print(opt.get_slot_names(), opt.get_slot(w, "momentum"))
        ['momentum'] <Variable 'w/Momentum:0' shape=(2,) dtype=float64_ref>
        """
        return self._slots.get(var, {}).get(name)

    def variables(self) -> list[Variable]:
        """Every variable this optimizer created (slots, then others such as
        Adam's ``beta1_power``), in creation order, like TF1's."""
        out = [slot for slots in self._slots.values() for slot in slots.values()]
        return out + list(self._non_slots.values())

    # -- internals --
    def _create_slots(self, var):
        shape = var._shape
        if shape is None or None in shape:
            raise ValueError(f"{var.op.name}: slots need a fully known variable shape")
        graph = var.graph
        slots = {}
        with graph.as_default(), graph.name_scope(""):
            for i, (slot, init) in enumerate(self._slot_specs):
                suffix = self._name if i == 0 else f"{self._name}_{i}"
                slots[slot] = Variable(
                    init(shape), name=f"{var.op.name}/{suffix}", trainable=False
                )
        return slots

    def _create_non_slots(self, graph):
        pass

    def _updates(self, op, grads, read, lr):
        raise NotImplementedError
