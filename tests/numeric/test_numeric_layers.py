"""dropout, batch_norm and layer_norm: PyTorch's semantics, checked against
hand-written NumPy and finite differences (and PyTorch itself, optional)."""

import numpy as np
import pytest

import numeric as nm
from numeric.errors import ArgumentError


def test_dropout_eval_is_identity_and_p0_too():
    x = np.arange(6.0)
    np.testing.assert_array_equal(nm.dropout(x, 0.5, training=False).data, x)
    np.testing.assert_array_equal(nm.dropout(x, 0.0, seed=1).data, x)
    np.testing.assert_array_equal(nm.dropout(x, 1.0, seed=1).data, np.zeros(6))


def test_dropout_is_inverted_and_seeded():
    x = np.ones(20_000)
    a = nm.dropout(x, 0.25, seed=7).data
    b = nm.dropout(x, 0.25, seed=7).data
    np.testing.assert_array_equal(a, b)
    assert set(np.unique(a)) == {0.0, 1.0 / 0.75}
    assert abs((a == 0).mean() - 0.25) < 0.02  # about p are dropped
    assert abs(a.mean() - 1.0) < 0.03  # the expectation is kept
    rng = np.random.default_rng(3)
    c, d = nm.dropout(x, 0.25, seed=rng).data, nm.dropout(x, 0.25, seed=rng).data
    assert not np.array_equal(c, d)  # a Generator is advanced


def test_dropout_gradient_is_the_scaled_mask():
    x = np.random.default_rng(0).normal(size=(4, 5))
    mask = nm.dropout(np.ones_like(x), 0.3, seed=11).data
    g = nm.grad(lambda x: nm.sum(nm.dropout(x, 0.3, seed=11)))(x)
    np.testing.assert_array_equal(g, mask)
    assert nm.gradcheck(lambda x: nm.dropout(x, 0.3, seed=11), x)


def test_dropout_bad_arguments_are_named():
    with pytest.raises(ArgumentError, match="p must be a probability"):
        nm.dropout(np.ones(2), 1.5)
    with pytest.raises(ArgumentError, match="seed"):
        nm.dropout(np.ones(2), 0.5, seed="x")


def _bn_reference(x, gamma, beta, eps):
    axes = (0,) + tuple(range(2, x.ndim))
    shape = (1, -1) + (1,) * (x.ndim - 2)
    mu = x.mean(axis=axes, keepdims=True)
    var = x.var(axis=axes, keepdims=True)
    return (x - mu) / np.sqrt(var + eps) * gamma.reshape(shape) + beta.reshape(shape)


@pytest.mark.parametrize("shape", [(5, 3), (4, 3, 2, 2)])
def test_batch_norm_training_uses_batch_stats_and_updates_running_unbiased(shape):
    rng = np.random.default_rng(1)
    x = rng.normal(size=shape) * 2 + 1
    gamma, beta = rng.normal(size=3), rng.normal(size=3)
    rm, rv = np.zeros(3), np.ones(3)
    y = nm.batch_norm(x, rm, rv, gamma, beta, training=True, momentum=0.1, eps=1e-5)
    np.testing.assert_allclose(y.data, _bn_reference(x, gamma, beta, 1e-5), rtol=1e-12)
    axes = (0,) + tuple(range(2, x.ndim))
    np.testing.assert_allclose(rm, 0.1 * x.mean(axis=axes))
    np.testing.assert_allclose(rv, 0.9 + 0.1 * x.var(axis=axes, ddof=1))


def test_batch_norm_eval_uses_running_stats():
    rng = np.random.default_rng(2)
    x = rng.normal(size=(4, 3))
    rm, rv = rng.normal(size=3), rng.uniform(0.5, 2, size=3)
    y = nm.batch_norm(x, rm, rv, training=False, eps=1e-3)
    np.testing.assert_allclose(y.data, (x - rm) / np.sqrt(rv + 1e-3))
    before = rm.copy()
    g = nm.grad(lambda x: nm.sum(nm.batch_norm(x, rm, rv) ** 2))(x)
    np.testing.assert_allclose(g, 2 * (x - rm) / (rv + 1e-5))
    np.testing.assert_array_equal(rm, before)  # evaluation changes nothing


