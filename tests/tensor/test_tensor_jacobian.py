"""Jacobians (numerator layout, and the transposed denominator layout) and
Hessians as tensor expressions, checked against central differences of the
function (computed here) at non-square sizes, and their textbook forms."""

import numpy as np
import pytest
from _tensor_helpers import random_point, symbols_of

import symgraph as sg

W, x, A, b = sg.tensors("W:m,n x:n A:n,n b:n")
SIZES = {"n": 4, "m": 3}


def fd_jacobian(y, var, point, eps=1e-6):
    base = {k: np.array(v, dtype=float) for k, v in point.items()}
    cols = []
    for j in range(base[var.value].size):
        up, down = dict(base), dict(base)
        up[var.value] = base[var.value].copy()
        down[var.value] = base[var.value].copy()
        up[var.value].flat[j] += eps
        down[var.value].flat[j] -= eps
        cols.append(
            (np.asarray(sg.evaluate(y, up)) - np.asarray(sg.evaluate(y, down)))
            / (2 * eps)
        )
    return np.stack(cols, axis=-1)


VECTOR_FUNCTIONS = {
    "affine": W @ x + 1,
    "tanh layer": sg.tanh(W @ x),
    "softmax": sg.softmax(x),
    "scaled": x * b + sg.sum(x) * b,
    "relu": sg.relu(A @ x - b),
    "normalize": x / sg.norm(x),
}


@pytest.mark.parametrize("name", sorted(VECTOR_FUNCTIONS))
def test_jacobian_numerator_layout_matches_finite_differences(name):
    y = VECTOR_FUNCTIONS[name]
    point = random_point(symbols_of(y), SIZES, seed=5)
    J = sg.jacobian(y, x)
    got = np.asarray(sg.evaluate(J, point))
    want = fd_jacobian(y, x, point)
    assert got.shape == want.shape  # (m, n): dy_i / dx_j
    np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-6)
    Jd = sg.tensor.jacobian(y, x, layout="denominator")
    np.testing.assert_allclose(sg.evaluate(Jd, point), want.T, rtol=1e-5, atol=1e-6)


SCALAR_FUNCTIONS = {
    "quadratic": 0.5 * (x @ A @ x),
    "least squares": 0.5 * sg.sum((W @ x) ** 2) + b @ x,
    "logsumexp": sg.logsumexp(W @ x),
    "logistic": sg.sum(sg.softplus(W @ x)),
    "entropy": sg.sum(sg.exp(x) * x),
}


@pytest.mark.parametrize("name", sorted(SCALAR_FUNCTIONS))
def test_hessian_matches_finite_differences_of_the_gradient(name):
    f = SCALAR_FUNCTIONS[name]
    point = random_point(symbols_of(f), SIZES, seed=6)
    H = np.asarray(sg.evaluate(sg.hessian(f, x), point))
    want = fd_jacobian(sg.grad(f, x), x, point)
    np.testing.assert_allclose(H, want, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(H, H.T, rtol=1e-9, atol=1e-9)


@pytest.mark.parametrize(
    "build, text",
    [
        (lambda: sg.hessian(0.5 * (x @ A @ x), x), "0.5 * (A + A.T)"),
        (lambda: sg.jacobian(W @ x, x), "W"),
        (lambda: sg.tensor.jacobian(W @ x, x, layout="denominator"), "W.T"),
        (lambda: sg.jacobian(sg.tanh(W @ x), x), "diag(1 - tanh(W @ x)**2) @ W"),
        (
            lambda: sg.jacobian(sg.softmax(x), x),
            "diag(softmax(x)) - outer(softmax(x), softmax(x))",
        ),
        (lambda: sg.hessian(sg.norm(x) ** 2, x), "2 * eye(n)"),
        (lambda: sg.hessian(b @ x, x), "zeros((n, n))"),
    ],
)
def test_textbook_forms(build, text):
    assert str(build()) == text


def test_matrix_jacobians_are_refused_clearly():
    with pytest.raises(NotImplementedError, match="4-index tensor"):
        sg.jacobian(W @ x, W)
    with pytest.raises(NotImplementedError, match="4-index tensor"):
        sg.jacobian(sg.outer(x, b), x)
