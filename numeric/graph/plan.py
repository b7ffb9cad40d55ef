"""Execution plans of a session: which operations a list of fetches needs,
and in which order they run.

A plan lists the operations the fetches need (not through fed tensors) in
topological order; each ``Gradients`` operation owns the forward operations
between its ``xs`` and ``ys`` so they run once, on the numeric tape. Registry
ops are prepared once as :class:`Compute` steps. Plans are built from the graph
alone and are immutable once built, so a session caches them per fetch list and
fed set and may share them between threads.
"""

from __future__ import annotations

import heapq
from collections.abc import Callable, Mapping
from typing import Any

import numpy as np

import numeric as nm
from numeric.graph.dtypes import float64
from numeric.graph.graph import Operation, Tensor
from numeric.graph.op_registry import NOT_DIFFERENTIABLE, OPS

# ----- walks -------------------------------------------------------------------


def ancestors(tensors, stop=frozenset()) -> set:
    """Tensors reachable backwards from ``tensors`` through op inputs
    (iterative; ``stop`` tensors are included but not traversed)."""
    seen = set()
    stack = list(tensors)
    while stack:
        t = stack.pop()
        if t in seen:
            continue
        seen.add(t)
        if t in stop:
            continue
        stack.extend(t.op.inputs)
    return seen


# ----- fetch structures ---------------------------------------------------------


def flatten_fetches(fetches, graph, leaves):
    """Collect the fetch leaves; return a function rebuilding the structure."""
    if isinstance(fetches, (Tensor, Operation)):
        leaves.append(fetches)
        i = len(leaves) - 1
        return lambda values: values[i]
    if isinstance(fetches, str):
        leaves.append(_by_name(graph, fetches))
        i = len(leaves) - 1
        return lambda values: values[i]
    if isinstance(fetches, Mapping):
        keys = list(fetches)
        parts = [flatten_fetches(fetches[k], graph, leaves) for k in keys]
        mapping_type: Callable[..., Any] = type(fetches)

        def rebuild(values):
            items = [(k, p(values)) for k, p in zip(keys, parts)]
            try:
                return mapping_type(items)
            except TypeError:
                return dict(items)

        return rebuild
    if isinstance(fetches, tuple) and hasattr(fetches, "_fields"):
        parts = [flatten_fetches(f, graph, leaves) for f in fetches]
        namedtuple_type: Callable[..., Any] = type(fetches)
        return lambda values: namedtuple_type(*[p(values) for p in parts])
    if isinstance(fetches, (list, tuple)):
        parts = [flatten_fetches(f, graph, leaves) for f in fetches]
        sequence_type: Callable[..., Any] = type(fetches)
        return lambda values: sequence_type(p(values) for p in parts)
    raise TypeError(
        f"cannot fetch {type(fetches).__name__} {fetches!r}: fetches are tensors, "
        "operations, their names, or lists/tuples/dicts/namedtuples of them"
    )


def _by_name(graph, name):
    if ":" in name:
        return graph.get_tensor_by_name(name)
    return graph.get_operation_by_name(name)


# ----- plans ---------------------------------------------------------------------


class GradStep:
    """One ``Gradients`` op: its forward region per group of ``xs``."""

    __slots__ = ("groups", "op", "owned")

    def __init__(self, op, groups, owned):
        self.op = op
        self.groups = groups  # list of (xs, region ops in topological order)
        self.owned = owned  # region ops whose outputs this step provides


class Compute:
    """A registry op prepared for execution: the numeric function's name (looked
    up at each call), its keyword arguments and its inputs, resolved once.
    An op with an integer output runs its exact int64 kernel instead."""

    __slots__ = (
        "custom",
        "dtype",
        "fn",
        "inputs",
        "int_kernel",
        "is_float",
        "kwargs",
        "name",
        "op",
        "output",
    )

    def __init__(self, op):
        opdef = OPS[op.type]
        self.op = op
        self.name = op.name
        self.fn = opdef.fn
        self.custom = opdef.compute
        self.kwargs = {k: op.attrs[k] for k in opdef.kwargs if k in op.attrs}
        self.inputs = op.inputs
        self.output = op.outputs[0]
        self.dtype = self.output.dtype
        self.is_float = self.dtype == float64
        self.int_kernel = None if self.is_float else opdef.int_kernel

    def __call__(self, args):
        if self.int_kernel is not None:
            arrays = [np.asarray(getattr(a, "data", a)) for a in args]
            return self.int_kernel(self.name, arrays, self.op.attrs)
        if self.custom is not None:
            return self.custom(nm, args, self.op.attrs)
        assert self.fn is not None, self.name  # an op computes with one or the other
        return getattr(nm, self.fn)(*args, **self.kwargs)


class HostStep:
    """A non-differentiable host op inside a gradient region (TF1's
    ``NotDifferentiable``): computed from its inputs' values, its output is a
    constant to the tape, so no gradient flows back through it."""

    __slots__ = ("dtype", "inputs", "is_float", "name", "op", "output")

    def __init__(self, op):
        self.op = op
        self.name = op.name
        self.inputs = op.inputs
        self.output = op.outputs[0]
        self.dtype = self.output.dtype
        self.is_float = self.dtype == float64


def _region_step(op):
    return Compute(op) if op.type in OPS else HostStep(op)


def _compiled(op):
    return Compute(op) if op.type in OPS else op


