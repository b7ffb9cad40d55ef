"""Sessions: evaluate the part of a graph that some fetches need, with numeric.

``Session.run`` works in three steps. It checks the feeds (every check happens
before anything runs or changes), builds a *plan* for the fetches (cached per
fetch list and fed set): the operations they need in topological order, where
each ``Gradients`` operation owns the forward operations between its ``xs``
and ``ys`` so they run once, on the numeric tape; then it executes the plan.
Values are ``numeric`` tensors or NumPy arrays (never written in place); each
op type is evaluated by the ``numeric`` function its
:class:`~numeric.graph.ops.OpDef` names, and gradients come from
``Tensor.backward`` in the numeric engine. Variable writes of a run are
buffered and committed only when the whole run succeeds.
"""

from __future__ import annotations

import heapq
from collections.abc import Mapping

import numpy as np

import numeric as nm
from numeric.errors import FeedError, NonFiniteError, ShapeError
from numeric.graph.errors import ClosedSessionError, FailedPreconditionError, GraphError
from numeric.graph.gradients import ancestors
from numeric.graph.graph import (
    Operation,
    Tensor,
    _state,
    dtype_name,
    float64,
    format_shape,
    get_default_graph,
    shape_fits,
)
from numeric.graph.ops import OPS

# ----- default session ------------------------------------------------------


def get_default_session():
    """The innermost session entered with ``with``, or None."""
    return _state.session_stack[-1] if _state.session_stack else None


def _session_for(graph, session):
    if session is None:
        session = get_default_session()
        if session is None:
            raise ValueError(
                "no default session: pass session=, or call inside "
                "`with G.Session() as sess:`"
            )
    if session.graph is not graph:
        raise GraphError("the session's graph is not the graph of this node")
    return session


class RunMetadata:
    """Filled by ``Session.run(..., run_metadata=...)``: ``executed_ops`` lists
    the names of the operations that ran, in order (each at most once)."""

    def __init__(self):
        self.executed_ops: list[str] = []


# ----- values -----------------------------------------------------------------


def _array(value):
    """The ndarray inside a numeric tensor (or the array itself)."""
    return np.asarray(getattr(value, "data", value))


def _to_value(out, dtype):
    """A value of the given dtype: numeric tensors and float64 arrays pass
    as they are (numeric takes both, without copying); integer results of
    numeric (which computes in float64) are rounded back to int64."""
    if dtype == float64:
        return out if hasattr(out, "data") else np.asarray(out, dtype=float64)
    arr = np.asarray(getattr(out, "data", out))
    if arr.dtype != dtype:
        arr = np.rint(arr).astype(dtype) if dtype.kind == "i" else arr.astype(dtype)
    return arr


def _fetch_value(value):
    arr = np.array(_array(value), copy=True)
    return arr[()] if arr.ndim == 0 else arr


# ----- fetch structures ---------------------------------------------------------


def _flatten(fetches, graph, leaves):
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
        parts = [_flatten(fetches[k], graph, leaves) for k in keys]
        kind = type(fetches)

        def rebuild(values):
            items = [(k, p(values)) for k, p in zip(keys, parts)]
            try:
                return kind(items)
            except TypeError:
                return dict(items)

        return rebuild
    if isinstance(fetches, tuple) and hasattr(fetches, "_fields"):
        parts = [_flatten(f, graph, leaves) for f in fetches]
        kind = type(fetches)
        return lambda values: kind(*[p(values) for p in parts])
    if isinstance(fetches, (list, tuple)):
        parts = [_flatten(f, graph, leaves) for f in fetches]
        kind = type(fetches)
        return lambda values: kind(p(values) for p in parts)
    raise TypeError(
        f"cannot fetch {type(fetches).__name__} {fetches!r}: fetches are tensors, "
        "operations, their names, or lists/tuples/dicts/namedtuples of them"
    )


def _by_name(graph, name):
    if ":" in name:
        return graph.get_tensor_by_name(name)
    return graph.get_operation_by_name(name)


# ----- plans ---------------------------------------------------------------------


class _GradStep:
    """One ``Gradients`` op: its forward region per group of ``xs``."""

    __slots__ = ("groups", "op", "owned")

    def __init__(self, op, groups, owned):
        self.op = op
        self.groups = groups  # list of (xs, region ops in topological order)
        self.owned = owned  # region ops whose outputs this step provides


