"""Execution of one plan: the values of one ``Session.run``.

:func:`execute` walks a plan's steps with the run's own dictionaries: the
values computed so far, the variable writes waiting to be committed
(``pending``), and the variable state it reads (the session's, or a snapshot
of it). Nothing here is shared between runs, except the numeric tape's global
recording switch, which :data:`TAPE_LOCK` guards. Optimizer steps are checked
here: a non-finite gradient, or an update that would make any variable or
optimizer slot non-finite, raises ``NonFiniteError`` before anything is
written, so the whole step is refused.
"""

from __future__ import annotations

import threading

import numpy as np

import numeric as nm
from numeric.errors import FeedError, NonFiniteError, ShapeError
from numeric.graph.dtypes import float64, int64
from numeric.graph.graph import Tensor
from numeric.graph.intmath import as_int64, checked_int, exact_int64
from numeric.graph.op_registry import HOST_KERNELS, RANDOM_KERNELS
from numeric.graph.plan import Compute, GradStep
from numeric.graph.shapes import format_shape, shape_fits

# numeric keeps its tape's recording switch in one process-wide object
# (numeric.tape._STATE): a backward pass turns recording off while it runs, so
# a second thread's forward pass at that moment would not be recorded and its
# gradient would be lost. Graph gradients therefore run one at a time, in every
# session of the process: the forward region and its backward pass hold this lock.
TAPE_LOCK = threading.Lock()


# ----- values -----------------------------------------------------------------


def as_array(value) -> np.ndarray:
    """The ndarray inside a numeric tensor (or the array itself)."""
    return np.asarray(getattr(value, "data", value))


def to_value(out, dtype):
    """A value of the given dtype: numeric tensors and float64 arrays pass
    as they are (numeric takes both, without copying); integer values are
    int64 already (exact kernels, checked feeds and writes), and a float that
    reached an integer node is converted only when exact."""
    if dtype == float64:
        return out if hasattr(out, "data") else np.asarray(out, dtype=float64)
    arr = as_array(out)
    if arr.dtype == dtype:
        return arr
    if dtype == int64:
        return exact_int64(arr, "int64 value")
    return arr.astype(dtype)


def updated(op, var, old, delta, subtract=False):
    """``old + delta`` (or ``old - delta``) for a variable update; exact for an
    int64 variable, whose overflow is refused naming the op and the variable."""
    if var.dtype != int64:
        return old - delta if subtract else old + delta
    what = f"{op.name} on variable {var.op.name}"
    old, delta = as_int64(old), as_int64(delta)
    if subtract:
        return checked_int(what, np.subtract, np.add, old, delta)
    return checked_int(what, np.add, np.add, old, delta)


# ----- random streams -------------------------------------------------------------


class RandomStreams:
    """The random generators of one session: one per random op, made at the
    op's first draw, from its ``seeds`` attribute (graph seed, op seed) when
    it has one, else from fresh entropy. A new session starts every seeded
    sequence again, as TF1's does. Draws hold a lock: two threads never draw
    the same numbers."""

    def __init__(self) -> None:
        self._generators: dict = {}
        self._lock = threading.Lock()

    def draw(self, op, kernel, arrays) -> np.ndarray:
        with self._lock:
            rng = self._generators.get(op)
            if rng is None:
                seeds = op.attrs.get("seeds")
                rng = np.random.default_rng(None if seeds is None else list(seeds))
                self._generators[op] = rng
            return np.asarray(kernel(arrays, op.attrs, rng))


# ----- one run ------------------------------------------------------------------


class Run:
    """The state of one ``Session.run``: ``values`` by tensor, ``pending``
    variable writes, the variable ``state`` it reads, the executed op names,
    the session's random ``streams`` and the random values ``drawn`` so far
    (a random op draws once per run, however many steps need it)."""

    __slots__ = ("drawn", "executed", "pending", "state", "streams", "values")

    def __init__(
        self,
        feeds: dict,
        state: dict,
        executed: list[str] | None,
        streams: RandomStreams | None = None,
    ) -> None:
        self.values = {t: to_value(v, t.dtype) for t, v in feeds.items()}
        self.pending: dict = {}
        self.state = state
        self.executed = executed
        self.streams = streams if streams is not None else RandomStreams()
        self.drawn: dict = {}

    def read(self, var):
        return self.pending[var] if var in self.pending else self.state[var]

    def done(self, name):
        if self.executed is not None:
            self.executed.append(name)


def host_output(op, arrays, run) -> np.ndarray:
    """The value of a host or random op from its inputs' arrays."""
    kind = op.type
    if kind in RANDOM_KERNELS:
        out = run.drawn.get(op)
        if out is None:
            out = run.streams.draw(op, RANDOM_KERNELS[kind], arrays)
            run.drawn[op] = out
        return out
    return np.asarray(HOST_KERNELS[kind](arrays, op.attrs))


