"""symgraph's errors, all under the toolkit's common base class.

The base :class:`~numeric.errors.ToolkitError` lives in the lower layer
(``numeric.errors``); each class here is also a ``ValueError`` or ``TypeError``.
"""

from numeric.errors import LimitError, ShapeError, ToolkitError

__all__ = [
    "DomainError",
    "LimitError",
    "NotASymbolError",
    "ParseError",
    "ShapeError",
    "SymbolNameError",
    "SympyConversionError",
    "ToolkitError",
    "UnboundSymbolError",
]


class ParseError(ToolkitError, ValueError):
    """An expression string that does not parse.

    ``position`` is the 0-based offset in the text where the problem was
    found, ``reason`` says what was wrong there.
    """

    def __init__(
        self, reason: str, position: int | None = None, text: str | None = None
    ):
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


class UnboundSymbolError(ToolkitError, ValueError):
    """Evaluation with a symbol that was given no value."""


class SympyConversionError(ToolkitError, TypeError):
    """A SymPy expression that has no symgraph counterpart."""


class SymbolNameError(ToolkitError, ValueError):
    """A symbol or display name that is not a plain identifier (or is a keyword)."""


class DomainError(ToolkitError, ValueError):
    """No point was found where an expression is finite (e.g. log of a negative)."""
