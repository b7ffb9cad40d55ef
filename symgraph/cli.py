"""The ``symgraph`` command: expression strings in, gradients out."""

from __future__ import annotations

import argparse
import sys


def main(argv=None) -> int:
    from . import ToolkitError, grad, parse, symbols

    parser = argparse.ArgumentParser(prog="symgraph", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    p_grad = sub.add_parser("grad", help="print the gradient of an expression")
    p_grad.add_argument("expr")
    p_grad.add_argument("--wrt", required=True, help="comma-separated symbols, e.g. x,y")
    args = parser.parse_args(argv)
    try:
        f = parse(args.expr)
        names = [w for w in args.wrt.replace(",", " ").split() if w]
        wrt = [symbols(n) for n in names]
        for name, g in zip(names, grad(f, wrt)):
            print(f"d/d{name} = {g}")
    except (ToolkitError, ValueError, TypeError) as exc:
        print(f"symgraph: error: {str(exc).splitlines()[0]}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
