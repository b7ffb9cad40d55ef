"""The light face of the SymPy bridge: ``from_sympy`` / ``to_sympy`` that load
SymPy (and ``sympy_bridge``) only when first called.

``import symgraph`` and everything that needs no SymPy (building, the
gradient, evaluation, the parser, generated code) start without importing
it. This module also teaches :func:`symgraph.node.as_node` to accept SymPy
expressions and gives nodes their ``to_sympy`` method, by registering hooks,
so the node layer never imports the bridge.
"""

from __future__ import annotations

import sys
from typing import Any

from . import node as _node
from .node import Node

__all__ = ["from_sympy", "to_sympy"]


def from_sympy(expr: Any, leaves: dict | None = None) -> Node:
    """The symgraph node of a SymPy expression.

    Parameters
    ----------
    expr : sympy.Basic (or a number)
    leaves : optional mapping from SymPy subexpressions to nodes that stand
        for them.

    Raises
    ------
    SympyConversionError
        For SymPy objects that have no op here (integrals, unknown functions,
        complex numbers), naming the object.

    Examples
    --------
    >>> import sympy as sp
    >>> import symgraph as sg
    >>> sg.from_sympy(sp.sin(sp.Symbol("x")) * 2)
    2 * sin(x)
    """
    from .sympy_bridge import from_sympy as convert

    return convert(expr, leaves)


def to_sympy(root: Any) -> Any:
    """SymPy expression(s) of a node, a list of nodes, or an object array.

    Symbols become plain ``sympy.Symbol`` (no assumptions), so for
    ``s = node.to_sympy()``, ``from_sympy(s).to_sympy() == s``.

    Examples
    --------
    >>> import symgraph as sg
    >>> x = sg.symbols("x")
    >>> sg.to_sympy(sg.exp(x) / 2)
    exp(x)/2
    """
    from .sympy_bridge import to_sympy as convert

    return convert(root)


def _convert(value: Any) -> Node | None:
    """``as_node``'s converter for SymPy values (SymPy is loaded if the value
    is one of its objects, so it is in ``sys.modules`` already)."""
    sympy = sys.modules.get("sympy")
    if sympy is None or not isinstance(value, sympy.Basic):
        return None
    return from_sympy(value)


def latex(node: Node) -> str:
    """LaTeX of a node: the simplified form of a small result, with the ops
    SymPy has no function for written by name (``\\operatorname{sigmoid}``)."""
    import sympy as sp

    from .sympy_bridge import to_sympy_many
    from .tidy import opaque_ops, simplify

    (e,) = to_sympy_many([simplify(node, timeout=1.0)], opaque_ops())
    return sp.latex(e)


_node.register_converter(_convert)
_node.register_hook("to_sympy", to_sympy)
_node.register_hook("latex", latex)
