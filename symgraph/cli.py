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
    symgraph verify "sin(x**2)" "2*x*cos(x**2)"
    symgraph verify "x*y" --wrt x,y --claim y --claim x
    symgraph check "sigmoid(w*x + b)" --at w=2,x=-1,b=0.5
    symgraph dot "(x + y) * z" --at x=-2,y=5,z=-4 --output graph.svg
    symgraph codegen "x*y + sin(x)" --wrt x,y --name f --hessian
    symgraph exercise sigmoid --seed 3
"""

from __future__ import annotations

import argparse
import sys

from .cli_commands import (
    PREFIX,
    Failed,
    cmd_check,
    cmd_codegen,
    cmd_dot,
    cmd_exercise,
    cmd_grad,
    cmd_hessian,
    cmd_steps,
    cmd_verify,
)

EXIT_OK, EXIT_FAILED, EXIT_BAD_INPUT = 0, 1, 2


class _UsageError(Exception):
    """A command line argparse rejects (reported in one line, exit 2)."""


class _Parser(argparse.ArgumentParser):
    def error(self, message):
        command = self.prog.removeprefix("symgraph").strip()
        raise _UsageError(f"{command}: {message}" if command else message)


# ----- the parser -------------------------------------------------------------------
_EXPR_HELP = "expression, e.g. '(x + y) * z' (read by the safe parser)"
_WRT_HELP = "variables, e.g. x,y (default: every symbol, in order of appearance)"
_AT_HELP = "point, e.g. x=-2,y=5,z=-4"
_FORMATS = ("text", "markdown", "latex", "json")


# commands that read tensor expressions with --shapes (symgraph/tensor/cli.py)
_TENSOR_COMMANDS = ("grad", "hessian", "verify", "check", "codegen")
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
        ("grad", cmd_grad, "gradient"),
        ("hessian", cmd_hessian, "Hessian"),
    ):
        p = _command(sub, name, run, f"print the {what} of an expression, simplified",
                     at="(also print the values there)")  # fmt: skip
        p.add_argument("--raw", action="store_true",
                       help="print the derivative DAG as built, not simplified")  # fmt: skip

    p = _command(sub, "steps", cmd_steps, "print the backprop table, node by node",
                 at="(default: a symbolic table)", wrt=False)  # fmt: skip
    p.add_argument("--format", choices=_FORMATS, default="text")
    p.add_argument(
        "--digits", type=int, default=4, help="significant digits (default 4)"
    )

    p = _command(sub, "verify", cmd_verify,
                 "is a hand-derived derivative right? (exit 1 if wrong)")  # fmt: skip
    p.add_argument("claims", nargs="*", metavar="CLAIM",
                   help="the claimed derivative, one per variable in --wrt order")  # fmt: skip
    p.add_argument("--claim", action="append", default=[],
                   help="a claimed derivative as an option (repeat once per --wrt variable)")  # fmt: skip
    p.add_argument("--timeout", type=float, default=5.0,
                   help="seconds SymPy may spend on a proof (default 5; 0: none)")  # fmt: skip

    _command(sub, "check", cmd_check,
             "compare symbolic, numeric and finite-difference gradients (exit 1 if they differ)",
             at="(default: random points)")  # fmt: skip

    p = _command(sub, "dot", cmd_dot, "Graphviz drawing of the graph (DOT text, or a file)",
                 at="(values and gradients on the edges)", wrt=False)  # fmt: skip
    p.add_argument("--output", "-o",
                   help="write to a file: .dot/.gv text, or .svg/.png/.pdf (needs Graphviz)")  # fmt: skip
    p.add_argument("--rankdir", choices=("LR", "TB", "RL", "BT"), default="LR")

    p = _command(
        sub, "codegen", cmd_codegen, "standalone module computing value and gradient"
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
    p.set_defaults(run=cmd_exercise)
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


def _parse_args(parser: argparse.ArgumentParser, argv: list) -> argparse.Namespace:
    """``parser.parse_args``, except that verify's claims may also come after
    its options (``verify EXPR --wrt x CLAIM``), which argparse alone refuses."""
    args, extra = parser.parse_known_args(argv)
    if extra and args.command == "verify" and not any(a.startswith("-") for a in extra):
        args.claims = list(args.claims) + extra
    elif extra:
        parser.error(f"unrecognized arguments: {' '.join(extra)}")
    return args


def main(argv: list[str] | None = None) -> int:
    """Run the command line; returns the exit status (0, 1 or 2)."""
    from .errors import ToolkitError

    out, err = sys.stdout, sys.stderr
    parser = _build_parser()
    argv = list(sys.argv[1:] if argv is None else argv)
    try:
        args = _parse_args(
            parser, _protect_negative_expressions(argv, _options(parser))
        )
        if getattr(args, "shapes", None):  # tensor hook: a tensor expression
            from .tensor.cli import run

            run(args.command, args, out, Failed)
        else:
            args.run(args, out, err)
    except SystemExit as exc:  # --help and --version exit through argparse
        return exc.code if isinstance(exc.code, int) else EXIT_OK
    except BrokenPipeError:  # the reader went away (| head): not an error
        return EXIT_OK
    except Failed as exc:
        print(f"{PREFIX}{exc}", file=err)
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
        print(f"{PREFIX}error: {reason}", file=err)
        return EXIT_BAD_INPUT
    return EXIT_OK


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
