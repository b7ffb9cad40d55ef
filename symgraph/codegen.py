"""Standalone gradient code: a DAG printed as a NumPy module or as C99 source.

The printer walks the topological order of the outputs and their adjoints
once and writes one line per op, taking each op's spelling from the registry
(``OpDef.np_src`` for NumPy, ``OpDef.c_template`` for C). The gradient is the
DAG of :func:`symgraph.grad.adjoints` (one reverse sweep, sharing the forward
nodes), so ``f_grad`` is the forward lines followed by the adjoint lines, each
node computed once. No ``sympy.cse`` search runs: the DAG's sharing is the
common-subexpression structure, and generation is linear in the DAG size.
"""

from __future__ import annotations

import builtins
import itertools
import keyword
import math
import re
import textwrap
from fractions import Fraction

import numpy as np

from .errors import NotASymbolError, ToolkitError
from .grad import adjoints, jacobian
from .node import Node, _check_name, as_node, const
from .ops import OPS
from .printing import to_text
from .tensor import hooks as _tensor
from .traverse import toposort

__all__ = ["CodegenError", "codegen"]


class CodegenError(ToolkitError, ValueError):
    """A code-generation request that cannot be honoured (names the reason)."""


# ----- Helper functions emitted into generated code, by op name -----------------
# The registry holds each op's primary spelling; ops whose spelling calls a
# helper get the helper's source here. Stable forms: exp of a non-positive
# number only, so neither sigmoid nor softplus overflows.

_PY_HELPER_SRC = {
    "_sigmoid": '''\
def _sigmoid(x):
    """Logistic function 1 / (1 + exp(-x)), stable: exp of -|x| only.

    exp(-1000) underflows to 0, the right value: that flag is not raised.
    """
    with np.errstate(under="ignore"):
        e = np.exp(-np.abs(x))
        return np.where(x >= 0, 1 / (1 + e), e / (1 + e))''',
    "_softplus": '''\
def _softplus(x):
    """log(1 + exp(x)) = logaddexp(0, x), stable; an underflow to 0 is exact."""
    with np.errstate(under="ignore"):
        return np.logaddexp(0.0, x)''',
}
_PY_HELPERS_OF_OP = {"sigmoid": ("_sigmoid",), "softplus": ("_softplus",)}

_C_HELPER_SRC = {
    "sigmoid_": """\
static double sigmoid_(double x)
{
    /* 1 / (1 + exp(-x)), stable: exp of -|x| only */
    const double e = exp(-fabs(x));
    return x >= 0 ? 1.0 / (1.0 + e) : e / (1.0 + e);
}""",
    "softplus_": """\
static double softplus_(double x)
{
    /* log(1 + exp(x)) = max(x, 0) + log1p(exp(-|x|)), no overflow */
    return (x > 0 ? x : 0.0) + log1p(exp(-fabs(x)));
}""",
    "heaviside_": """\
static double heaviside_(double x, double h0)
{
    /* the unit step with value h0 at 0; NaN passes through */
    return x > 0 ? 1.0 : x < 0 ? 0.0 : x == 0 ? h0 : x;
}""",
    "sign_": """\
static double sign_(double x)
{
    /* -1, 0 or 1; NaN passes through */
    return x > 0 ? 1.0 : x < 0 ? -1.0 : x;
}""",
    "maximum_": """\
static double maximum_(double x, double y)
{
    /* NaN-propagating, as np.maximum (fmax is not) */
    return (x > y || isnan(x)) ? x : y;
}""",
    "minimum_": """\
static double minimum_(double x, double y)
{
    /* NaN-propagating, as np.minimum (fmin is not) */
    return (x < y || isnan(x)) ? x : y;
}""",
}
_C_HELPERS_OF_OP = {
    "sigmoid": ("sigmoid_",),
    "softplus": ("softplus_",),
    "heaviside": ("heaviside_",),
    "sign": ("sign_",),
    "relu": ("maximum_",),
    "maximum": ("maximum_",),
    "minimum": ("minimum_",),
    "elu": ("minimum_",),
}

# Conventions of ops whose registry entry has no note (their rules pass no
# gradient or route it), stated in the header of generated code.
_EXTRA_NOTES = {
    "where": "where(c, a, b): the gradient flows only into the branch taken",
    "heaviside": "heaviside(x, h0) passes no gradient (its derivative is 0)",
    "sign": "sign'(x) = 0",
}

# ----- Names ------------------------------------------------------------------
_TEMP = re.compile(r"t[0-9]+\Z")

