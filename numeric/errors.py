"""The toolkit's error hierarchy, shared by both engines.

Everything raised for a user's mistake derives from :class:`ToolkitError` and
also from ``ValueError`` or ``TypeError``, so ``except ValueError`` works the
way Python users expect. The numeric side is the lower layer, so the base lives
here and ``symgraph.errors`` builds on it; no differentiation code is shared.
"""


class ToolkitError(Exception):
    """Base class of every error this toolkit raises for bad input."""


class ShapeError(ToolkitError, ValueError):
    """Operands whose shapes do not fit the operation (names the op and shapes)."""


class LimitError(ToolkitError, ValueError):
    """An input or a result exceeds a documented size or depth limit."""


class GradcheckError(ToolkitError, ValueError):
    """A gradient disagrees with central finite differences."""


class NonFiniteError(ToolkitError, ValueError):
    """A non-finite value appeared where the caller asked for it to be refused."""


class FeedError(ToolkitError, ValueError):
    """A placeholder is missing from a feed, or fed a value that does not fit."""


class CheckpointError(ToolkitError, ValueError):
    """A checkpoint is corrupt, truncated, or does not match the graph."""


class ArgumentError(ToolkitError, ValueError):
    """An argument has a value the operation does not accept (names the argument)."""


class DifferentiationError(ToolkitError, ValueError):
    """A gradient was asked for that the engine cannot give (names the reason)."""
