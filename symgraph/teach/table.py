"""The backprop table: a DAG worked out node by node, as on a course handout.

One row per node in topological order (symbols and ops; constants appear by
value among the inputs): its name, op, inputs, forward value, the local
gradient with respect to each input, the upstream gradient (the adjoint of
the node), the downstream gradients (upstream times local, one per input) and
the gate pattern. The adjoints come from the same reverse sweep as
``sg.grad`` (``symgraph.grad.adjoints``); values from ``evaluate_nodes``.
The text, Markdown, LaTeX, HTML and JSON forms are written by
:mod:`symgraph.teach.render`.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

from ..errors import ToolkitError
from ..evaluate import bind, evaluate_nodes
from ..extensions import tensor as _tensor
from ..grad import adjoints
from ..node import Node, as_node, make
from ..opdef import OPS
from ..ops import partials_of
from ..traverse import count_uses, toposort
from .gates import gate_pattern
from .render import (
    COLUMNS,
    EMPTY_CELL,
    format_number,
    html_table,
    json_safe,
    latex_table,
    markdown_table,
    text_table,
)

__all__ = ["BackpropTable", "Row", "backprop_table", "format_number"]


class PointError(ToolkitError, ValueError):
    """A point that is not one numeric value per symbol."""


@dataclass(frozen=True)
class Row:
    """One node of the table.

    ``value``, ``upstream`` are floats and ``local``, ``downstream`` tuples of
    floats (one per input, None where the op is not differentiable in that
    input by declaration) when the table was built at a point; without a
    point they hold nodes (the symbolic entries). ``node`` is the node itself;
    ``formula`` its op written over the input names (``q * z``).
    """

    name: str
    op: str
    inputs: tuple
    value: object
    local: tuple
    upstream: object
    downstream: tuple
    gate: str
    node: Node
    formula: str = ""


class BackpropTable:
    """The result of :func:`backprop_table`; print it or convert it.

    Attributes
    ----------
    rows : list of :class:`Row`, in topological order (the output is last).
    at : dict name -> float, the point (None for a symbolic table).
    gradients : dict symbol name -> gradient of the output at the point
        (nodes for a symbolic table), in the order the symbols appear.
    value : the output's value (its node for a symbolic table).
    """

    def __init__(self, rows, at, digits):
        self.rows = list(rows)
        self.at = at
        self.digits = digits
        self.gradients = {r.name: r.upstream for r in self.rows if r.op == "symbol"}
        self.value = self.rows[-1].value if self.rows else None

    # -- access --------------------------------------------------------------
    def __len__(self):
        return len(self.rows)

    def __iter__(self):
        return iter(self.rows)

    def __getitem__(self, key):
        """A row by position or by name."""
        if isinstance(key, str):
            for r in self.rows:
                if r.name == key:
                    return r
            raise KeyError(f"no row named {key!r}")
        return self.rows[key]

    # -- cell text -----------------------------------------------------------
    def _fmt(self, v) -> str:
        return format_number(v, self.digits)

    def cells(self, row: Row) -> dict:
        """The text of each column of ``row``."""
        many = ", ".join
        return {
            "name": row.name,
            "op": row.op,
            "inputs": many(row.inputs) if row.inputs else EMPTY_CELL,
            "value": row.formula
            if self.at is None and row.formula
            else self._fmt(row.value),
            "local": many(self._fmt(v) for v in row.local) if row.local else EMPTY_CELL,
            "upstream": self._fmt(row.upstream),
            "downstream": many(self._fmt(v) for v in row.downstream)
            if row.downstream
            else EMPTY_CELL,
            "gate": row.gate or "",
        }

    def _grid(self) -> list[list[str]]:
        return [[self.cells(r)[c] for c in COLUMNS] for r in self.rows]

    # -- renderings ----------------------------------------------------------
    def __str__(self) -> str:
        return text_table(self._grid())

    def __repr__(self) -> str:
        return f"<BackpropTable of {len(self.rows)} rows>\n{self}"

    def to_markdown(self) -> str:
        """A GitHub-flavoured Markdown table."""
        return markdown_table(self._grid())

    def to_latex(self) -> str:
        """A ``tabular`` environment (needs no package beyond LaTeX itself)."""
        return latex_table(self._grid())

    def to_dict(self) -> dict:
        """Plain data (JSON-ready): the point, the output value, gradients, rows."""

        def num(v):
            if v is None:
                return None
            if isinstance(v, Node):
                return str(v)
            return float(v)

        return {
            "at": self.at,
            "value": num(self.value),
            "gradients": {k: num(v) for k, v in self.gradients.items()},
            "rows": [
                {
                    "name": r.name,
                    "op": r.op,
                    "inputs": list(r.inputs),
                    "value": num(r.value),
                    "local": [num(v) for v in r.local],
                    "upstream": num(r.upstream),
                    "downstream": [num(v) for v in r.downstream],
                    "gate": r.gate,
                }
                for r in self.rows
            ],
        }

    def to_json(self, indent: int | None = 2) -> str:
        """:meth:`to_dict` as JSON text (non-finite numbers as strings)."""
        return json.dumps(json_safe(self.to_dict()), indent=indent)

    # -- Jupyter -------------------------------------------------------------
    def _repr_markdown_(self) -> str:
        return self.to_markdown()

    def _repr_html_(self) -> str:
        return html_table(self._grid())


def _formula(node: Node, names: dict) -> str:
    """The node's op over its inputs' names: ``q * z``, ``sin(t1)``."""
    if not node.args:
        return names[node]
    args = [names[a] for a in node.args]
    infix = OPS[node.op].infix
    if node.op == "neg":
        return f"-{args[0]}"
    if infix:
        return f" {infix} ".join(args)
    return f"{node.op}({', '.join(args)})"


def _names(order: list, uses: dict) -> dict:
    """Display names: symbols by name, named nodes by name, others t1, t2 ..."""
    taken = {n.value for n in order if n.op == "symbol"}
    taken |= {n.name for n in order if n.name}
    names: dict[Node, str] = {}
    count = 0
    seen: dict[str, int] = {}  # display name -> how many nodes carry it
    for node in order:
        if node.op == "symbol":
            names[node] = node.value
        elif node.op == "const":
            names[node] = node.label
        elif node.name:
            # two different nodes given the same display name stay apart
            k = seen.get(node.name, 0)
            seen[node.name] = k + 1
            names[node] = node.name if k == 0 else f"{node.name}_{k + 1}"
        else:
            count += 1
            while f"t{count}" in taken:
                count += 1
            names[node] = f"t{count}"
    return names


def _point(at, order) -> dict:
    try:
        bound = bind(at)
    except TypeError as exc:
        raise PointError(str(exc)) from None
    for name, v in bound.items():
        if v.ndim != 0:
            raise PointError(
                f"a table is worked at one point: the value of {name} has shape {v.shape}"
            )
    missing = [n.value for n in order if n.op == "symbol" and n.value not in bound]
    if missing:
        raise PointError(f"no value given for {', '.join(missing)}")
    return bound


def backprop_table(
    f: Any, at: Mapping[Any, Any] | None = None, digits: int = 4
) -> BackpropTable:
    """Work out backpropagation through ``f`` node by node.

    Parameters
    ----------
    f : Node
        A scalar expression. Give intermediates names with ``node.named("q")``;
        the others are called ``t1``, ``t2`` ... in topological order.
    at : mapping from symbols (or their names) to numbers, optional
        The point. Without it the entries are expressions (nodes).
    digits : int
        Significant digits in the printed forms (the rows keep full floats).

    Returns
    -------
    BackpropTable
        ``str(table)`` is an aligned text table; ``to_markdown()``,
        ``to_latex()``, ``to_json()`` and Jupyter's HTML view also exist.

    Raises
    ------
    PointError
        If ``at`` misses a symbol of ``f`` or a value is not one number.

    Examples
    --------
    >>> import symgraph as sg
    >>> x, y, z = sg.symbols("x y z")
    >>> t = sg.backprop_table((x + y).named("q") * z, {x: -2, y: 5, z: -4})
    >>> t.gradients
    {'x': -4.0, 'y': -4.0, 'z': 3.0}
    """
    if _tensor.involved(
        f
    ):  # tensor hook: a tensor expression gets the matrix-level table
        return _tensor.backprop_table(f, at)
    f = as_node(f)
    order = toposort([f])
    uses = count_uses(order)
    names = _names(order, uses)
    # Every node that depends on a symbol gets an adjoint (its upstream).
    # Constants are not differentiated: their local and downstream entries
    # are left empty (d(x**2)/d2 = x**2 log(x) is noise, and NaN for x < 0).
    adj = adjoints(f, [n for n in order if n.op == "symbol"])
    shown = [n for n in order if n.op != "const"]

    sym = {}
    for node in shown:
        up = adj.get(node)
        local = tuple(partials_of(node.op, node.args, node)) if node.args else ()
        local = tuple(
            None if a.op == "const" else loc for a, loc in zip(node.args, local)
        )
        down = tuple(
            None if (loc is None or up is None) else make("mul", up, loc)
            for loc in local
        )
        sym[node] = (up, local, down)

    if at is None:
        values = None
    else:
        point = _point(at, order)
        wanted = []
        for node in shown:
            up, local, _ = sym[node]
            wanted += [node] + ([up] if up is not None else [])
            wanted += [loc for loc in local if loc is not None]
        with np.errstate(all="ignore"):
            evaluated = evaluate_nodes(wanted, point)
        values = {n: float(v) for n, v in zip(wanted, evaluated)}

    rows = []
    for node in shown:
        up, local, down = sym[node]
        if values is not None:
            val = values[node]
            up_v = values[up] if up is not None else None
            local = tuple(values[loc] if loc is not None else None for loc in local)
            down = tuple(
                None if (loc is None or up_v is None) else up_v * loc for loc in local
            )
            up = up_v
        else:
            val = node
        rows.append(
            Row(
                name=names[node],
                op=node.op,
                inputs=tuple(names[a] for a in node.args),
                value=val,
                local=local,
                upstream=up,
                downstream=down,
                gate=gate_pattern(node.op, uses[node]),
                node=node,
                formula=_formula(node, names),
            )
        )
    at_out = None if at is None else {k: float(v) for k, v in point.items()}
    return BackpropTable(rows, at_out, digits)
