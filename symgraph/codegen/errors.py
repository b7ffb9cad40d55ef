"""The code generator's error."""

from ..errors import ToolkitError

__all__ = ["CodegenError"]


class CodegenError(ToolkitError, ValueError):
    """A code-generation request that cannot be honoured (names the reason)."""
