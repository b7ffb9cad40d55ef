"""The subcommands of the ``symgraph`` command and the readers of their
arguments (expressions, ``--wrt`` lists, ``--at`` points).

Each ``cmd_*`` takes the parsed arguments and the output and error streams;
it raises :class:`Failed` when a verification or check ran and failed (exit
1) and ValueError or a toolkit error on bad input (exit 2). ``cli.py`` holds
the argument parser and ``main``.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable

import numpy as np

__all__ = [
    "PREFIX",
    "Failed",
    "claim_texts",
    "cmd_check",
    "cmd_codegen",
    "cmd_dot",
    "cmd_exercise",
    "cmd_grad",
    "cmd_hessian",
    "cmd_steps",
    "cmd_verify",
]

PREFIX = "symgraph: "


class Failed(Exception):
    """A verification or check that ran and failed (exit 1)."""


# ----- argument helpers --------------------------------------------------------
def _expr(text: str, err=None):
    """The expression, with a note line on stderr for each likely slip
    (``e^x`` with ``e`` a symbol) instead of Python's warning format."""
    from .parse import parse_with_hints

    node, hints = parse_with_hints(text)
    for hint in hints:
        print(f"{PREFIX}note: {hint.reason}", file=err or sys.stderr)
    return node


def _free_symbols(f) -> list:
    """The symbols of ``f`` in the order they first appear."""
    from .traverse import toposort

    return [n for n in toposort([f]) if n.op == "symbol"]


def _wrt(f, text: str | None) -> list:
    from .wrt import normalize_wrt

    if text is None:
        syms = _free_symbols(f)
        if not syms:
            raise ValueError(
                "the expression has no symbols to differentiate with respect to"
            )
        return syms
    return normalize_wrt(text).symbols


def _point(text: str | None, f=None) -> dict | None:
    """``x=-2,y=5`` -> ``{"x": -2.0, "y": 5.0}``; values may be expressions of
    numbers (``1/2``, ``pi/4``), read with the safe parser."""
    from .evaluate import evaluate
    from .identifiers import normal_name
    from .node import symbol
    from .parse import parse

    if text is None:
        return None
    point = {}
    for item in (p.strip() for p in text.split(",")):
        if not item:
            continue
        name, eq, value = item.partition("=")
        name = normal_name(name.strip())  # as the parser reads names (NFKC)
        if not eq or not value.strip():
            raise ValueError(
                f"--at expects name=value pairs separated by commas, got {item!r}"
            )
        symbol(name)  # validates the name
        if name in point:
            raise ValueError(f"--at gives {name} twice")
        node = parse(value.strip())
        if _free_symbols(node):
            raise ValueError(
                f"the value of {name} must be a number, not {value.strip()!r}"
            )
        point[name] = float(evaluate(node))
    if f is not None:
        extra = sorted(set(point) - {s.value for s in _free_symbols(f)})
        if extra:
            raise ValueError(
                f"--at gives {', '.join(extra)}, which the expression does not use"
            )
    return point


def _values(nodes: list, at: dict, err) -> list:
    """Values of ``nodes`` at ``at``, NumPy's warnings off; a non-finite value
    gets one line on stderr."""
    from .evaluate import evaluate

    with np.errstate(all="ignore"):
        values = evaluate(nodes, at)
    if not all(np.isfinite(values)):
        where = ", ".join(f"{k}={v:g}" for k, v in at.items())
        print(
            f"{PREFIX}note: not every value is finite at {where} (outside the domain?)",
            file=err,
        )
    return values


def _number(v: float) -> str:
    return f"{v:.10g}"


# ----- subcommands -------------------------------------------------------------
def _shown(nodes: list, raw: bool) -> list:
    """What to print: the simplified form of each small result (--raw: as built)."""
    if raw:
        return nodes
    from .tidy import simplify

    return [simplify(n) for n in nodes]


def _print_derivatives(labels: list, nodes: list, at, raw: bool, out, err) -> None:
    """One line per derivative, ``label = expression``; at a point (--at) the
    DAG as built and its value, else the simplified form (--raw: as built)."""
    values = _values(nodes, at, err) if at is not None else None
    for k, (label, node) in enumerate(
        zip(labels, _shown(nodes, raw or at is not None))
    ):
        line = f"{label} = {node}"
        if values is not None:
            line += f"  =  {_number(values[k])}"
        print(line, file=out)