_PY_RESERVED = frozenset(
    set(keyword.kwlist)
    | set(getattr(keyword, "softkwlist", ()))
    | set(dir(builtins))
    | {"np", "numpy"}
    | {"l", "I", "O"}  # ambiguous names, which linters reject (E741)
)

_C_KEYWORDS = [
    "auto",
    "break",
    "case",
    "char",
    "const",
    "continue",
    "default",
    "do",
    "double",
    "else",
    "enum",
    "extern",
    "float",
    "for",
    "goto",
    "if",
    "inline",
    "int",
    "long",
    "register",
    "restrict",
    "return",
    "short",
    "signed",
    "sizeof",
    "static",
    "struct",
    "switch",
    "typedef",
    "union",
    "unsigned",
    "void",
    "volatile",
    "while",
    "_Bool",
    "_Complex",
    "_Imaginary",
    "bool",
    "true",
    "false",
    "complex",
    "imaginary",
]
# <math.h> functions and macros a local variable could hide or a macro clash with.
_C_MATH = [
    "acos",
    "acosh",
    "asin",
    "asinh",
    "atan",
    "atan2",
    "atanh",
    "cbrt",
    "ceil",
    "copysign",
    "cos",
    "cosh",
    "erf",
    "erfc",
    "exp",
    "exp2",
    "expm1",
    "fabs",
    "fdim",
    "floor",
    "fma",
    "fmax",
    "fmin",
    "fmod",
    "frexp",
    "hypot",
    "ilogb",
    "ldexp",
    "lgamma",
    "llrint",
    "llround",
    "log",
    "log10",
    "log1p",
    "log2",
    "logb",
    "lrint",
    "lround",
    "modf",
    "nan",
    "nearbyint",
    "nextafter",
    "nexttoward",
    "pow",
    "remainder",
    "remquo",
    "rint",
    "round",
    "scalbln",
    "scalbn",
    "sin",
    "sinh",
    "sqrt",
    "tan",
    "tanh",
    "tgamma",
    "trunc",
    "fpclassify",
    "isfinite",
    "isinf",
    "isnan",
    "isnormal",
    "signbit",
    "isgreater",
    "isgreaterequal",
    "isless",
    "islessequal",
    "islessgreater",
    "isunordered",
    "INFINITY",
    "NAN",
    "HUGE_VAL",
    "HUGE_VALF",
    "HUGE_VALL",
    "float_t",
    "double_t",
    "math_errhandling",
    "MATH_ERRNO",
    "MATH_ERREXCEPT",
    "errno",
    "NULL",
    "j0",
    "j1",
    "jn",
    "y0",
    "y1",
    "yn",
    "gamma",
    "drem",
    "finite",
    "significand",
    "main",
    "in",
    "out",
    "grad",
    "jac",
    "hess",
]
_C_RESERVED = frozenset(set(_C_KEYWORDS) | set(_C_MATH) | set(_C_HELPER_SRC))
# Macro families of the C library (M_PI, FP_NAN, EDOM, ...).
_C_RESERVED_PREFIX = re.compile(r"(M_|FP_|E[0-9A-Z]|FLT_|DBL_|LDBL_|INT|UINT|SIZE_)")

_MAX_HEADER_EXPR = 400  # characters of expression text shown in the header
_WIDTH = 88
# Functions of more than this many ops free each temporary after its last use
# (``del``); smaller ones stay as plain straight-line code.
_RELEASE_AFTER = 24


class _Namer:
    """Unique, safe identifiers: user names kept where possible, else mangled."""

    def __init__(self, target: str, function_names):
        self.target = target
        self.used = set(function_names)
        self.mangled = []  # (original, new), in allocation order

    def _ok(self, name: str) -> bool:
        if name in self.used or _TEMP.match(name):
            return False
        if self.target == "python":
            return name not in _PY_RESERVED
        return name not in _C_RESERVED and not _C_RESERVED_PREFIX.match(name)

    def fresh(self, base: str, record: bool = True) -> str:
        name = base
        if not self._ok(name):
            if self.target == "c" and _C_RESERVED_PREFIX.match(base):
                base = "v_" + base  # any suffix would keep a reserved prefix
            candidates = itertools.chain(
                [base + "_"], (f"{base}_{i}" for i in itertools.count(1))
            )
            name = next(c for c in candidates if self._ok(c))
            if record:
                self.mangled.append((base, name))
        self.used.add(name)
        return name


# ----- Constants ----------------------------------------------------------------
def _int_as_float(v: int) -> float:
    try:
        return float(v)
    except OverflowError:
        return math.copysign(math.inf, v)


def _frac_as_float(v: Fraction) -> float:
    try:
        return v.numerator / v.denominator  # correctly rounded
    except OverflowError:
        return math.copysign(math.inf, v)


