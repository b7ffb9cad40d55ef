"""The calls and constant names of the expression parser.

Callable names are every op's name and aliases, read from the declarations
(again when an op has been declared since). Trailing parameters with
defaults are optional (``leaky_relu(x)`` is ``leaky_relu(x, 0.01)``). A
variadic op called with two arguments is its binary op, and the binary op
called with more is the variadic one: ``max(a, b)`` is ``maximum(a, b)``
(ties split 1/2 each) and ``maximum(a, b, c)`` is ``max(a, b, c)`` (ties
split evenly); likewise ``min``. ``maxpool(a, b, ...)`` takes any number
>= 2. Some calls are built from other ops (``log(x, b)``).
"""

from __future__ import annotations

import difflib
import math

from .node import Node, const, make
from .opdef import OPS, parse_names
from .parse_help import constant_hint

__all__ = [
    "CONSTANTS",
    "FUNCTIONS",
    "ArityError",
    "apply_call",
    "functions",
    "tables",
    "uncalled",
    "unknown_function",
]

_TABLES: dict = {}


class ArityError(Exception):
    """A known function called with the wrong number of arguments (the
    parser adds the position)."""


def tables() -> tuple[dict, dict]:
    """(callable name -> op, binary op -> its n-ary op)."""
    if _TABLES.get("size") != len(OPS):
        nary = {op.nary_of: op.name for op in OPS.values() if op.nary_of}
        _TABLES.update(size=len(OPS), names=parse_names(), nary=nary)
    return _TABLES["names"], _TABLES["nary"]


def functions() -> list[str]:
    """Every function name the parser accepts, sorted."""
    return sorted(tables()[0])


FUNCTIONS = functions()  # the names at import time (see functions())

# Calls built from other ops: log(x, b) is log(x) / log(b), SymPy's own form
# of a logarithm to a base (so from_sympy of sympy.log(x, b) gives the same
# node).
_BUILT = {
    ("log", 2): lambda x, b: make("div", make("log", x), make("log", b)),
}
CONSTANTS = {"pi": lambda: make("pi"), "E": lambda: make("E"),
             "inf": lambda: const(math.inf), "nan": lambda: const(math.nan)}  # fmt: skip


def unknown_function(word: str) -> str:
    """The reason for a call of a name that is no function: close names, or
    the advice to write a product."""
    names = tables()[0]
    close = difflib.get_close_matches(word, names, n=3, cutoff=0.75)
    if close:
        advice = f"did you mean {' or '.join(map(repr, close))}?"
    else:
        advice = f"to multiply, write {word}*(...){constant_hint(word)}"
    return f"unknown function {word!r} ({advice}; known: {', '.join(sorted(names))})"


def uncalled(word: str, nxt, after) -> str:
    """The reason for a function name that is not called (``sin x``,
    ``sin^2(x)``); ``nxt`` and ``after`` are the two tokens that follow."""
    reason = f"the function {word!r} must be called"
    if nxt is not None and nxt.kind in ("name", "int", "float"):
        return f"{reason} with parentheses: write {word}({nxt.text})"
    power = nxt is not None and nxt.text in ("**", "^")
    if power and after is not None and after.kind == "int":
        return (
            f"{reason}: write {word}(x)**{after.text}"
            f" for {word}{nxt.text}{after.text}(x)"
        )
    return f"{reason}, as {word}(...)"


def apply_call(word: str, op: str, args: list[Node]) -> Node:
    """The node of ``word(*args)`` (``word`` names the op ``op``): built
    calls, n-ary forms and defaults applied; ArityError for a wrong count."""
    built = _BUILT.get((op, len(args)))
    if built is not None:
        return built(*args)
    nary = tables()[1]
    if len(args) > 2 and op in nary:
        op = nary[op]
    opdef = OPS[op]
    if opdef.variadic and len(args) >= 2:
        if len(args) == 2 and opdef.nary_of:
            return make(opdef.nary_of, *args)
        return make(op, *args)
    nargs = opdef.nargs
    defaults = opdef.defaults
    if nargs - len(defaults) <= len(args) < nargs:
        args = args + [const(d) for d in defaults[len(args) - nargs :]]
    if len(args) != nargs:
        counts = [nargs] + [n for (o, n) in _BUILT if o == op]
        want = (
            "2 or more arguments"
            if opdef.variadic
            else f"{' or '.join(map(str, counts))} argument"
            + ("s" if max(counts) > 1 else "")
        )
        raise ArityError(f"{word}() takes {want}, got {len(args)}")
    return make(op, *args)
