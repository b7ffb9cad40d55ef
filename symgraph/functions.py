"""The public function of every op, made from its declaration.

``sg.sin``, ``sg.maximum``, ``sg.leaky_relu`` ... are generated here, one per
op declared ``public``: the signature comes from ``OpDef.params`` and
``OpDef.defaults``, the docstring from ``OpDef.doc`` and ``OpDef.note``. Each
takes nodes, numbers or NumPy object arrays of them (applied elementwise with
broadcasting); a variadic op's function (``sg.logsumexp``) reduces over every
entry of its arguments. Declaring an op is all it takes to get its function.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from typing import Any

import numpy as np

from . import ops as _ops  # noqa: F401  (the declarations fill the op table)
from .arrays import elementwise
from .node import Node, as_node, make
from .opdef import OpDef, public_ops

__all__ = ["public_functions"]

# What a generated function returns: a node, or an object array of nodes when
# an argument is an array (elementwise, broadcasting).
_RESULT = Node | np.ndarray


def _wrapper(op: OpDef) -> Callable[..., Any]:
    first_default = op.nargs - len(op.defaults)
    params = [
        inspect.Parameter(
            name,
            inspect.Parameter.POSITIONAL_OR_KEYWORD,
            default=op.defaults[i - first_default]
            if i >= first_default
            else inspect.Parameter.empty,
            annotation=Any,
        )
        for i, name in enumerate(op.arg_names)
    ]
    signature = inspect.Signature(params, return_annotation=_RESULT)

    def function(*args: Any, **kwargs: Any) -> Any:
        bound = signature.bind(*args, **kwargs)
        bound.apply_defaults()
        return elementwise(op.name, *bound.args)

    function.__name__ = function.__qualname__ = op.name
    function.__module__ = "symgraph"
    function.__signature__ = signature  # type: ignore[attr-defined]
    function.__annotations__ = {**dict.fromkeys(op.arg_names, Any), "return": _RESULT}
    doc = [op.doc, ""]
    if op.note:
        doc += [f"Convention: {op.note}.", ""]
    doc += [
        "Takes nodes, numbers, or NumPy object arrays of them (elementwise,",
        "broadcasting); returns a node or an object array of nodes.",
    ]
    function.__doc__ = "\n".join(doc)
    return function


def _variadic_wrapper(op: OpDef) -> Callable[..., Any]:
    """``f(*xs)`` for a variadic op: a reduction over every entry of its
    arguments (nodes, numbers or object arrays), like ``scipy``'s
    ``logsumexp(a)`` over all of ``a``. Two entries give the binary op it is
    the n-ary form of (``OpDef.nary_of``), as the parser does."""

    def function(*xs: Any) -> Any:
        entries: list[Any] = []
        for x in xs:
            entries.extend(x.ravel() if isinstance(x, np.ndarray) else [x])
        if len(entries) < 2:
            raise TypeError(
                f"{op.name}() needs at least 2 entries in its arguments, "
                f"got {len(entries)}"
            )
        nodes = [as_node(e) for e in entries]
        if len(nodes) == 2 and op.nary_of:
            return make(op.nary_of, *nodes)
        return make(op.name, *nodes)

    function.__name__ = function.__qualname__ = op.name
    function.__module__ = "symgraph"
    function.__signature__ = inspect.Signature(  # type: ignore[attr-defined]
        [inspect.Parameter("xs", inspect.Parameter.VAR_POSITIONAL, annotation=Any)],
        return_annotation=Node,
    )
    function.__annotations__ = {"xs": Any, "return": Node}
    doc = [op.doc, ""]
    if op.note:
        doc += [f"Convention: {op.note}.", ""]
    doc += [
        "Takes any number of nodes, numbers, or NumPy object arrays of them",
        "(at least two entries in all) and returns one node.",
    ]
    function.__doc__ = "\n".join(doc)
    return function


def public_functions() -> dict[str, Callable[..., Any]]:
    """``{name: function}`` for every public op, in declaration order."""
    return {
        op.name: _variadic_wrapper(op) if op.variadic else _wrapper(op)
        for op in public_ops()
    }
