"""Properties of random tensor expressions (hypothesis, derandomized): the
gradient matches central differences in a random direction, the display form
and the lowered code compute the same values, the gradient DAG stays a small
multiple of the forward DAG, and building twice gives the same node."""

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

import symgraph as sg

X, A, x, y = sg.tensors("X:n,m A:n,n x:m y:n")
_LEAVES = [X @ x, y, A @ y, sg.sum(X, axis=1), A.T @ (X @ x)]
_UNARY = [sg.tanh, sg.sigmoid, sg.sin, sg.softplus, lambda v: -v, lambda v: 0.5 * v,
          lambda v: v**2, lambda v: A @ v, lambda v: sg.softmax(v), lambda v: v / (1 + v**2),
          lambda v: sg.outer(v, x) @ x, lambda v: sg.trace(sg.outer(v, v)) * v]  # fmt: skip
_BINARY = [lambda p, q: p + q, lambda p, q: p - q, lambda p, q: p * q,
           lambda p, q: sg.maximum(p, q), lambda p, q: (p @ q) * p]  # fmt: skip
_HEADS = [lambda e: sg.sum(e), lambda e: 0.5 * sg.sum(e**2), lambda e: sg.logsumexp(e),
          lambda e: sg.norm(e) ** 2, lambda e: y @ e]  # fmt: skip


@st.composite
def vector_expressions(draw, depth=3):
    if depth == 0 or draw(st.integers(0, 3)) == 0:
        return draw(st.sampled_from(_LEAVES))
    if draw(st.booleans()):
        return draw(st.sampled_from(_UNARY))(draw(vector_expressions(depth - 1)))
    op = draw(st.sampled_from(_BINARY))
    return op(draw(vector_expressions(depth - 1)), draw(vector_expressions(depth - 1)))


@st.composite
def losses(draw):
    return draw(st.sampled_from(_HEADS))(draw(vector_expressions()))


def _point(seed, n=3, m=2):
    rng = np.random.default_rng(seed)
    return {"X": rng.standard_normal((n, m)), "A": rng.standard_normal((n, n)) / n,
            "x": rng.standard_normal(m), "y": rng.standard_normal(n)}  # fmt: skip


@settings(max_examples=40, deadline=None, derandomize=True)
@given(losses(), st.integers(0, 3))
def test_gradient_matches_central_differences_in_a_random_direction(f, seed):
    point = _point(seed)
    rng = np.random.default_rng(seed + 10)
    for var in (X, x):
        g = np.asarray(sg.evaluate(sg.grad(f, var), point))
        v = rng.standard_normal(g.shape)
        eps = 1e-6
        up, down = dict(point), dict(point)
        up[var.value] = point[var.value] + eps * v
        down[var.value] = point[var.value] - eps * v
        fd = (sg.evaluate(f, up) - sg.evaluate(f, down)) / (2 * eps)
        scale = float(np.sum(np.abs(g * v))) + 1.0
        assert abs(fd - float(np.sum(g * v))) <= 1e-5 * scale, (str(f), var.value)


@settings(max_examples=30, deadline=None, derandomize=True)
@given(losses())
def test_display_form_and_lowered_code_compute_the_same_values(f):
    point = _point(1)
    grads = sg.grad(f, [X, x, A, y])
    want = sg.evaluate([f, *grads], point)
    shown = sg.evaluate([sg.tensor.display(e) for e in [f, *grads]], point)
    lowered = sg.lambdify([X, A, x, y], [f, *grads])(
        point["X"], point["A"], point["x"], point["y"]
    )
    for a, b, c in zip(want, shown, lowered):
        np.testing.assert_allclose(b, a, rtol=1e-9, atol=1e-12)
        np.testing.assert_allclose(c, a, rtol=1e-12, atol=1e-12)


@settings(max_examples=30, deadline=None, derandomize=True)
@given(losses())
def test_gradient_dag_is_a_small_multiple_of_the_forward_dag(f):
    forward = sg.count_nodes(f)
    both = sg.count_nodes([f, *sg.grad(f, [X, A, x, y])])
    assert both <= 6 * forward + 10


@settings(max_examples=20, deadline=None, derandomize=True)
@given(st.integers(0, len(_UNARY) - 1), st.integers(0, len(_BINARY) - 1))
def test_building_twice_gives_the_same_node(i, j):
    def build():
        return _HEADS[0](_BINARY[j](_UNARY[i](X @ x), y))

    assert build() is build()
    assert sg.grad(build(), X) is sg.grad(build(), X)
