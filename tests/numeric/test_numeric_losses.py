"""Losses against independent NumPy implementations and explicit loops."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import numeric as nm

seeds = st.integers(0, 2**32 - 1)


def _case(seed):
    rng = np.random.default_rng(seed)
    n, k = (int(v) for v in rng.integers(1, 6, size=2))
    return rng.normal(size=(n, k)) * 3, rng.integers(0, k, size=n)


def _svm_loops(scores, labels, delta):
    total, grad = 0.0, np.zeros_like(scores)
    for i, y in enumerate(labels):
        for j in range(scores.shape[1]):
            if j == y:
                continue
            margin = scores[i, j] - scores[i, y] + delta
            if margin > 0:
                total += margin
                grad[i, j] += 1
                grad[i, y] -= 1
    n = len(labels)
    return total / n, grad / n


def _cross_entropy_numpy(logits, labels):
    shifted = logits - logits.max(axis=1, keepdims=True)
    p = np.exp(shifted) / np.exp(shifted).sum(axis=1, keepdims=True)
    n = len(labels)
    loss = -np.mean(np.log(p[np.arange(n), labels]))
    grad = p.copy()
    grad[np.arange(n), labels] -= 1
    return loss, grad / n


@settings(max_examples=30, deadline=None)
@given(seed=seeds)
def test_svm_loss_value_and_gradient_equal_loops(seed):
    scores, labels = _case(seed)
    value, g = nm.value_and_grad(nm.svm_loss)(scores, labels, 1.0)
    expected_value, expected_grad = _svm_loops(scores, labels, 1.0)
    assert value == pytest.approx(expected_value)
    np.testing.assert_allclose(g, expected_grad, atol=1e-12)


def test_svm_loss_cs231n_example():
    # CS231n: one row of cat/car/frog scores per image; correct classes 0, 1, 2
    scores = np.array([[3.2, 5.1, -1.7], [1.3, 4.9, 2.0], [2.2, 2.5, -3.1]])
    labels = np.array([0, 1, 2])
    losses = [2.9, 0.0, 12.9]
    assert nm.svm_loss(scores, labels).item() == pytest.approx(np.mean(losses))


@settings(max_examples=30, deadline=None)
@given(seed=seeds)
def test_cross_entropy_value_and_gradient_equal_numpy(seed):
    logits, labels = _case(seed)
    value, g = nm.value_and_grad(nm.cross_entropy)(logits, labels)
    expected_value, expected_grad = _cross_entropy_numpy(logits, labels)
    assert value == pytest.approx(expected_value)
    np.testing.assert_allclose(g, expected_grad, atol=1e-12)


def test_cross_entropy_matches_torch():
    torch = pytest.importorskip("torch")
    logits, labels = _case(11)
    expected = torch.nn.functional.cross_entropy(
        torch.tensor(logits), torch.tensor(labels)
    )
    assert nm.cross_entropy(logits, labels).item() == pytest.approx(expected.item())


@settings(max_examples=30, deadline=None)
@given(seed=seeds)
def test_mse_value_and_gradient_equal_numpy(seed):
    rng = np.random.default_rng(seed)
    pred, target = rng.normal(size=(4, 3)), rng.normal(size=(4, 3))
    value, g = nm.value_and_grad(nm.mse)(pred, target)
    assert value == pytest.approx(np.mean((pred - target) ** 2))
    np.testing.assert_allclose(g, 2 * (pred - target) / pred.size)


def test_mse_shape_mismatch_raises_shape_error():
    with pytest.raises(nm.ShapeError, match=r"mse.*\(3,\).*\(3, 1\)"):
        nm.mse(np.ones(3), np.ones((3, 1)))


def test_cross_entropy_label_out_of_range_names_labels():
    with pytest.raises(ValueError, match=r"labels must lie in \[0, 3\), got 3"):
        nm.cross_entropy(np.zeros((2, 3)), np.array([0, 3]))


def test_cross_entropy_float_labels_with_fractions_are_rejected():
    with pytest.raises(ValueError, match="labels must be integers"):
        nm.cross_entropy(np.zeros((2, 3)), np.array([0.5, 1.0]))


def test_svm_loss_wrong_label_shape_raises_shape_error():
    with pytest.raises(nm.ShapeError, match="labels must have shape"):
        nm.svm_loss(np.zeros((2, 3)), np.array([0, 1, 2]))


@settings(max_examples=15, deadline=None)
@given(seed=seeds)
def test_cross_entropy_second_order_matches_finite_differences(seed):
    logits, labels = _case(seed)
    assert nm.gradcheck(nm.grad(lambda z: nm.cross_entropy(z, labels)), logits)


def test_cross_entropy_labels_are_not_differentiable():
    labels = nm.tensor([0.0, 1.0], requires_grad=True)
    with pytest.raises(ValueError, match=r"labels.*not differentiable"):
        nm.cross_entropy(np.zeros((2, 3)), labels)
