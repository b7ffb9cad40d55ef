"""Jacobians and Hessians as tensor expressions, in matrix notation.

Layout: a gradient has the variable's shape; a Jacobian of ``y`` (m,) with
respect to ``x`` (n,) is in *numerator layout*, ``J[i, j] = dy_i/dx_j`` of
shape (m, n) (the convention of most ML texts and of ``jax.jacobian``);
``layout="denominator"`` gives its transpose (n, m), the convention of
gradient-as-column texts. A Hessian is the Jacobian of the gradient.

Method: one reverse sweep with a symbolic seed ``u`` of ``y``'s shape gives
``Jᵀu``, an expression linear in ``u``; :func:`linear_map` reads the matrix
of that linear map off the expression op by op (``A @ L`` -> ``A M``,
``c * L`` -> ``diag(c) M``, ``sum(L)`` -> ``sum(M, axis=0)``, ...). So the
result is a DAG of tensor ops (``diag(1 - tanh(W @ x)**2) @ W``,
``0.5 * (A + A.T)``), not a table of scalars. Vectors and scalars only: the
Jacobian of a matrix-valued function, or with respect to a matrix, is a
4-index tensor and is refused with a clear error.
"""

from __future__ import annotations

from ..traverse import toposort
from .evaluate import free_symbols
from .fold import is_zero
from .grad import adjoints, check_wrt, grad
from .node import TensorLike, TensorNode, as_tensor, const, eye, fill, make, symbol

__all__ = ["hessian", "jacobian", "linear_map"]


class _NotLinear(NotImplementedError):
    pass


def _seed_name(roots) -> str:
    taken = {s.value for s in free_symbols(roots)}
    name = "u"
    while name in taken:
        name += "_"
    return name


def linear_map(r: TensorNode, u: TensorNode) -> TensorNode:
    """``M`` with ``r == M @ u`` for ``r`` linear in the vector ``u``.

    ``M`` has shape ``r.shape + u.shape``. Raises NotImplementedError when
    ``r`` is not linear in ``u`` or passes through an op this reading does
    not cover (matrix-valued intermediates).
    """
    order = toposort([r])
    live = set()
    for n in order:
        if n is u or any(a in live for a in n.args):
            live.add(n)
    coef = {}
    for n in order:
        if n not in live:
            continue
        if n is u:
            coef[n] = eye(u.shape[0])
            continue
        if n.ndim > 1:
            raise _NotLinear(f"the Jacobian passes through the matrix-valued op {n.op}")
        coef[n] = _rule(n, live, coef)
    return coef[r]


def _diag_times(c: TensorNode, m: TensorNode) -> TensorNode:
    """``c * L`` with ``c`` constant in u: the map is ``diag(c) @ M`` (or
    ``c * M`` for a scalar ``c``, ``outer(c, M)`` for a scalar ``L``)."""
    if c.ndim == 0:
        return make("mul", c, m)
    if m.ndim == 1:  # L is a scalar: c * L is a vector
        return make("outer", c, m)
    return make("matmul", make("diag", c), m)