class _Compute:
    """A registry op prepared for execution: the numeric function's name (looked
    up at each call), its keyword arguments and its inputs, resolved once."""

    __slots__ = (
        "custom",
        "dtype",
        "fn",
        "inputs",
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

    def __call__(self, args):
        if self.custom is not None:
            return self.custom(nm, args, self.op.attrs)
        return getattr(nm, self.fn)(*args, **self.kwargs)


def _compiled(op):
    return _Compute(op) if op.type in OPS else op


class _Plan:
    __slots__ = ("reads", "steps", "unfed")

    def __init__(self, steps, unfed, reads):
        self.steps = steps
        self.unfed = unfed
        self.reads = reads


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
        if op.type not in OPS:
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


def _build_plan(targets, fed):
    needed = _needed_ops(targets, fed)
    grad_steps, owner = {}, {}
    for op in sorted(needed, key=lambda o: o._id):
        if op.type != "Gradients":
            continue
        xs, ys = op.attrs["xs"], op.attrs["ys"]
        if _nested(xs, fed):
            groups = [((x,), _region(ys, (x,), fed)) for x in xs]
            grad_steps[op] = _GradStep(op, groups, set())
        else:
            region = _region(ys, xs, fed)
            owned = {r for r in region if r in needed and r not in owner}
            for r in owned:
                owner[r] = op
            grad_steps[op] = _GradStep(op, [(xs, region)], owned)
    steps = _schedule(needed, fed, grad_steps, owner)
    if steps is None:  # a cycle between gradient steps: own nothing
        for step in grad_steps.values():
            step.owned = set()
        steps = _schedule(needed, fed, grad_steps, {})
    for step in grad_steps.values():
        step.groups = [
            (xs, [_Compute(r) for r in region]) for xs, region in step.groups
        ]
    steps = [s if isinstance(s, _GradStep) else _compiled(s) for s in steps]
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
    return _Plan(steps, unfed, list(dict.fromkeys(reads)))


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
    users = {op: [] for op in deps}
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


# ----- the session -----------------------------------------------------------------


class Session:
    """Runs operations of one graph and holds its variables' values.

    Parameters
    ----------
    graph : Graph, optional
        The default graph when None.

    Inside ``with G.Session() as sess:`` the session is the default one (so
    ``tensor.eval()`` and ``op.run()`` work) and its graph the default graph;
    leaving the block closes the session.

    Examples
    --------
    >>> import numeric.graph as G
    >>> with G.Graph().as_default():
    ...     x = G.placeholder((None, 2), name="x")
    ...     y = G.reduce_sum(x * 2.0)
    ...     with G.Session() as sess:
    ...         print(sess.run(y, feed_dict={x: [[1.0, 2.0]]}))
    6.0
    """

    def __init__(self, graph=None):
        self.graph = graph if graph is not None else get_default_graph()
        self._values: dict = {}
        self._plans: dict = {}
        self._closed = False
        self._graph_ctx = None

    # -- context --
    def __enter__(self):
        self._check_open()
        _state.session_stack.append(self)
        self._graph_ctx = self.graph.as_default()
        self._graph_ctx.__enter__()
        return self

    def __exit__(self, *exc):
        self._graph_ctx.__exit__(*exc)
        self._graph_ctx = None
        _state.session_stack.pop()
        self.close()
        return False

    def as_default(self):
        """Make this the default session without closing it on exit."""
        import contextlib

        @contextlib.contextmanager
        def ctx():
            _state.session_stack.append(self)
            try:
                with self.graph.as_default():
                    yield self
            finally:
                _state.session_stack.pop()

        return ctx()

    def close(self):
        """Free the variables' values; any later use of the session raises."""
        self._closed = True
        self._values = {}
        self._plans = {}

    def _check_open(self):
        if self._closed:
            raise ClosedSessionError("Attempted to use a closed Session.")

    # -- variable state (used by the Saver) --
    def _is_initialized(self, var):
        return var in self._values

    def _read_variable(self, var):
        try:
            return self._values[var]
        except KeyError:
            raise FailedPreconditionError(
                f"Attempting to use uninitialized value {var.op.name}"
            ) from None

    def _assign_all(self, values):
        """Set several variables at once (values already checked)."""
        self._check_open()
        for var, value in values.items():
            self._values[var] = value

    # -- run --
    def run(self, fetches, feed_dict=None, run_metadata=None):
        """Evaluate ``fetches`` (a tensor, an operation, a name, or nested
        lists/tuples/dicts/namedtuples of them) and return the same structure
        with values (ndarrays or NumPy scalars; ``None`` for operations).

        Only the operations the fetches need run, each once. Feeds are checked
        first: nothing runs and no variable changes when a feed is wrong, a
        needed placeholder is unfed or a needed variable is uninitialized.

        Raises
        ------
        FeedError, FailedPreconditionError, ClosedSessionError, GraphError
        """
        self._check_open()
        leaves: list = []
        rebuild = _flatten(fetches, self.graph, leaves)
        for leaf in leaves:
            if leaf.graph is not self.graph:
                raise GraphError(
                    f"fetch {leaf.name} is not an element of this session's graph"
                )
        feeds = self._check_feeds(feed_dict)
        key = (tuple(leaves), frozenset(feeds))
        plan = self._plans.get(key)
        if plan is None:
            plan = _build_plan(leaves, feeds)
            self._plans[key] = plan
        if plan.unfed:
            raise FeedError(
                "; ".join(
                    f"You must feed a value for placeholder tensor '{op.name}' "
                    f"with dtype {dtype_name(op.outputs[0].dtype)} and shape "
                    f"{format_shape(op.outputs[0]._shape)}"
                    for op in plan.unfed
                )
            )
        missing = [v for v in plan.reads if v not in self._values]
        if missing:
            raise FailedPreconditionError(
                "Attempting to use uninitialized value "
                + ", ".join(v.op.name for v in missing)
            )
        values = {t: _to_value(v, t.dtype) for t, v in feeds.items()}
        pending: dict = {}
        executed = run_metadata.executed_ops if run_metadata is not None else None
        for step in plan.steps:
            if type(step) is _Compute:  # most steps: one numeric function call
                out = step([values[t] for t in step.inputs])
                values[step.output] = (
                    out if step.is_float else _to_value(out, step.dtype)
                )
                if executed is not None:
                    executed.append(step.name)
            elif type(step) is _GradStep:
                self._run_gradients(step, values, pending, executed)
            else:
                self._run_op(step, values, pending)
                if executed is not None:
                    executed.append(step.name)
        self._values.update(pending)
        results = [
            None if isinstance(leaf, Operation) else _fetch_value(values[leaf])
            for leaf in leaves
        ]
        return rebuild(results)

    def _check_feeds(self, feed_dict):
        feeds = {}
        if not feed_dict:
            return feeds
        for key, value in feed_dict.items():
            if isinstance(key, str):
                try:
                    key = self.graph.get_tensor_by_name(key)
                except (KeyError, ValueError) as exc:
                    raise FeedError(f"cannot feed {key!r}: {exc}") from None
            if isinstance(key, Operation):
                raise FeedError(
                    f"cannot feed operation {key.name!r}; feed one of its tensors"
                )
            if not isinstance(key, Tensor):
                raise FeedError(f"feed_dict keys must be graph tensors, not {key!r}")
            if key.graph is not self.graph:
                raise FeedError(
                    f"cannot feed {key.name}: it is not an element of this "
                    "session's graph"
                )
            feeds[key] = _check_feed_value(key, value)
        return feeds

    def _read(self, var, pending):
        return pending[var] if var in pending else self._values[var]

    def _run_op(self, op, values, pending):
        kind = op.type
        if kind == "Const":
            values[op.outputs[0]] = op.attrs["value"]  # read-only array
        elif kind == "VariableV2":
            var = op.attrs["variable"]
            values[var] = self._read(var, pending)
        elif kind in ("Assign", "AssignAdd", "AssignSub"):
            var = op.attrs["variable"]
            new = _array(values[op.inputs[0]])
            if kind == "AssignAdd":
                new = self._read(var, pending) + new
            elif kind == "AssignSub":
                new = self._read(var, pending) - new
            if not shape_fits(new.shape, var._shape):
                raise ShapeError(
                    f"{op.name}: value of shape {format_shape(new.shape)} does not "
                    f"fit variable {var.op.name} of shape {format_shape(var._shape)}"
                )
            new = np.array(new, dtype=var.dtype, copy=True)
            pending[var] = new
            values[op.outputs[0]] = _to_value(new, var.dtype)
        elif kind == "NoOp":
            pass
        elif kind == "ApplyGradients":
            self._apply_gradients(op, values, pending)
        elif kind == "Placeholder":  # unreachable: unfed placeholders fail first
            raise FeedError(f"You must feed a value for placeholder tensor '{op.name}'")
        else:  # registry ops and Gradients ops run as _Compute and _GradStep
            raise AssertionError(f"{op.name}: op type {kind} has no runner")

    def _run_gradients(self, step, values, pending, executed):
        op = step.op
        ys, grad_ys = op.attrs["ys"], op.attrs["grad_ys"]
        grads = {}
        for xs, region in step.groups:
            env = {}
            for x in xs:
                env[x] = nm.tensor(_array(values[x]), requires_grad=True)  # copies
            owned = step.owned
            for r in region:
                out = r([env[t] if t in env else values[t] for t in r.inputs])
                env[r.output] = out
                if r.op in owned:
                    values[r.output] = out if r.is_float else _to_value(out, r.dtype)
                    if executed is not None:
                        executed.append(r.name)
            roots, cotangents = [], []
            for y, gy in zip(ys, grad_ys):
                if y not in env:
                    continue  # y does not depend on these xs
                ct = np.ones(np.shape(_array(env[y]))) if gy is None else values[gy]
                roots.append(env[y])
                cotangents.append(_array(ct))
            if len(roots) == 1:
                roots[0].backward(cotangents[0])
            elif roots:
                # d(sum_i <y_i, ct_i>): one backward pass through every y
                total = nm.sum(nm.multiply(roots[0], cotangents[0]))
                for y, ct in zip(roots[1:], cotangents[1:]):
                    total = nm.add(total, nm.sum(nm.multiply(y, ct)))
                total.backward()
            for x in xs:
                g = env[x].grad
                # backward() leaves a fresh float64 array in .grad
                grads[x] = (
                    np.zeros(np.shape(_array(env[x]))) if g is None else _array(g)
                )
        for x, out in zip(op.attrs["xs"], op.outputs):
            values[out] = grads[x]  # numeric functions take arrays as well
        if executed is not None:
            executed.append(op.name)

    def _apply_gradients(self, op, values, pending):
        opt = op.attrs["optimizer"]
        var_list = op.attrs["variables"]
        grads = [_array(values[t]) for t in op.inputs[: len(var_list)]]
        bad = [v.op.name for v, g in zip(var_list, grads) if not np.all(np.isfinite(g))]
        if bad:
            raise NonFiniteError(
                f"{op.name}: non-finite gradient for {', '.join(bad)}; the step "
                "was refused and no variable or optimizer slot changed"
            )
        lr = op.attrs.get("learning_rate")
        if isinstance(lr, Tensor):
            lr = float(_array(values[lr]))
        updates = opt._updates(op, grads, lambda v: self._read(v, pending), lr)
        step = op.attrs.get("global_step")
        if step is not None:
            updates[step] = np.array(self._read(step, pending) + 1, dtype=step.dtype)
        pending.update(updates)


def _check_feed_value(key, value):
    """The fed value as an array of the tensor's dtype, or a FeedError naming it."""
    expected = format_shape(key._shape)
    if isinstance(value, (Tensor, Operation)):
        raise FeedError(
            f"cannot feed {key.name} with graph node {value.name}: feed values "
            "must be numbers or arrays"
        )
    try:
        arr = np.asarray(value)
    except (ValueError, TypeError) as exc:
        raise FeedError(
            f"cannot feed {key.name} (expected numbers of shape {expected}): {exc}"
        ) from None
    if arr.dtype.kind not in "biuf":
        raise FeedError(
            f"cannot feed {key.name} (expected {dtype_name(key.dtype)} numbers of "
            f"shape {expected}) with a non-numeric value of dtype {arr.dtype}"
        )
    if not shape_fits(arr.shape, key._shape):
        raise FeedError(
            f"Cannot feed value of shape {format_shape(arr.shape)} for Tensor "
            f"'{key.name}', which has shape {expected}"
        )
    if key.dtype.kind == "i" and arr.dtype.kind == "f" and not _is_integral(arr):
        raise FeedError(
            f"cannot feed {key.name} (int64, shape {expected}) with non-integer values"
        )
    return np.asarray(arr, dtype=key.dtype)  # numeric.tensor copies float data


def _is_integral(arr):
    return bool(np.all(np.isfinite(arr)) and np.all(arr == np.round(arr)))
