"""``G.train``: optimizers, learning-rate schedules, the global step, checkpoints.

The names of TF1's ``tf.train`` that this layer has, gathered from
:mod:`~numeric.graph.optimizers` (update rules), :mod:`~numeric.graph.optimizer`
(the base class and slots), :mod:`~numeric.graph.schedules` (learning-rate
decay) and :mod:`~numeric.graph.saver` (checkpoints), plus the global step.
"""

from __future__ import annotations

import numpy as np

from numeric.graph.dtypes import int64
from numeric.graph.graph import Graph, get_default_graph
from numeric.graph.optimizer import Optimizer
from numeric.graph.optimizers import (
    AdagradOptimizer,
    AdamOptimizer,
    GradientDescentOptimizer,
    MomentumOptimizer,
    RMSPropOptimizer,
)
from numeric.graph.saver import Saver, latest_checkpoint
from numeric.graph.schedules import (
    cosine_decay,
    exponential_decay,
    inverse_time_decay,
    piecewise_constant,
    polynomial_decay,
)
from numeric.graph.variables import Variable

__all__ = [
    "AdagradOptimizer",
    "AdamOptimizer",
    "GradientDescentOptimizer",
    "MomentumOptimizer",
    "Optimizer",
    "RMSPropOptimizer",
    "Saver",
    "cosine_decay",
    "create_global_step",
    "exponential_decay",
    "get_global_step",
    "get_or_create_global_step",
    "inverse_time_decay",
    "latest_checkpoint",
    "piecewise_constant",
    "polynomial_decay",
]

GLOBAL_STEP = "global_step"


def get_global_step(graph: Graph | None = None) -> Variable | None:
    """The graph's global step variable, or None."""
    steps = (graph or get_default_graph()).get_collection(GLOBAL_STEP)
    return steps[0] if steps else None


def create_global_step(graph: Graph | None = None) -> Variable:
    """Create the int64 scalar variable ``global_step`` (at the root scope,
    non-trainable, initial value 0) that ``minimize(global_step=...)``
    increments by one per step.

    Raises
    ------
    ValueError
        The graph has a global step already (TF1's rule).
    """
    graph = graph or get_default_graph()
    if get_global_step(graph) is not None:
        raise ValueError("global_step already exists.")
    with graph.as_default(), graph.name_scope(""):
        step = Variable(np.int64(0), name="global_step", trainable=False, dtype=int64)
    graph.add_to_collection(GLOBAL_STEP, step)
    return step


def get_or_create_global_step(graph: Graph | None = None) -> Variable:
    """The graph's global step, created by :func:`create_global_step` if needed.

    Examples
    --------
    >>> import numeric.graph as G
    >>> with G.Graph().as_default():
    ...     step = G.train.get_or_create_global_step()
    ...     print(step, step is G.train.get_or_create_global_step())
    <Variable 'global_step:0' shape=() dtype=int64_ref> True
    """
    graph = graph or get_default_graph()
    step = get_global_step(graph)
    return create_global_step(graph) if step is None else step
