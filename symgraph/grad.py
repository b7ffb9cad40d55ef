"""Symbolic reverse mode: one sweep over the topological order.

The adjoint of the output is 1; each node passes ``adjoint * local_partial``
to each input, and adjoints add where a node has several consumers. The
result is a DAG built from the forward nodes, so its size is a small constant
times the forward size (no expression swell). Jacobians run one sweep per
output; a Hessian differentiates the gradient DAG again.
"""

from __future__ import annotations

import numpy as np

from .errors import LimitError, NotASymbolError
from .node import Node, as_node, const, make
from .ops import partials_of
from .tensor import hooks as _tensor
from .traverse import toposort

__all__ = ["adjoints", "grad", "hessian", "jacobian"]

# A gradient DAG may hold at most this many nodes (a guard against runaway
# inputs; the cheap-gradient principle keeps real gradients far below it).
MAX_GRAD_NODES = 5_000_000


def _check_wrt(v) -> Node:
    if not isinstance(v, Node) or v.op != "symbol":
        raise NotASymbolError(
            f"can only differentiate with respect to symbols, not {v!r}"
            + ("" if not isinstance(v, Node) else f" (a {v.op} node)")
        )
    return v


def _gated(n: Node):
    """``(c, p, q)`` for ``n = where(c, p, q)`` with a constant-zero branch."""
    if n.op == "where":
        c, p, q = n.args
        if (q.op == "const" and q.value == 0) or (p.op == "const" and p.value == 0):
            return c, p, q
    return None


def _times(a: Node, local: Node) -> Node:
    """``a * local``, moved inside a ``where(c, p, 0)`` (or ``where(c, 0, q)``)
    factor, as where() routes adjoints, so that an untaken branch's inf or
    NaN partial is never multiplied by the zero routed to it (0 * inf would
    be NaN)."""
    for gate_is_a in (True, False):
        g = _gated(a if gate_is_a else local)
        if g is not None:
            c, *branches = g
            out = [
                b if b.op == "const" and b.value == 0
                else _times(b, local) if gate_is_a else _times(a, b)
                for b in branches
            ]  # fmt: skip
            return make("where", c, *out)
    if local.op == "const" and local.value == -1:
        return make("neg", a)
    return make("mul", a, local)


def _plus(a: Node, b: Node) -> Node:
    """``a + b``, merging two adjoints gated by the same condition."""
    ga, gb = _gated(a), _gated(b)
    if ga is not None and gb is not None and ga[0] is gb[0]:
        return make(
            "where", ga[0], make("add", ga[1], gb[1]), make("add", ga[2], gb[2])
        )
    return make("add", a, b)


def adjoints(f: Node, wrt: list[Node]) -> dict:
    """Reverse sweep from ``f``; returns the adjoint node of every node that
    lies on a path from a symbol in ``wrt`` to ``f``."""
    order = toposort([f])
    # Only nodes that depend on a wrt symbol need adjoints.
    targets = set(wrt)
    live = set()
    for node in order:
        if node in targets or any(a in live for a in node.args):
            live.add(node)
    adjoint = {f: const(1)} if f in live else {}
    made = 0
    for node in reversed(order):
        a = adjoint.get(node)
        if a is None or not node.args:
            continue
        parts = partials_of(node.op, node.args, node)
        for arg, local in zip(node.args, parts):
            if arg not in live or local is None:
                continue
            if local.op == "const" and local.value == 0:
                continue  # structurally zero: nothing flows
            term = _times(a, local)
            prev = adjoint.get(arg)
            adjoint[arg] = term if prev is None else _plus(prev, term)
            made += 1
        if made > MAX_GRAD_NODES:
            raise LimitError(f"gradient DAG exceeds {MAX_GRAD_NODES} nodes")
    return adjoint


def _wrt_list(wrt):
    if isinstance(wrt, np.ndarray):
        return [_check_wrt(v) for v in wrt.ravel()]
    if isinstance(wrt, Node):
        return [_check_wrt(wrt)]
    try:
        items = list(wrt)
    except TypeError:
        raise NotASymbolError(
            f"wrt must be a symbol or a sequence of symbols, not {wrt!r}"
        ) from None
    return [_check_wrt(v) for v in items]


def grad(f, wrt):
    """Gradient of a scalar expression.

    Parameters
    ----------
    f : Node (or a number)
    wrt : a symbol, a sequence of symbols, or an object array of symbols.

    Returns
    -------
    list of Node, one per symbol (an object array of the same shape when
    ``wrt`` is an array). A symbol ``f`` does not depend on gets ``0``.

    Raises
    ------
    NotASymbolError
        If something in ``wrt`` is not a symbol.

    Examples
    --------
    >>> import symgraph as sg
    >>> x, y, z = sg.symbols("x y z")
    >>> sg.grad((x + y) * z, [x, y, z])
    [z, z, x + y]
    """
    # tensor hook: tensor expressions go to symgraph.tensor
    if _tensor.involved(f, wrt):
        return _tensor.grad(f, wrt)
    f = as_node(f)
    symbols = _wrt_list(wrt)
    adj = adjoints(f, symbols)
    zero = const(0)
    out = [adj.get(v, zero) for v in symbols]
    if isinstance(wrt, np.ndarray):
        arr = np.empty(wrt.shape, dtype=object)
        arr.ravel()[:] = out  # ravel of a fresh array is a view
        return arr
    return out


def jacobian(outputs, wrt) -> np.ndarray:
    """Jacobian of several outputs: object array of shape ``outputs.shape + wrt.shape``.

    ``outputs`` may be a node, a sequence of nodes or an object array;
    ``wrt`` as for :func:`grad`.
    """
    # tensor hook: tensor expressions go to symgraph.tensor
    if _tensor.involved(outputs, wrt):
        return _tensor.jacobian(outputs, wrt)
    out_arr = (
        np.asarray(outputs, dtype=object) if not isinstance(outputs, Node) else None
    )
    outs = [outputs] if out_arr is None else list(out_arr.ravel())
    wrt_shape = np.shape(wrt) if isinstance(wrt, np.ndarray) else (len(_wrt_list(wrt)),)
    if isinstance(wrt, Node):
        wrt_shape = (1,)
    rows = [np.asarray(grad(o, wrt), dtype=object).ravel() for o in outs]
    jac = np.empty((len(outs), int(np.prod(wrt_shape))), dtype=object)
    for i, row in enumerate(rows):
        jac[i, :] = row
    shape = (() if out_arr is None else out_arr.shape) + tuple(wrt_shape)
    return jac.reshape(shape)


def hessian(f, wrt) -> np.ndarray:
    """Hessian of a scalar expression: the Jacobian of its gradient DAG."""
    # tensor hook: tensor expressions go to symgraph.tensor
    if _tensor.involved(f, wrt):
        return _tensor.hessian(f, wrt)
    g = grad(f, wrt)
    return jacobian(g, wrt)
