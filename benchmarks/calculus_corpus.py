"""Derivatives a person would write: a corpus from two courses.

Plain data, read by ``benchmarks/bench_readable.py`` (how readable are our
printed derivatives next to SymPy's simplified ones) and by
``tests/test_bench_corpus.py`` (every entry parses, and its derivative by
``sg.grad`` agrees with ``sympy.diff`` at random points of its domain).

Each entry is ``Entry(course, category, expression, wrt, domain)``:

- ``course``: ``"calculus"`` (a first calculus course) or ``"ml"`` (a
  machine-learning course);
- ``category``: the rule or model the exercise practises;
- ``expression``: text in ``sg.parse`` syntax, written as a teacher would
  (``**`` for powers, ``log(x, b)`` for a logarithm to base ``b``);
- ``wrt``: the variable names to differentiate by, separated by spaces (one
  derivative per name; every other name is a constant);
- ``domain``: an interval ``(low, high)`` in which every symbol of the entry
  may take any value and the expression and its derivatives are real and
  finite (the correctness test samples its points there). The default suits
  most exercises in x: ``(0.2, 0.9)`` for the calculus course (inside the
  domains of log, sqrt, asin, acos, atanh, ...), ``(-1.5, 1.5)`` for the ML
  course (both sides of every relu kink).

The derivatives number :data:`N_DERIVATIVES` (one per entry and variable).
"""

from __future__ import annotations

from typing import NamedTuple

CALCULUS_DOMAIN = (0.2, 0.9)
ML_DOMAIN = (-1.5, 1.5)


class Entry(NamedTuple):
    course: str
    category: str
    expression: str
    wrt: str
    domain: tuple[float, float] | None = None

    @property
    def variables(self) -> list[str]:
        return self.wrt.split()

    @property
    def interval(self) -> tuple[float, float]:
        if self.domain is not None:
            return self.domain
        return CALCULUS_DOMAIN if self.course == "calculus" else ML_DOMAIN


