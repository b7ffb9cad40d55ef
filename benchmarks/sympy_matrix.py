"""The corpus written as SymPy matrix expressions, for bench_matrix.py.

A tensor DAG becomes a SymPy ``MatrixExpr`` over ``MatrixSymbol``s with
symbolic dimensions (vectors are columns ``n x 1``; a scalar result is a 1 x 1
matrix expression, differentiated as such, or a Trace/Determinant), which is what a SymPy user writes
to differentiate with respect to a matrix. Ops with no MatrixSymbol form
(softmax, log-sum-exp, convolutions, norms with kinks, broadcasting) raise
``NoForm``. Sums are written the way a SymPy user writes them: ``sum(z**2)``
as ``z.T z`` (or ``Trace(Z.T Z)``), ``sum(G * Z)`` as ``Trace(G.T Z)``, other
sums as products with ``OneMatrix``. ``evaluate_sympy`` evaluates a result
(converting an array expression back to a matrix first) at concrete sizes,
so the benchmark can compare it with the corpus's closed form.
"""

from __future__ import annotations

import numpy as np
import sympy as sp
from sympy.matrices.expressions.applyfunc import ElementwiseApplyFunction

from symgraph.traverse import toposort

__all__ = ["NoForm", "evaluate_sympy", "to_sympy_matrix"]


class NoForm(Exception):
    """The expression has no SymPy MatrixSymbol form (names the op)."""


_FUNCS = {"exp": sp.exp, "log": sp.log, "tanh": sp.tanh, "sin": sp.sin, "cos": sp.cos,
          "sqrt": sp.sqrt, "sigmoid": lambda t: 1 / (1 + sp.exp(-t)),
          "relu": lambda t: sp.Max(0, t), "softplus": lambda t: sp.log(1 + sp.exp(t))}  # fmt: skip


def _dims(shape):
    return [sp.Symbol(str(d), integer=True, positive=True) if not isinstance(d, int) else d
            for d in shape]  # fmt: skip


def _leaf(node):
    if node.ndim == 0:
        return sp.Symbol(node.value)
    dims = _dims(node.shape)
    return sp.MatrixSymbol(node.value, dims[0], dims[1] if node.ndim == 2 else 1)


def _is_matrix(e):
    return isinstance(e, sp.MatrixExpr)


def _inner(a, b):
    """sum(A * B) as a SymPy user writes it: Trace(A.T B), or a.T b for vectors."""
    return a.T * b if a.shape[1] == 1 else sp.Trace(a.T * b)


def _broadcast(node, x, y):
    """NumPy broadcasting written out: a scalar times OneMatrix, a 1 x 1
    matrix as its trace, a vector along the rows as OneMatrix(N, 1) * b.T."""
    if not _is_matrix(x) and not _is_matrix(y):
        return x, y
    if _is_matrix(x) and _is_matrix(y) and x.shape == y.shape:
        return x, y
    if node.ndim == 0:  # a 1 x 1 matrix meets a scalar
        return tuple(sp.Trace(e) if _is_matrix(e) else e for e in (x, y))
    dims = _dims(node.shape)
    rows, cols = dims[0], dims[1] if node.ndim == 2 else 1
    out = []
    for e, arg in zip((x, y), node.args):
        if not _is_matrix(e):
            e = e * sp.OneMatrix(rows, cols)
        elif e.shape != (rows, cols):
            if arg.ndim == 1 and node.ndim == 2 and e.shape == (cols, 1):
                e = sp.OneMatrix(rows, 1) * e.T
            else:
                raise NoForm(f"{node.op} with broadcasting")
        out.append(e)
    return tuple(out)