def cmd_grad(args, out, err):
    from .grad import grad

    f = _expr(args.expr, err)
    wrt = _wrt(f, args.wrt)
    labels = [f"d/d{v.value}" for v in wrt]
    _print_derivatives(labels, grad(f, wrt), _point(args.at, f), args.raw, out, err)


def cmd_hessian(args, out, err):
    from .grad import hessian

    f = _expr(args.expr, err)
    wrt = _wrt(f, args.wrt)
    h = hessian(f, wrt)
    labels = [f"d2/d{wrt[i].value}d{wrt[j].value}" for (i, j), _ in np.ndenumerate(h)]
    _print_derivatives(labels, list(h.ravel()), _point(args.at, f), args.raw, out, err)


def cmd_steps(args, out, err):
    from .teach.table import BackpropTable, backprop_table

    f = _expr(args.expr, err)
    with np.errstate(all="ignore"):
        table = backprop_table(f, _point(args.at, f), digits=args.digits)
    renderers: dict[str, Callable[[BackpropTable], str]] = {
        "text": str,
        "markdown": lambda t: t.to_markdown(),
        "latex": lambda t: t.to_latex(),
        "json": lambda t: t.to_json(),
    }
    print(renderers[args.format](table), file=out)


def claim_texts(args, names: list[str]) -> list[str]:
    """The claimed derivatives of ``verify``, given after the expression or
    with ``--claim`` (not both), one per variable in ``names``."""
    if args.claims and args.claim:
        raise ValueError(
            "give the claims after the expression or with --claim, not both"
        )
    texts = list(args.claims or args.claim)
    if len(texts) != len(names):
        raise ValueError(
            f"give one claimed derivative per variable ({', '.join(names)}): "
            f"got {len(texts)}"
        )
    return texts


def cmd_verify(args, out, err):
    from .parse import parse
    from .verify import verify

    f = _expr(args.expr, err)
    wrt = _wrt(f, args.wrt)
    claims = [parse(c) for c in claim_texts(args, [v.value for v in wrt])]
    result = verify(f, wrt if len(wrt) > 1 else wrt[0], claims if len(wrt) > 1 else claims[0],
                    timeout=args.timeout)  # fmt: skip
    print(result, file=out)
    if not result.correct:
        raise Failed("the claimed derivative is wrong")


def cmd_check(args, out, err):
    from .check import check

    f = _expr(args.expr, err)
    wrt = _wrt(f, args.wrt)
    at = _point(args.at, f)
    report = check(f, wrt, at=at) if at is not None else check(f, wrt)
    print(report, file=out)
    if not report.ok:
        raise Failed("the symbolic, numeric and finite-difference gradients disagree")


def cmd_dot(args, out, err):
    from .teach.dot import to_dot

    f = _expr(args.expr, err)
    with np.errstate(all="ignore"):
        drawing = to_dot(f, _point(args.at, f), rankdir=args.rankdir)
    if args.output:
        path = drawing.save(args.output)
        print(f"wrote {path}", file=out)
    else:
        print(drawing, file=out, end="")


def cmd_codegen(args, out, err):
    from .codegen import codegen

    f = _expr(args.expr, err)
    wrt = _wrt(f, args.wrt)
    source = codegen(f, wrt, name=args.name, target=args.target, hessian=args.hessian)
    if args.output:
        with open(args.output, "w", encoding="utf-8") as fh:
            fh.write(source)
        print(f"wrote {args.output}", file=out)
    else:
        print(source, file=out, end="" if source.endswith("\n") else "\n")


def cmd_exercise(args, out, err):
    from .exercises import exercise

    ex = exercise(args.kind, seed=args.seed)
    if args.format == "json":
        print(json.dumps(ex.to_dict(), indent=2), file=out)
        return
    print(ex.question, file=out)
    if not args.no_solution:
        heading = {
            "text": "\nSolution\n--------",
            "markdown": "\n## Solution\n",
            "latex": "",
        }
        print(heading[args.format], file=out)
        print(ex.solution(args.format), file=out)
