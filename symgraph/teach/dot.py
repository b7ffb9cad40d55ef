"""Graphviz drawings of a DAG, the way backprop slides draw circuits.

:func:`to_dot` writes DOT text (nothing needed to produce it); with a point,
each edge carries the forward value of its source (green, above) and the
gradient flowing back along it (red, below), as in CS231n's circuit diagrams.
:class:`Dot` is that text (a ``str``) with :meth:`Dot.render` and
:meth:`Dot.save`, which call Graphviz's ``dot`` program when it is installed,
and an inline SVG view in Jupyter.
"""

from __future__ import annotations

import html
import shutil
import subprocess
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from ..errors import ToolkitError
from ..node import as_node
from ..opdef import OPS
from ..traverse import toposort
from .table import backprop_table, format_number

__all__ = ["Dot", "GraphvizNotFoundError", "to_dot"]

FORMATS = ("svg", "png", "pdf")
_GLYPHS = {"maximum": "max", "minimum": "min"}
_VALUE_COLOUR = "darkgreen"
_GRAD_COLOUR = "red3"


class GraphvizNotFoundError(ToolkitError, RuntimeError):
    """Rendering was asked for but Graphviz's ``dot`` program is not installed."""


def _dot_program() -> str:
    exe = shutil.which("dot")
    if exe is None:
        raise GraphvizNotFoundError(
            "Graphviz's 'dot' program was not found on PATH, so the drawing cannot be "
            "rendered; install Graphviz (e.g. 'apt-get install graphviz' or "
            "'brew install graphviz'), or use the DOT text itself"
        )
    return exe


class Dot(str):
    """DOT text of a drawing; a ``str`` that can also render itself."""

    def render(self, format: str = "svg") -> bytes:
        """The drawing as SVG, PNG or PDF bytes, made by Graphviz's ``dot``.

        Raises
        ------
        GraphvizNotFoundError
            If ``dot`` is not installed (the message says how to install it).
        ValueError
            For a format other than svg, png or pdf.
        """
        if format not in FORMATS:
            raise ValueError(
                f"format must be one of {', '.join(FORMATS)}, not {format!r}"
            )
        exe = _dot_program()
        result = subprocess.run(
            [exe, f"-T{format}"],
            input=str(self).encode(),
            capture_output=True,
            check=False,
            timeout=120,
        )
        if result.returncode != 0:
            msg = result.stderr.decode(errors="replace").strip()
            raise RuntimeError(f"Graphviz failed: {msg}")
        return result.stdout

    def save(self, path) -> Path:
        """Write the drawing to ``path``; the format follows the suffix
        (``.svg``, ``.png``, ``.pdf``; ``.dot`` or ``.gv`` write the text)."""
        path = Path(path)
        suffix = path.suffix.lower().lstrip(".")
        if suffix in ("dot", "gv"):
            path.write_text(str(self), encoding="utf-8")
        elif suffix in FORMATS:
            path.write_bytes(self.render(suffix))
        else:
            raise ValueError(
                f"cannot tell the format from {path.name!r}: use .svg, .png, .pdf, .dot or .gv"
            )
        return path

    def _repr_svg_(self):
        # Jupyter shows the SVG inline; without Graphviz it falls back to the text.
        if shutil.which("dot") is None:
            return None
        return self.render("svg").decode("utf-8")


def _glyph(op: str) -> str:
    infix = OPS[op].infix if op in OPS else None
    if op == "neg":
        return "-"
    return infix or _GLYPHS.get(op, op)


def _edge_label(value, gradient) -> str:
    v = html.escape(value)
    if gradient is None:
        return f'<<font color="{_VALUE_COLOUR}">{v}</font>>'
    g = html.escape(gradient)
    return f'<<font color="{_VALUE_COLOUR}">{v}</font><br/><font color="{_GRAD_COLOUR}">{g}</font>>'


def to_dot(
    f: Any, at: Mapping[Any, Any] | None = None, digits: int = 4, rankdir: str = "LR"
) -> Dot:
    """Graphviz DOT text of the DAG of ``f``.

    Parameters
    ----------
    f : Node
    at : mapping from symbols (or names) to numbers, optional
        With a point, every edge is labelled with the forward value of its
        source (green) and the gradient flowing back along it (red), and an
        edge out of the output carries its value and the seed gradient 1.
    digits : int
        Significant digits of the labels.
    rankdir : "LR" (left to right, as slides draw circuits) or "TB".

    Returns
    -------
    Dot
        A ``str`` of DOT text with ``.render(format)``, ``.save(path)`` and an
        inline SVG view in Jupyter (those need Graphviz's ``dot`` program).

    Examples
    --------
    >>> import symgraph as sg
    >>> x, y = sg.symbols("x y")
    >>> print(sg.to_dot(x * y).splitlines()[0])
    digraph symgraph {
    """
    if rankdir not in ("LR", "TB", "RL", "BT"):
        raise ValueError(f"rankdir must be LR, TB, RL or BT, not {rankdir!r}")
    f = as_node(f)
    table = backprop_table(f, at, digits=digits)
    rows = {r.node: r for r in table.rows}
    order = toposort([f])
    ids = {node: f"n{i}" for i, node in enumerate(order)}

    def fmt(v):
        return format_number(v, digits)

    lines = [
        "digraph symgraph {",
        f"  rankdir={rankdir};",
        '  node [fontname="Helvetica"];',
        '  edge [fontname="Helvetica", fontsize=10];',
    ]
    for node in order:
        if node.op == "symbol":
            attrs = f'label="{node.value}", shape=plaintext, fontsize=14'
        elif node.op == "const":
            attrs = (
                f'label="{html.escape(node.label)}", shape=plaintext, fontcolor=gray30'
            )
        else:
            glyph = html.escape(_glyph(node.op))
            name = rows[node].name
            shape = "circle" if len(glyph) <= 2 else "ellipse"
            attrs = (
                f'label=<{glyph}<br/><font point-size="9" color="gray40">{name}</font>>, '
                f"shape={shape}"
            )
        lines.append(f"  {ids[node]} [{attrs}];")
    for node in order:
        if not node.args:
            continue
        row = rows[node]
        for i, arg in enumerate(node.args):
            attrs = ""
            if at is not None:
                value = fmt(arg.value) if arg.op == "const" else fmt(rows[arg].value)
                down = row.downstream[i]
                attrs = f" [label={_edge_label(value, None if down is None else fmt(down))}]"
            lines.append(f"  {ids[arg]} -> {ids[node]}{attrs};")
    if at is not None and f.op != "const":
        lines.append('  out [shape=point, width=0.05, label=""];')
        lines.append(
            f"  {ids[f]} -> out [label={_edge_label(fmt(rows[f].value), '1')}];"
        )
    lines.append("}")
    return Dot("\n".join(lines) + "\n")
