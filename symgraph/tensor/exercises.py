"""Matrix-calculus exercises with worked, checked solutions.

:func:`exercise` draws one exercise from a kind and a seed (same seed, same
exercise): a function of matrices and vectors, the variables to
differentiate, a small numeric instance with integer entries to work by
hand. The solution gives the textbook answer in matrix notation (NumPy text
and LaTeX), the engine's derivation, the matrix-level backprop table and
the instance's gradient values. Before an exercise is returned, its answer
is verified (``sg.verify`` must not find it wrong, at one-hot labels where
the answer assumes them) and its gradient checked three ways
(``sg.check``); an exercise that fails either is an error, never handed out.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from ..errors import ToolkitError
from .check import check
from .grad import grad
from .latex import to_latex
from .node import TensorNode, tensors
from .parse import parse
from .printing import to_numpy
from .sampling import dim_names
from .teach import MatrixBackpropTable, backprop_table
from .verify import verify

__all__ = ["KINDS", "MatrixExercise", "exercise"]


class ExerciseError(ToolkitError, ValueError):
    """An unknown kind, a bad seed, or an exercise whose solution did not check."""


# kind -> list of variants: (shapes, function, {variable: textbook answer}, assumption)
_VARIANTS = {
    "least_squares": [
        ("X:n,m w:m y:n", "0.5 * sum((X @ w - y)**2)", {"w": "X.T @ (X @ w - y)"}, None),
        ("X:n,m w:m y:n lam", "0.5 * sum((X @ w - y)**2) + 0.5 * lam * sum(w**2)",
         {"w": "X.T @ (X @ w - y) + lam * w"}, None),
        ("X:n,m w:m y:n", "0.5 * sum((X @ w - y)**2)", {"X": "outer(X @ w - y, w)"}, None),
    ],
    "quadratic": [
        ("A:n,n x:n b:n", "0.5 * x @ A @ x + b @ x", {"x": "0.5 * (A + A.T) @ x + b"}, None),
        ("A:n,n x:n", "x @ A @ x", {"x": "(A + A.T) @ x"}, None),
        ("B:m,n x:n c:m", "sum((B @ x - c)**2)", {"x": "2 * B.T @ (B @ x - c)"}, None),
    ],
    "trace": [
        ("A:p,n X:n,m B:m,p", "trace(A @ X @ B)", {"X": "A.T @ B.T"}, None),
        ("X:n,m B:n,n", "trace(X.T @ B @ X)", {"X": "(B + B.T) @ X"}, None),
        ("A:p,m X:n,m B:n,p", "trace(A @ X.T @ B)", {"X": "B @ A"}, None),
        ("X:n,n", "trace(X @ X)", {"X": "2 * X.T"}, None),
    ],
    "logdet": [
        ("X:n,n", "logdet(X)", {"X": "inv(X).T"}, None),
        ("X:n,n A:n,n", "logdet(X) + trace(A @ X)", {"X": "inv(X).T + A.T"}, None),
        ("X:n,n", "det(X)", {"X": "det(X) * inv(X).T"}, None),
    ],
    "logistic": [
        ("X:n,m w:m y:n", "sum(softplus(X @ w) - y * (X @ w))",
         {"w": "X.T @ (sigmoid(X @ w) - y)"}, None),
    ],
    "softmax_ce": [
        ("W:k,d X:d,N Y:k,N", "-sum(Y * log_softmax(W @ X, axis=0))",
         {"W": "(softmax(W @ X, axis=0) - Y) @ X.T"}, "onehot:Y"),
    ],
    "two_layer": [
        ("W1:h,d W2:k,h x:d y:k", "0.5 * sum((W2 @ relu(W1 @ x) - y)**2)",
         {"W2": "outer(W2 @ relu(W1 @ x) - y, relu(W1 @ x))",
          "W1": "outer(heaviside(W1 @ x, 0) * (W2.T @ (W2 @ relu(W1 @ x) - y)), x)"}, None),
    ],
    "conv": [
        ("X:H,V K:a,b", "0.5 * sum(correlate2d(X, K)**2)",
         {"K": "correlate2d(X, correlate2d(X, K))",
          "X": "convolve2d(correlate2d(X, K), K, mode='full')"}, None),
    ],
}  # fmt: skip
KINDS = tuple(_VARIANTS)


@dataclass(frozen=True)
class MatrixExercise:
    """One exercise and its worked solution.

    ``answers`` maps each variable to the textbook answer (NumPy syntax),
    ``derived`` to the engine's gradient; ``instance`` holds the sizes, the
    integer arrays and the gradient values; ``verdicts`` what ``sg.verify``
    said of each answer; ``report`` the ``sg.check`` report.
    """

    kind: str
    seed: int
    question: str
    f: TensorNode
    wrt: tuple
    answers: dict
    derived: dict
    table: MatrixBackpropTable
    instance: dict
    verdicts: dict
    report: object = field(repr=False, default=None)

    def solution(self, fmt: str = "text") -> str:
        """The worked solution as plain text, Markdown or LaTeX."""
        lines = []
        for v in self.wrt:
            ans, der = self.answers[v.value], self.derived[v.value]
            if fmt == "latex":
                lines.append(
                    f"\\frac{{\\partial f}}{{\\partial {v.value}}} = {to_latex(der)}"
                )
            else:
                lines.append(f"d/d{v.value} = {ans}")
                lines.append(
                    f"    (derived: {to_numpy(der)}; verify: {self.verdicts[v.value]})"
                )
        if fmt == "latex":
            return (
                "\\begin{align}\n"
                + " \\\\\n".join(lines)
                + "\n\\end{align}\n"
                + self.table.to_latex()
            )
        table = self.table.to_markdown() if fmt == "markdown" else str(self.table)
        values = [f"{k} = {_compact(g)}" for k, g in self.instance["gradients"].items()]
        return "\n".join(lines + ["", table, "", "At the instance:", *values])


def _instance(f, wrt, sizes, seed, assumption):
    from .evaluate import evaluate, free_symbols

    rng = np.random.default_rng(seed)
    point = {}
    for s in free_symbols([f]):
        shape = tuple(d if isinstance(d, int) else sizes[str(d)] for d in s.shape)
        if len(shape) == 2 and shape[0] == shape[1]:  # invertible, det > 0
            point[s.value] = np.eye(shape[0]) * 3 + rng.integers(-1, 2, shape)
        else:
            point[s.value] = rng.integers(-2, 3, shape).astype(float)
    if assumption:
        name = assumption.split(":")[1]
        shape = point[name].shape
        onehot = np.zeros(shape)
        onehot[rng.integers(0, shape[0], shape[1]), np.arange(shape[1])] = 1.0
        point[name] = onehot
    grads = {v.value: evaluate(grad(f, v), point) for v in wrt}
    return {"sizes": sizes, "point": point, "gradients": grads}


def exercise(kind: str, seed: int = 0, budget: float = 5.0) -> MatrixExercise:
    """A randomized matrix-calculus exercise with its checked solution.

    Parameters
    ----------
    kind : one of ``KINDS``: "least_squares", "quadratic", "trace",
        "logdet", "logistic", "softmax_ce", "two_layer", "conv".
    seed : the same seed gives the same exercise.
    budget : seconds SymPy may spend proving each answer (``sg.verify``).

    Examples
    --------
    >>> import symgraph as sg
    >>> ex = sg.tensor.exercise("trace", seed=0)
    >>> print(ex.question.splitlines()[0])
    Let f = trace(A @ X @ B) with A (p, n), X (n, m), B (m, p).
    >>> ex.verdicts
    {'X': 'proved'}
    """
    if kind not in _VARIANTS:
        raise ExerciseError(f"unknown kind {kind!r}; choose one of {', '.join(KINDS)}")
    if not isinstance(seed, int) or seed < 0:
        raise ExerciseError(f"the seed must be a non-negative integer, not {seed!r}")
    variants = _VARIANTS[kind]
    shapes, text, answers, assumption = variants[seed % len(variants)]
    declared = tensors(shapes)
    symbols = list(declared) if isinstance(declared, tuple) else [declared]
    f = parse(text, symbols)
    by_name = {s.value: s for s in symbols}
    wrt = tuple(by_name[k] for k in answers)
    rng = np.random.default_rng(seed)
    names = dim_names([f])
    sizes = {
        n: int(v) for n, v in zip(names, rng.permutation(np.arange(2, 2 + len(names))))
    }
    if kind == "conv":
        sizes = {"H": 4, "V": 4, "a": 2, "b": 2}
    instance = _instance(f, wrt, sizes, seed, assumption)
    verdicts, derived = {}, {}
    for v in wrt:
        derived[v.value] = grad(f, v)
        at = [instance["point"]] if assumption else None
        result = verify(f, v, answers[v.value], at=at, budget=budget)
        if result.verdict == "wrong":
            raise ExerciseError(f"the answer for d/d{v.value} did not verify: {result}")
        verdicts[v.value] = result.verdict
    report = check(f, list(wrt), n_sizes=2, n_points=1, seed=seed)
    if not report.ok:
        raise ExerciseError(f"the gradient of the exercise did not check:\n{report}")
    shape_list = ", ".join(f"{s.value} {_shape(s)}" for s in symbols)
    note = {"onehot:Y": " The columns of Y are one-hot labels."}.get(
        assumption or "", ""
    )
    question = (
        f"Let f = {text} with {shape_list}.{note}\n"
        + "".join(f"Find d f / d {v.value} in matrix notation (it has the shape "
                  f"{_shape(v)} of {v.value}).\n" for v in wrt)
        + f"Then evaluate it at {', '.join(f'{k} = {v}' for k, v in sizes.items())} with "
        + "; ".join(f"{k} = {np.asarray(a).tolist()}" for k, a in instance["point"].items())
        + "."
    )  # fmt: skip
    table = backprop_table(f)
    answers = {v.value: answers[v.value] for v in wrt}
    return MatrixExercise(kind, seed, question, f, wrt, answers, derived, table, instance,
                          verdicts, report)  # fmt: skip


def _compact(a) -> str:
    return np.array2string(
        np.asarray(a), precision=4, separator=", ", max_line_width=10**6
    ).replace("\n", "")


def _shape(s) -> str:
    from .dims import shape_text

    return shape_text(s.shape)
