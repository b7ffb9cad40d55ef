"""The toolkit's one convention at non-differentiable points, and stable forms."""

import numpy as np
import pytest

import numeric as nm


def _d(fn, x):
    return float(nm.grad(fn)(x))


# ----- kinks -----


def test_relu_derivative_at_zero_is_zero():
    assert _d(nm.relu, 0.0) == 0.0


def test_leaky_relu_derivative_at_zero_is_negative_slope():
    assert _d(lambda x: nm.leaky_relu(x, negative_slope=0.2), 0.0) == 0.2


def test_leaky_relu_default_slope_is_one_hundredth():
    assert _d(nm.leaky_relu, -3.0) == 0.01


def test_elu_derivative_at_zero_is_alpha():
    assert _d(lambda x: nm.elu(x, alpha=1.5), 0.0) == 1.5


def test_abs_derivative_at_zero_is_zero():
    assert _d(nm.abs, 0.0) == 0.0


def test_maximum_tie_splits_gradient_in_halves():
    gx, gy = nm.grad(lambda x, y: nm.maximum(x, y), (0, 1))(2.0, 2.0)
    assert (float(gx), float(gy)) == (0.5, 0.5)


def test_minimum_tie_splits_gradient_in_halves():
    gx, gy = nm.grad(lambda x, y: nm.minimum(x, y), (0, 1))(-1.0, -1.0)
    assert (float(gx), float(gy)) == (0.5, 0.5)


def test_reduce_max_ties_split_evenly():
    g = nm.grad(lambda x: nm.max(x))(np.array([3.0, 1.0, 3.0, 3.0]))
    np.testing.assert_array_equal(g, [1 / 3, 0.0, 1 / 3, 1 / 3])


def test_reduce_max_ties_split_evenly_per_axis():
    x = np.array([[1.0, 1.0], [2.0, 0.0]])
    g = nm.grad(lambda x: nm.sum(nm.max(x, axis=1)))(x)
    np.testing.assert_array_equal(g, [[0.5, 0.5], [1.0, 0.0]])


def test_max_pool2d_tie_goes_to_first_in_row_major_order():
    x = np.array([[[[1.0, 5.0], [5.0, 5.0]]]])
    g = nm.grad(lambda x: nm.sum(nm.max_pool2d(x, 2)))(x)
    np.testing.assert_array_equal(g[0, 0], [[0.0, 1.0], [0.0, 0.0]])


def test_sqrt_derivative_at_zero_is_positive_infinity():
    with np.errstate(divide="ignore"):
        assert _d(nm.sqrt, 0.0) == np.inf


# ----- untaken branches -----


def test_elu_gradient_at_large_input_is_one():
    with np.errstate(all="raise"):
        assert _d(nm.elu, 1000.0) == 1.0


def test_where_untaken_log_branch_does_not_poison_gradient():
    # the double-where trick: the untaken branch sees a safe input
    def f(x):
        safe = nm.where(x > 0, x, 1.0)
        return nm.where(x > 0, nm.log(safe), 0.0)

    with np.errstate(all="raise"):
        assert _d(f, 0.0) == 0.0


def test_power_with_zero_exponent_has_zero_gradient_at_zero():
    with np.errstate(all="raise"):
        assert _d(lambda x: x**0.0, 0.0) == 0.0


def test_nonfinite_values_propagate_unclipped():
    with np.errstate(all="ignore"):
        assert np.isnan(nm.log(np.array(-1.0)).item())
        assert nm.exp(np.array(1000.0)).item() == np.inf
        assert _d(lambda x: nm.exp(x) * 0.0 + nm.log(x), -1.0) == -1.0
        assert np.isnan(_d(lambda x: nm.exp(x) * nm.log(x), -1.0))


# ----- stable forms -----


@pytest.mark.parametrize("x", [-1000.0, -710.0, 710.0, 1000.0])
def test_sigmoid_is_finite_with_finite_gradient_at_extremes(x):
    with np.errstate(all="raise"):
        value, g = nm.value_and_grad(nm.sigmoid)(x)
    assert value == (1.0 if x > 0 else 0.0)
    assert float(g) == 0.0


@pytest.mark.parametrize("x", [-1000.0, -710.0, 710.0, 1000.0])
def test_softplus_is_finite_with_finite_gradient_at_extremes(x):
    with np.errstate(all="raise"):
        value, g = nm.value_and_grad(nm.softplus)(x)
    assert value == pytest.approx(max(x, 0.0))
    assert float(g) == (1.0 if x > 0 else 0.0)


@pytest.mark.parametrize("scale", [-1000.0, -710.0, 710.0, 1000.0])
def test_logsumexp_is_finite_with_finite_gradient_at_extremes(scale):
    x = scale * np.array([1.0, 0.5, 1.0])
    with np.errstate(all="raise"):
        value, g = nm.value_and_grad(nm.logsumexp)(x)
    top = x.max()
    assert value == pytest.approx(top + np.log(np.sum(np.exp(x - top))))
    np.testing.assert_allclose(g, np.exp(x - value))


@pytest.mark.parametrize("scale", [-1000.0, 710.0, 1000.0])
def test_log_softmax_is_finite_at_extremes(scale):
    x = scale * np.array([[1.0, -1.0, 0.0]])
    with np.errstate(all="raise"):
        out = nm.log_softmax(x).data
        g = nm.grad(lambda x: nm.sum(nm.log_softmax(x)[:, 0]))(x)
    assert np.all(np.isfinite(out)) and np.all(np.isfinite(g))


@pytest.mark.parametrize("scale", [-1000.0, 710.0, 1000.0])
def test_cross_entropy_is_finite_at_extremes(scale):
    logits = scale * np.array([[1.0, -1.0, 0.0], [0.0, 1.0, -1.0]])
    # at 710 the gradient's softmax holds e**-710, a subnormal whose product with
    # 1/N underflows: a correct, finite result, so only underflow is tolerated
    with np.errstate(all="raise", under="ignore"):
        value, g = nm.value_and_grad(nm.cross_entropy)(logits, np.array([1, 1]))
    # by hand: loss_i = max_i + log(sum(exp(row - max_i))) - row[label]
    rows = [logits[0], logits[1]]
    expected = np.mean(
        [r.max() + np.log(np.sum(np.exp(r - r.max()))) - r[1] for r in rows]
    )
    assert value == pytest.approx(expected)
    assert np.all(np.isfinite(g))


@pytest.mark.parametrize("scale", [-1000.0, 1000.0])
def test_softmax_is_finite_at_extremes(scale):
    x = scale * np.array([1.0, -1.0, 0.5])
    with np.errstate(all="raise"):
        out = nm.softmax(x).data
    assert np.all(np.isfinite(out)) and out.sum() == pytest.approx(1.0)
