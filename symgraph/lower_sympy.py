"""The reference path of ``sg.lambdify``: through ``sympy.lambdify`` with the
DAG's own sharing.

``sympy.lambdify`` takes a ``cse`` callable returning ``(replacements,
reduced_exprs)``, the shape ``sympy.cse`` documents. We hand it the sharing
the DAG already has: every node used more than once (and every node deep in a
long single-use chain, to keep the printed lines short) becomes one
replacement, in topological order. Lowering is therefore linear in the DAG
size; no ``sympy.cse`` search runs. Ops other than arithmetic are printed as
calls to the registry's NumPy functions, so this path and ``evaluate``
compute with the same code. This module imports SymPy; ``lower.py`` loads it
only for ``backend="sympy"``.
"""

from __future__ import annotations

import heapq

import numpy as np
import sympy as sp
from sympy.printing.numpy import NumPyPrinter
from sympy.printing.precedence import PRECEDENCE

from .errors import NotASymbolError
from .node import Node, as_node, const_value
from .opdef import OPS
from .sympy_bridge import _const_to_sympy
from .traverse import count_uses, toposort

__all__ = ["dag_cse", "sympy_lambdify"]

# A node whose inline expression would nest deeper than this gets its own
# line: SymPy's printer recurses, and short lines read better.
_MAX_INLINE_DEPTH = 24

_FUNCS = {name: sp.Function(f"{name}_") for name in OPS}


class _Printer(NumPyPrinter):
    """NumPy printer for lowered DAGs.

    Writes floats exactly, huge integers as floats, and sums and products in
    the order the DAG holds them (SymPy's printer would sort the terms of
    every sum first, which is slow and reorders the user's structure).
    """

    def _handle_UnevaluatedExpr(self, expr):
        # Our expressions hold no UnevaluatedExpr; SymPy's handler would walk
        # every line with ``replace`` (most of the printing time).
        return expr

    def _print_Add(self, expr):
        out = []
        for i, term in enumerate(expr.args):
            negated = term.is_Mul and len(term.args) == 2 and term.args[0] == -1
            if i == 0:
                out.append(self._print(term) if not negated else self._print_Mul(term))
            elif negated:
                out.append(" - " + self.parenthesize(term.args[1], PRECEDENCE["Add"]))
            else:
                out.append(" + " + self.parenthesize(term, PRECEDENCE["Add"]))
        return "".join(out)

    def _print_Mul(self, expr):
        args = expr.args
        if len(args) != 2:
            return super()._print_Mul(expr)
        a, b = args
        if a == -1:
            return "-" + self.parenthesize(b, PRECEDENCE["Mul"])
        left = self.parenthesize(a, PRECEDENCE["Mul"], strict=True)
        if b.is_Pow and b.exp == -1:
            return left + "/" + self.parenthesize(b.base, PRECEDENCE["Mul"])
        return left + "*" + self.parenthesize(b, PRECEDENCE["Mul"])

    def _print_Float(self, expr):
        return repr(float(expr))

    def _print_Integer(self, expr):
        v = int(expr)
        if abs(v) < 2**53:
            return str(v)
        f = float(v) if v.bit_length() < 1024 else float("inf") * (1 if v > 0 else -1)
        return (
            repr(f)
            if f == f and abs(f) != float("inf")
            else f"numpy.{'-' if v < 0 else ''}inf"
        )


def _sympy_of(node: Node, args: list):
    op = node.op
    if op == "add":
        return sp.Add(*args, evaluate=False)
    if op == "mul":
        return sp.Mul(*args, evaluate=False)
    if op == "sub":
        return sp.Add(args[0], sp.Mul(-1, args[1], evaluate=False), evaluate=False)
    if op == "neg":
        return sp.Mul(-1, args[0], evaluate=False)
    if op == "div":
        return sp.Mul(args[0], sp.Pow(args[1], -1, evaluate=False), evaluate=False)
    if op == "pow":
        return sp.Pow(args[0], args[1], evaluate=False)
    return _FUNCS[op](*args)


def dag_cse(outputs: list, symbol_map: dict):
    """The DAG's sharing in the form ``sympy.cse`` returns.

    Parameters
    ----------
    outputs : list of Node
    symbol_map : ``{symbol node: sympy symbol}`` for the inputs.

    Returns
    -------
    (replacements, reduced) : ``replacements`` is a list of ``(sympy symbol,
    sympy expression)`` in evaluation order, ``reduced`` the outputs written
    with those symbols.
    """
    order = toposort(outputs)
    names = _temporary_names(order, outputs)
    expr = {}
    known = {}  # float values of constants and of ops on constants only
    replacements = []
    for node in order:
        if node.op == "symbol":
            if node not in symbol_map:
                raise NotASymbolError(
                    f"symbol {node.value!r} is not among the arguments"
                )
            expr[node] = symbol_map[node]
        elif node.op == "const":
            v = node.value
            expr[node] = (
                _float_to_sympy(v) if isinstance(v, float) else _const_to_sympy(v)
            )
            known[node] = np.float64(const_value(node))
        elif all(a in known for a in node.args):
            # An op on constants that construction left unfolded (too large
            # to keep exactly, a division by zero, ...) is computed here in
            # float64 as evaluate() computes it: printing 9**387420489 would
            # make Python compute the exact integer at call time.
            with np.errstate(all="ignore"):
                v = np.float64(OPS[node.op].numpy(*[known[a] for a in node.args]))
            known[node] = v
            expr[node] = _float_to_sympy(float(v))
        else:
            e = _sympy_of(node, [expr[a] for a in node.args])
            if node in names:
                s = sp.Symbol(names[node])
                replacements.append((s, e))
                e = s
            expr[node] = e
        if node in names and node in known:
            replacements.append((sp.Symbol(names[node]), expr[node]))
            expr[node] = sp.Symbol(names[node])
    return replacements, [expr[o] for o in outputs]


