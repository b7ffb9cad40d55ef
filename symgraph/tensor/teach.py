"""The backprop table at the matrix level, as on a course handout.

One row per node of a tensor expression, in topological order: its name,
op, shape, the forward formula (``h = W1 @ x``), the op's local rule in
matrix form written over named placeholders (``dW1 = outer(dh, x)``,
``dx = W1.T @ dh``: the registry's own adjoint rule applied to a symbolic
upstream gradient ``dh``), the upstream gradient (the node's adjoint from
the same reverse sweep as ``grad``, written over the row names) and the
CS231n check that the gradient has the shape of the variable. At a point
(arrays) the table also shows each row's value and upstream gradient.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..teach.render import markdown_table, text_table
from ..traverse import toposort
from .dims import shape_text
from .evaluate import Values, bind_arrays, evaluate_nodes, free_symbols
from .grad import adjoints, same_shape
from .latex import to_latex
from .node import TensorLike, TensorNode, as_tensor, make, symbol
from .printing import to_numpy
from .registry import TOPS

__all__ = ["MatrixBackpropTable", "MatrixRow", "backprop_table", "rename"]

COLUMNS = ("name", "op", "shape", "forward", "local", "upstream", "check")
HEADERS = {"name": "node", "op": "op", "shape": "shape", "forward": "forward",
           "local": "local rule (downstream from upstream)", "upstream": "upstream",
           "check": "shape check"}  # fmt: skip


@dataclass(frozen=True)
class MatrixRow:
    """One node: its formula, local rules, upstream gradient and values."""

    name: str
    op: str
    shape: tuple
    forward: str
    local: tuple
    upstream: TensorNode | None
    upstream_text: str
    shape_ok: bool
    node: TensorNode
    value: object = None
    upstream_value: object = None
    named_upstream: TensorNode | None = None
    named_forward: TensorNode | None = None
    downstream: tuple = ()


def rename(expr: TensorNode, names: dict) -> TensorNode:
    """``expr`` with each node of ``names`` replaced by a symbol of that name."""
    memo = {}
    for n in toposort([expr]):
        if n in names:
            memo[n] = names[n]
        elif not n.args:
            memo[n] = n
        else:
            memo[n] = make(n.op, *[memo[a] for a in n.args], **n.kwargs)
    return memo[expr]


def _auto_names(order: list) -> dict:
    taken = {n.value for n in order if n.op == "symbol"}
    names, k = {}, 1
    for n in order:
        if n.op == "symbol":
            names[n] = n.value
        elif n.args:
            if n.name and n.name not in taken:
                names[n] = n.name
            else:
                while f"v{k}" in taken:
                    k += 1
                names[n] = f"v{k}"
                k += 1
            taken.add(names[n])
    return names


def _local_rules(n, names, placeholders) -> tuple:
    """The op's adjoint rule over named placeholders: ``("dW = ...", ...)``."""
    g = symbol(f"d{names[n]}", n.shape)
    args = [placeholders[a] for a in n.args]
    parts = TOPS[n.op].adjoint_rule()(g, placeholders[n], *args, **n.kwargs)
    out = []
    for a, part in zip(n.args, parts):
        if part is None or a.op == "const" or a.op in ("eye", "fill"):
            continue
        out.append(f"d{names[a]} += {to_numpy(part)}")
    return tuple(out)


class MatrixBackpropTable:
    """The result of :func:`backprop_table`: print it or convert it.

    ``rows`` in topological order (the output last); ``gradients`` maps each
    variable's name to its gradient expression (over the row names).
    """

    def __init__(self, rows: list, at):
        self.rows = rows
        self.at = at
        self.gradients = {r.name: r.upstream_text for r in rows if r.op == "symbol"}

    def __len__(self) -> int:
        return len(self.rows)

    def __getitem__(self, key):
        if isinstance(key, str):
            for r in self.rows:
                if r.name == key:
                    return r
            raise KeyError(f"no row named {key!r}")
        return self.rows[key]

    def cells(self, row: MatrixRow) -> dict:
        check = "-" if row.upstream is None else ("ok" if row.shape_ok else "WRONG")
        cells = {
            "name": row.name,
            "op": row.op,
            "shape": shape_text(row.shape),
            "forward": row.forward,
            "local": "; ".join(row.local) or "-",
            "upstream": row.upstream_text,
            "check": check,
        }
        if self.at is not None and row.upstream_value is not None:
            cells["upstream"] += f" = {_short(row.upstream_value)}"
        return cells

    def _grid(self) -> list:
        return [[self.cells(r)[c] for c in COLUMNS] for r in self.rows]

    def __str__(self) -> str:
        return text_table(self._grid(), COLUMNS, HEADERS, ())

    __repr__ = __str__

    def to_markdown(self) -> str:
        """A GitHub-flavoured Markdown table (formulas as code)."""
        return markdown_table(
            self._grid(),
            COLUMNS,
            HEADERS,
            (),
            lambda t: t not in ("-", "ok", "WRONG", ""),
        )

    def to_latex(self) -> str:
        """A ``tabular`` of the formulas in matrix notation (LaTeX math)."""
        lines = ["\\begin{tabular}{lllll}", "\\hline",
                 "node & shape & forward & upstream & shape check \\\\", "\\hline"]  # fmt: skip
        for r in self.rows:
            up = "-" if r.upstream is None else f"${to_latex(r.named_upstream)}$"
            fwd = (
                "-"
                if r.op == "symbol"
                else f"${to_latex(r.named_forward, simplify=False)}$"
            )
            check = "-" if r.upstream is None else ("ok" if r.shape_ok else "WRONG")
            name = r.name.replace("_", "\\_")
            lines.append(
                f"${name}$ & ${shape_text(r.shape)}$ & {fwd} & {up} & {check} \\\\"
            )
        lines += ["\\hline", "\\end{tabular}"]
        return "\n".join(lines)


