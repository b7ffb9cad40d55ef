"""The ``symgraph`` command: expression strings in, gradients, tables and checks out.

Every expression is read with the safe parser (``sg.parse``); nothing typed
on the command line is ever evaluated as Python. Exit status: 0 on success,
1 when a verification or check fails, 2 on bad input (with a one-line
reason on stderr, never a traceback).

Examples::

    symgraph grad "(x + y) * z" --wrt x,y,z
    symgraph steps "(x + y) * z" --at x=-2,y=5,z=-4 --format markdown
    symgraph verify "sin(x**2)" --wrt x --claim "2*x*cos(x**2)"
    symgraph check "sigmoid(w*x + b)" --at w=2,x=-1,b=0.5
    symgraph dot "(x + y) * z" --at x=-2,y=5,z=-4 --output graph.svg
    symgraph codegen "x*y + sin(x)" --wrt x,y --name f
    symgraph exercise sigmoid --seed 3
"""

from __future__ import annotations

import argparse
import json
import sys

EXIT_OK, EXIT_FAILED, EXIT_BAD_INPUT = 0, 1, 2


class _UsageError(Exception):
    """A command line argparse rejects (reported in one line, exit 2)."""


class _Parser(argparse.ArgumentParser):
    def error(self, message):
        raise _UsageError(f"{self.prog}: {message}")


class _Failed(Exception):
    """A verification or check that ran and failed (exit 1)."""


# ----- argument helpers --------------------------------------------------------
def _expr(text: str):
    from .parse import parse

    return parse(text)


def _free_symbols(f) -> list:
    """The symbols of ``f`` in the order they first appear."""
    from .traverse import toposort

    return [n for n in toposort([f]) if n.op == "symbol"]


def _wrt(f, text: str | None) -> list:
    from .node import symbol

    if text is None:
        syms = _free_symbols(f)
        if not syms:
            raise ValueError(
                "the expression has no symbols to differentiate with respect to"
            )
        return syms
    names = [w for w in text.replace(",", " ").split() if w]
    if not names:
        raise ValueError("--wrt names no symbols")
    return [symbol(n) for n in names]


def _point(text: str | None, f=None) -> dict | None:
    """``x=-2,y=5`` -> ``{"x": -2.0, "y": 5.0}``; values may be expressions of
    numbers (``1/2``, ``pi/4``), read with the safe parser."""
    from .evaluate import evaluate
    from .node import symbol
    from .parse import parse

    if text is None:
        return None
    point = {}
    for item in (p.strip() for p in text.split(",")):
        if not item:
            continue
        name, eq, value = item.partition("=")
        name = name.strip()
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


# ----- subcommands -------------------------------------------------------------
def _cmd_grad(args, out):
    # tensor hook: with --shapes the expression is a tensor expression
    if getattr(args, "shapes", None):
        return _tensor_cli().run("grad", args, out, _Failed)
    from .evaluate import evaluate
    from .grad import grad

    f = _expr(args.expr)
    wrt = _wrt(f, args.wrt)
    grads = grad(f, wrt)
    at = _point(args.at, f)
    values = evaluate(grads, at) if at is not None else None
    for i, (v, g) in enumerate(zip(wrt, grads)):
        line = f"d/d{v.value} = {g}"
        if values is not None:
            line += f"  =  {values[i]:.10g}"
        print(line, file=out)


def _cmd_steps(args, out):
    from .teach.table import backprop_table

    f = _expr(args.expr)
    table = backprop_table(f, _point(args.at, f), digits=args.digits)
    render = {
        "text": str,
        "markdown": lambda t: t.to_markdown(),
        "latex": lambda t: t.to_latex(),
        "json": lambda t: t.to_json(),
    }[args.format]
    print(render(table), file=out)


def _cmd_verify(args, out):
    # tensor hook: with --shapes the expression is a tensor expression
    if getattr(args, "shapes", None):
        return _tensor_cli().run("verify", args, out, _Failed)
    from .parse import parse

    verify = _require("verify")
    f = _expr(args.expr)
    wrt = _wrt(f, args.wrt)
    if len(args.claim) != len(wrt):
        raise ValueError(
            f"give one --claim per symbol ({', '.join(v.value for v in wrt)}): "
            f"got {len(args.claim)} claim(s)"
        )
    claims = [parse(c) for c in args.claim]
    result = verify(f, wrt, claims)
    print(result, file=out)
    if not result.correct:
        raise _Failed("the claimed derivative is wrong")


def _cmd_check(args, out):
    # tensor hook: with --shapes the expression is a tensor expression
    if getattr(args, "shapes", None):
        return _tensor_cli().run("check", args, out, _Failed)
    check = _require("check")
    f = _expr(args.expr)
    wrt = _wrt(f, args.wrt)
    at = _point(args.at, f)
    report = check(f, wrt, at=at) if at is not None else check(f, wrt)
    print(report, file=out)
    if not report.ok:
        raise _Failed("the symbolic, numeric and finite-difference gradients disagree")


def _cmd_dot(args, out):
    from .teach.dot import to_dot

    f = _expr(args.expr)
    drawing = to_dot(f, _point(args.at, f), rankdir=args.rankdir)
    if args.output:
        path = drawing.save(args.output)
        print(f"wrote {path}", file=out)
    else:
        print(drawing, file=out, end="")


