"""Light matrix simplification for display: an equal DAG that reads like the
textbook.

Rules, applied bottom up: transposes pushed down to the leaves
(``(AB)ᵀ = BᵀAᵀ``, ``(A + B)ᵀ = Aᵀ + Bᵀ``, ``(Aᵀ)ᵀ = A``; ``inv(X).T`` is
kept, it prints as ``X⁻ᵀ``); a row vector times a matrix written as the
matrix transposed times the vector (``u @ B`` as ``B.T @ u``); scalar
constant factors pulled out of products and linear ops (``(2A) @ B`` is
``2 * (A @ B)``); like terms collected (``A + A`` is ``2 * A``), terms
with a common matrix factor combined (``A @ x + A.T @ x`` is
``(A + A.T) @ x``), a common scalar coefficient factored out, positive
terms first. Every rule is an identity, so the result evaluates like the
input; the tests check that on the whole corpus. The gradient DAGs
themselves are not rewritten (their association order is the efficient
one); only printing uses this.
"""

from __future__ import annotations

from ..traverse import toposort
from .node import TensorNode, const, fill, make

__all__ = ["display"]

# ops linear in every tensor argument (scalar factors pass through them)
_LINEAR = {
    "matmul", "outer", "sum", "trace", "transpose", "diag", "expand_dims",
    "reshape", "flip", "correlate2d", "convolve2d", "conv2d", "mul",
}  # fmt: skip


def _split(n: TensorNode):
    """``(c, core)`` with ``n == c * core`` and ``c`` a number."""
    coef = 1
    while True:
        if n.op == "neg":
            coef, n = -coef, n.args[0]
        elif n.op == "mul" and n.args[0].op == "const" and n.args[1].op != "const":
            coef, n = coef * n.args[0].value, n.args[1]
        else:
            return coef, n


def _scaled(c, core: TensorNode) -> TensorNode:
    if c == 1:
        return core
    if c == -1:
        return make("neg", core)
    return make("mul", const(c), core)


def _transposes(n: TensorNode) -> int:
    """How many transposes a term shows (A sorts before A.T)."""
    return sum(1 for m in toposort([n]) if m.op == "transpose")


def _reassociated(node: TensorNode) -> TensorNode:
    """``A @ (B @ C)`` as ``A @ B @ C`` and ``a * (b * c)`` as ``a * b * c``
    (associativity; printed without parentheses). Vectors stay on the right
    of a matrix product so every partial product is defined."""
    if node.op not in ("matmul", "mul"):
        return node
    a, b = node.args
    if b.op != node.op:
        return node
    p, q = b.args
    if node.op == "matmul" and (a.ndim != 2 or p.ndim != 2):
        return node
    if node.op == "mul" and b.shape != node.shape:
        return node
    return make(node.op, _reassociated(make(node.op, a, p)), q)


# ----- transposes ----------------------------------------------------------------
def _push_children(n: TensorNode) -> list:
    if n.ndim < 2 or n.op in ("symbol", "const", "eye", "inv", "fill"):
        return []
    if n.op == "transpose" and n.param("axes") is None:
        return []
    if n.op == "matmul" and n.args[0].ndim == 2 and n.args[1].ndim == 2:
        return list(n.args)
    from .registry import TOPS

    if TOPS[n.op].elementwise and all(a.ndim in (0, n.ndim) for a in n.args):
        return [a for a in n.args if a.ndim >= 2]
    return []


def _t_rule(n: TensorNode, memo: dict) -> TensorNode:
    from .registry import TOPS

    if n.ndim < 2 or n.op == "eye" or (n.op == "diag" and n.args[0].ndim == 1):
        return n  # symmetric
    if n.op == "fill":
        return fill(tuple(reversed(n.shape)), n.param("value"))
    if n.op in ("symbol", "const", "inv"):
        return make("transpose", n)
    if n.op == "transpose" and n.param("axes") is None:
        return n.args[0]
    if n.op == "matmul" and n.args[0].ndim == 2 and n.args[1].ndim == 2:
        return make("matmul", memo[n.args[1]], memo[n.args[0]])
    if n.op == "outer":
        return make("outer", n.args[1], n.args[0])
    if TOPS[n.op].elementwise and all(a.ndim in (0, n.ndim) for a in n.args):
        return make(n.op, *[memo[a] if a.ndim >= 2 else a for a in n.args])
    return make("transpose", n)


def _transposed(x: TensorNode, memo: dict) -> TensorNode:
    """The displayed form of ``x.T`` (``x`` already displayed), iteratively."""
    stack = [x]
    while stack:
        n = stack[-1]
        if n in memo:
            stack.pop()
            continue
        pending = [k for k in _push_children(n) if k not in memo]
        if pending:
            stack.extend(pending)
            continue
        stack.pop()
        memo[n] = _t_rule(n, memo)
    return memo[x]


# ----- sums ------------------------------------------------------------------------
def _terms(n: TensorNode) -> list:
    """``[(c, core), ...]`` with ``n == sum(c * core)``, through + - and unary -."""
    out, stack = [], [(1, n)]
    while stack:
        c, m = stack.pop()
        c0, core = _split(m)
        c *= c0
        if core.op == "add":
            stack.extend([(c, core.args[1]), (c, core.args[0])])
        elif core.op == "sub":
            stack.extend([(-c, core.args[1]), (c, core.args[0])])
        else:
            out.append((c, core))
    return out


