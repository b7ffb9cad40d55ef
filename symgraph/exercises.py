"""Randomized course exercises on computational graphs, with worked solutions.

:func:`exercise` builds one exercise from a kind and a seed (same seed, same
exercise): chain rule through a small graph, a sigmoid neuron, a two-layer
ReLU net, a conv layer forward and backward, max or average pooling. The
solution is the backprop table and the final gradients; before it is
returned it is cross-checked with ``sg.check`` (symbolic gradient, numeric
engine, finite differences) and against an independent NumPy/SciPy answer.
The kinds themselves (question, graph, point, reference answer) are built in
:mod:`symgraph.exercise_kinds`.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from .errors import ToolkitError
from .exercise_kinds import GENERATORS, show_value
from .node import Node
from .teach.table import BackpropTable, backprop_table, format_number

__all__ = ["KINDS", "Exercise", "exercise"]

# the kinds of exercise_kinds.GENERATORS; a kind's position here seeds its
# random generator, so the order is part of "same seed, same exercise"
KINDS = ("chain", "sigmoid", "relu_net", "conv", "max_pool", "avg_pool", "pool")


class ExerciseError(ToolkitError, ValueError):
    """An unknown exercise kind or a bad seed."""


@dataclass(frozen=True)
class Exercise:
    """One generated exercise and its worked solution.

    Attributes
    ----------
    kind, seed : what was asked for.
    question : the text handed to a student.
    f : the scalar expression (loss) whose graph is worked through.
    wrt : the symbols whose gradients are asked for.
    at : the point, ``{symbol name: value}``.
    table : the :class:`~symgraph.teach.table.BackpropTable` of ``f`` at ``at``.
    gradients : ``{symbol name: value}`` for the symbols in ``wrt``.
    results : named arrays or numbers a student computes on the way (the
        forward output, gradient arrays for the tensor exercises).
    report : what ``sg.check`` returned on the solution (None if it is not
        available in this installation).
    """

    kind: str
    seed: int
    question: str
    f: Node
    wrt: tuple
    at: dict
    table: BackpropTable
    gradients: dict
    results: dict = field(default_factory=dict)
    report: object = None

    def solution(self, format: str = "text") -> str:
        """The worked solution: the table, then the results and gradients."""
        table: dict[str, Callable[[BackpropTable], str]] = {
            "text": str,
            "markdown": BackpropTable.to_markdown,
            "latex": BackpropTable.to_latex,
        }
        if format not in table:
            raise ExerciseError(
                f"format must be text, markdown or latex, not {format!r}"
            )
        parts = [table[format](self.table), ""]
        for name, value in self.results.items():
            parts.append(
                f"{name} =\n{show_value(value)}"
                if np.ndim(value)
                else f"{name} = {show_value(value)}"
            )
        if not any(k.startswith("dL/d") for k in self.results):
            grads = ", ".join(
                f"d/d{k} = {format_number(v)}" for k, v in self.gradients.items()
            )
            parts.append(f"gradients: {grads}")
        if format == "markdown":
            parts = [parts[0], "", "```text", *parts[2:], "```"]
        return "\n".join(parts)

    def __str__(self) -> str:
        return f"{self.question}\n\nSolution\n--------\n{self.solution()}"

    def to_dict(self) -> dict:
        """Plain data for JSON: question, point, gradients, results, table."""
        return {
            "kind": self.kind,
            "seed": self.seed,
            "question": self.question,
            "expression": str(self.f),
            "at": dict(self.at),
            "gradients": dict(self.gradients),
            "results": {
                k: np.asarray(v, dtype=float).tolist() for k, v in self.results.items()
            },
            "table": self.table.to_dict(),
        }


def _cross_check(f, wrt, at):
    """``sg.check`` on the solution; None when check is not installed yet."""
    try:
        from .check import check
    except ImportError:
        return None
    report = check(f, list(wrt), at=at)
    if not report.ok:
        raise RuntimeError(f"the worked solution failed sg.check:\n{report}")
    return report


def exercise(kind: str, seed: int = 0) -> Exercise:
    """A randomized course exercise with its worked, checked solution.

    Parameters
    ----------
    kind : one of "chain", "sigmoid", "relu_net", "conv", "max_pool",
        "avg_pool", "pool" (max or average, chosen by the seed)
    seed : int; the same seed gives the same exercise.

    Returns
    -------
    Exercise
        ``str(ex)`` prints the question and the solution;
        ``ex.question``, ``ex.solution(format)``, ``ex.gradients``,
        ``ex.table`` hold the parts.

    Raises
    ------
    ExerciseError
        For an unknown kind or a seed that is not a non-negative int.

    Examples
    --------
    >>> import symgraph as sg
    >>> ex = sg.exercise("sigmoid", seed=1)
    >>> ex.gradients == sg.exercise("sigmoid", seed=1).gradients
    True
    """
    if kind not in GENERATORS:
        raise ExerciseError(
            f"unknown exercise kind {kind!r}; choose one of {', '.join(KINDS)}"
        )
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or seed < 0:
        raise ExerciseError(f"seed must be a non-negative int, not {seed!r}")
    rng = np.random.default_rng([int(seed), KINDS.index(kind)])
    question, f, wrt, at, results, reference = GENERATORS[kind](rng)
    table = backprop_table(f, at)
    gradients = {s.value: table.gradients.get(s.value, 0.0) for s in wrt}
    if reference is not None:
        for name, expected in reference.items():
            if not math.isclose(gradients[name], expected, rel_tol=1e-9, abs_tol=1e-12):
                raise RuntimeError(
                    f"{kind} exercise (seed {seed}): d/d{name} is {gradients[name]} in the "
                    f"table but {expected} by the independent computation"
                )
    report = _cross_check(f, wrt, at)
    return Exercise(
        kind, int(seed), question, f, tuple(wrt), at, table, gradients, results, report
    )