_EXACT = 2**53  # integers below this are exact doubles


def _py_float(x: float) -> str:
    if math.isnan(x):
        return "np.nan"
    if math.isinf(x):
        return "np.inf" if x > 0 else "(-np.inf)"
    s = repr(x)
    return f"({s})" if s.startswith("-") else s


def _c_float(x: float) -> str:
    if math.isnan(x):
        return "NAN"
    if math.isinf(x):
        return "INFINITY" if x > 0 else "(-INFINITY)"
    s = repr(x)
    return f"({s})" if s.startswith("-") else s


def _py_const(value) -> str:
    """Python source of a constant: ints as ints, fractions as exact divisions."""
    if isinstance(value, int):
        if abs(value) < _EXACT:
            return f"({value})" if value < 0 else str(value)
        return _py_float(_int_as_float(value))
    if isinstance(value, Fraction):
        n, d = value.numerator, value.denominator
        if abs(n) < _EXACT and d < _EXACT:
            return f"({n} / {d})"
        return _py_float(_frac_as_float(value))
    return _py_float(value)


def _py_float_const(value) -> str:
    """Python source of a constant that must be a float (``np.full``)."""
    if isinstance(value, Fraction) and not (
        abs(value.numerator) >= _EXACT or value.denominator >= _EXACT
    ):
        return _py_const(value)
    if isinstance(value, int):
        return _py_float(_int_as_float(value))
    if isinstance(value, Fraction):
        return _py_float(_frac_as_float(value))
    return _py_float(value)


def _c_const(value) -> str:
    """C source of a constant: always a double; fractions as exact divisions."""
    if isinstance(value, int):
        return _c_float(_int_as_float(value))
    if isinstance(value, Fraction):
        n, d = value.numerator, value.denominator
        if abs(n) < _EXACT and d < _EXACT:
            return f"({float(n)!r} / {float(d)!r})"
        return _c_float(_frac_as_float(value))
    return _c_float(value)


# ----- Inputs -------------------------------------------------------------------
def _flatten_symbols(wrt) -> list:
    if isinstance(wrt, Node):
        items = [wrt]
    elif isinstance(wrt, np.ndarray):
        items = list(wrt.ravel())
    else:
        try:
            items = []
            for w in wrt:
                items.extend(w.ravel() if isinstance(w, np.ndarray) else [w])
        except TypeError:
            raise NotASymbolError(
                f"wrt must be a symbol or a sequence of symbols, not {wrt!r}"
            ) from None
    seen = set()
    for v in items:
        if not isinstance(v, Node) or v.op != "symbol":
            raise NotASymbolError(
                f"can only differentiate with respect to symbols, not {v!r}"
            )
        if v in seen:
            raise CodegenError(f"symbol {v.value!r} appears twice in wrt")
        seen.add(v)
    return items


def _outputs(f):
    """(list of output nodes, several?) from a node, number, sequence or array."""
    if isinstance(f, np.ndarray):
        return [as_node(o) for o in f.ravel()], True
    if isinstance(f, (list, tuple)):
        if not f:
            raise CodegenError("no outputs given")
        return [as_node(o) for o in f], True
    return [as_node(f)], False


def _notes(nodes) -> list:
    ops = []
    for node in nodes:
        if node.op in OPS and node.op not in ops:
            ops.append(node.op)
    notes = []
    for op in ops:
        note = OPS[op].note or _EXTRA_NOTES.get(op, "")
        if note and note not in notes:
            notes.append(note)
    return notes


def _expr_text(node: Node) -> str:
    text = to_text(node)
    if len(text) > _MAX_HEADER_EXPR:
        return f"<an expression DAG of {len(toposort([node]))} nodes, too long to show>"
    # The text holds names, numbers and operators only; make sure it cannot
    # end a docstring or a C comment whatever it holds.
    return text.replace("\\", "/").replace('"', "'").replace("*/", "* /")


def _wrap_list(items, indent: str, width: int = _WIDTH) -> list:
    """Comma-separated items packed into lines (each ending with a comma)."""
    lines, cur = [], indent
    for item in items:
        piece = item + ","
        if cur != indent and len(cur) + 1 + len(piece) > width:
            lines.append(cur)
            cur = indent
        cur = cur + (" " if cur != indent else "") + piece
    if cur != indent:
        lines.append(cur)
    return lines


