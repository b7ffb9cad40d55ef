"""Generated exercises: deterministic per seed, and answers checked independently."""

import math

import numpy as np
import pytest
import scipy.signal

import symgraph as sg
from symgraph.exercises import KINDS


@pytest.mark.parametrize("kind", KINDS)
def test_exercise_same_seed_same_exercise(kind):
    a, b = sg.exercise(kind, seed=11), sg.exercise(kind, seed=11)
    assert str(a) == str(b) and a.gradients == b.gradients and a.at == b.at


@pytest.mark.parametrize("kind", ["chain", "sigmoid", "relu_net", "conv", "pool"])
def test_exercise_seeds_vary(kind):
    texts = {sg.exercise(kind, seed=s).question for s in range(6)}
    assert len(texts) > 1


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("seed", [0, 1, 2])
def test_exercise_gradients_match_finite_differences(kind, seed):
    ex = sg.exercise(kind, seed=seed)
    assert ex.report is not None and ex.report.ok
    h = 1e-6
    for name, g in ex.gradients.items():
        up, down = dict(ex.at), dict(ex.at)
        up[name] += h
        down[name] -= h
        fd = (sg.evaluate(ex.f, up) - sg.evaluate(ex.f, down)) / (2 * h)
        assert math.isclose(g, fd, rel_tol=1e-5, abs_tol=1e-6), name


@pytest.mark.parametrize("seed", range(4))
def test_exercise_conv_solution_matches_scipy(seed):
    ex = sg.exercise("conv", seed=seed)
    X = np.array([[ex.at[f"X_{i}_{j}"] for j in range(3)] for i in range(3)])
    W = np.array([[ex.at[f"W_{i}_{j}"] for j in range(2)] for i in range(2)])
    G = ex.results["dL/dY (given)"]
    assert np.array_equal(ex.results["Y"], scipy.signal.correlate2d(X, W, "valid"))
    assert sg.evaluate(ex.f, ex.at) == pytest.approx(float(np.sum(G * ex.results["Y"])))
    dW = np.array([[ex.gradients[f"W_{i}_{j}"] for j in range(2)] for i in range(2)])
    dX = np.array([[ex.gradients[f"X_{i}_{j}"] for j in range(3)] for i in range(3)])
    assert np.array_equal(dW, scipy.signal.correlate2d(X, G, "valid"))
    assert np.array_equal(dX, scipy.signal.convolve2d(G, W, "full"))


def test_exercise_sigmoid_uses_textbook_formula():
    ex = sg.exercise("sigmoid", seed=5)
    a = ex.at
    s = 1 / (1 + math.exp(-(a["w0"] * a["x0"] + a["w1"] * a["x1"] + a["w2"])))
    assert ex.gradients["w2"] == pytest.approx(s * (1 - s), rel=1e-12)
    assert ex.gradients["x1"] == pytest.approx(a["w1"] * s * (1 - s), rel=1e-12)


def test_exercise_max_pool_routes_to_window_max():
    ex = sg.exercise("max_pool", seed=3)
    dX = ex.results["dL/dX"]
    assert np.count_nonzero(dX) <= 4
    X = np.array([[ex.at[f"X_{i}_{j}"] for j in range(4)] for i in range(4)])
    for i, j in zip(*np.nonzero(dX)):
        win = X[2 * (i // 2) : 2 * (i // 2) + 2, 2 * (j // 2) : 2 * (j // 2) + 2]
        assert X[i, j] == win.max()


def test_exercise_solution_formats():
    ex = sg.exercise("chain", seed=2)
    assert "\\begin{tabular}" in ex.solution("latex")
    assert ex.solution("markdown").startswith("| node |")
    assert ex.to_dict()["gradients"] == ex.gradients
    with pytest.raises(ValueError):
        ex.solution("html")


@pytest.mark.parametrize(
    "kind,seed", [("nope", 0), ("chain", -1), ("chain", 1.5), ("chain", True)]
)
def test_exercise_bad_arguments(kind, seed):
    with pytest.raises(ValueError):
        sg.exercise(kind, seed=seed)
