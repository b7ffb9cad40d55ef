"""The ``symgraph`` command: expression strings in, gradients, tables and checks out.

Every expression is read with the safe parser (``sg.parse``); nothing typed
on the command line is ever evaluated as Python. An expression may start
with a minus sign (``symgraph grad "-cos(x)"``). Exit status: 0 on success
(for ``verify``: proved, or no counterexample), 1 when a verification or
check fails (``verify``: wrong), 2 on bad input (a one-line reason on stderr,
never a traceback). NumPy's warnings never reach the terminal: a value that
is not finite is printed as such, with one line saying so.

Examples::

    symgraph grad "(x + y) * z" --wrt x,y,z
    symgraph hessian "x**2 * y" --wrt x,y
    symgraph steps "(x + y) * z" --at x=-2,y=5,z=-4 --format markdown
    symgraph verify "sin(x**2)" --wrt x --claim "2*x*cos(x**2)"
    symgraph check "sigmoid(w*x + b)" --at w=2,x=-1,b=0.5
    symgraph dot "(x + y) * z" --at x=-2,y=5,z=-4 --output graph.svg
    symgraph codegen "x*y + sin(x)" --wrt x,y --name f --hessian
    symgraph exercise sigmoid --seed 3
"""

from __future__ import annotations

import argparse
import json
import sys

import numpy as np

EXIT_OK, EXIT_FAILED, EXIT_BAD_INPUT = 0, 1, 2
_PREFIX = "symgraph: "


class _UsageError(Exception):
    """A command line argparse rejects (reported in one line, exit 2)."""


class _Parser(argparse.ArgumentParser):
    def error(self, message):
        command = self.prog.removeprefix("symgraph").strip()
        raise _UsageError(f"{command}: {message}" if command else message)


class _Failed(Exception):
    """A verification or check that ran and failed (exit 1)."""


# ----- argument helpers --------------------------------------------------------
def _expr(text: str, err=None):
    """The expression, with a note line on stderr for each likely slip
    (``e^x`` with ``e`` a symbol) instead of Python's warning format."""
    from .parse import parse_with_hints

    node, hints = parse_with_hints(text)
    for hint in hints:
        print(f"{_PREFIX}note: {hint.reason}", file=err or sys.stderr)
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
            f"{_PREFIX}note: not every value is finite at {where} (outside the domain?)",
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


def _cmd_grad(args, out, err):
    from .grad import grad

    f = _expr(args.expr, err)
    wrt = _wrt(f, args.wrt)
    grads = grad(f, wrt)
    at = _point(args.at, f)
    grads = _shown(grads, args.raw) if at is None else grads
    values = _values(grads, at, err) if at is not None else None
    for i, (v, g) in enumerate(zip(wrt, grads)):
        line = f"d/d{v.value} = {g}"
        if values is not None:
            line += f"  =  {_number(values[i])}"
        print(line, file=out)


def _cmd_hessian(args, out, err):
    from .grad import hessian

    f = _expr(args.expr, err)
    wrt = _wrt(f, args.wrt)
    h = hessian(f, wrt)
    at = _point(args.at, f)
    values = _values(list(h.ravel()), at, err) if at is not None else None
    shown = _shown(list(h.ravel()), args.raw or at is not None)
    for k, ((i, j), _) in enumerate(np.ndenumerate(h)):
        entry = shown[k]
        line = f"d2/d{wrt[i].value}d{wrt[j].value} = {entry}"
        if values is not None:
            line += f"  =  {_number(values[k])}"
        print(line, file=out)


def _cmd_steps(args, out, err):
    from .teach.table import backprop_table

    f = _expr(args.expr, err)
    with np.errstate(all="ignore"):
        table = backprop_table(f, _point(args.at, f), digits=args.digits)
    render = {
        "text": str,
        "markdown": lambda t: t.to_markdown(),
        "latex": lambda t: t.to_latex(),
        "json": lambda t: t.to_json(),
    }[args.format]
    print(render(table), file=out)


def _cmd_verify(args, out, err):
    from .parse import parse
    from .verify import verify

    f = _expr(args.expr, err)
    wrt = _wrt(f, args.wrt)
    if len(args.claim) != len(wrt):
        raise ValueError(
            f"give one --claim per variable ({', '.join(v.value for v in wrt)}): "
            f"got {len(args.claim)} claim(s)"
        )
    claims = [parse(c) for c in args.claim]
    result = verify(f, wrt if len(wrt) > 1 else wrt[0], claims if len(wrt) > 1 else claims[0],
                    timeout=args.timeout)  # fmt: skip
    print(result, file=out)
    if not result.correct:
        raise _Failed("the claimed derivative is wrong")


def _cmd_check(args, out, err):
    from .check import check

    f = _expr(args.expr, err)
    wrt = _wrt(f, args.wrt)
    at = _point(args.at, f)
    report = check(f, wrt, at=at) if at is not None else check(f, wrt)
    print(report, file=out)
    if not report.ok:
        raise _Failed("the symbolic, numeric and finite-difference gradients disagree")


def _cmd_dot(args, out, err):
    from .teach.dot import to_dot

    f = _expr(args.expr, err)
    with np.errstate(all="ignore"):
        drawing = to_dot(f, _point(args.at, f), rankdir=args.rankdir)
    if args.output:
        path = drawing.save(args.output)
        print(f"wrote {path}", file=out)
    else:
        print(drawing, file=out, end="")


def _cmd_codegen(args, out, err):
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


def _cmd_exercise(args, out, err):
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


# ----- the parser -------------------------------------------------------------------
_EXPR_HELP = "expression, e.g. '(x + y) * z' (read by the safe parser)"
_WRT_HELP = "variables, e.g. x,y (default: every symbol, in order of appearance)"
_AT_HELP = "point, e.g. x=-2,y=5,z=-4"
_FORMATS = ("text", "markdown", "latex", "json")