# ----- The printer -------------------------------------------------------------
class _Module:
    """What both targets need: outputs, gradient DAGs, names, dependency masks."""

    def __init__(self, f, wrt, name: str, target: str, hessian: bool):
        if target not in ("python", "c"):
            raise CodegenError(f"target must be 'python' or 'c', not {target!r}")
        if not isinstance(name, str):
            raise CodegenError(f"name must be a string, not {name!r}")
        try:
            _check_name(name, "function name")
        except ValueError as exc:
            raise CodegenError(str(exc)) from None
        self.target = target
        self.name = name
        self.outputs, self.several = _outputs(f)
        self.wrt = _flatten_symbols(wrt)
        if hessian and self.several:
            raise CodegenError("hessian=True needs a single scalar output, got several")
        self.hessian = hessian
        n_out = len(self.outputs)

        # Functions of the module.
        suffixes = (
            ["", "_jac"]
            if self.several
            else ["", "_grad"] + (["_hess"] if hessian else [])
        )
        self.fnames = [name + s for s in suffixes]
        reserved = _PY_RESERVED if target == "python" else _C_RESERVED
        for fn in self.fnames:
            if fn in reserved or (target == "c" and _C_RESERVED_PREFIX.match(fn)):
                raise CodegenError(f"function name {fn!r} is reserved in {target} code")

        # Derivatives: one reverse sweep per output (and per gradient entry).
        zero = const(0)
        self.grads = None
        self.jac = None
        self.hess = None
        self.adj = {}
        if self.several:
            self.jac = jacobian(self.outputs, self.wrt).reshape(n_out, len(self.wrt))
        else:
            self.adj = adjoints(self.outputs[0], self.wrt)
            self.grads = [self.adj.get(v, zero) for v in self.wrt]
            if hessian:
                self.hess = jacobian(self.grads, self.wrt).reshape(
                    len(self.wrt), len(self.wrt)
                )

        # Arguments: wrt symbols in order, then other symbols in order of appearance.
        all_roots = list(self.outputs)
        if self.grads is not None:
            all_roots += self.grads
        for m in (self.jac, self.hess):
            if m is not None:
                all_roots += list(m.ravel())
        self.order = toposort(all_roots)
        args = list(self.wrt)
        in_args = set(args)
        for node in self.order:
            if node.op == "symbol" and node not in in_args:
                args.append(node)
                in_args.add(node)
        self.args = args

        # Names: arguments, then named intermediates, then adjoints (x_bar).
        namer = _Namer(target, self.fnames)
        self.names = {}
        for s in args:
            self.names[s] = namer.fresh(s.value)
        for node in self.order:
            if node.name is not None and node.op not in ("symbol", "const"):
                self.names[node] = namer.fresh(node.name)
        self.grad_names = []
        if self.grads is not None:
            forward = set(toposort(self.outputs))
            for v in self.wrt:
                self.grad_names.append(
                    namer.fresh(self.names[v] + "_bar", record=False)
                )
            for g, gname in zip(self.grads, self.grad_names):
                if (
                    g.op not in ("symbol", "const")
                    and g not in forward
                    and g not in self.names
                ):
                    self.names[g] = gname
            # Adjoints of named intermediates read as backprop: q_bar.
            for node in reversed(toposort(self.outputs)):
                a = self.adj.get(node)
                if (
                    node in self.names
                    and node.op != "symbol"
                    and a is not None
                    and a.op not in ("symbol", "const")
                    and a not in forward
                    and a not in self.names
                ):
                    self.names[a] = namer.fresh(self.names[node] + "_bar", record=False)
        self.mangled = namer.mangled

        # Dependency masks: which arguments each node depends on (bit i = args[i]).
        bit = {s: 1 << i for i, s in enumerate(args)}
        mask = {}
        for node in self.order:
            if node.op == "symbol":
                mask[node] = bit[node]
            elif node.op == "const":
                mask[node] = 0
            else:
                m = 0
                for a in node.args:
                    m |= mask[a]
                mask[node] = m
        self.mask = mask
        self.full_mask = (1 << len(args)) - 1
        self.notes = _notes(self.order)

    def needs_broadcast(self, node) -> bool:
        return self.mask[node] != self.full_mask

    def body(self, roots, lang, stores=(), keep=()):
        """Lines computing ``roots``, each op once, in topological order.

        ``stores`` are ``(target, node)`` pairs: ``target = node`` is written
        as soon as the node is computed (at the start for symbols and
        constants). Returns ``(lines, atom)``, ``atom[node]`` being the name
        or literal of each node. Temporaries are numbered t0, t1, ... in
        evaluation order. In large functions (and when the target can),
        each temporary not in ``keep`` is released after its last use.
        """
        atom, lines, count = {}, [], 0
        order = toposort(roots)
        store_of = {}
        for target, node in stores:
            store_of.setdefault(node, []).append(target)
        n_ops = sum(1 for n in order if n.args)
        big = lang.release is not None and n_ops > _RELEASE_AFTER
        dels = self._last_uses(order, store_of, set(keep)) if big else {}
        early = []
        for node in order:
            op = node.op
            if op == "symbol":
                atom[node] = self.names[node]
                early += [
                    (t, lang.store(t, atom[node])) for t in store_of.get(node, ())
                ]
                continue
            if op == "const":
                atom[node] = lang.const(node.value, False)
                src = lang.const(node.value, False)
                early += [(t, lang.store(t, src)) for t in store_of.get(node, ())]
                continue
            operands = [atom[a] for a in node.args]
            if all(a.op == "const" for a in node.args):
                # Constant operands only (e.g. 1/0 kept symbolic): compute in
                # floating point, as evaluate does, never with Python ints.
                operands[0] = lang.const(node.args[0].value, True)
            reduces = OPS[op].reduces
            if reduces is None:
                expr = lang.template(op).format(*operands)
            else:  # an n-ary reduction prints as the fold of its binary op
                expr = operands[0]
                for operand in operands[1:]:
                    expr = lang.template(reduces).format(expr, operand)
            name = self.names.get(node)
            if name is None:
                name = f"t{count}"
                count += 1
            lines.append(lang.assign(name, expr))
            atom[node] = name
            lines += [lang.store(t, name) for t in store_of.get(node, ())]
            dead = dels.get(node)
            if dead:
                lines.append(lang.release([atom[d] for d in dead]))
        # Stores of symbols and constants come first, in the order given.
        rank = {t: i for i, (t, _) in enumerate(stores)}
        early.sort(key=lambda item: rank[item[0]])
        return [line for _, line in early] + lines, atom

    @staticmethod
    def _last_uses(order, store_of, keep) -> dict:
        """``{node: temporaries to release after node}``: after their last use.

        Large functions keep memory bounded by the DAG's width, not its size:
        on a batch, a temporary that stays alive until the return is an array
        that stays allocated (and out of cache).
        """
        last = {}
        for node in order:
            if node in store_of:
                last.setdefault(node, node)
            for a in node.args:
                last[a] = node
        dels = {}
        for node, user in last.items():
            if node.op not in ("symbol", "const") and node not in keep:
                lst = dels.setdefault(user, [])
                if node not in lst:
                    lst.append(node)
        return dels

    def header_lines(self) -> list:
        out = []
        if self.several:
            for i, o in enumerate(self.outputs):
                out.append(f"{self.name}[{i}] = {_expr_text(o)}")
        else:
            out.append(f"{self.name} = {_expr_text(self.outputs[0])}")
        out = [
            line
            for text in out
            for line in textwrap.wrap(text, 76, subsequent_indent="    ")
        ]
        return out


