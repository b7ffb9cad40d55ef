"""Reverse mode on the tensor DAG: one sweep over the topological order.

The adjoint of the scalar output is 1. Each node hands its adjoint ``g`` to
its op's rule ``vjp(g, ans, *args, **params)`` from the registry, which
returns one tensor expression per input (written with the tensor ops
themselves), and adjoints add where a node has several consumers. So the
gradient of a scalar with respect to a matrix is again a tensor DAG, in the
matrix's shape (the driver checks it), sharing the forward nodes: its size
is a small multiple of the forward DAG's and does not depend on the
dimensions.
"""

from __future__ import annotations

from ..errors import NotASymbolError, ShapeError
from ..traverse import toposort
from .dims import ShapeContext, shape_text
from .fold import is_zero
from .node import TensorNode, as_tensor, const, make
from .registry import TOPS

__all__ = ["adjoints", "check_wrt", "grad"]


def check_wrt(v) -> TensorNode:
    if not isinstance(v, TensorNode) or v.op != "symbol":
        raise NotASymbolError(
            f"can only differentiate with respect to tensor symbols, not {v!r}"
        )
    return v


def same_shape(a: TensorNode, b: TensorNode) -> bool:
    """Whether two nodes have the same shape (dimension bindings applied)."""
    if a.shape == b.shape:
        return True
    if a.ndim != b.ndim:
        return False
    ctx = ShapeContext("compare", (a, b))
    return all(ctx.equal(x, y) for x, y in zip(a.shape, b.shape))


def _live(order: list, wrt) -> set:
    targets = set(wrt)
    live = set()
    for node in order:
        if node in targets or any(a in live for a in node.args):
            live.add(node)
    return live


def adjoints(f: TensorNode, wrt: list, seed: TensorNode | None = None) -> dict:
    """Reverse sweep from ``f``: the adjoint of every node on a path from a
    symbol of ``wrt`` to ``f``. ``seed`` is the adjoint of ``f`` (1 for a
    scalar ``f``; any tensor of ``f``'s shape for a vector-Jacobian product).
    """
    order = toposort([f])
    live = _live(order, wrt)
    adjoint = {} if f not in live else {f: const(1) if seed is None else seed}
    for node in reversed(order):
        g = adjoint.get(node)
        if g is None or not node.args:
            continue
        opdef = TOPS[node.op]
        if opdef.vjp is None:
            raise NotImplementedError(f"the tensor op {node.op!r} has no adjoint rule")
        parts = opdef.vjp(g, node, *node.args, **node.kwargs)
        if len(parts) != len(node.args):
            raise AssertionError(
                f"the rule of {node.op} returned {len(parts)} adjoints for "
                f"{len(node.args)} inputs"
            )
        for arg, part in zip(node.args, parts):
            if arg not in live or part is None or is_zero(part):
                continue
            if not same_shape(part, arg):
                raise ShapeError(
                    f"internal: the adjoint rule of {node.op} gave shape "
                    f"{shape_text(part.shape)} for an input of shape {shape_text(arg.shape)}"
                )
            prev = adjoint.get(arg)
            adjoint[arg] = part if prev is None else make("add", prev, part)
    return adjoint


def _zeros_like(v: TensorNode) -> TensorNode:
    return const(0) if v.ndim == 0 else make("broadcast_like", const(0), v)


def grad(f, wrt):
    """Gradient of a scalar tensor expression.

    Layout: the gradient has the variable's shape (``d/dX`` of a scalar is
    a tensor of ``X``'s shape), the convention of NumPy/PyTorch code and of
    CS231n.

    Parameters
    ----------
    f : TensorNode of shape ``()``
    wrt : a tensor symbol or a sequence of them.

    Returns
    -------
    TensorNode (one symbol) or list of TensorNode (a sequence), each a DAG
    sharing ``f``'s nodes. A symbol ``f`` does not depend on gets
    ``zeros_like(symbol)``.

    Raises
    ------
    ShapeError
        If ``f`` is not a scalar.
    NotASymbolError
        If something in ``wrt`` is not a tensor symbol.

    Examples
    --------
    >>> import symgraph as sg
    >>> A, x = sg.tensors("A:n,n x:n")
    >>> sg.grad(x @ A @ x, x)
    (A + A.T) @ x
    """
    f = as_tensor(f)
    if f.ndim != 0:
        raise ShapeError(
            f"grad needs a scalar function; this one has shape {shape_text(f.shape)}"
            " (sum it, or use sg.tensor.jacobian)"
        )
    single = isinstance(wrt, TensorNode)
    symbols = [check_wrt(v) for v in ([wrt] if single else list(wrt))]
    adj = adjoints(f, symbols)
    out = [adj.get(v) or _zeros_like(v) for v in symbols]
    return out[0] if single else out