def execute(plan, feeds, state, executed=None, streams=None) -> Run:
    """Run ``plan``'s steps; return the run (values, pending writes)."""
    run = Run(feeds, state, executed, streams)
    values = run.values
    for step in plan.steps:
        if type(step) is Compute:  # most steps: one numeric function call
            out = step([values[t] for t in step.inputs])
            values[step.output] = out if step.is_float else to_value(out, step.dtype)
        elif type(step) is GradStep:
            with TAPE_LOCK:
                _run_gradients(step, run)
            continue  # it names its own ops
        else:
            _run_op(step, run)
        if executed is not None:
            executed.append(step.name)
    return run


def _run_op(op, run):
    kind = op.type
    values = run.values
    if kind == "Const":
        values[op.outputs[0]] = op.attrs["value"]  # read-only array
    elif kind == "VariableV2":
        var = op.attrs["variable"]
        values[var] = run.read(var)
    elif kind in ("Assign", "AssignAdd", "AssignSub"):
        var = op.attrs["variable"]
        new = as_array(values[op.inputs[0]])
        if kind != "Assign":
            new = updated(op, var, run.read(var), new, kind == "AssignSub")
        if not shape_fits(new.shape, var._shape):
            raise ShapeError(
                f"{op.name}: value of shape {format_shape(new.shape)} does not "
                f"fit variable {var.op.name} of shape {format_shape(var._shape)}"
            )
        new = np.array(new, dtype=var.dtype, copy=True)
        run.pending[var] = new
        values[op.outputs[0]] = to_value(new, var.dtype)
    elif kind == "NoOp":
        pass
    elif kind == "ApplyGradients":
        _apply_gradients(op, run)
    elif kind in HOST_KERNELS or kind in RANDOM_KERNELS:
        arrays = [as_array(values[t]) for t in op.inputs]
        out = host_output(op, arrays, run)
        values[op.outputs[0]] = to_value(out, op.outputs[0].dtype)
    elif kind == "Placeholder":  # unreachable: unfed placeholders fail first
        raise FeedError(f"You must feed a value for placeholder tensor '{op.name}'")
    else:  # registry ops and Gradients ops run as Compute and GradStep
        raise AssertionError(f"{op.name}: op type {kind} has no runner")


def _run_gradients(step, run):
    op, values = step.op, run.values
    ys, grad_ys = op.attrs["ys"], op.attrs["grad_ys"]
    grads = {}
    for xs, region in step.groups:
        env = {}
        for x in xs:
            env[x] = nm.tensor(as_array(values[x]), requires_grad=True)  # copies
        owned = step.owned
        for r in region:
            args = [env[t] if t in env else values[t] for t in r.inputs]
            if type(r) is Compute:
                out = r(args)
            else:  # not differentiable: a constant to the tape
                out = host_output(r.op, [as_array(a) for a in args], run)
                out = to_value(out, r.dtype)
            env[r.output] = out
            if r.op in owned:
                values[r.output] = out if r.is_float else to_value(out, r.dtype)
                run.done(r.name)
        roots, cotangents = [], []
        for y, gy in zip(ys, grad_ys):
            if y not in env:
                continue  # y does not depend on these xs
            ct = np.ones(np.shape(as_array(env[y]))) if gy is None else values[gy]
            roots.append(env[y])
            cotangents.append(as_array(ct))
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
                np.zeros(np.shape(as_array(env[x]))) if g is None else as_array(g)
            )
    for x, out in zip(op.attrs["xs"], op.outputs):
        values[out] = grads[x]  # numeric functions take arrays as well
    run.done(op.name)


def _apply_gradients(op, run):
    """One optimizer step, all or nothing: every new value (variables, slots,
    Adam's powers, the global step) is computed and checked before any of them
    joins the run's pending writes."""
    opt = op.attrs["optimizer"]
    var_list = op.attrs["variables"]
    grads = [as_array(run.values[t]) for t in op.inputs[: len(var_list)]]
    bad = [v.op.name for v, g in zip(var_list, grads) if not np.isfinite(g).all()]
    if bad:
        raise NonFiniteError(
            f"{op.name}: non-finite gradient for {', '.join(bad)}; the step "
            "was refused and no variable or optimizer slot changed"
        )
    lr = op.attrs.get("learning_rate")
    if isinstance(lr, Tensor):
        lr = float(as_array(run.values[lr]))
    with np.errstate(all="ignore"):  # overflow and 0/0 are reported below
        updates = opt._updates(op, grads, run.read, lr)
    bad = [
        v.op.name
        for v, new in updates.items()
        if v.dtype == float64 and not np.isfinite(new).all()
    ]
    if bad:
        raise NonFiniteError(
            f"{op.name}: the update of {', '.join(bad)} is not finite (learning "
            f"rate {lr!r}; an overflow, a 0/0 or a degenerate hyperparameter); "
            "the step was refused and no variable or optimizer slot changed"
        )
    step = op.attrs.get("global_step")
    if step is not None:
        updates[step] = updated(op, step, run.read(step), 1)
    run.pending.update(updates)
