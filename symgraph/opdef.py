"""The op declaration: everything symgraph knows about one op, in one record.

An :class:`OpDef` holds what every part of the toolkit needs of an op: its
SymPy formula (for ``to_sympy`` and for checking the partials), its NumPy
function (``evaluate``), its local partials written with symgraph's own node
constructors (the reverse sweep), its kinks, singularities and domain (the
samplers of ``check`` and ``verify``), its exact constant folding and
structural rewrites (construction), its SymPy class (``from_sympy``), its
spellings and default parameters (the parser and the public wrappers), its
Python and C source templates and helper functions (generated code), its
numeric-engine counterpart (the three-way check) and its gate name (teaching
views). The declarations themselves live in ``symgraph/ops/``; this module
is only the record and the table they are entered into, so it imports
nothing of symgraph and every other module can read it.
"""

from __future__ import annotations

import inspect
import textwrap
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

__all__ = [
    "OPS",
    "UNDEFINED",
    "Helper",
    "OpDef",
    "defop",
    "parse_names",
    "public_ops",
]


class _Undefined:
    """Marker for a partial the op does not have (the argument is not one the
    op can be differentiated in). The reverse sweep raises
    :class:`~symgraph.errors.UndefinedGradientError` when it needs one; it is
    never taken as zero."""

    _instance: _Undefined | None = None

    def __new__(cls) -> _Undefined:
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __repr__(self) -> str:
        return "UNDEFINED"


UNDEFINED = _Undefined()


@dataclass(frozen=True)
class Helper:
    """A helper function that generated code defines before it is called.

    ``name`` is what the op's template calls; ``source`` its whole definition.
    """

    name: str
    source: str

    @classmethod
    def of(cls, fn: Callable[..., Any]) -> Helper:
        """The helper whose source is the Python function ``fn`` itself (so the
        function ``evaluate`` runs and the one generated code defines are one
        text); ``fn`` may use only ``np``."""
        return cls(fn.__name__, textwrap.dedent(inspect.getsource(fn)).strip())


@dataclass(frozen=True)
class OpDef:
    """One op, declared once. Consumers read the fields named here.

    Parameters
    ----------
    name : the op's name, as nodes record it and the parser reads it.
    nargs : number of inputs (for a variadic op: the arity its tests use).
    formula : ``formula(sympy, *args)`` builds the SymPy expression.
    numpy : the NumPy implementation (``evaluate``, ``lambdify``).
    partials : ``partials(*args, out)`` returns one local partial per argument,
        built from nodes: a node, or :data:`UNDEFINED`. Written by hand like
        numeric's VJPs and checked against ``sympy.diff`` of ``formula`` and
        against high-precision finite differences by the tests.
    np_src : ``str.format`` template of NumPy source (``{0}``, ``{1}`` inputs).
    c_src : C99 template; empty means ``np_src`` without its ``np.`` prefix.
    py_helpers, c_helpers : helper functions the templates call.
    note : the op's convention at its kinks, for docs and generated code.
    infix, precedence : the operator and its binding strength, for arithmetic.
    fold : ``fold(*values)`` gives the exact value of the op on exact
        constants (ints and Fractions), or None to keep it symbolic.
    rewrite : ``rewrite(*args)`` gives a simpler node for the application,
        or None; construction-time identities such as ``x * 1 = x``.
    sympy_class : name of the SymPy class whose instances become this op in
        ``from_sympy`` (``"sin"``); arithmetic and the structural classes
        (``Max``, ``Piecewise``) are mapped by the bridge itself.
    aliases : other names the parser accepts (``ln`` for ``log``).
    params : argument names of the public wrapper ``sg.<name>``; a
        parameter with a default is optional in the parser too.
    defaults : defaults of the trailing ``params``.
    public : exported as ``sg.<name>`` (a wrapper generated from this record).
    variadic : takes any number (>= 2) of inputs; ``reduces`` names the binary
        op whose left fold computes it (its templates print the fold).
    nary_of : the binary op whose call with more than two arguments means
        this op (``max(a, b, c)``).
    numeric : the numeric engine's counterpart, ``numeric(nm, *args)`` with
        ``nm`` the ``numeric`` module (symgraph never imports it here).
    gate : the backprop gate pattern a course names (``"router"``).
    domain : per argument, the open interval ``(lo, hi)`` of values where
        the op is real and finite, for samplers.
    kinks : ``kinks(*args)`` returns nodes that vanish where the op is not
        differentiable (``relu``: ``x``; ``maximum``: ``x - y``).
    singular : ``singular(*args)`` returns nodes that vanish where the op or
        its partials are infinite or undefined (``log``: ``x``).
    doc : one-line description for the public wrapper's docstring.
    """

    name: str
    nargs: int
    formula: Callable[..., Any]
    numpy: Callable[..., Any]
    partials: Callable[..., tuple]
    np_src: str
    numeric: Callable[..., Any]
    doc: str
    c_src: str = ""
    py_helpers: tuple[Helper, ...] = ()
    c_helpers: tuple[Helper, ...] = ()
    note: str = ""
    infix: str | None = None
    precedence: int | None = None
    fold: Callable[..., Any] | None = None
    rewrite: Callable[..., Any] | None = None
    sympy_class: str | None = None
    aliases: tuple[str, ...] = ()
    params: tuple[str, ...] = ()
    defaults: tuple = ()
    public: bool = True
    variadic: bool = False
    reduces: str | None = None
    nary_of: str | None = None
    gate: str = ""
    domain: tuple[tuple[float, float], ...] = ()
    kinks: Callable[..., tuple] | None = None
    singular: Callable[..., tuple] | None = None
    _cache: dict = field(default_factory=dict, compare=False, repr=False)

    @property
    def c_template(self) -> str:
        """The C99 template (see ``c_src``)."""
        return self.c_src or self.np_src.replace("np.", "")

    @property
    def arg_names(self) -> tuple[str, ...]:
        """``params``, or ``x``, ``y``, ``z`` by position when none are given."""
        return self.params or ("x", "y", "z")[: self.nargs]


# The table every consumer reads, filled by the declarations in symgraph/ops/.
OPS: dict[str, OpDef] = {}


def defop(name: str, nargs: int, **fields: Any) -> OpDef:
    """Declare an op once and enter it in :data:`OPS`; see :class:`OpDef`."""
    if name in OPS:
        raise ValueError(f"op {name!r} is declared twice")
    if "params" in fields and len(fields["params"]) != nargs:
        raise ValueError(f"op {name!r}: {nargs} inputs but params {fields['params']}")
    if len(fields.get("defaults", ())) > nargs:
        raise ValueError(f"op {name!r}: more defaults than inputs")
    fields.setdefault("domain", ((-float("inf"), float("inf")),) * nargs)
    op = OpDef(name, nargs, **fields)
    OPS[name] = op
    return op


def public_ops() -> list[OpDef]:
    """The ops exported as ``sg.<name>``, in declaration order."""
    return [op for op in OPS.values() if op.public]


def parse_names() -> dict[str, str]:
    """Every callable name the parser accepts, mapped to its op."""
    names = {}
    for op in OPS.values():
        if op.infix is not None or op.nargs == 0:  # operators; pi and E are names
            continue
        names[op.name] = op.name
        for alias in op.aliases:
            names[alias] = op.name
    return names
