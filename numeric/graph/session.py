"""Sessions: evaluate the part of a graph that some fetches need, with numeric.

``Session.run`` works in three steps. It checks the feeds (every check happens
before anything runs or changes, :mod:`numeric.graph.feeds`), takes the cached
*plan* for the fetches (:mod:`numeric.graph.plan`), then executes the plan
(:mod:`numeric.graph.execute`). Variable writes of a run are buffered and
committed only when the whole run succeeds.

A session may be used from several threads at once, like TF1's. Each run keeps
its values to itself; a run that writes variables holds the session's lock
from its first read to its commit, so concurrent training steps serialize and
none is lost, and a run that only reads takes a consistent snapshot of the
variables under the same lock, then computes without it.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Iterator, Mapping
from typing import Any, Literal

import numpy as np

from numeric.errors import FeedError
from numeric.graph.dtypes import dtype_name
from numeric.graph.errors import ClosedSessionError, FailedPreconditionError, GraphError
from numeric.graph.execute import RandomStreams, as_array, execute
from numeric.graph.feeds import check_feeds
from numeric.graph.graph import (
    Graph,
    Operation,
    _state,
    get_default_graph,
)
from numeric.graph.plan import build_plan, flatten_fetches
from numeric.graph.shapes import format_shape

__all__ = ["RunMetadata", "Session", "get_default_session"]


class RunMetadata:
    """Filled by ``Session.run(..., run_metadata=...)``: ``executed_ops`` lists
    the names of the operations that ran, in order (each at most once)."""

    def __init__(self) -> None:
        self.executed_ops: list[str] = []


def _fetch_value(value):
    arr = np.array(as_array(value), copy=True)
    return arr[()] if arr.ndim == 0 else arr


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

    def __init__(self, graph: Graph | None = None) -> None:
        self.graph = graph if graph is not None else get_default_graph()
        self._values: dict = {}
        self._plans: dict = {}
        self._closed = False
        self._graph_ctx: contextlib.AbstractContextManager[Graph] | None = None
        self._lock = threading.RLock()  # guards _values and _closed
        self._streams = RandomStreams()  # the random ops' generators

    # -- context --
    def __enter__(self) -> Session:
        self._check_open()
        _state.session_stack.append(self)
        self._graph_ctx = self.graph.as_default()
        self._graph_ctx.__enter__()
        return self

    def __exit__(self, *exc: Any) -> Literal[False]:
        assert self._graph_ctx is not None  # entered by __enter__
        self._graph_ctx.__exit__(*exc)
        self._graph_ctx = None
        _state.session_stack.pop()
        self.close()
        return False

    def as_default(self) -> contextlib.AbstractContextManager[Session]:
        """Make this the default session without closing it on exit."""

        @contextlib.contextmanager
        def ctx() -> Iterator[Session]:
            _state.session_stack.append(self)
            try:
                with self.graph.as_default():
                    yield self
            finally:
                _state.session_stack.pop()

        return ctx()

    def close(self) -> None:
        """Free the variables' values; any later use of the session raises."""
        with self._lock:
            self._closed = True
            self._values = {}
            self._plans = {}
            self._streams = RandomStreams()

    def _check_open(self):
        if self._closed:
            raise ClosedSessionError("Attempted to use a closed Session.")

    # -- variable state (used by the Saver and Variable.load) --
    def _is_initialized(self, var):
        return var in self._values

    def _read_variable(self, var):
        return self._read_variables([var])[0]

    def _read_variables(self, variables):
        """The values of ``variables``, all read at one moment."""
        with self._lock:
            self._check_open()
            missing = [v.op.name for v in variables if v not in self._values]
            if missing:
                raise FailedPreconditionError(
                    "Attempting to use uninitialized value " + ", ".join(missing)
                )
            return [self._values[v] for v in variables]

    def _assign_all(self, values):
        """Set several variables at once (values already checked)."""
        with self._lock:
            self._check_open()
            self._values.update(values)

    # -- run --
    def run(
        self,
        fetches: Any,
        feed_dict: Mapping[Any, Any] | None = None,
        run_metadata: RunMetadata | None = None,
    ) -> Any:
        """Evaluate ``fetches`` (a tensor, an operation, a name, or nested
        lists/tuples/dicts/namedtuples of them) and return the same structure
        with values (ndarrays or NumPy scalars; ``None`` for operations).

        Only the operations the fetches need run, each once. Feeds are checked
        first: nothing runs and no variable changes when a feed is wrong, a
        needed placeholder is unfed or a needed variable is uninitialized.
        Safe to call from several threads at once.

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
        if plan is None:  # plans are immutable: two threads may build one each
            plan = self._plans.setdefault(key, build_plan(leaves, feeds))
        if plan.unfed:
            raise FeedError(
                "; ".join(
                    f"You must feed a value for placeholder tensor '{op.name}' "
                    f"with dtype {dtype_name(op.outputs[0].dtype)} and shape "
                    f"{format_shape(op.outputs[0]._shape)}"
                    for op in plan.unfed
                )
            )
        executed = run_metadata.executed_ops if run_metadata is not None else None
        if plan.writes:
            with self._lock:
                self._check_open()
                self._check_initialized(plan, self._values)
                run = execute(plan, feeds, self._values, executed, self._streams)
                self._values.update(run.pending)
        else:
            with self._lock:
                self._check_open()
                snapshot = {v: self._values[v] for v in plan.reads if v in self._values}
            self._check_initialized(plan, snapshot)
            run = execute(plan, feeds, snapshot, executed, self._streams)
        results = [
            None if isinstance(leaf, Operation) else _fetch_value(run.values[leaf])
            for leaf in leaves
        ]
        return rebuild(results)

    @staticmethod
    def _check_initialized(plan, state):
        missing = [v for v in plan.reads if v not in state]
        if missing:
            raise FailedPreconditionError(
                "Attempting to use uninitialized value "
                + ", ".join(v.op.name for v in missing)
            )


def get_default_session() -> Session | None:
    """The innermost session entered with ``with`` (or ``as_default()``) in
    this thread, or None."""
    return _state.session_stack[-1] if _state.session_stack else None