# ----- Python target ----------------------------------------------------------------
class _PyLang:
    """How the Python target spells constants, ops, assignments and stores."""

    @staticmethod
    def const(value, force_float: bool) -> str:
        return f"np.float64({_py_const(value)})" if force_float else _py_const(value)

    @staticmethod
    def template(op: str) -> str:
        return OPS[op].np_src

    @staticmethod
    def assign(name: str, expr: str) -> str:
        return f"    {name} = {expr}"

    @staticmethod
    def store(target: str, src: str) -> str:
        return f"    {target} = {src}"

    @staticmethod
    def release(names: list) -> str:
        return "    del " + ", ".join(names)


class _CLang:
    """How the C target spells constants, ops, assignments and stores."""

    release = None

    @staticmethod
    def const(value, force_float: bool) -> str:
        return _c_const(value)

    @staticmethod
    def template(op: str) -> str:
        return OPS[op].c_template

    @staticmethod
    def assign(name: str, expr: str) -> str:
        return f"    const double {name} = {expr};"

    @staticmethod
    def store(target: str, src: str) -> str:
        return f"    {target} = {src};"


def _py_def(fname: str, params: list, doc: str) -> list:
    head = f"def {fname}({', '.join(params)}):"
    if len(head) <= _WIDTH:
        lines = [head]
    else:
        lines = [f"def {fname}("] + _wrap_list(params, "    ") + ["):"]
    lines.append(f'    """{doc}"""')
    return lines


