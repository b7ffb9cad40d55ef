"""The matrix-level backprop table and the matrix-calculus exercises."""

import numpy as np
import pytest

import symgraph as sg
from symgraph.tensor.exercises import ExerciseError

W1, W2, x, y = sg.tensors("W1:h,d W2:k,h x:d y:k")


def _net():
    z = (W1 @ x).named("z")
    a = sg.relu(z).named("a")
    r = (W2 @ a - y).named("r")
    return (0.5 * sg.sum(r**2)).named("L")


def test_table_rows_have_textbook_local_rules_and_upstreams():
    t = sg.tensor.backprop_table(_net())
    assert t["z"].forward == "z = W1 @ x"
    assert t["z"].local == ("dW1 += outer(dz, x)", "dx += W1.T @ dz")
    assert t["a"].local == ("dz += da * heaviside(z, 0)",)
    assert t["a"].upstream_text == "W2.T @ r"
    assert t.gradients["W2"] == "outer(r, a)"
    assert all(r.shape_ok for r in t.rows)
    assert "local rule" in str(t) and t.to_markdown().startswith("| node")
    assert "\\begin{tabular}" in t.to_latex() and "r a^\\top" in t.to_latex()


def test_sg_backprop_table_dispatches_on_tensor_expressions():
    table = sg.backprop_table(_net())
    assert type(table).__name__ == "MatrixBackpropTable"
    assert table["z"].local == ("dW1 += outer(dz, x)", "dx += W1.T @ dz")


def test_table_at_a_point_matches_the_gradient_and_numpy():
    rng = np.random.default_rng(0)
    p = {"W1": rng.standard_normal((3, 2)), "W2": rng.standard_normal((2, 3)),
         "x": rng.standard_normal(2), "y": rng.standard_normal(2)}  # fmt: skip
    t = sg.tensor.backprop_table(_net(), at=p)
    z = p["W1"] @ p["x"]
    r = p["W2"] @ np.maximum(z, 0) - p["y"]
    np.testing.assert_allclose(
        t["W2"].upstream_value, np.outer(r, np.maximum(z, 0)), rtol=1e-12
    )
    np.testing.assert_allclose(
        t["z"].upstream_value, (p["W2"].T @ r) * (z > 0), rtol=1e-12
    )
    assert all(r.shape_ok for r in t.rows)  # the gradient has the shape of the variable


@pytest.mark.parametrize("kind", sg.tensor.KINDS)
def test_every_kind_of_exercise_is_checked_and_deterministic(kind):
    ex = sg.tensor.exercise(kind, seed=1, budget=1.0)
    assert ex.report.ok
    assert all(v in ("proved", "no counterexample") for v in ex.verdicts.values())
    assert ex.question.startswith("Let f = ")
    # the instance's gradient values agree with the textbook answer at the instance
    for name, answer in ex.answers.items():
        symbols = [r.node for r in ex.table.rows if r.op == "symbol"]
        want = sg.evaluate(
            sg.parse(answer, shapes=symbols),
            {**ex.instance["point"], **ex.instance["sizes"]},
        )
        np.testing.assert_allclose(
            ex.instance["gradients"][name], want, rtol=1e-9, atol=1e-9
        )
    text = ex.solution()
    assert all(f"d/d{v.value} = " in text for v in ex.wrt)
    assert ex.question == sg.tensor.exercise(kind, seed=1, budget=1.0).question


def test_exercise_errors():
    with pytest.raises(ExerciseError, match="unknown kind"):
        sg.tensor.exercise("nope")
    with pytest.raises(ExerciseError, match="seed"):
        sg.tensor.exercise("trace", seed=-1)