def test_batch_norm_gradients_match_finite_differences():
    rng = np.random.default_rng(3)
    x = rng.normal(size=(4, 2, 3))
    gamma, beta = rng.normal(size=2), rng.normal(size=2)

    def f(x, gamma, beta):
        # running statistics None: the batch statistics only (PyTorch allows it)
        return nm.batch_norm(x, None, None, gamma, beta, training=True)

    assert nm.gradcheck(f, x, gamma, beta)


def test_batch_norm_errors_change_nothing():
    rm, rv = np.zeros(3), np.ones(3)
    with pytest.raises(ArgumentError, match="more than one value per channel"):
        nm.batch_norm(np.ones((1, 3)), rm, rv, training=True)
    with pytest.raises(nm.ShapeError, match=r"running_var must be .* shape \(3,\)"):
        nm.batch_norm(np.ones((4, 3)), rm, np.ones(2), training=True)
    with pytest.raises(nm.ShapeError, match="weight"):
        nm.batch_norm(np.ones((4, 3)), rm, rv, weight=np.ones(2), training=True)
    np.testing.assert_array_equal(rm, np.zeros(3))
    np.testing.assert_array_equal(rv, np.ones(3))
    with pytest.raises(ArgumentError, match="needs running_mean"):
        nm.batch_norm(np.ones((4, 3)), None, None)


def test_layer_norm_matches_reference_and_finite_differences():
    rng = np.random.default_rng(4)
    x = rng.normal(size=(2, 3, 4))
    w, b = rng.normal(size=(3, 4)), rng.normal(size=(3, 4))
    mu = x.mean(axis=(1, 2), keepdims=True)
    var = x.var(axis=(1, 2), keepdims=True)
    expected = (x - mu) / np.sqrt(var + 1e-5) * w + b
    np.testing.assert_allclose(
        nm.layer_norm(x, (3, 4), w, b).data, expected, rtol=1e-12
    )
    assert nm.gradcheck(lambda x, w, b: nm.layer_norm(x, (3, 4), w, b), x, w, b)
    assert nm.gradcheck(lambda x: nm.layer_norm(x, 4), x)
    with pytest.raises(nm.ShapeError, match="normalized_shape"):
        nm.layer_norm(x, (4, 3))


def test_layers_against_torch():
    torch = pytest.importorskip("torch")
    F = torch.nn.functional
    rng = np.random.default_rng(5)
    x = rng.normal(size=(4, 3, 2))
    gamma, beta = rng.normal(size=3), rng.normal(size=3)
    rm, rv = np.zeros(3), np.ones(3)
    trm, trv = torch.zeros(3, dtype=torch.float64), torch.ones(3, dtype=torch.float64)
    w = rng.normal(size=x.shape)
    g = nm.grad(
        lambda x: nm.sum(nm.batch_norm(x, rm, rv, gamma, beta, training=True) * w)
    )(x)
    tx = torch.tensor(x, requires_grad=True)
    out = F.batch_norm(
        tx, trm, trv, torch.tensor(gamma), torch.tensor(beta), training=True
    )
    (out * torch.tensor(w)).sum().backward()
    np.testing.assert_allclose(g, tx.grad.numpy(), rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(rm, trm.numpy(), rtol=1e-12)
    np.testing.assert_allclose(rv, trv.numpy(), rtol=1e-12)
    lw = rng.normal(size=(3, 2))
    g = nm.grad(lambda x: nm.sum(nm.layer_norm(x, (3, 2), lw) * w))(x)
    tx = torch.tensor(x, requires_grad=True)
    (F.layer_norm(tx, (3, 2), torch.tensor(lw)) * torch.tensor(w)).sum().backward()
    np.testing.assert_allclose(g, tx.grad.numpy(), rtol=1e-10, atol=1e-12)
