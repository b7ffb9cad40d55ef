"""Sessions: evaluate the part of a graph that some fetches need, with numeric.

``Session.run`` works in three steps. It checks the feeds (every check happens
before anything runs or changes, :mod:`numeric.graph.feeds`), takes the cached
*plan* for the fetches (:mod:`numeric.graph.plan`), then executes the plan.
Values are ``numeric`` tensors or NumPy arrays (never written in place); each
op type is evaluated by the ``numeric`` function its
:class:`~numeric.graph.op_registry.OpDef` names, and gradients come from
``Tensor.backward`` in the numeric engine. Variable writes of a run are
buffered and committed only when the whole run succeeds.
"""

from __future__ import annotations

import contextlib

import numpy as np

import numeric as nm
from numeric.errors import FeedError, NonFiniteError, ShapeError
from numeric.graph.dtypes import dtype_name, float64, int64
from numeric.graph.errors import ClosedSessionError, FailedPreconditionError, GraphError
from numeric.graph.feeds import check_feeds
from numeric.graph.graph import (
    Operation,
    Tensor,
    _state,
    get_default_graph,
    get_default_session,
)
from numeric.graph.intmath import as_int64, checked_int, exact_int64
from numeric.graph.plan import Compute, GradStep, build_plan, flatten_fetches
from numeric.graph.shapes import format_shape, shape_fits

__all__ = ["RunMetadata", "Session", "get_default_session"]


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
    as they are (numeric takes both, without copying); integer values are
    int64 already (exact kernels, checked feeds and writes), and a float that
    reached an integer node is converted only when exact."""
    if dtype == float64:
        return out if hasattr(out, "data") else np.asarray(out, dtype=float64)
    arr = np.asarray(getattr(out, "data", out))
    if arr.dtype == dtype:
        return arr
    if dtype == int64:
        return exact_int64(arr, "int64 value")
    return arr.astype(dtype)


def _add(op, var, old, delta, subtract=False):
    """``old + delta`` (or ``old - delta``) for a variable update; exact for an
    int64 variable, whose overflow is refused naming the op and the variable."""
    if var.dtype != int64:
        return old - delta if subtract else old + delta
    what = f"{op.name} on variable {var.op.name}"
    old, delta = as_int64(old), as_int64(delta)
    if subtract:
        return checked_int(what, np.subtract, np.add, old, delta)
    return checked_int(what, np.add, np.add, old, delta)


def _fetch_value(value):
    arr = np.array(_array(value), copy=True)
    return arr[()] if arr.ndim == 0 else arr


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
        rebuild = flatten_fetches(fetches, self.graph, leaves)
        for leaf in leaves:
            if leaf.graph is not self.graph:
                raise GraphError(
                    f"fetch {leaf.name} is not an element of this session's graph"
                )
        feeds = check_feeds(self.graph, feed_dict)
        key = (tuple(leaves), frozenset(feeds))
        plan = self._plans.get(key)
        if plan is None:
            plan = build_plan(leaves, feeds)
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
            if type(step) is Compute:  # most steps: one numeric function call
                out = step([values[t] for t in step.inputs])
                values[step.output] = (
                    out if step.is_float else _to_value(out, step.dtype)
                )
                if executed is not None:
                    executed.append(step.name)
            elif type(step) is GradStep:
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
            if kind != "Assign":
                new = _add(op, var, self._read(var, pending), new, kind == "AssignSub")
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
        else:  # registry ops and Gradients ops run as Compute and GradStep
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
            updates[step] = _add(op, step, self._read(step, pending), 1)
        pending.update(updates)
