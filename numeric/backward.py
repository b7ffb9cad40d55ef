"""The backward driver: one iterative reverse sweep over the tape.

:func:`backward_pass` walks the traced ancestors of an output in reverse
topological order, without recursion, calling each primitive's VJP rule from
:mod:`numeric.registry` and summing cotangents at branches. The rules compute
with Tensors, so when the sweep runs with ``create_graph=True`` (inside an
outer :func:`numeric.grad`) the gradient is itself recorded and differentiates
again. Importing this module installs the sweep as what ``Tensor.backward``
runs.
"""

from __future__ import annotations

import numpy as np

from numeric._state import STATE, check_backward
from numeric.errors import DifferentiationError, ShapeError
from numeric.registry import _REGISTRY, UNDEFINED
from numeric.tape import Tensor, _float_array, _make, set_backward_driver

__all__ = ["backward_pass"]


def _toposort(end: Tensor, targets: dict):
    """Traced ancestors of ``end``, parents before children, without recursion.

    The walk does not go past a node in ``targets``. Returns the order and the
    set of nodes through which a target reaches ``end`` (None when
    ``targets`` is empty: then every node counts).
    """
    order: list[Tensor] = []
    visited: set[Tensor] = set()
    stack = [(end, False)]
    relevant: set[Tensor] | None = set() if targets else None
    while stack:
        node, expanded = stack.pop()
        if expanded:
            order.append(node)
            if relevant is not None:
                if node in targets:
                    relevant.add(node)
                else:
                    for parent in node._parents:
                        if parent in relevant:
                            relevant.add(node)
                            break
            continue
        if node in visited:
            continue
        visited.add(node)
        stack.append((node, True))
        if node not in targets:
            for parent in node._parents:
                if parent._tracked and parent not in visited:
                    stack.append((parent, False))
    return order, relevant


def backward_pass(end: Tensor, g: Tensor, wrt, create_graph: bool):
    """Reverse sweep from ``end`` with upstream cotangent ``g``.

    Parameters
    ----------
    end : Tensor
        The output; must be traced.
    g : Tensor
        Its cotangent, of ``end``'s shape.
    wrt : sequence of Tensor or None
        The tensors to differentiate with respect to; the sweep stops at them.
        ``None`` means every traced leaf that requires grad.
    create_graph : bool
        Record the VJP computations on the tape (for higher derivatives).

    Returns
    -------
    (targets, cotangents)
        Parallel lists; a target nothing flowed into gets zeros of its shape.
    """
    if wrt is None:
        order, relevant = _toposort(end, {})
        targets = [n for n in order if n._prim is None and n.requires_grad]
        target_index = {n: k for k, n in enumerate(targets)}
    else:
        targets = list(wrt)
        target_index = {n: k for k, n in enumerate(targets)}
        order, relevant = _toposort(end, target_index)
    results: list[Tensor | None] = [None] * len(targets)
    cotangents = {end: g}
    previous = STATE.recording
    STATE.recording = create_graph
    anomaly = STATE.anomaly
    try:
        for node in reversed(order):
            ct = cotangents.pop(node, None)
            if ct is None:
                continue  # structurally zero: nothing flowed here
            k = target_index.get(node)
            if k is not None:
                results[k] = ct
                continue
            prim = node._prim
            if prim is None:
                continue  # a leaf nobody asked about
            if relevant is not None and node not in relevant:
                continue
            parents = node._parents
            if prim.vjp is None:
                raise NotImplementedError(f"VJP of {prim.name} is not implemented")
            if anomaly:
                STATE.vjp_of = prim.name
            terms = prim.vjp(ct, node, *parents, **node._params)
            STATE.vjp_of = None
            if len(terms) != len(parents):
                raise RuntimeError(
                    f"VJP of {prim.name} returned {len(terms)} cotangents for "
                    f"{len(parents)} inputs"
                )
            for i, term in enumerate(terms):
                if term is None:
                    continue
                parent = parents[i]
                if not parent._tracked or (
                    relevant is not None and parent not in relevant
                ):
                    continue
                if term is UNDEFINED:
                    raise DifferentiationError(
                        f"{prim.name} is not differentiable with respect to its "
                        f"input {i}"
                    )
                if not isinstance(term, Tensor):
                    term = _make(_float_array(term))
                if term.data.dtype != parent.data.dtype:
                    # a rule computed in another float width (a float64
                    # constant, say): the cotangent takes the input's dtype
                    term = _REGISTRY["astype"](term, dtype=parent.data.dtype)
                if term.data.shape != parent.data.shape:
                    raise ShapeError(
                        f"VJP of {prim.name}: cotangent for input {i} has shape "
                        f"{term.data.shape}, but the input has shape "
                        f"{parent.data.shape}"
                    )
                if anomaly:
                    check_backward(prim, i, ct, node, parents, term)
                prev = cotangents.get(parent)
                cotangents[parent] = term if prev is None else prev + term
    finally:
        STATE.recording = previous
        STATE.vjp_of = None
    for k, target in enumerate(targets):
        if results[k] is None:
            results[k] = _make(np.zeros(target.shape, dtype=target.dtype))
    return targets, results


set_backward_driver(backward_pass)