def _short(v) -> str:
    a = np.asarray(v, dtype=float)
    if a.ndim == 0:
        return f"{float(a):.4g}"
    if a.size <= 6:
        return np.array2string(a, precision=3, separator=", ").replace("\n", "")
    return f"<{'x'.join(map(str, a.shape))} array, |.|_F = {np.linalg.norm(a):.4g}>"


def backprop_table(f: TensorLike, at: Values | None = None) -> MatrixBackpropTable:
    """The matrix-level backprop table of a scalar tensor expression.

    Parameters
    ----------
    f : scalar TensorNode; intermediate results named with ``.named("h")``
        keep their names (others are called ``v1``, ``v2``, ...).
    at : optional ``{symbol or name: array}``: also show values.

    Returns
    -------
    MatrixBackpropTable

    Examples
    --------
    >>> import symgraph as sg
    >>> W, x = sg.tensors("W:m,n x:n")
    >>> h = (W @ x).named("h")
    >>> table = sg.tensor.backprop_table(sg.sum(sg.relu(h)))
    >>> table["h"].local
    ('dW += outer(dh, x)', 'dx += W.T @ dh')
    >>> table.gradients["W"]
    'outer(heaviside(h, 0), x)'
    """
    f = as_tensor(f)
    order = toposort([f])
    names = _auto_names(order)
    placeholders = {n: symbol(names[n], n.shape) if n.op != "const" and (n.args or n.op == "symbol")
                    else n for n in order}  # fmt: skip
    sym_vars = free_symbols([f])
    adj = adjoints(f, sym_vars)
    values = ups = {}
    if at is not None:
        arrays, dims = bind_arrays(free_symbols([f]), at, f.bound)
        live = [n for n in order if n.op not in ("const",)]
        vals = evaluate_nodes(live, arrays, dims)
        values = dict(zip(live, vals))
        up_nodes = [n for n in order if n in adj]
        ups = dict(
            zip(up_nodes, evaluate_nodes([adj[n] for n in up_nodes], arrays, dims))
        )
    rename_map = {n: placeholders[n] for n in order if n.args}
    rows = []
    for n in order:
        if n.op == "const" or (not n.args and n.op != "symbol"):
            continue
        up = adj.get(n)
        named_up = None if up is None else rename(up, rename_map)
        fwd = None
        if n.args:
            fwd = make(n.op, *[placeholders[a] for a in n.args], **n.kwargs)
        shape_ok = up is not None and same_shape(up, n)
        if at is not None and n in ups:  # the CS231n check on the arrays too
            shape_ok = shape_ok and np.shape(ups[n]) == np.shape(values[n])
        rows.append(MatrixRow(
            name=names[n], op=n.op, shape=n.shape,
            forward="-" if fwd is None else f"{names[n]} = {to_numpy(fwd, simplify=False)}",
            local=() if n.op == "symbol" else _local_rules(n, names, placeholders),
            upstream=up, upstream_text="-" if named_up is None else to_numpy(named_up),
            shape_ok=shape_ok, node=n, value=values.get(n), upstream_value=ups.get(n),
            named_upstream=named_up, named_forward=fwd,
            downstream=_downstream(n, up, names, rename_map),
        ))  # fmt: skip
    return MatrixBackpropTable(rows, at)


def _downstream(n, up, names, rename_map) -> tuple:
    """``(input name, downstream gradient)`` pairs: the rule at the real upstream."""
    if up is None or not n.args:
        return ()
    parts = TOPS[n.op].adjoint_rule()(up, n, *n.args, **n.kwargs)
    return tuple(
        (names[a], to_numpy(rename(p, rename_map)))
        for a, p in zip(n.args, parts)
        if p is not None and (a.op == "symbol" or a.args)
    )
