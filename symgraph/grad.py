"""Symbolic reverse mode: one sweep over the topological order.

The shape of autograd's ``backward_pass`` and autodidax's ``backward_pass``:
walk the nodes from the output back, look up each op's partials rule in its
declaration, check it gave one partial per argument, and pass
``adjoint * partial`` to each argument, adding where a node has several
consumers. A partial the op does not have (``UNDEFINED``) raises
:class:`~symgraph.errors.UndefinedGradientError`; a structural zero passes
nothing. The result is a DAG built from the forward nodes, so its size is a
small constant times the forward size (no expression swell). Products and
sums are built with ``make``, so the ops' own construction rules apply
(``where`` keeps a routed zero a zero: see ``ops/gating.py``).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .errors import LimitError, UndefinedGradientError
from .extensions import tensor as _tensor
from .lowering.schedule import paused_gc
from .node import Node, as_node, const, make, register_hook
from .opdef import UNDEFINED
from .ops import partials_of
from .traverse import toposort
from .wrt import normalize_wrt

__all__ = ["adjoints", "grad", "hessian", "jacobian"]

# A gradient DAG may hold at most this many nodes (a guard against runaway
# inputs; the cheap-gradient principle keeps real gradients far below it).
MAX_GRAD_NODES = 5_000_000


def _live(order: list, wrt: list) -> set:
    """The nodes on a path from a symbol in ``wrt`` (only they need adjoints)."""
    live = set(wrt)
    for node in order:
        for a in node.args:
            if a in live:
                live.add(node)
                break
    return live


def adjoints(f: Node, wrt: list) -> dict:
    """Reverse sweep from ``f``: the adjoint node of every node that lies on a
    path from a symbol in ``wrt`` to ``f``."""
    with paused_gc():  # the sweep builds many nodes and no reference cycle
        return _sweep(f, wrt)


def _sweep(f: Node, wrt: list) -> dict:
    order = toposort([f])
    live = _live(order, wrt)
    adjoint = {f: const(1)} if f in live else {}
    made = 0
    for node in reversed(order):
        a = adjoint.get(node)
        if a is None or not node.args:
            continue
        parts = partials_of(node.op, node.args, node)
        for i, (arg, local) in enumerate(zip(node.args, parts)):
            if arg not in live:
                continue
            if local is UNDEFINED:
                raise UndefinedGradientError(
                    f"{node.op} cannot be differentiated in its argument {i + 1} "
                    f"({arg}), which depends on the variables"
                )
            if local.op == "const" and local.value == 0:
                continue  # structurally zero: nothing flows
            term = make("mul", a, local)
            prev = adjoint.get(arg)
            adjoint[arg] = term if prev is None else make("add", prev, term)
            made += 1
        if made > MAX_GRAD_NODES:
            raise LimitError(f"gradient DAG exceeds {MAX_GRAD_NODES} nodes")
    return adjoint


def grad(f: Any, wrt: Any) -> Any:
    """Gradient of a scalar expression.

    Parameters
    ----------
    f : Node (or a number)
    wrt : a symbol, a sequence of symbols, an object array of symbols, or a
        string of names (``"x"``, ``"x, y"``).

    Returns
    -------
    list of Node, one per symbol (an object array of the same shape when
    ``wrt`` is an array). A symbol ``f`` does not depend on gets ``0``.

    Raises
    ------
    NotASymbolError
        If something in ``wrt`` is not a symbol.
    DuplicateSymbolError
        If a symbol appears twice in ``wrt``.
    UndefinedGradientError
        If the gradient passes through an argument an op cannot be
        differentiated in.

    Examples
    --------
    >>> import symgraph as sg
    >>> x, y, z = sg.symbols("x y z")
    >>> sg.grad((x + y) * z, [x, y, z])
    [z, z, x + y]
    >>> sg.grad(x**2, "x")
    [2 * x]
    """
    if _tensor.involved(
        f, wrt
    ):  # tensor hook: tensor expressions go to symgraph.tensor
        return _tensor.grad(f, wrt)
    f = as_node(f)
    variables = normalize_wrt(wrt)
    adj = adjoints(f, variables.symbols)
    zero = const(0)
    return variables.arrange([adj.get(v, zero) for v in variables.symbols])


def jacobian(outputs: Any, wrt: Any) -> np.ndarray:
    """Jacobian of several outputs: object array of shape ``outputs.shape + wrt.shape``.

    ``outputs`` may be a node, a sequence of nodes or an object array;
    ``wrt`` as for :func:`grad` (a single symbol counts as shape ``(1,)``).
    Row ``i`` holds the gradient of output ``i`` (numerator layout).

    Examples
    --------
    >>> import symgraph as sg
    >>> x, y = sg.symbols("x y")
    >>> sg.jacobian([x * y, x + y], [x, y])
    array([[y, x],
           [1, 1]], dtype=object)
    """
    if _tensor.involved(outputs, wrt):  # tensor hook
        return _tensor.jacobian(outputs, wrt)
    variables = normalize_wrt(wrt)
    out_arr = None if isinstance(outputs, Node) else np.asarray(outputs, dtype=object)
    outs = (
        [as_node(outputs)] if out_arr is None else [as_node(o) for o in out_arr.ravel()]
    )
    n = len(variables.symbols)
    jac = np.empty((len(outs), n), dtype=object)
    zero = const(0)
    for i, o in enumerate(outs):
        adj = adjoints(o, variables.symbols)
        jac[i, :] = [adj.get(v, zero) for v in variables.symbols]
    wrt_shape = (1,) if variables.shape is None else variables.shape
    shape = (() if out_arr is None else out_arr.shape) + tuple(wrt_shape)
    return jac.reshape(shape)


def hessian(f: Any, wrt: Any) -> np.ndarray:
    """Hessian of a scalar expression: the Jacobian of its gradient DAG.

    Examples
    --------
    >>> import symgraph as sg
    >>> x, y = sg.symbols("x y")
    >>> sg.hessian(x**2 * y, [x, y])
    array([[2 * y, 2 * x],
           [2 * x, 0]], dtype=object)
    """
    if _tensor.involved(f, wrt):  # tensor hook
        return _tensor.hessian(f, wrt)
    return jacobian(grad(f, wrt), wrt)


register_hook("grad", grad)  # Node.diff