def _py_prologue(mod: _Module, need_shape: bool) -> list:
    lines = []
    for s in mod.args:
        n = mod.names[s]
        lines.append(f"    {n} = np.asarray({n}, dtype=np.float64)")
    if need_shape:
        shapes = [f"np.shape({mod.names[s]})" for s in mod.args]
        call = "    _shape = np.broadcast_shapes(" + ", ".join(shapes) + ")"
        if len(call) <= _WIDTH:
            lines.append(call)
        else:
            lines.append("    _shape = np.broadcast_shapes(")
            lines += _wrap_list(shapes, "        ")
            lines.append("    )")
    return lines


def _py_value(mod: _Module, node, atom) -> str:
    """Source of an output value with the arguments' broadcast shape."""
    if node.op == "const":
        return f"np.full(_shape, {_py_float_const(node.value)})"
    if mod.needs_broadcast(node):
        return f"np.broadcast_to({atom[node]}, _shape)"
    return atom[node]


def _py_return(items: list) -> list:
    """``return a, b, ...`` (a tuple when several), wrapped when long."""
    line = "    return " + ", ".join(items)
    if len(line) <= _WIDTH or len(items) == 1:
        return [line]
    return ["    return ("] + _wrap_list(items, "        ") + ["    )"]


def _py_tuple_assign(var: str, items: list) -> list:
    """``var = (a, b, ...)``, always a tuple, wrapped when long."""
    line = f"    {var} = (" + ", ".join(items) + ("," if len(items) == 1 else "") + ")"
    if len(line) <= _WIDTH:
        return [line]
    return [f"    {var} = ("] + _wrap_list(items, "        ") + ["    )"]


def _helpers(mod: _Module, table: dict) -> list:
    out = []
    for node in mod.order:
        if not node.args:  # a symbol or a constant
            continue
        # an n-ary reduction prints as a fold of its binary op: that op's helpers
        for h in table.get(OPS[node.op].reduces or node.op, ()):
            if h not in out:
                out.append(h)
    return out


def _indented(items: list, width: int = 76, indent: str = "    ") -> list:
    return textwrap.wrap(
        ", ".join(items), width, initial_indent=indent, subsequent_indent=indent
    )


def _py_header(mod: _Module, params: list) -> list:
    name, n, m = mod.name, len(mod.wrt), len(mod.outputs)
    sig = "(" + ", ".join(params) + ")" if len(params) <= 6 else "(...)"
    doc = [f'"""{name} and its derivatives: generated code that needs only NumPy.', ""]
    doc += mod.header_lines() + [""]
    doc += ["Arguments, in order (floats or float64 arrays; they broadcast together):"]
    doc += _indented(params)
    if mod.mangled:
        doc += ["Names changed to keep the code valid and unshadowed:"]
        doc += _indented([f"{a} -> {b}" for a, b in mod.mangled])
    doc += [""]
    wrt = [mod.names[v] for v in mod.wrt]
    if mod.several:
        doc += [
            f"{name}{sig} returns the {m} values, a tuple;",
            f"{name}_jac{sig} returns (values, jacobian), the Jacobian an array",
            f"of shape ({m}, {n}) + the broadcast shape, its columns for:",
        ]
        doc += _indented(wrt)
    else:
        doc += [
            f"{name}{sig} returns the value;",
            f"{name}_grad{sig} returns (value, gradient), the gradient a tuple of",
            f"{n} arrays (the rows of one new array) for:",
        ]
        doc += _indented(wrt)
        if mod.hessian:
            doc += [
                f"{name}_hess{sig} returns (value, gradient, hessian), the Hessian",
                f"an array of shape ({n}, {n}) + the broadcast shape.",
            ]
    doc += [
        "Every result has the arguments' broadcast shape. A value that does not",
        "depend on every argument is a read-only broadcast view.",
        "",
        "Conventions at non-differentiable points (PyTorch's):",
    ]
    doc += ["    " + n for n in mod.notes] or [
        "    none: every op here is differentiable"
    ]
    doc += ['"""', "", "import numpy as np"]
    return doc