# Non-finite constants print as NumPy's names: SymPy's own nan/zoo break its
# str() of an unevaluated product, which lambdify takes for the docstring.
_NONFINITE = {"inf": sp.Symbol("numpy.inf"), "-inf": -sp.Symbol("numpy.inf"),
              "nan": sp.Symbol("numpy.nan")}  # fmt: skip


def _float_to_sympy(v: float):
    return _NONFINITE.get(repr(v)) or sp.Float(v)


def _temporary_names(order: list, outputs: list) -> dict:
    """Which nodes get a line of their own, and the variable each is kept in.

    A node used more than once, or nested too deep to inline, becomes a
    temporary. Temporaries reuse the names of temporaries that are dead (used
    for the last time on an earlier line or the current one), so the lowered
    function keeps only the live intermediates in memory: on a batch, a
    gradient with hundreds of intermediates then runs in cache instead of
    holding every array to the end.
    """
    uses = count_uses(order)
    for o in outputs:
        uses[o] += 1
    depth, refs = {}, {}
    temps, temp_refs = [], {}
    for node in order:
        if not node.args:
            depth[node], refs[node] = 0, ()
            continue
        inline = set()
        for a in node.args:
            if a in temp_refs:
                inline.add(a)
            else:
                inline.update(refs[a])
        d = 1 + max(depth[a] for a in node.args)
        if uses[node] > 1 or d > _MAX_INLINE_DEPTH:
            temps.append(node)
            temp_refs[node] = inline
            depth[node], refs[node] = 0, ()
        else:
            depth[node], refs[node] = d, inline
    last = {}
    for j, t in enumerate(temps):
        for r in temp_refs[t]:
            last[r] = j
    for o in outputs:
        for r in [o] if o in temp_refs else refs[o]:
            last[r] = len(temps)
    names, free, count = {}, [], 0
    for j, t in enumerate(temps):
        for r in sorted(temp_refs[t], key=lambda n: names[n]):
            if last[r] == j:
                heapq.heappush(free, int(names[r][1:]))
        if free:
            k = heapq.heappop(free)
        else:
            k, count = count, count + 1
        names[t] = f"t{k}"
    return names


def sympy_lambdify(spec: list, symbols: list, params: list, outputs):
    """``sg.lambdify`` through ``sympy.lambdify``: ``spec`` and ``symbols`` from
    the argument list, ``params`` the parameter names."""
    names = {s: sp.Symbol(p) for s, p in zip(symbols, params)}
    is_array = isinstance(outputs, np.ndarray)
    if is_array:
        out_shape = outputs.shape
        out_nodes = [as_node(o) for o in outputs.ravel()]
    elif isinstance(outputs, (list, tuple)):
        out_nodes = [as_node(o) for o in outputs]
    else:
        out_nodes = [as_node(outputs)]
    replacements, reduced = dag_cse(out_nodes, names)
    params = [names[s] for s in symbols]
    modules = [{f"{name}_": op.numpy for name, op in OPS.items()}, "numpy"]
    raw = sp.lambdify(
        params,
        reduced,
        modules=modules,
        printer=_Printer(
            {
                "fully_qualified_modules": True,
                "inline": True,
                "allow_unknown_functions": True,
                "user_functions": {},
            }
        ),
        cse=lambda _exprs: (replacements, reduced),
        docstring_limit=None,
    )

    def unpack(values):
        if len(values) != len(spec):
            raise TypeError(f"expected {len(spec)} arguments, got {len(values)}")
        flat = []
        for (kind, shape, _start, count), v in zip(spec, values):
            v = np.asarray(v, dtype=np.float64)
            if kind == "scalar":
                flat.append(v)
            else:
                if v.shape[: len(shape)] != shape:
                    raise ValueError(
                        f"argument of shape {v.shape} does not start with the symbol array's shape {shape}"
                    )
                flat.extend(v.reshape((count,) + v.shape[len(shape) :]))
        return flat

    def fn(*values):
        flat = unpack(values)
        results = raw(*flat)
        if is_array:
            res = np.broadcast_arrays(
                *[np.asarray(r, dtype=np.float64) for r in results]
            )
            if not res:
                return np.zeros(out_shape)
            return np.stack(res).reshape(out_shape + res[0].shape)
        results = [r if np.ndim(r) else float(r) for r in results]
        return results if isinstance(outputs, (list, tuple)) else results[0]

    fn.__doc__ = raw.__doc__
    fn.__name__ = "lambdified"
    return fn
