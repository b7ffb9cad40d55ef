"""Errors raised only by the deferred-graph layer.

They extend the shared hierarchy in :mod:`numeric.errors` (every class derives
from :class:`~numeric.errors.ToolkitError`), so ``except ValueError`` keeps
working; feeds, checkpoints, shapes and non-finite steps use the shared classes
``FeedError``, ``CheckpointError``, ``ShapeError`` and ``NonFiniteError``.
"""

from numeric.errors import ToolkitError


class GraphError(ToolkitError, ValueError):
    """A node used with a graph it does not belong to, or a misuse of graphs."""


class FailedPreconditionError(ToolkitError, ValueError):
    """A variable was read before it was initialized (TF1's error of that name)."""


class ClosedSessionError(ToolkitError, RuntimeError, ValueError):
    """A session was used after ``close()`` (TF1 raises ``RuntimeError`` here)."""