def _py_module(mod: _Module) -> str:
    name, lang = mod.name, _PyLang
    params = [mod.names[s] for s in mod.args]
    parts = ["\n".join(_py_header(mod, params))]
    parts += [_PY_HELPER_SRC[h] for h in _helpers(mod, _PY_HELPERS_OF_OP)]
    outs = mod.outputs

    # name: the value(s).
    lines = _py_def(name, params, "Values, a tuple." if mod.several else "Value.")
    lines += _py_prologue(mod, any(mod.needs_broadcast(o) for o in outs))
    body, atom = mod.body(outs, lang, keep=outs)
    values = [_py_value(mod, o, atom) for o in outs]
    if mod.several:
        lines += body + _py_tuple_assign("_values", values) + _py_return(["_values"])
    else:
        lines += body + _py_return(values)
    parts.append("\n".join(lines))

    if mod.several:
        m, n = mod.jac.shape
        doc = "Values and the Jacobian: one reverse sweep per output."
        lines = _py_def(name + "_jac", params, doc) + _py_prologue(mod, True)
        lines.append(f"    _jac = np.zeros(({m}, {n}) + _shape)")
        stores = [
            (f"_jac[{i}, {j}]", g)
            for (i, j), g in np.ndenumerate(mod.jac)
            if not _is_zero(g)
        ]
        body, atom = mod.body(
            list(outs) + list(mod.jac.ravel()), lang, stores, keep=outs
        )
        values = [_py_value(mod, o, atom) for o in outs]
        lines += (
            body + _py_tuple_assign("_values", values) + _py_return(["_values", "_jac"])
        )
        parts.append("\n".join(lines))
    else:
        parts.append("\n".join(_py_grad_fn(mod, params, with_hess=False)))
        if mod.hessian:
            parts.append("\n".join(_py_grad_fn(mod, params, with_hess=True)))
    return "\n\n\n".join(parts) + "\n"


def _is_zero(node) -> bool:
    return node.op == "const" and node.value == 0


def _py_grad_fn(mod: _Module, params: list, with_hess: bool) -> list:
    value, n = mod.outputs[0], len(mod.wrt)
    if with_hess:
        fname = mod.name + "_hess"
        doc = "Value, gradient and Hessian (reverse sweeps over the gradient)."
    else:
        fname = mod.name + "_grad"
        doc = "Value and gradient: one forward pass, then one reverse pass."
    lines = _py_def(fname, params, doc) + _py_prologue(mod, True)
    lines.append(f"    _grad = np.empty(({n},) + _shape)")
    stores = [(f"_grad[{k}]", g) for k, g in enumerate(mod.grads)]
    roots = [value] + list(mod.grads)
    if with_hess:
        lines.append(f"    _hess = np.zeros(({n}, {n}) + _shape)")
        stores += [
            (f"_hess[{i}, {j}]", h)
            for (i, j), h in np.ndenumerate(mod.hess)
            if not _is_zero(h)
        ]
        roots += list(mod.hess.ravel())
    body, atom = mod.body(roots, _PyLang, stores, keep=[value])
    lines += body
    items = [_py_value(mod, value, atom), "tuple(_grad)"] + (
        ["_hess"] if with_hess else []
    )
    return lines + _py_return(items)


# ----- C target ---------------------------------------------------------------------
def _c_fn(
    mod: _Module, signature: str, roots: list, stores: list, returns: bool
) -> list:
    """One C function: read the inputs it uses, compute, store, return."""
    body, atom = mod.body(roots, _CLang, stores)
    used = {n for n in toposort(roots) if n.op == "symbol"}
    lines = [signature, "{"]
    reads = [
        f"    const double {mod.names[s]} = in[{i}];"
        for i, s in enumerate(mod.args)
        if s in used
    ]
    lines += (reads or ["    (void)in;"]) + body
    if returns:
        lines.append(f"    return {atom[roots[0]]};")
    return lines + ["}"]


def _c_header(mod: _Module, params: list) -> list:
    name, n, m = mod.name, len(mod.wrt), len(mod.outputs)
    head = [
        f"/* {name} and its derivatives: generated C99 that needs only <math.h>.",
        " *",
    ]
    head += [" * " + line for line in mod.header_lines()]
    head += [" *", " * Inputs in[], in order:"]
    head += [" *" + line for line in _indented(params, 72)]
    if mod.mangled:
        head += [" * Names changed to keep the code valid:"]
        head += [
            " *" + line
            for line in _indented([f"{a} -> {b}" for a, b in mod.mangled], 72)
        ]
    head += [" *"]
    if mod.several:
        head += [
            f" * {name}(in, out) writes the {m} values to out[0..{m - 1}];",
            f" * {name}_jac(in, out, jac) also writes the {m} x {n} Jacobian to jac[]",
            f" * (row-major: jac[i * {n} + j] = d out[i] / d in[j]).",
        ]
    else:
        head += [
            f" * {name}(in) returns the value; {name}_grad(in, grad) returns it and writes",
            f" * the {n} partial derivatives to grad[0..{n - 1}] (d/d in[0], d/d in[1], ...).",
        ]
        if mod.hessian:
            head += [
                f" * {name}_hess(in, grad, hess) also writes the {n} x {n} Hessian to hess[]",
                f" * (row-major: hess[i * {n} + j]).",
            ]
    head += [" *", " * Conventions at non-differentiable points (PyTorch's):"]
    head += [" *     " + note for note in mod.notes] or [
        " *     none: every op here is differentiable"
    ]
    return head + [" */", "", "#include <math.h>"]