def _combine(terms: list) -> list:
    coefs: dict = {}
    for c, core in terms:
        coefs[core] = coefs.get(core, 0) + c
    merged = [(c, core) for core, c in coefs.items() if c != 0]
    # a common matrix factor: c1 * L1 @ R + c2 * L2 @ R = (c1 L1 + c2 L2) @ R
    for side in (1, 0):
        groups: dict = {}
        for i, (_, core) in enumerate(merged):
            if core.op == "matmul":
                groups.setdefault(core.args[side], []).append(i)
        for key, idx in groups.items():
            if len(idx) < 2:
                continue
            others = [merged[i][1].args[1 - side] for i in idx]
            if any(o.shape != others[0].shape for o in others):
                continue
            inner = _build(
                _combine(
                    [
                        (merged[i][0] * c, t)
                        for i, o in zip(idx, others)
                        for c, t in _terms(o)
                    ]
                ),
                others[0].shape,
            )
            new = (
                make("matmul", key, inner) if side == 0 else make("matmul", inner, key)
            )
            first = idx[0]
            merged = [
                (1, new) if j == first else t
                for j, t in enumerate(merged)
                if j == first or j not in idx
            ]
            return _combine(merged)
    return merged


def _build(terms: list, shape: tuple) -> TensorNode:
    """The sum of ``c * core`` terms, of ``shape`` (zeros when they all cancel;
    a broadcast when the remaining terms are smaller than the sum was)."""
    if not terms:
        return const(0) if shape == () else fill(shape, 0)
    cs = [c for c, _ in terms]
    if len(terms) > 1 and all(abs(c) == abs(cs[0]) for c in cs) and abs(cs[0]) != 1:
        common = abs(cs[0]) if any(c > 0 for c in cs) else cs[0]
        return _scaled(common, _build([(c / common, core) for c, core in terms], shape))
    order = sorted(
        range(len(terms)), key=lambda i: (terms[i][0] < 0, _transposes(terms[i][1]), i)
    )
    acc = None
    for i in order:
        c, core = terms[i]
        if acc is None:
            acc = _scaled(c, core)
        elif c < 0:
            acc = make("sub", acc, _scaled(-c, core))
        else:
            acc = make("add", acc, _scaled(c, core))
    if _smaller(acc.shape, shape):  # the larger terms cancelled
        acc = make("mul", fill(shape, 1), acc)
    return acc


def _smaller(have: tuple, want: tuple) -> bool:
    """Whether broadcasting stretches ``have`` to reach ``want``."""
    if len(have) < len(want):
        return True
    return any(a == 1 and b != 1 for a, b in zip(have[::-1], want[::-1]))


# ----- the pass ----------------------------------------------------------------------
def _rebuild(n: TensorNode, args: list, tmemo: dict) -> TensorNode:
    if n.op == "transpose" and n.param("axes") is None:
        return _collected(_transposed(args[0], tmemo))
    if n.op in ("det", "logdet", "trace") and args[0].op == "transpose":
        args = [args[0].args[0]]  # det(A.T) = det(A), tr(A.T) = tr(A)
    if n.op == "inv" and args[0].op == "transpose":
        return _transposed(make("inv", args[0].args[0]), tmemo)  # inv(A.T) = inv(A).T
    if n.op == "matmul" and args[0].ndim == 1 and args[1].ndim == 2:
        args = [_transposed(args[1], tmemo), args[0]]  # u @ B as B.T @ u
    if n.op == "matmul":
        for i in (0, 1):
            other = args[1 - i]
            if args[i].op in ("add", "sub") and other.op in ("diag", "eye", "outer"):
                # (S - T) @ diag(v) = S @ diag(v) - T @ diag(v): the products fold
                parts = [
                    (
                        c,
                        make("matmul", t, other)
                        if i == 0
                        else make("matmul", other, t),
                    )
                    for c, t in _terms(args[i])
                ]
                return _build(_combine(parts), n.shape)
    kwargs = n.kwargs
    if n.op in _LINEAR:
        coef, cores = 1, []
        for a in args:
            c, core = _split(a) if a.op != "const" else (1, a)
            coef, cores = coef * c, cores + [core]
        if any(c is not a for c, a in zip(cores, args)):
            return _scaled(coef, _reassociated(make(n.op, *cores, **kwargs)))
    return _collected(_reassociated(make(n.op, *args, **kwargs)))


def _collected(node: TensorNode) -> TensorNode:
    """A sum with its like terms collected (other nodes as they are)."""
    if node.op in ("add", "sub", "neg") or (
        node.op == "mul" and node.args[0].op == "const"
    ):
        return _build(_combine(_terms(node)), node.shape)
    return node


def display(root: TensorNode) -> TensorNode:
    """The display form of ``root``: an equal DAG in textbook shape.

    The pass runs again on its own result (at most three times) until
    nothing changes, since a fold made while rebuilding (``diag(p) @
    diag(q)`` is ``diag(p * q)``) can leave new like terms.
    """
    for _ in range(3):
        out = _display_once(root)
        if out is root:
            break
        root = out
    return root


def _display_once(root: TensorNode) -> TensorNode:
    disp: dict = {}
    tmemo: dict = {}
    for n in toposort([root]):
        if not n.args:
            disp[n] = n
        else:
            disp[n] = _rebuild(n, [disp[a] for a in n.args], tmemo)
    return disp[root]
