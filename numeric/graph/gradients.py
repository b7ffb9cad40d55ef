"""Symbolic gradients of the graph layer: ``G.gradients`` (TF1's ``tf.gradients``).

``gradients`` adds one ``Gradients`` operation whose outputs are the gradients
of ``sum(ys)`` with respect to each ``x``. It records only *what* to
differentiate; no derivative rule lives in the graph layer. When a session runs
the op, it evaluates the forward subgraph between the ``xs`` and the ``ys`` as
``numeric`` tensors with ``requires_grad`` on the ``xs`` and calls
``backward`` (see :mod:`numeric.graph.session`).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from numeric.graph.constants import convert_to_tensor
from numeric.graph.dtypes import float64
from numeric.graph.graph import Operation, Tensor
from numeric.graph.op_registry import NOT_DIFFERENTIABLE


def _differentiable_ancestors(ys) -> set:
    """Tensors a gradient can reach from ``ys``: not through ``StopGradient``
    or an op TF1 declares not differentiable (an ``x`` reached only through
    them gets None, as in TF1). Iterative."""
    seen: set = set()
    stack = list(ys)
    while stack:
        t = stack.pop()
        if t in seen:
            continue
        seen.add(t)
        if t.op.type == "StopGradient" or t.op.type in NOT_DIFFERENTIABLE:
            continue
        stack.extend(t.op.inputs)
    return seen


def _as_list(x):
    if x is None:
        return None
    return list(x) if isinstance(x, (list, tuple)) else [x]


def gradients(
    ys: Tensor | Sequence[Tensor],
    xs: Tensor | Sequence[Tensor],
    grad_ys: Any = None,
    name: str = "gradients",
) -> list[Tensor | None]:
    """Gradients of ``sum(ys)`` with respect to each tensor in ``xs``.

    Parameters
    ----------
    ys : Tensor or list of Tensor
        Non-scalar ``ys`` are summed (TF1's convention), or weighted by
        ``grad_ys``.
    xs : Tensor or list of Tensor
        Usually variables; any float tensor of the graph works.
    grad_ys : list, optional
        Upstream cotangents, one per ``y`` (values or tensors, shaped like ``y``).
    name : str
        Name of the ``Gradients`` operation.

    Returns
    -------
    list
        One tensor per ``x``, shaped like ``x``; ``None`` where ``x`` is not
        connected to any ``y`` (or holds integers, or reaches the ``ys`` only
        through ``stop_gradient`` or not-differentiable ops), as in TF1.

    Examples
    --------
    >>> import numeric.graph as G
    >>> with G.Graph().as_default():
    ...     x = G.placeholder((), name="x")
    ...     (dx,) = G.gradients(x * x, [x])
    ...     with G.Session() as sess:
    ...         print(sess.run(dx, {x: 3.0}))
    6.0
    """
    y_list: list[Tensor] = _as_list(ys)
    x_list: list[Tensor] = _as_list(xs)
    if not y_list or not x_list:
        raise ValueError("gradients needs at least one y and one x")
    for t in y_list + x_list:
        if not isinstance(t, Tensor):
            raise TypeError(f"gradients: expected graph tensors, got {t!r}")
    graph = y_list[0].graph
    for t in y_list + x_list:
        if t.graph is not graph:
            raise ValueError(
                f"gradients: {t.name} is from another graph than {y_list[0].name}"
            )
    if grad_ys is None:
        grad_ys = [None] * len(y_list)
    grad_ys = _as_list(grad_ys)
    if len(grad_ys) != len(y_list):
        raise ValueError(f"gradients: {len(grad_ys)} grad_ys for {len(y_list)} ys")
    gy_tensors = [
        None if gy is None else convert_to_tensor(gy, graph) for gy in grad_ys
    ]

    reachable = _differentiable_ancestors(y_list)
    connected = []
    for x in x_list:
        if x in reachable and x.dtype == float64 and x not in connected:
            connected.append(x)
    if not connected:
        return [None] * len(x_list)
    inputs = list(y_list) + [g for g in gy_tensors if g is not None] + connected
    attrs = {
        "ys": tuple(y_list),
        "grad_ys": tuple(gy_tensors),
        "xs": tuple(connected),
    }
    op: Operation = graph.create_op(
        "Gradients",
        inputs,
        [(x._shape, float64) for x in connected],
        attrs=attrs,
        name=name,
    )
    out = dict(zip(connected, op.outputs))
    return [out.get(x) for x in x_list]