def _c_module(mod: _Module) -> str:
    name, n = mod.name, len(mod.wrt)
    params = [mod.names[s] for s in mod.args]
    parts = ["\n".join(_c_header(mod, params))]
    parts += [_C_HELPER_SRC[h] for h in _helpers(mod, _C_HELPERS_OF_OP)]
    outs = mod.outputs
    if mod.several:
        stores = [(f"out[{i}]", o) for i, o in enumerate(outs)]
        sig = f"void {name}(const double *in, double *out)"
        parts.append("\n".join(_c_fn(mod, sig, outs, stores, False)))
        jstores = stores + [
            (f"jac[{i * n + j}]", g) for (i, j), g in np.ndenumerate(mod.jac)
        ]
        sig = f"void {name}_jac(const double *in, double *out, double *jac)"
        parts.append(
            "\n".join(
                _c_fn(mod, sig, list(outs) + list(mod.jac.ravel()), jstores, False)
            )
        )
    else:
        sig = f"double {name}(const double *in)"
        parts.append("\n".join(_c_fn(mod, sig, outs, [], True)))
        gstores = [(f"grad[{k}]", g) for k, g in enumerate(mod.grads)]
        roots = list(outs) + list(mod.grads)
        sig = f"double {name}_grad(const double *in, double *grad)"
        parts.append("\n".join(_c_fn(mod, sig, roots, gstores, True)))
        if mod.hessian:
            hstores = gstores + [
                (f"hess[{i * n + j}]", h) for (i, j), h in np.ndenumerate(mod.hess)
            ]
            sig = f"double {name}_hess(const double *in, double *grad, double *hess)"
            parts.append(
                "\n".join(
                    _c_fn(mod, sig, roots + list(mod.hess.ravel()), hstores, True)
                )
            )
    return "\n\n".join(parts) + "\n"


# ----- Public entry point ---------------------------------------------------------------
def codegen(
    f, wrt, name: str = "f", target: str = "python", hessian: bool = False
) -> str:
    """Source text of a standalone module computing ``f`` and its derivatives.

    Parameters
    ----------
    f : Node (or number) for one scalar output; a sequence or object array of
        nodes for several outputs (the module then has a Jacobian function).
    wrt : a symbol, a sequence of symbols (or of object arrays of symbols), or
        an object array of symbols; flattened in row-major order.
    name : the name of the value function; the others are ``name_grad``,
        ``name_jac`` and ``name_hess``.
    target : ``"python"`` (a module that imports only NumPy) or ``"c"`` (C99
        that includes only ``<math.h>``).
    hessian : also generate ``name_hess`` (single output only).

    Returns
    -------
    str
        For Python: a module defining ``name(*args)`` returning the value and
        ``name_grad(*args)`` returning ``(value, (d_wrt1, ...))`` from one
        forward and one reverse pass. The arguments are the ``wrt`` symbols,
        then every other symbol of ``f`` in order of first appearance; each is
        a float or a float64 array, and they broadcast together. For C:
        ``double name(const double *in)`` and ``double name_grad(const double
        *in, double *grad)`` (value returned, gradient written to ``grad``).

    Raises
    ------
    CodegenError
        For an unknown target, an invalid or reserved function name, a symbol
        twice in ``wrt``, or ``hessian=True`` with several outputs.
    NotASymbolError
        If something in ``wrt`` is not a symbol.

    Examples
    --------
    >>> import symgraph as sg
    >>> x, y = sg.symbols("x y")
    >>> src = sg.codegen(x * sg.sin(y), [x, y])
    >>> print(src[src.index("def f_grad") :].strip())
    def f_grad(x, y):
        \"\"\"Value and gradient: one forward pass, then one reverse pass.\"\"\"
        x = np.asarray(x, dtype=np.float64)
        y = np.asarray(y, dtype=np.float64)
        _shape = np.broadcast_shapes(np.shape(x), np.shape(y))
        _grad = np.empty((2,) + _shape)
        t0 = np.sin(y)
        _grad[0] = t0
        t1 = x * t0
        t2 = np.cos(y)
        y_bar = x * t2
        _grad[1] = y_bar
        return t1, tuple(_grad)
    """
    # tensor hook: tensor expressions go to symgraph.tensor
    if _tensor.involved(f, wrt):
        return _tensor.codegen(f, wrt, name, target, hessian)
    mod = _Module(f, wrt, name, target, hessian)
    return _py_module(mod) if target == "python" else _c_module(mod)
