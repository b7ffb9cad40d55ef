"""Tensor expressions in LaTeX matrix notation (``X^\\top \\left(X w - y\\right)``).

Matrix products are juxtaposed, the elementwise product is ``\\odot``, an
elementwise power ``X^{\\circ 2}``, transposes ``^\\top`` (``X^{-\\top}`` for
``inv(X).T``), ``\\operatorname{tr}``, ``\\det``, norms ``\\|x\\|_2``. The
display simplification of ``display.py`` runs first, as for the text form.
"""

from __future__ import annotations

import re
from fractions import Fraction

from .printing import render
from .registry import PREC, TOPS, latex_wrap

__all__ = ["elementwise_latex", "product_operand", "to_latex"]

_GREEK = {
    "alpha", "beta", "gamma", "delta", "epsilon", "zeta", "eta", "theta", "iota",
    "kappa", "lambda", "mu", "nu", "xi", "pi", "rho", "sigma", "tau", "upsilon",
    "phi", "chi", "psi", "omega", "Gamma", "Delta", "Theta", "Lambda", "Xi", "Pi",
    "Sigma", "Upsilon", "Phi", "Psi", "Omega",
}  # fmt: skip
_NAME = re.compile(r"([A-Za-z]+?)_?([0-9]+)\Z")

_FN = {
    "exp": "\\exp", "log": "\\log", "sin": "\\sin", "cos": "\\cos", "tan": "\\tan",
    "tanh": "\\tanh", "sinh": "\\sinh", "cosh": "\\cosh", "atan": "\\arctan",
    "asin": "\\arcsin", "acos": "\\arccos", "sigmoid": "\\sigma",
    "maximum": "\\max", "minimum": "\\min",
}  # fmt: skip


def symbol_latex(name: str) -> str:
    """``W1`` -> ``W_{1}``, ``alpha`` -> ``\\alpha``, ``x_hat`` -> ``x_{hat}``."""
    m = _NAME.match(name)
    if m:
        base, index = m.groups()
        return f"{symbol_latex(base)}_{{{index}}}"
    if name in _GREEK:
        return "\\" + name
    if "_" in name:
        base, _, rest = name.partition("_")
        return f"{symbol_latex(base)}_{{\\mathrm{{{rest}}}}}"
    if len(name) > 1:
        return f"\\mathrm{{{name}}}"
    return name


def _const_latex(value):
    if isinstance(value, Fraction):
        sign = "-" if value < 0 else ""
        return f"{sign}\\frac{{{abs(value.numerator)}}}{{{value.denominator}}}", (
            PREC["neg"] if value < 0 else PREC["atom"]
        )
    if isinstance(value, float) and value != value:
        return "\\mathrm{NaN}", PREC["atom"]
    if isinstance(value, float) and abs(value) == float("inf"):
        return ("\\infty" if value > 0 else "-\\infty"), PREC["atom"]
    text = repr(value)
    if "e" in text and isinstance(value, float):
        mant, _, exp = text.partition("e")
        text = f"{mant} \\cdot 10^{{{int(exp)}}}"
    return text, PREC["neg"] if value < 0 else PREC["atom"]


def _is_hadamard(node) -> bool:
    return (
        node.op in ("mul", "div")
        and node.ndim > 0
        and all(a.ndim > 0 for a in node.args)
    )


def product_operand(arg, node, right: bool = False) -> str:
    """An operand of a juxtaposed product, parenthesised when it is a sum,
    a negation on the right, or an elementwise product (``(A ⊙ B) C``)."""
    text, prec = arg
    if prec < PREC["prod"] or _is_hadamard(node) or (right and prec <= PREC["neg"]):
        return f"\\left({text}\\right)"
    return text


def elementwise_latex(op: str, args, nodes):
    """LaTeX of an elementwise op of the scalar registry, lifted."""
    if op in ("add", "sub"):
        a, b = args
        sign = "+" if op == "add" else "-"
        return f"{a[0]} {sign} {latex_wrap(b, PREC['sum'], strict=True)}", PREC["sum"]
    if op == "neg":
        return f"-{latex_wrap(args[0], PREC['neg'])}", PREC["neg"]
    if op == "mul":
        a, b = args
        if nodes[0].ndim == 0 or nodes[1].ndim == 0:
            return (
                f"{product_operand(a, nodes[0])} {product_operand(b, nodes[1], True)}",
                PREC["prod"],
            )
        return (
            f"{_hadamard_operand(a, nodes[0])} \\odot {_hadamard_operand(b, nodes[1])}",
            PREC["prod"],
        )
    if op == "div":
        return f"\\frac{{{args[0][0]}}}{{{args[1][0]}}}", PREC["atom"]
    if op == "pow":
        base, exp = args
        circ = "\\circ " if nodes[0].ndim > 0 else ""
        return f"{latex_wrap(base, PREC['atom'])}^{{{circ}{exp[0]}}}", PREC["pow"]
    if op == "sqrt":
        return f"\\sqrt{{{args[0][0]}}}", PREC["atom"]
    if op == "abs":
        return f"\\left|{args[0][0]}\\right|", PREC["atom"]
    if op == "heaviside" and nodes[1].op == "const" and nodes[1].value in (0, 1):
        rel = ">" if nodes[1].value == 0 else "\\ge"
        return f"\\mathbb{{1}}\\left[{args[0][0]} {rel} 0\\right]", PREC["atom"]
    if op == "where":
        c, a, b = args
        return (
            f"\\operatorname{{where}}\\left({c[0]} > 0, {a[0]}, {b[0]}\\right)",
            PREC["atom"],
        )
    escaped = op.replace("_", "\\_")
    macro = _FN.get(op, f"\\operatorname{{{escaped}}}")
    inner = ", ".join(a for a, _ in args)
    return f"{macro}\\left({inner}\\right)", PREC["atom"]


def _hadamard_operand(arg, node) -> str:
    text, prec = arg
    if prec < PREC["prod"] or (prec == PREC["prod"] and not _is_hadamard(node)):
        if node.op == "mul" and any(a.ndim == 0 for a in node.args):
            return text if prec >= PREC["prod"] else f"\\left({text}\\right)"
        return f"\\left({text}\\right)"
    return text


def _leaf(node):
    if node.op == "symbol":
        return symbol_latex(node.value), PREC["atom"]
    return _const_latex(node.value)


def _apply(node, args):
    return TOPS[node.op].latex(args, node.kwargs, node.args)


def to_latex(node, simplify: bool = True) -> str:
    """The expression in LaTeX matrix notation.

    Examples
    --------
    >>> import symgraph as sg
    >>> X, w, y = sg.tensors("X:n,m w:m y:n")
    >>> print(sg.tensor.to_latex(sg.grad(0.5 * sg.sum((X @ w - y) ** 2), w)))
    X^\\top \\left(X w - y\\right)
    """
    if simplify:
        from .display import display

        node = display(node)
    return render(node, _leaf, _apply, limit=40_000)[0]