CORPUS: list[Entry] = [
    # ------------------------------------------------------------------
    # Calculus: polynomials and the power rule
    # ------------------------------------------------------------------
    Entry("calculus", "power rule", "x**7", "x"),
    Entry("calculus", "power rule", "3*x**4 - 2*x**3 + 5*x - 9", "x"),
    Entry("calculus", "power rule", "x**100", "x"),
    Entry("calculus", "power rule", "1/x", "x"),
    Entry("calculus", "power rule", "1/x**3", "x"),
    Entry("calculus", "power rule", "x**(-5)", "x"),
    Entry("calculus", "power rule", "x**(5/2)", "x"),
    Entry("calculus", "power rule", "4*x**(3/4)", "x"),
    Entry("calculus", "power rule", "x**3/3 - x**2/2 + x", "x"),
    Entry("calculus", "power rule", "2*x**5 + 7*x**2 - pi*x", "x"),
    Entry("calculus", "power rule", "x**pi", "x"),
    Entry("calculus", "power rule", "5/x**2 + 3/x", "x"),
    Entry("calculus", "power rule", "(x**2 + 1)/x", "x"),
    Entry("calculus", "power rule", "a*x**2 + b*x + c", "x"),
    Entry("calculus", "power rule", "x**n", "x"),
    Entry("calculus", "power rule", "t**4 - 4*t**2 + 2", "t"),
    # ------------------------------------------------------------------
    # Calculus: the product rule
    # ------------------------------------------------------------------
    Entry("calculus", "product rule", "x**2*sin(x)", "x"),
    Entry("calculus", "product rule", "x*exp(x)", "x"),
    Entry("calculus", "product rule", "x**3*log(x)", "x"),
    Entry("calculus", "product rule", "exp(x)*cos(x)", "x"),
    Entry("calculus", "product rule", "(x**2 + 1)*(x**3 - 2*x)", "x"),
    Entry("calculus", "product rule", "sqrt(x)*sin(x)", "x"),
    Entry("calculus", "product rule", "x*sin(x)*cos(x)", "x"),
    Entry("calculus", "product rule", "x**2*exp(x)*log(x)", "x"),
    Entry("calculus", "product rule", "(3*x - 2)*(x**2 + 5)", "x"),
    Entry("calculus", "product rule", "x*atan(x)", "x"),
    Entry("calculus", "product rule", "sin(x)*tan(x)", "x"),
    Entry("calculus", "product rule", "x*log(x) - x", "x"),
    Entry("calculus", "product rule", "exp(2*x)*sin(3*x)", "x"),
    Entry("calculus", "product rule", "x**4*cosh(x)", "x"),
    # ------------------------------------------------------------------
    # Calculus: the quotient rule
    # ------------------------------------------------------------------
    Entry("calculus", "quotient rule", "(x + 1)/(x - 1)", "x"),
    Entry("calculus", "quotient rule", "x/(x**2 + 1)", "x"),
    Entry("calculus", "quotient rule", "sin(x)/x", "x"),
    Entry("calculus", "quotient rule", "(2*x**2 - 3)/(x**3 + 1)", "x"),
    Entry("calculus", "quotient rule", "exp(x)/x**2", "x"),
    Entry("calculus", "quotient rule", "log(x)/x", "x"),
    Entry("calculus", "quotient rule", "x/log(x)", "x"),
    Entry("calculus", "quotient rule", "cos(x)/(1 + sin(x))", "x"),
    Entry("calculus", "quotient rule", "(x**2 - 1)/(x**2 + 1)", "x"),
    Entry("calculus", "quotient rule", "1/(1 + exp(-x))", "x"),
    Entry("calculus", "quotient rule", "(1 - x)/(1 + x)", "x"),
    Entry("calculus", "quotient rule", "x**2/(x - 2)", "x"),
    Entry("calculus", "quotient rule", "tan(x)/x", "x"),
    Entry("calculus", "quotient rule", "(exp(x) - exp(-x))/(exp(x) + exp(-x))", "x"),
    # ------------------------------------------------------------------
    # Calculus: the chain rule
    # ------------------------------------------------------------------
    Entry("calculus", "chain rule", "(3*x + 1)**5", "x"),
    Entry("calculus", "chain rule", "(x**2 + 1)**10", "x"),
    Entry("calculus", "chain rule", "sin(x**2)", "x"),
    Entry("calculus", "chain rule", "cos(3*x + 1)", "x"),
    Entry("calculus", "chain rule", "exp(-x**2/2)", "x"),
    Entry("calculus", "chain rule", "log(x**2 + 1)", "x"),
    Entry("calculus", "chain rule", "sin(x)**3", "x"),
    Entry("calculus", "chain rule", "cos(sin(x))", "x"),
    Entry("calculus", "chain rule", "exp(sin(x))", "x"),
    Entry("calculus", "chain rule", "log(cos(x))", "x"),
    Entry("calculus", "chain rule", "(1 - 2*x)**(-3)", "x"),
    Entry("calculus", "chain rule", "tan(x**3)", "x"),
    Entry("calculus", "chain rule", "sin(exp(x))", "x"),
    Entry("calculus", "chain rule", "log(log(x))", "x", (1.5, 4.0)),
    Entry("calculus", "chain rule", "exp(exp(x))", "x"),
    Entry("calculus", "chain rule", "sin(cos(x**2))", "x"),
    # ------------------------------------------------------------------
    # Calculus: exponentials and logarithms (any base)
    # ------------------------------------------------------------------
    Entry("calculus", "exp and log", "exp(3*x)", "x"),
    Entry("calculus", "exp and log", "E**(2*x)", "x"),
    Entry("calculus", "exp and log", "exp(a*x)", "x"),
    Entry("calculus", "exp and log", "2**x", "x"),
    Entry("calculus", "exp and log", "10**x", "x"),
    Entry("calculus", "exp and log", "x**x", "x"),
    Entry("calculus", "exp and log", "x**sin(x)", "x"),
    Entry("calculus", "exp and log", "log(3*x)", "x"),
    Entry("calculus", "exp and log", "log(x)**2", "x"),
    Entry("calculus", "exp and log", "log(x, 2)", "x"),
    Entry("calculus", "exp and log", "log(x, 10)", "x"),
    Entry("calculus", "exp and log", "log(x**2 + x, 3)", "x"),
    Entry("calculus", "exp and log", "exp2(x)", "x"),
    Entry("calculus", "exp and log", "exp2(x**2)", "x"),
    Entry("calculus", "exp and log", "log2(x)", "x"),
    Entry("calculus", "exp and log", "log2(x**2 + 1)", "x"),
    Entry("calculus", "exp and log", "log10(x)", "x"),
    Entry("calculus", "exp and log", "log((x + 1)/(x - 1))", "x", (1.5, 4.0)),
    Entry("calculus", "exp and log", "log(sqrt(x**2 + 1))", "x"),
    Entry("calculus", "exp and log", "log(1 + exp(x))", "x"),
    # ------------------------------------------------------------------
    # Calculus: trigonometric functions
    # ------------------------------------------------------------------
    Entry("calculus", "trig", "sin(x)", "x"),
    Entry("calculus", "trig", "cos(x)", "x"),
    Entry("calculus", "trig", "tan(x)", "x"),
    Entry("calculus", "trig", "sec(x)", "x"),
    Entry("calculus", "trig", "csc(x)", "x"),
    Entry("calculus", "trig", "cot(x)", "x"),
    Entry("calculus", "trig", "sin(2*x)", "x"),
    Entry("calculus", "trig", "cos(x)**2", "x"),
    Entry("calculus", "trig", "sin(x)*cos(x)", "x"),
    Entry("calculus", "trig", "tan(x)**2", "x"),
    Entry("calculus", "trig", "sec(x)*tan(x)", "x"),
    Entry("calculus", "trig", "sin(x)**2 + cos(x)**2", "x"),
    Entry("calculus", "trig", "sin(x)/(1 - cos(x))", "x"),
    Entry("calculus", "trig", "csc(x)*cot(x)", "x"),
    Entry("calculus", "trig", "cos(pi*x)", "x"),
    Entry("calculus", "trig", "sin(x/2)**2", "x"),
    # ------------------------------------------------------------------
    # Calculus: inverse trigonometric functions
    # ------------------------------------------------------------------
    Entry("calculus", "inverse trig", "asin(x)", "x"),
    Entry("calculus", "inverse trig", "acos(x)", "x"),
    Entry("calculus", "inverse trig", "atan(x)", "x"),
    Entry("calculus", "inverse trig", "acot(x)", "x"),
    Entry("calculus", "inverse trig", "asec(x)", "x", (1.2, 4.0)),
    Entry("calculus", "inverse trig", "acsc(x)", "x", (1.2, 4.0)),
    Entry("calculus", "inverse trig", "asin(2*x)", "x", (0.05, 0.45)),
    Entry("calculus", "inverse trig", "arcsin(x**2)", "x"),
    Entry("calculus", "inverse trig", "atan(x**2)", "x"),
    Entry("calculus", "inverse trig", "acos(sqrt(x))", "x"),
    Entry("calculus", "inverse trig", "atan(1/x)", "x"),
    Entry("calculus", "inverse trig", "x*asin(x)", "x"),
    Entry("calculus", "inverse trig", "asin(x)/sqrt(1 - x**2)", "x"),
    Entry("calculus", "inverse trig", "atan((1 + x)/(1 - x))", "x"),
    Entry("calculus", "inverse trig", "asec(x**2)", "x", (1.2, 3.0)),
    Entry("calculus", "inverse trig", "atan2(y, x)", "x y"),
    # ------------------------------------------------------------------
    # Calculus: hyperbolic and inverse hyperbolic functions
    # ------------------------------------------------------------------
    Entry("calculus", "hyperbolic", "sinh(x)", "x"),
    Entry("calculus", "hyperbolic", "cosh(x)", "x"),
    Entry("calculus", "hyperbolic", "tanh(x)", "x"),
    Entry("calculus", "hyperbolic", "sech(x)", "x"),
    Entry("calculus", "hyperbolic", "csch(x)", "x"),
    Entry("calculus", "hyperbolic", "coth(x)", "x"),
    Entry("calculus", "hyperbolic", "sinh(x)*cosh(x)", "x"),
    Entry("calculus", "hyperbolic", "tanh(x)**2", "x"),
    Entry("calculus", "hyperbolic", "cosh(x**2)", "x"),
    Entry("calculus", "hyperbolic", "tanh(2*x + 1)", "x"),
    Entry("calculus", "hyperbolic", "log(cosh(x))", "x"),
    Entry("calculus", "inverse hyperbolic", "asinh(x)", "x"),
    Entry("calculus", "inverse hyperbolic", "acosh(x)", "x", (1.2, 4.0)),
    Entry("calculus", "inverse hyperbolic", "atanh(x)", "x"),
    Entry("calculus", "inverse hyperbolic", "acoth(x)", "x", (1.2, 4.0)),
    Entry("calculus", "inverse hyperbolic", "asech(x)", "x"),
    Entry("calculus", "inverse hyperbolic", "acsch(x)", "x"),
    Entry("calculus", "inverse hyperbolic", "asinh(x**2)", "x"),
    Entry("calculus", "inverse hyperbolic", "atanh(x/2)", "x"),
    # ------------------------------------------------------------------
    # Calculus: roots
    # ------------------------------------------------------------------
    Entry("calculus", "roots", "sqrt(x)", "x"),
    Entry("calculus", "roots", "sqrt(x**2 + 1)", "x"),
    Entry("calculus", "roots", "x**(1/3)", "x"),
    Entry("calculus", "roots", "(x**2 + 4)**(1/3)", "x"),
    Entry("calculus", "roots", "1/sqrt(x)", "x"),
    Entry("calculus", "roots", "sqrt(1 - x**2)", "x"),
    Entry("calculus", "roots", "x*sqrt(x + 1)", "x"),
    Entry("calculus", "roots", "sqrt(x)/(x + 1)", "x"),
    Entry("calculus", "roots", "sqrt(sin(x))", "x"),
    Entry("calculus", "roots", "(2*x + 3)**(3/2)", "x"),
    Entry("calculus", "roots", "sqrt(x + sqrt(x))", "x"),
    Entry("calculus", "roots", "sqrt((1 + x)/(1 - x))", "x"),
    # ------------------------------------------------------------------
    # Calculus: partial derivatives of functions of several variables
    # ------------------------------------------------------------------
    Entry("calculus", "partials", "x**2*y + y**3", "x y"),
    Entry("calculus", "partials", "x*y*z", "x y z"),
    Entry("calculus", "partials", "sin(x*y)", "x y"),
    Entry("calculus", "partials", "exp(x)*cos(y)", "x y"),
    Entry("calculus", "partials", "log(x**2 + y**2)", "x y"),
    Entry("calculus", "partials", "sqrt(x**2 + y**2 + z**2)", "x y z"),
    Entry("calculus", "partials", "x*exp(x*y)", "x y"),
    Entry("calculus", "partials", "atan(y/x)", "x y"),
    Entry("calculus", "partials", "x**2*y**3*z", "x y z"),
    Entry("calculus", "partials", "(x - y)/(x + y)", "x y"),
    Entry("calculus", "partials", "x**y", "x y"),
    Entry("calculus", "partials", "x*sin(y) + y*cos(z)", "x y z"),
    Entry("calculus", "partials", "exp(-(x**2 + y**2)/2)", "x y"),
    Entry("calculus", "partials", "1/sqrt(x**2 + y**2)", "x y"),
    Entry("calculus", "partials", "x*y/(x**2 + y**2)", "x y"),
    Entry("calculus", "partials", "r*cos(t)", "r t"),
    Entry("calculus", "partials", "cos(x + 2*y - z)", "x y z"),
    # ------------------------------------------------------------------
    # ML: logistic regression (cross-entropy of a sigmoid), labels y
    # ------------------------------------------------------------------
    Entry("ml", "logistic loss", "-y*log(sigmoid(w*x + b)) - (1 - y)*log(1 - sigmoid(w*x + b))", "w b"),
    Entry("ml", "logistic loss", "-y*log(1/(1 + exp(-(w*x + b)))) - (1 - y)*log(1 - 1/(1 + exp(-(w*x + b))))", "w b"),
    Entry("ml", "logistic loss", "softplus(w*x + b) - y*(w*x + b)", "w b"),
    Entry("ml", "logistic loss", "-y*log(sigmoid(w1*x1 + w2*x2 + b)) - (1 - y)*log(1 - sigmoid(w1*x1 + w2*x2 + b))", "w1 w2 b"),
    Entry("ml", "logistic loss", "-y*log(sigmoid(w*x + b)) - (1 - y)*log(1 - sigmoid(w*x + b)) + lam*w**2/2", "w"),
    Entry("ml", "logistic loss", "log(1 + exp(-y*(w*x + b)))", "w b"),
    # ------------------------------------------------------------------
    # ML: softmax cross-entropy with three classes (logits z1 z2 z3)
    # ------------------------------------------------------------------
    Entry("ml", "softmax cross-entropy", "logsumexp(z1, z2, z3) - z1", "z1 z2 z3"),
    Entry("ml", "softmax cross-entropy", "-log(exp(z1)/(exp(z1) + exp(z2) + exp(z3)))", "z1 z2 z3"),
    Entry("ml", "softmax cross-entropy", "log(exp(z1) + exp(z2) + exp(z3)) - (y1*z1 + y2*z2 + y3*z3)", "z1 z2 z3"),
    Entry("ml", "softmax cross-entropy", "logsumexp(w1*x, w2*x, w3*x) - w2*x", "w1 w2"),
    Entry("ml", "softmax cross-entropy", "-y1*log(exp(z1)/(exp(z1) + exp(z2) + exp(z3))) - y2*log(exp(z2)/(exp(z1) + exp(z2) + exp(z3))) - y3*log(exp(z3)/(exp(z1) + exp(z2) + exp(z3)))", "z1"),
    Entry("ml", "softmax cross-entropy", "logaddexp(z1, z2) - z1", "z1 z2"),
    # ------------------------------------------------------------------
    # ML: mean squared error of a linear model (one to three samples)
    # ------------------------------------------------------------------
    Entry("ml", "mse", "(w*x + b - y)**2/2", "w b"),
    Entry("ml", "mse", "(w*x + b - y)**2", "w b"),
    Entry("ml", "mse", "((w*x1 + b - y1)**2 + (w*x2 + b - y2)**2)/2", "w b"),
    Entry("ml", "mse", "((w*x1 + b - y1)**2 + (w*x2 + b - y2)**2 + (w*x3 + b - y3)**2)/3", "w"),
    Entry("ml", "mse", "(sigmoid(w*x + b) - y)**2/2", "w b"),
    Entry("ml", "mse", "(y - tanh(w*x + b))**2", "w"),
    # ------------------------------------------------------------------
    # ML: tanh layers
    # ------------------------------------------------------------------
    Entry("ml", "tanh layer", "tanh(w*x + b)", "w b x"),
    Entry("ml", "tanh layer", "tanh(w1*x1 + w2*x2 + b)", "w1 b"),
    Entry("ml", "tanh layer", "v*tanh(w*x + b)", "v w"),
    Entry("ml", "tanh layer", "tanh(v*tanh(w*x))", "w"),
    Entry("ml", "tanh layer", "log(cosh(w*x + b - y))", "w"),
    # ------------------------------------------------------------------
    # ML: relu layers (and relu's relatives)
    # ------------------------------------------------------------------
    Entry("ml", "relu layer", "relu(w*x + b)", "w b"),
    Entry("ml", "relu layer", "v*relu(w*x + b) + c", "v w b"),
    Entry("ml", "relu layer", "(relu(w*x + b) - y)**2/2", "w"),
    Entry("ml", "relu layer", "relu(w1*x1 + w2*x2 + b)", "w1 w2"),
    Entry("ml", "relu layer", "max(0, w*x + b)", "w"),
    Entry("ml", "relu layer", "leaky_relu(w*x + b)", "w"),
    Entry("ml", "relu layer", "elu(w*x + b)", "w"),
    # ------------------------------------------------------------------
    # ML: a sigmoid neuron
    # ------------------------------------------------------------------
    Entry("ml", "sigmoid neuron", "sigmoid(w*x + b)", "w b"),
    Entry("ml", "sigmoid neuron", "sigmoid(w1*x1 + w2*x2 + b)", "w1 b"),
    Entry("ml", "sigmoid neuron", "1/(1 + exp(-(w*x + b)))", "w"),
    Entry("ml", "sigmoid neuron", "sigmoid(x)*(1 - sigmoid(x))", "x"),
    Entry("ml", "sigmoid neuron", "x*sigmoid(x)", "x"),
    Entry("ml", "sigmoid neuron", "log(sigmoid(x))", "x"),
    # ------------------------------------------------------------------
    # ML: softplus
    # ------------------------------------------------------------------
    Entry("ml", "softplus", "softplus(x)", "x"),
    Entry("ml", "softplus", "softplus(w*x + b)", "w"),
    Entry("ml", "softplus", "log(1 + exp(w*x + b))", "w b"),
    Entry("ml", "softplus", "softplus(x) - softplus(-x)", "x"),
    # ------------------------------------------------------------------
    # ML: a two-layer scalar network (hidden units, output, loss)
    # ------------------------------------------------------------------
    Entry("ml", "two-layer net", "v*tanh(w*x + b) + c", "w b v c"),
    Entry("ml", "two-layer net", "(v*tanh(w*x + b) + c - y)**2/2", "w b v c"),
    Entry("ml", "two-layer net", "(v1*tanh(w1*x + b1) + v2*tanh(w2*x + b2) + c - y)**2/2", "w1 v1 b2"),
    Entry("ml", "two-layer net", "sigmoid(v*relu(w*x + b) + c)", "w v"),
    Entry("ml", "two-layer net", "(v*sigmoid(w*x + b) - y)**2/2", "w v"),
    Entry("ml", "two-layer net", "-y*log(sigmoid(v*tanh(w*x + b) + c)) - (1 - y)*log(1 - sigmoid(v*tanh(w*x + b) + c))", "w v"),
]  # fmt: skip

# One derivative per entry and variable.
N_DERIVATIVES = sum(len(entry.variables) for entry in CORPUS)


def cases() -> list[tuple[Entry, str]]:
    """Every (entry, variable) pair of the corpus, in corpus order."""
    return [(entry, v) for entry in CORPUS for v in entry.variables]


def quick_cases() -> list[tuple[Entry, str]]:
    """A subset: the first two entries of each category, all their variables."""
    seen: dict[str, int] = {}
    out = []
    for entry in CORPUS:
        seen[entry.category] = seen.get(entry.category, 0) + 1
        if seen[entry.category] <= 2:
            out.extend((entry, v) for v in entry.variables)
    return out
