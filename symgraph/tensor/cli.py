"""The ``symgraph`` command with ``--shapes``: tensor expressions in NumPy syntax.

``symgraph grad "0.5*sum((X@w - y)**2)" --shapes "X:n,m w:m y:n" --wrt w``
prints ``d/dw = X.T @ (X @ w - y)``. ``verify``, ``check`` and ``codegen``
take ``--shapes`` too. The scalar command line (``symgraph/cli.py``) hands
over here when ``--shapes`` is given; exit statuses are the same (0 ok,
1 a failed verification or check, 2 bad input).
"""

from __future__ import annotations

from ..cli_commands import claim_texts
from .check import check
from .evaluate import free_symbols
from .grad import grad
from .jacobian import hessian, jacobian
from .lower import codegen
from .node import TensorNode
from .parse import _tables, parse
from .printing import to_numpy
from .verify import verify

__all__ = ["run"]


class Failed(Exception):
    """A verification or check that ran and failed (exit 1)."""


def _setup(args):
    if getattr(args, "at", None):
        raise ValueError(
            "--at is not supported with --shapes (checks use random arrays)"
        )
    names, _ = _tables(args.shapes)
    f = parse(args.expr, list(names.values()))
    if getattr(args, "wrt", None):
        wrt = []
        for w in (p for p in args.wrt.replace(",", " ").split() if p):
            if w not in names:
                raise ValueError(f"--wrt names {w!r}, which --shapes does not declare")
            wrt.append(names[w])
    else:
        wrt = free_symbols([f])
    if not wrt or not all(isinstance(w, TensorNode) for w in wrt):
        raise ValueError("nothing to differentiate with respect to")
    return f, wrt, list(names.values())


def _grad(args, out):
    f, wrt, _ = _setup(args)
    for v, g in zip(wrt, grad(f, wrt)):
        text = to_numpy(g, simplify=not getattr(args, "raw", False))
        print(f"d/d{v.value} = {text}", file=out)


def _hessian(args, out):
    f, wrt, _ = _setup(args)
    for u in wrt:
        if len(u.shape) > 1:
            raise ValueError(
                f"the Hessian is taken with respect to vectors and scalars; "
                f"{u.value} has shape {u.shape}"
            )
    simplify = not getattr(args, "raw", False)
    for u, g in zip(wrt, grad(f, wrt)):
        for v in wrt:  # the block of d/dv (d/du f): the Jacobian of a gradient
            block = hessian(f, u) if v is u else jacobian(g, v)
            print(
                f"d2/d{u.value}d{v.value} = {to_numpy(block, simplify=simplify)}",
                file=out,
            )


def _verify(args, out):
    f, wrt, _symbols = _setup(args)
    claims = claim_texts(args, [v.value for v in wrt])
    result = verify(f, wrt, claims)
    print(result, file=out)
    if not result.correct:
        raise Failed("the claimed derivative is wrong")


def _check(args, out):
    f, wrt, _ = _setup(args)
    report = check(f, wrt)
    print(report, file=out)
    if not report.ok:
        raise Failed("the symbolic, numeric and finite-difference gradients disagree")


def _codegen(args, out):
    f, wrt, _ = _setup(args)
    source = codegen(f, wrt, name=args.name, target=args.target)
    if args.output:
        with open(args.output, "w", encoding="utf-8") as fh:
            fh.write(source)
        print(f"wrote {args.output}", file=out)
    else:
        print(source, file=out, end="")


_COMMANDS = {
    "grad": _grad,
    "hessian": _hessian,
    "verify": _verify,
    "check": _check,
    "codegen": _codegen,
}


def run(command: str, args, out, failed: type) -> None:
    """Run ``command`` on tensor expressions; ``failed`` is the caller's
    exception class for exit status 1."""
    try:
        _COMMANDS[command](args, out)
    except Failed as exc:
        raise failed(str(exc)) from None