def _apply(node, args, memo):
    op = node.op
    a = args[0] if args else None
    if op == "const":
        return sp.nsimplify(node.value)
    if op == "matmul":
        x, y = args
        rank_x, rank_y = node.args[0].ndim, node.args[1].ndim
        if rank_x == 1 and rank_y == 2:  # u @ B is the column B.T u
            return y.T * x
        if rank_x == 1:  # u @ v is the 1 x 1 matrix u.T v
            return x.T * y
        return x * y
    if op == "transpose":
        return a.T if node.args[0].ndim == 2 else a
    if op in ("add", "sub"):
        x, y = _broadcast(node, *args)
        return x + y if op == "add" else x - y
    if op == "neg":
        return -a
    if op == "mul":
        x, y = args
        if _is_matrix(x) and _is_matrix(y):
            return sp.HadamardProduct(x, y)
        return x * y
    if op == "div" and not _is_matrix(args[1]):
        return a / args[1]
    if op == "pow" and node.args[1].op == "const":
        return sp.HadamardPower(a, args[1]) if _is_matrix(a) else a ** args[1]
    if op == "sum" and node.param("axis") is None:
        if not _is_matrix(a):
            return a
        inner = node.args[0]  # the idioms: sum(z**2) = z.T z, sum(g * z) = tr(g.T z)
        if (
            inner.op == "pow"
            and inner.args[1].op == "const"
            and inner.args[1].value == 2
        ):
            z = memo[inner.args[0]]
            return _inner(z, z)
        if inner.op == "mul" and all(_is_matrix(memo[c]) for c in inner.args):
            return _inner(memo[inner.args[0]], memo[inner.args[1]])
        rows, cols = a.shape
        return sp.OneMatrix(1, rows) * a * sp.OneMatrix(cols, 1)
    if op == "trace":
        return sp.Trace(a)
    if op == "det":
        return sp.Determinant(a)
    if op == "logdet":
        return sp.log(sp.Determinant(a))
    if op == "inv":
        return sp.Inverse(a)
    if op == "outer":
        return args[0] * args[1].T
    if op == "norm" and node.param("ord") in (2, "fro"):
        return sp.sqrt(sp.Trace(a.T * a))
    if op in _FUNCS and _is_matrix(a):
        t = sp.Dummy("t")
        return ElementwiseApplyFunction(sp.Lambda(t, _FUNCS[op](t)), a)
    if op in _FUNCS:
        return _FUNCS[op](a)
    raise NoForm(op)


def to_sympy_matrix(f):
    """``(expression, {tensor symbol: SymPy leaf})`` of a scalar tensor DAG."""
    memo, leaves = {}, {}
    for node in toposort([f]):
        if node.op == "symbol":
            memo[node] = leaves[node] = _leaf(node)
        else:
            memo[node] = _apply(node, [memo[a] for a in node.args], memo)
    return memo[f], leaves  # a 1 x 1 matrix expression, as a SymPy user writes it


def evaluate_sympy(expr, leaves: dict, sizes: dict, point: dict) -> np.ndarray:
    """A SymPy (matrix) expression's value at concrete sizes and arrays.

    The expression is made explicit at the sizes (``as_explicit``), the
    arrays substituted entry by entry, and the result evaluated; this avoids
    relying on lambdify's printing of matrix expressions.
    """
    subs = {sp.Symbol(k, integer=True, positive=True): v for k, v in sizes.items()}
    expr = expr.subs(subs)
    values = {}
    for node, leaf in leaves.items():
        v = np.asarray(point[node.value], dtype=float)
        if isinstance(leaf, sp.MatrixExpr):
            leaf = leaf.subs(subs)
            v = v.reshape(-1, 1) if node.ndim == 1 else v
            values[leaf] = sp.ImmutableMatrix(v.tolist())
        else:
            values[leaf] = sp.Float(float(v))
    if not isinstance(expr, (sp.MatrixExpr, sp.Expr)):  # an array expression
        from sympy.tensor.array.expressions import convert_array_to_matrix

        expr = convert_array_to_matrix(expr)
    if isinstance(expr, sp.MatrixExpr):
        expr = expr.as_explicit()
    elif not isinstance(expr, sp.Expr):
        expr = expr.as_explicit()  # still an array expression: its explicit array
    out = expr.xreplace(values).doit()
    if isinstance(out, (sp.MatrixBase, sp.NDimArray)):
        return np.array(sp.Array(out).applyfunc(sp.N).tolist(), dtype=float)
    return np.asarray(float(sp.N(out)), dtype=float)
