"""Names in generated code: the reserved words of each target and the namer
that keeps user names where it can and mangles them where it must (in C,
non-ASCII names are spelled in ASCII: ``θ`` is ``theta``). Symbol names are
already in Python's normal form (``symgraph/identifiers.py``), so Python code
uses them as they are."""

from __future__ import annotations

import builtins
import itertools
import keyword
import re

from ..identifiers import ascii_name
from ..opdef import OPS

__all__ = ["C_RESERVED", "C_RESERVED_PREFIX", "PY_RESERVED", "Namer"]

_TEMP = re.compile(r"t[0-9]+\Z")

PY_RESERVED = frozenset(
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
# helper functions of every op: a local variable must not hide one
_C_HELPER_NAMES = {h.name for op in OPS.values() for h in op.c_helpers}
C_RESERVED = frozenset(set(_C_KEYWORDS) | set(_C_MATH) | _C_HELPER_NAMES)
# Macro families of the C library (M_PI, FP_NAN, EDOM, ...).
C_RESERVED_PREFIX = re.compile(r"(M_|FP_|E[0-9A-Z]|FLT_|DBL_|LDBL_|INT|UINT|SIZE_)")


class Namer:
    """Unique, safe identifiers: user names kept where possible, else mangled."""

    def __init__(self, target: str, function_names):
        self.target = target
        self.used = set(function_names)
        self.mangled: list[tuple[str, str]] = []  # (original, new), in allocation order

    def _ok(self, name: str) -> bool:
        if name in self.used or _TEMP.match(name):
            return False
        if self.target == "python":
            return name not in PY_RESERVED
        return name not in C_RESERVED and not C_RESERVED_PREFIX.match(name)

    def fresh(self, base: str, record: bool = True) -> str:
        original = base
        if self.target == "c":
            base = ascii_name(base)  # C names are ASCII: θ -> theta
        name = base
        if not self._ok(name):
            if self.target == "c" and C_RESERVED_PREFIX.match(base):
                base = "v_" + base  # any suffix would keep a reserved prefix
            candidates = itertools.chain(
                [base + "_"], (f"{base}_{i}" for i in itertools.count(1))
            )
            name = next(c for c in candidates if self._ok(c))
        if record and name != original:
            self.mangled.append((original, name))
        self.used.add(name)
        return name