def _cmd_codegen(args, out):
    # tensor hook: with --shapes the expression is a tensor expression
    if getattr(args, "shapes", None):
        return _tensor_cli().run("codegen", args, out, _Failed)
    codegen = _require("codegen")
    f = _expr(args.expr)
    wrt = _wrt(f, args.wrt)
    source = codegen(f, wrt, name=args.name, target=args.target)
    if args.output:
        with open(args.output, "w", encoding="utf-8") as fh:
            fh.write(source)
        print(f"wrote {args.output}", file=out)
    else:
        print(source, file=out, end="" if source.endswith("\n") else "\n")


def _cmd_exercise(args, out):
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


def _tensor_cli():
    from .tensor import cli

    return cli


def _require(name: str):
    import symgraph

    fn = getattr(symgraph, name, None)
    if not callable(fn):
        raise _NotAvailable(
            f"sg.{name} is not available in this installation of symgraph"
        )
    return fn


class _NotAvailable(Exception):
    """A feature whose module is not installed yet (exit 2)."""


def _build_parser() -> argparse.ArgumentParser:
    from .exercises import KINDS

    parser = _Parser(
        prog="symgraph",
        description="Symbolic reverse-mode differentiation of expression strings.",
        epilog="Exit status: 0 success, 1 a verification or check failed, 2 bad input.",
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    expr_help = "expression, e.g. '(x + y) * z' (read by the safe parser)"
    wrt_help = "comma-separated symbols, e.g. x,y (default: every symbol, in order)"
    at_help = "point, e.g. x=-2,y=5,z=-4"

    p = sub.add_parser("grad", help="print the gradient of an expression")
    p.add_argument("expr", help=expr_help)
    p.add_argument("--wrt", help=wrt_help)
    p.add_argument("--at", help=at_help + " (also print the values there)")
    p.add_argument("--shapes", help=_tensor_cli().SHAPES_HELP)  # tensor hook
    p.set_defaults(run=_cmd_grad)

    p = sub.add_parser("steps", help="print the backprop table, node by node")
    p.add_argument("expr", help=expr_help)
    p.add_argument("--at", help=at_help + " (default: a symbolic table)")
    p.add_argument(
        "--format", choices=("text", "markdown", "latex", "json"), default="text"
    )
    p.add_argument(
        "--digits", type=int, default=4, help="significant digits (default 4)"
    )
    p.set_defaults(run=_cmd_steps)

    p = sub.add_parser(
        "verify", help="is a hand-derived derivative right? (exit 1 if not)"
    )
    p.add_argument("expr", help=expr_help)
    p.add_argument("--wrt", help=wrt_help)
    p.add_argument(
        "--claim",
        action="append",
        required=True,
        help="the claimed derivative; repeat once per --wrt symbol, in order",
    )
    p.add_argument("--shapes", help=_tensor_cli().SHAPES_HELP)  # tensor hook
    p.set_defaults(run=_cmd_verify)

    p = sub.add_parser(
        "check",
        help="compare symbolic, numeric and finite-difference gradients (exit 1 if they differ)",
    )
    p.add_argument("expr", help=expr_help)
    p.add_argument("--wrt", help=wrt_help)
    p.add_argument("--at", help=at_help + " (default: random points)")
    p.add_argument("--shapes", help=_tensor_cli().SHAPES_HELP)  # tensor hook
    p.set_defaults(run=_cmd_check)

    p = sub.add_parser(
        "dot", help="Graphviz drawing of the graph (DOT text, or a file)"
    )
    p.add_argument("expr", help=expr_help)
    p.add_argument("--at", help=at_help + " (values and gradients on the edges)")
    p.add_argument(
        "--output",
        "-o",
        help="write to a file: .dot/.gv text, or .svg/.png/.pdf (needs Graphviz)",
    )
    p.add_argument("--rankdir", choices=("LR", "TB", "RL", "BT"), default="LR")
    p.set_defaults(run=_cmd_dot)

    p = sub.add_parser(
        "codegen", help="standalone NumPy module computing value and gradient"
    )
    p.add_argument("expr", help=expr_help)
    p.add_argument("--wrt", help=wrt_help)
    p.add_argument("--name", default="f", help="function name (default f)")
    p.add_argument(
        "--target", default="python", help="target language (default python)"
    )
    p.add_argument("--output", "-o", help="write the module to this file")
    p.add_argument("--shapes", help=_tensor_cli().SHAPES_HELP)  # tensor hook
    p.set_defaults(run=_cmd_codegen)

    p = sub.add_parser(
        "exercise", help="a randomized course exercise with its worked solution"
    )
    p.add_argument("kind", choices=KINDS)
    p.add_argument(
        "--seed", type=int, default=0, help="same seed, same exercise (default 0)"
    )
    p.add_argument(
        "--format", choices=("text", "markdown", "latex", "json"), default="text"
    )
    p.add_argument("--no-solution", action="store_true", help="print the question only")
    p.set_defaults(run=_cmd_exercise)
    return parser


def main(argv=None) -> int:
    """Run the command line; returns the exit status (0, 1 or 2)."""
    from .errors import ToolkitError

    out = sys.stdout
    parser = _build_parser()
    try:
        args = parser.parse_args(argv)
        args.run(args, out)
    except SystemExit as exc:  # --help exits through argparse
        return exc.code if isinstance(exc.code, int) else EXIT_OK
    except BrokenPipeError:  # the reader went away (| head): not an error
        return EXIT_OK
    except _Failed as exc:
        print(f"symgraph: {exc}", file=sys.stderr)
        return EXIT_FAILED
    except (
        _UsageError,
        _NotAvailable,
        ToolkitError,
        ValueError,
        TypeError,
        OSError,
    ) as exc:
        reason = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        print(f"symgraph: error: {reason}", file=sys.stderr)
        return EXIT_BAD_INPUT
    return EXIT_OK


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