def _rule(n, live, coef) -> TensorNode:
    op, args = n.op, n.args
    lv = [a in live for a in args]
    if op == "neg":
        return make("neg", coef[args[0]])
    if op in ("add", "sub"):
        parts = []
        for a, is_live in zip(args, lv):
            if not is_live:
                if is_zero(a):
                    continue
                raise _NotLinear(f"{n} is not linear in the seed (a constant term)")
            m = coef[a]
            if a.ndim < n.ndim:  # a scalar broadcast to a vector: 1 M
                m = make("outer", fill(n.shape, 1), m)
            parts.append(m)
        if len(parts) == 1:
            only = parts[0]
            return make("neg", only) if op == "sub" and not lv[0] else only
        return make(op, *parts)
    if op == "mul":
        if all(lv):
            raise _NotLinear(f"{n} is not linear in the seed (a product of two terms)")
        c, term = (args[1], args[0]) if lv[0] else (args[0], args[1])
        return _diag_times(c, coef[term])
    if op == "div" and lv[0] and not lv[1]:
        return _diag_times(make("div", const(1), args[1]), coef[args[0]])
    if op == "where" and not lv[0]:
        c = args[0]
        branches = [
            coef[a] if is_live else const(0) for a, is_live in zip(args[1:], lv[1:])
        ]
        if any(not is_live and not is_zero(a) for a, is_live in zip(args[1:], lv[1:])):
            raise _NotLinear(f"{n} is not linear in the seed")
        cond = make("expand_dims", c, axis=(c.ndim,)) if c.ndim and n.ndim else c
        return make("where", cond, *branches)
    if op == "matmul":
        a, b = args
        if all(lv):
            raise _NotLinear(f"{n} is not linear in the seed (a product of two terms)")
        if lv[1]:  # A @ L, v @ L
            return make("matmul", a, coef[b])
        # L @ B: (L @ B)_j = sum_i L_i B_ij, so the map is B.T @ M; L @ v is v @ M
        return (
            make("matmul", make("transpose", b), coef[a])
            if b.ndim == 2
            else make("matmul", b, coef[a])
        )
    if op == "sum" and n.param("axis") in (None, (0,)) and not n.param("keepdims"):
        return make("sum", coef[args[0]], axis=0)
    if op == "transpose":
        return coef[args[0]]
    if op == "broadcast_like" and lv[0] and args[0].ndim == 0:
        return make("outer", fill(n.shape, 1), coef[args[0]])
    raise _NotLinear(f"the Jacobian cannot be written in matrix notation through {op}")


def _wrt_vector(x: object) -> TensorNode:
    x = check_wrt(x)
    if x.ndim > 1:
        raise NotImplementedError(
            f"the Jacobian with respect to the matrix {x.value} is a 4-index tensor; "
            "use sg.grad of a scalar (e.g. a vector-Jacobian product sum(u * y))"
        )
    return x


def jacobian(y: TensorLike, x: TensorNode, layout: str = "numerator") -> TensorNode:
    """The Jacobian of a vector (or scalar) expression w.r.t. a vector symbol.

    Parameters
    ----------
    y : TensorNode of rank 0 or 1, shape (m,)
    x : tensor symbol of rank 0 or 1, shape (n,)
    layout : "numerator" (default): shape (m, n), ``J[i, j] = dy_i/dx_j``;
        "denominator": shape (n, m), its transpose.

    Returns
    -------
    TensorNode (for a scalar ``y``: the gradient, of ``x``'s shape; for a
    scalar ``x``: the derivative, of ``y``'s shape, as ``jax.jacobian``).

    Raises
    ------
    NotImplementedError
        For a matrix ``y`` or ``x`` (a 4-index tensor), or an expression
        whose Jacobian this reading cannot write in matrix notation.

    Examples
    --------
    >>> import symgraph as sg
    >>> W, x = sg.tensors("W:m,n x:n")
    >>> sg.jacobian(sg.tanh(W @ x), x)
    diag(1 - tanh(W @ x)**2) @ W
    """
    if layout not in ("numerator", "denominator"):
        raise ValueError(f"layout must be 'numerator' or 'denominator', not {layout!r}")
    y = as_tensor(y)
    x = _wrt_vector(x)
    if y.ndim == 0:
        return grad(y, x)
    if y.ndim > 1:
        raise NotImplementedError(
            f"the Jacobian of a matrix-valued expression (shape {y.shape}) is a "
            "4-index tensor; differentiate a scalar such as sum(u * y) instead"
        )
    u = symbol(_seed_name([y]), y.shape)
    r = adjoints(y, [x], seed=u).get(x)
    if r is None:
        shape = y.shape + x.shape if layout == "numerator" else x.shape + y.shape
        return fill(shape, 0)
    m = linear_map(r, u)  # r = J.T @ u, so m = J.T
    if x.ndim == 0:  # dy/dx of a scalar x: y's shape, as jax.jacobian
        return m
    return make("transpose", m) if layout == "numerator" else m


def hessian(f: TensorLike, x: TensorNode) -> TensorNode:
    """The Hessian of a scalar expression w.r.t. a vector: the Jacobian of
    its gradient (symmetric where ``f`` is twice continuously differentiable).

    Examples
    --------
    >>> import symgraph as sg
    >>> A, x = sg.tensors("A:n,n x:n")
    >>> sg.hessian(0.5 * (x @ A @ x), x)
    0.5 * (A + A.T)
    """
    f = as_tensor(f)
    x = _wrt_vector(x)
    return jacobian(grad(f, x), x)
