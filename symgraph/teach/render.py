"""The renderings of a backprop table: aligned text, Markdown, LaTeX, HTML, JSON.

Each function here turns the table's cells (a grid of strings, one row per
node, one column per entry of :data:`COLUMNS`) into one format, and
:func:`format_number` writes the numbers in those cells. They know nothing of
how the rows are worked out: :mod:`symgraph.teach.table` builds the rows and
calls these from :class:`~symgraph.teach.table.BackpropTable`'s methods.
"""

from __future__ import annotations

import html
import math
from collections.abc import Callable

from ..node import Node, float_of

__all__ = [
    "COLUMNS",
    "EMPTY_CELL",
    "HEADERS",
    "format_number",
    "html_table",
    "json_safe",
    "latex_table",
    "markdown_table",
    "text_table",
]

COLUMNS = ("name", "op", "inputs", "value", "local", "upstream", "downstream", "gate")
HEADERS = {
    "name": "node",
    "op": "op",
    "inputs": "inputs",
    "value": "value",
    "local": "local grad",
    "upstream": "upstream",
    "downstream": "downstream",
    "gate": "gate",
}
EMPTY_CELL = "-"
_RIGHT = ("value", "upstream")  # the columns aligned right


def format_number(v, digits: int = 4) -> str:
    """Short text of a value: integers without a point, else ``digits`` significant."""
    if v is None:
        return EMPTY_CELL
    if isinstance(v, Node):
        return str(v)
    v = float_of(v)
    if math.isnan(v):
        return "nan"
    if math.isinf(v):
        return "inf" if v > 0 else "-inf"
    if v == int(v) and abs(v) < 1e15:
        return str(int(v))
    return f"{v:.{digits}g}"


def text_table(
    grid: list[list[str]],
    columns: tuple = COLUMNS,
    headers: dict | None = None,
    right_aligned: tuple = _RIGHT,
) -> str:
    """Aligned plain text: a header line, a rule, one line per row (the
    backprop table's columns unless others are given)."""
    headers = HEADERS if headers is None else headers
    head = [headers[c] for c in columns]
    widths = [max(len(x) for x in col) for col in zip(head, *grid)]
    right = {columns.index(c) for c in right_aligned}

    def line(cells):
        out = []
        for i, (text, w) in enumerate(zip(cells, widths)):
            out.append(text.rjust(w) if i in right else text.ljust(w))
        return "  ".join(out).rstrip()

    rule = "  ".join("-" * w for w in widths)
    return "\n".join([line(head), rule, *(line(g) for g in grid)])


def markdown_table(
    grid: list[list[str]],
    columns: tuple = COLUMNS,
    headers: dict | None = None,
    right_aligned: tuple = _RIGHT,
    code: Callable[[str], bool] = lambda text: False,
) -> str:
    """A GitHub-flavoured Markdown table; a cell for which ``code`` is true
    is set as code (between backquotes)."""
    headers = HEADERS if headers is None else headers

    def cell(text):
        text = text.replace("|", "\\|")
        return f"`{text}`" if code(text) else text or " "

    head = "| " + " | ".join(headers[c] for c in columns) + " |"
    align = "|" + "|".join("---:" if c in right_aligned else "---" for c in columns)
    body = ["| " + " | ".join(cell(t) for t in g) + " |" for g in grid]
    return "\n".join([head, align + "|", *body])


def latex_table(grid: list[list[str]]) -> str:
    """A ``tabular`` environment (needs no package beyond LaTeX itself)."""
    spec = "".join("r" if c in _RIGHT else "l" for c in COLUMNS)
    lines = [f"\\begin{{tabular}}{{{spec}}}", "\\hline"]
    lines.append(" & ".join(_latex_escape(HEADERS[c]) for c in COLUMNS) + " \\\\")
    lines.append("\\hline")
    for g in grid:
        lines.append(" & ".join(_latex_cell(t) for t in g) + " \\\\")
    lines += ["\\hline", "\\end{tabular}"]
    return "\n".join(lines)


def html_table(grid: list[list[str]]) -> str:
    """An HTML ``<table>`` (Jupyter's rich view), every cell escaped."""
    head = "".join(f"<th>{html.escape(HEADERS[c])}</th>" for c in COLUMNS)
    body = "".join(
        "<tr>" + "".join(f"<td>{html.escape(t)}</td>" for t in g) + "</tr>"
        for g in grid
    )
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def json_safe(obj):
    """``obj`` (dicts, lists, floats) with non-finite floats as strings."""
    if isinstance(obj, float) and not math.isfinite(obj):
        return "nan" if math.isnan(obj) else ("inf" if obj > 0 else "-inf")
    if isinstance(obj, dict):
        return {k: json_safe(v) for k, v in obj.items()}
    if isinstance(obj, list):
        return [json_safe(v) for v in obj]
    return obj


_LATEX_SPECIAL = {
    "\\": r"\textbackslash{}",
    "&": r"\&",
    "%": r"\%",
    "$": r"\$",
    "#": r"\#",
    "_": r"\_",
    "{": r"\{",
    "}": r"\}",
    "~": r"\textasciitilde{}",
    "^": r"\textasciicircum{}",
}


def _latex_escape(text: str) -> str:
    return "".join(_LATEX_SPECIAL.get(ch, ch) for ch in text)


def _latex_cell(text: str) -> str:
    # Numbers (and lists of numbers) in math mode so minus signs are minus signs.
    parts = [p.strip() for p in text.split(",")]
    if text and all(_is_number_text(p) for p in parts):
        return "$" + ",\\ ".join(p.replace("inf", "\\infty") for p in parts) + "$"
    return _latex_escape(text)


def _is_number_text(s: str) -> bool:
    if s in ("nan", "inf", "-inf"):
        return s != "nan"
    try:
        float(s)
    except ValueError:
        return False
    return True