# Operation types that write variables; a plan holding one commits writes.
WRITERS = frozenset({"Assign", "AssignAdd", "AssignSub", "ApplyGradients"})


class Plan:
    """``steps`` to execute in order, the placeholders left ``unfed``, the
    variables the run ``reads``, and whether it ``writes`` any variable."""

    __slots__ = ("reads", "steps", "unfed", "writes")

    def __init__(self, steps, unfed, reads, writes):
        self.steps = steps
        self.unfed = unfed
        self.reads = reads
        self.writes = writes


def _needed_ops(targets, fed):
    needed = set()
    stack = [t.op if isinstance(t, Tensor) else t for t in targets if t not in fed]
    while stack:
        op = stack.pop()
        if op in needed:
            continue
        needed.add(op)
        stack.extend(t.op for t in op.inputs if t not in fed)
        stack.extend(op.control_inputs)
    return needed


def _region(ys, xs, fed):
    """Ops between ``xs`` and ``ys``: ancestors of the ys (not through fed
    tensors or the xs themselves) that depend on some x. Topological order."""
    stop = set(xs) | set(fed)
    anc_ops = {
        t.op for t in ancestors([y for y in ys if y not in stop], stop) if t not in stop
    }
    depends, xs_set = set(), set(xs)
    for op in sorted(anc_ops, key=lambda o: o._id):
        if any(t in xs_set or (t not in fed and t.op in depends) for t in op.inputs):
            depends.add(op)
    region = sorted(depends, key=lambda o: o._id)
    for op in region:
        if op.type not in OPS and op.type not in NOT_DIFFERENTIABLE:
            raise NotImplementedError(
                f"cannot differentiate through {op.name} (op {op.type}) "
                "inside a graph gradient"
            )
    return region


def _nested(xs, fed):
    """True when some x is computed from another x (one backward pass would
    then give partial, not total, derivatives for the upstream one)."""
    xs_set = set(xs)
    for x in xs:
        if x in fed:
            continue
        if (ancestors(x.op.inputs, set(fed)) & xs_set) - {x}:
            return True
    return False


def build_plan(targets, fed):
    needed = _needed_ops(targets, fed)
    grad_steps, owner = {}, {}
    for op in sorted(needed, key=lambda o: o._id):
        if op.type != "Gradients":
            continue
        xs, ys = op.attrs["xs"], op.attrs["ys"]
        if _nested(xs, fed):
            groups = [((x,), _region(ys, (x,), fed)) for x in xs]
            grad_steps[op] = GradStep(op, groups, set())
        else:
            region = _region(ys, xs, fed)
            owned = {r for r in region if r in needed and r not in owner}
            for r in owned:
                owner[r] = op
            grad_steps[op] = GradStep(op, [(xs, region)], owned)
    steps = _schedule(needed, fed, grad_steps, owner)
    if steps is None:  # a cycle between gradient steps: own nothing
        for step in grad_steps.values():
            step.owned = set()
        steps = _schedule(needed, fed, grad_steps, {})
    for step in grad_steps.values():
        step.groups = [
            (xs, [_region_step(r) for r in region]) for xs, region in step.groups
        ]
    steps = [s if isinstance(s, GradStep) else _compiled(s) for s in steps]
    unfed = sorted(
        (op for op in needed if op.type == "Placeholder"), key=lambda o: o._id
    )
    reads = []
    for op in sorted(needed, key=lambda o: o._id):
        if op.type == "VariableV2":
            reads.append(op.attrs["variable"])
        reads.extend(op.attrs.get("reads", ()))
        if op.type in ("AssignAdd", "AssignSub"):
            reads.append(op.attrs["variable"])
    writes = any(op.type in WRITERS for op in needed)
    return Plan(steps, unfed, list(dict.fromkeys(reads)), writes)


def _schedule(needed, fed, grad_steps, owner):
    """Topological order of execution units (Kahn, ties by creation order)."""

    def unit(op):
        return owner.get(op, op)

    deps = {}
    for op in needed:
        if op in owner:
            continue
        d = set()
        if op in grad_steps and grad_steps[op].owned:
            step = grad_steps[op]
            for xs, region in step.groups:
                members = set(region)
                for t in list(xs) + [g for g in op.attrs["grad_ys"] if g is not None]:
                    if t not in fed:
                        d.add(unit(t.op))
                for r in region:
                    d.update(
                        unit(t.op)
                        for t in r.inputs
                        if t not in fed and t.op not in members and t not in xs
                    )
                    d.update(unit(c) for c in r.control_inputs)
                for y in op.attrs["ys"]:
                    if y not in fed and y.op not in members:
                        d.add(unit(y.op))
        else:
            d.update(unit(t.op) for t in op.inputs if t not in fed)
            d.update(unit(c) for c in op.control_inputs)
        d.discard(op)
        deps[op] = d
    users: dict[Operation, list[Operation]] = {op: [] for op in deps}
    for op, d in deps.items():
        for p in d:
            users[p].append(op)
    remaining = {op: len(d) for op, d in deps.items()}
    heap = [(op._id, op) for op, n in remaining.items() if n == 0]
    heapq.heapify(heap)
    order = []
    while heap:
        _, op = heapq.heappop(heap)
        order.append(grad_steps.get(op, op) if op in grad_steps else op)
        for u in users[op]:
            remaining[u] -= 1
            if remaining[u] == 0:
                heapq.heappush(heap, (u._id, u))
    if len(order) != len(deps):
        return None
    return order
