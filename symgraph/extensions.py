"""Extensions that take over public functions for node types of their own.

The matrix-calculus engine (``symgraph.tensor``) has its own nodes; ``grad``,
``evaluate``, ``lambdify``, ``codegen``, ``check``, ``verify``, ``parse``
(with ``shapes=``), ``backprop_table`` and the elementwise, convolution and
pooling functions hand a tensor expression to it. They ask the stand-in here
(``tensor.involved(...)``), which the extension fills when it is imported, so
the scalar modules never import the extension and the import graph has no
cycle.
"""

from __future__ import annotations

from typing import Any

__all__ = ["register", "tensor"]


class Extension:
    """The stand-in for one extension: ``involved`` is False until it registers,
    then each attribute is the extension's own."""

    def __init__(self, name: str):
        self.name = name
        self.impl: Any = None

    def involved(self, *objs: Any) -> bool:
        """Whether the extension claims any of ``objs`` (one of its nodes)."""
        return self.impl is not None and bool(self.impl.involved(*objs))

    def __getattr__(self, attr: str) -> Any:
        impl = self.__dict__.get("impl")
        if impl is None:
            raise RuntimeError(f"symgraph's {self.name} extension is not loaded")
        return getattr(impl, attr)


tensor = Extension("tensor")


def register(name: str, impl: Any) -> None:
    """Install the module ``impl`` (with ``involved`` and the functions it
    takes over) as the extension ``name``."""
    {"tensor": tensor}[name].impl = impl
