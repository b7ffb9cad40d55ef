"""TF1's learning-rate formulas, one rule per schedule of
:mod:`~numeric.graph.schedules`: ``rule(learning_rate, step, attrs)`` gives
the rate at ``step`` (a Python number) from the node's attributes. Plain
Python arithmetic; the schedules module registers each rule as the host
kernel of its op type.
"""

from __future__ import annotations

import math


def _ratio(step, attrs):
    p = step / attrs["decay_steps"]
    return math.floor(p) if attrs.get("staircase") else p


def _exponential(lr, step, attrs):
    return lr * attrs["decay_rate"] ** _ratio(step, attrs)


def _inverse_time(lr, step, attrs):
    return lr / (1 + attrs["decay_rate"] * _ratio(step, attrs))


def _polynomial(lr, step, attrs):
    decay_steps, end = attrs["decay_steps"], attrs["end_learning_rate"]
    if attrs["cycle"]:
        multiplier = 1.0 if step == 0 else math.ceil(step / decay_steps)
        decay_steps = decay_steps * multiplier
    else:
        step = min(step, decay_steps)
    return (lr - end) * (1 - step / decay_steps) ** attrs["power"] + end


def _cosine(lr, step, attrs):
    fraction = min(step, attrs["decay_steps"]) / attrs["decay_steps"]
    decayed = 0.5 * (1 + math.cos(math.pi * fraction))
    return lr * ((1 - attrs["alpha"]) * decayed + attrs["alpha"])


def _piecewise(_, step, attrs):
    for boundary, value in zip(attrs["boundaries"], attrs["values"]):
        if step <= boundary:
            return value
    return attrs["values"][-1]


RULES = {
    "ExponentialDecay": _exponential,
    "InverseTimeDecay": _inverse_time,
    "PolynomialDecay": _polynomial,
    "CosineDecay": _cosine,
    "PiecewiseConstant": _piecewise,
}