# commands that read tensor expressions with --shapes (symgraph/tensor/cli.py)
_TENSOR_COMMANDS = ("grad", "verify", "check", "codegen")
_SHAPES_HELP = (
    "tensor shapes, e.g. 'X:n,m w:m y:n' (names with symbolic or numeric "
    "dimensions; 'a' alone is a scalar): the expression is then read in NumPy "
    "syntax (@, .T, sum, trace, inv, ...)"
)


def _command(sub, name: str, run, help: str, at: str | None = None, wrt: bool = True):
    p = sub.add_parser(name, help=help, description=help)
    p.add_argument("expr", help=_EXPR_HELP)
    if wrt:
        p.add_argument("--wrt", help=_WRT_HELP)
    if name in _TENSOR_COMMANDS:
        p.add_argument("--shapes", help=_SHAPES_HELP)
    if at is not None:
        p.add_argument("--at", help=f"{_AT_HELP} {at}".strip())
    p.set_defaults(run=run)
    return p


def _build_parser() -> argparse.ArgumentParser:
    from . import __version__
    from .exercises import KINDS

    parser = _Parser(
        prog="symgraph",
        description="Symbolic reverse-mode differentiation of expression strings.",
        epilog="Exit status: 0 success (verify: proved or no counterexample), "
        "1 a verification or check failed (verify: wrong), 2 bad input.",
    )
    parser.add_argument(
        "--version", action="version", version=f"symgraph {__version__}"
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    for name, run, what in (
        ("grad", _cmd_grad, "gradient"),
        ("hessian", _cmd_hessian, "Hessian"),
    ):
        p = _command(sub, name, run, f"print the {what} of an expression, simplified",
                     at="(also print the values there)")  # fmt: skip
        p.add_argument("--raw", action="store_true",
                       help="print the derivative DAG as built, not simplified")  # fmt: skip

    p = _command(sub, "steps", _cmd_steps, "print the backprop table, node by node",
                 at="(default: a symbolic table)", wrt=False)  # fmt: skip
    p.add_argument("--format", choices=_FORMATS, default="text")
    p.add_argument(
        "--digits", type=int, default=4, help="significant digits (default 4)"
    )

    p = _command(sub, "verify", _cmd_verify,
                 "is a hand-derived derivative right? (exit 1 if wrong)")  # fmt: skip
    p.add_argument("--claim", action="append", required=True,
                   help="the claimed derivative; repeat once per --wrt variable, in order")  # fmt: skip
    p.add_argument("--timeout", type=float, default=5.0,
                   help="seconds SymPy may spend on a proof (default 5; 0: none)")  # fmt: skip

    _command(sub, "check", _cmd_check,
             "compare symbolic, numeric and finite-difference gradients (exit 1 if they differ)",
             at="(default: random points)")  # fmt: skip

    p = _command(sub, "dot", _cmd_dot, "Graphviz drawing of the graph (DOT text, or a file)",
                 at="(values and gradients on the edges)", wrt=False)  # fmt: skip
    p.add_argument("--output", "-o",
                   help="write to a file: .dot/.gv text, or .svg/.png/.pdf (needs Graphviz)")  # fmt: skip
    p.add_argument("--rankdir", choices=("LR", "TB", "RL", "BT"), default="LR")

    p = _command(
        sub, "codegen", _cmd_codegen, "standalone module computing value and gradient"
    )
    p.add_argument("--name", default="f", help="function name (default f)")
    p.add_argument("--target", choices=("python", "c"), default="python",
                   help="python (NumPy) or c (C99) (default python)")  # fmt: skip
    p.add_argument("--hessian", action="store_true", help="also generate NAME_hess")
    p.add_argument("--output", "-o", help="write the module to this file")

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


def _options(parser: argparse.ArgumentParser) -> set:
    """Every option string of the parser and its subcommands."""
    found = set(parser._option_string_actions)
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for p in action.choices.values():
                found |= set(p._option_string_actions)
    return found


def _protect_negative_expressions(argv: list, options: set) -> list:
    """An argument that starts with '-' but is no option (``-cos(x)``) is an
    expression: a leading space keeps argparse from reading it as an option
    (the parser ignores the space)."""
    out = []
    for arg in argv:
        name = arg.split("=", 1)[0]
        if arg.startswith("-") and len(arg) > 1 and name not in options and arg != "--":
            arg = " " + arg
        out.append(arg)
    return out


def main(argv: list[str] | None = None) -> int:
    """Run the command line; returns the exit status (0, 1 or 2)."""
    from .errors import ToolkitError

    out, err = sys.stdout, sys.stderr
    parser = _build_parser()
    argv = list(sys.argv[1:] if argv is None else argv)
    try:
        args = parser.parse_args(_protect_negative_expressions(argv, _options(parser)))
        if getattr(args, "shapes", None):  # tensor hook: a tensor expression
            from .tensor.cli import run

            run(args.command, args, out, _Failed)
        else:
            args.run(args, out, err)
    except SystemExit as exc:  # --help and --version exit through argparse
        return exc.code if isinstance(exc.code, int) else EXIT_OK
    except BrokenPipeError:  # the reader went away (| head): not an error
        return EXIT_OK
    except _Failed as exc:
        print(f"{_PREFIX}{exc}", file=err)
        return EXIT_FAILED
    except (
        _UsageError,
        ToolkitError,
        ValueError,
        TypeError,
        OSError,
        ArithmeticError,
    ) as exc:
        reason = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        print(f"{_PREFIX}error: {reason}", file=err)
        return EXIT_BAD_INPUT
    return EXIT_OK


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
