"""symgraph's errors: one base class, each error also a ValueError or TypeError.

Every error symgraph raises for a user's mistake derives from
:class:`ToolkitError` and from ``ValueError`` or ``TypeError``, so
``except ValueError`` works the way Python users expect. The numeric engine
has its own hierarchy of the same shape (``numeric.errors``): the two engines
share no code, errors included.
"""

from __future__ import annotations

__all__ = [
    "DomainError",
    "DuplicateSymbolError",
    "LimitError",
    "NotASymbolError",
    "ParseError",
    "ShapeError",
    "SymbolNameError",
    "SympyConversionError",
    "TimeBudgetError",
    "ToolkitError",
    "UnboundSymbolError",
    "UndefinedGradientError",
]


class ToolkitError(Exception):
    """Base class of every error symgraph raises for bad input."""


class ShapeError(ToolkitError, ValueError):
    """Operands whose shapes do not fit the operation (names the op and shapes)."""


class LimitError(ToolkitError, ValueError):
    """An input or a result exceeds a documented size or depth limit."""


class ParseError(ToolkitError, ValueError):
    """An expression string that does not parse.

    ``position`` is the 0-based offset in the text where the problem was
    found, ``reason`` says what was wrong there.
    """

    def __init__(
        self, reason: str, position: int | None = None, text: str | None = None
    ) -> None:
        self.reason = reason
        self.position = position
        self.text = text
        where = "" if position is None else f" at position {position}"
        message = f"{reason}{where}"
        if text is not None and position is not None and len(text) <= 200:
            message += f"\n  {text}\n  {' ' * position}^"
        super().__init__(message)


class NotASymbolError(ToolkitError, TypeError):
    """Differentiation with respect to something that is not a symbol."""


class DuplicateSymbolError(ToolkitError, ValueError):
    """A symbol given twice where each variable must appear once."""


class UnboundSymbolError(ToolkitError, ValueError):
    """Evaluation with a symbol that was given no value."""


class SympyConversionError(ToolkitError, TypeError):
    """A SymPy expression that has no symgraph counterpart."""


class SymbolNameError(ToolkitError, ValueError):
    """A symbol or display name that is not a plain identifier (or is a keyword)."""


class DomainError(ToolkitError, ValueError):
    """No point was found where an expression is finite (e.g. log of a negative)."""


class UndefinedGradientError(ToolkitError, ValueError):
    """A gradient through an argument the op cannot be differentiated in.

    The op's declaration marks that partial ``UNDEFINED``; the error names the
    op and the argument. It is never taken as zero.
    """


class TimeBudgetError(ToolkitError, ValueError):
    """A symbolic step ran out of its time budget (names the step and budget)."""
