"""The tensor op registry: every tensor op declared once.

A :class:`TOpDef` holds, for one op: its parameters, its shape rule (checked
when a node is built), its NumPy function, its adjoint rule written with the
tensor ops themselves (``vjp(g, ans, *args, **params)`` returning one entry
per input), and how it is spelled in NumPy source, printed text and LaTeX.
Elementwise ops are lifted from the scalar registry (``ops_elementwise.py``);
the other families live in ``ops_linalg.py``, ``ops_reduce.py`` and
``ops_conv.py``.

In a rule's result, ``None`` means the op is not differentiable in that
input by declaration (a shape reference, a condition); a rule that is
missing raises ``NotImplementedError``; a structural zero is a zero node.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

__all__ = ["PREC", "TOPS", "TOpDef", "call_latex", "call_text", "deftop"]

# Binding strength of printed forms (higher binds tighter), as in Python:
# + - < * / @ < unary - < ** < atoms (names, calls, x.T, parentheses).
PREC = {"sum": 1, "prod": 2, "neg": 3, "pow": 4, "atom": 5}


@dataclass(frozen=True)
class TOpDef:
    """One tensor op.

    Parameters
    ----------
    name : the op's name (nodes record it; the parser reads it).
    nargs : number of tensor inputs.
    shape : ``shape(ctx, *args, **params) -> tuple`` (ctx is a
        :class:`~symgraph.tensor.dims.ShapeContext`).
    numpy : ``numpy(*arrays, **params) -> ndarray``.
    vjp : ``vjp(g, ans, *args, **params) -> tuple`` of tensor nodes / None.
    text : ``text(args, params, nodes) -> (str, prec)``: the printed NumPy
        form, from the arguments' ``(str, prec)`` and the argument nodes.
    latex : like ``text``, for LaTeX.
    src : ``src(names, params) -> str``: the NumPy expression in generated
        code (``np.`` prefixed; helpers by name).
    params : ``((name, default), ...)``: keyword parameters, in order.
    check : ``check(args, params: dict) -> dict`` validating/normalising them.
    helpers : names of helper functions the generated code needs.
    elementwise : whether the op acts entry by entry (with broadcasting).
    uniform : whether each entry is the same formula at every size (no
        size-specific structure such as a determinant): used by ``verify``'s
        proof (see ``check.py``).
    note : the convention at a kink or tie, shown in docs and generated code.
    """

    name: str
    nargs: int
    shape: Callable
    numpy: Callable
    vjp: Callable | None
    text: Callable
    latex: Callable
    src: Callable
    params: tuple = ()
    check: Callable | None = None
    helpers: tuple = ()
    elementwise: bool = False
    uniform: bool = True
    note: str = ""

    def normalize(self, args: tuple, given: dict) -> tuple:
        """Parameters as a hashable ``((name, value), ...)`` in declared order."""
        known = {k for k, _ in self.params}
        extra = sorted(set(given) - known)
        if extra:
            raise TypeError(f"{self.name}() got an unexpected parameter {extra[0]!r}")
        values = {k: given.get(k, default) for k, default in self.params}
        if self.check is not None:
            values = self.check(args, values)
        return tuple((k, values[k]) for k, _ in self.params)


TOPS: dict[str, TOpDef] = {}


def deftop(name: str, nargs: int, **fields) -> TOpDef:
    """Declare a tensor op once; see :class:`TOpDef`."""
    if name in TOPS:
        raise ValueError(f"tensor op {name!r} is declared twice")
    TOPS[name] = TOpDef(name, nargs, **fields)
    return TOPS[name]


# ----- printing helpers shared by the op families -----------------------------
def _kw_text(params: dict, defaults: dict) -> list:
    out = []
    for k, v in params.items():
        if k in defaults and v == defaults[k]:
            continue
        out.append(f"{k}={_param_text(v)}")
    return out


def _param_text(v) -> str:
    if isinstance(v, tuple):
        inner = ", ".join(_param_text(x) for x in v)
        return f"({inner},)" if len(v) == 1 else f"({inner})"
    if isinstance(v, str):
        return repr(v)
    return str(v)


def call_text(fname: str, positional: tuple = (), keywords: tuple = ()):
    """A printer for ``fname(a, b, p1, key=value)``.

    ``positional`` names parameters printed by position after the tensor
    arguments; ``keywords`` those printed as ``key=value`` unless they hold
    their default.
    """

    def text(args, params, nodes):
        parts = [a for a, _ in args]
        parts += [_param_text(params[p]) for p in positional]
        parts += _kw_text({k: params[k] for k, _ in keywords}, dict(keywords))
        return f"{fname}({', '.join(parts)})", PREC["atom"]

    return text


def call_latex(macro: str, keywords: tuple = ()):
    """A LaTeX printer ``\\operatorname{name}(a, b)`` (with non-default params)."""

    def latex(args, params, nodes):
        parts = [a for a, _ in args]
        parts += [
            f"\\text{{{k}}}={_param_text(params[k])}"
            for k, default in keywords
            if params[k] != default
        ]
        return f"{macro}\\left({', '.join(parts)}\\right)", PREC["atom"]

    return latex


def wrap(arg, prec: int, strict: bool = False) -> str:
    """The text of ``arg = (text, p)`` parenthesised if it binds looser than
    ``prec`` (or as loose, when ``strict``)."""
    text, p = arg
    if p < prec or (strict and p == prec):
        return f"({text})"
    return text


def latex_wrap(arg, prec: int, strict: bool = False) -> str:
    text, p = arg
    if p < prec or (strict and p == prec):
        return f"\\left({text}\\right)"
    return text
