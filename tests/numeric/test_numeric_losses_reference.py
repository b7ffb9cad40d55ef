"""The PyTorch-style losses against loop implementations and hand-worked values.

These run in CI (no torch): values against ``_loss_loops`` (PyTorch's
documented formulas, one position at a time) over random options, small cases
worked by hand (weighted means, label smoothing, ignored targets, clamps,
kinks), and bad input refused with an error naming the argument. Gradients
are checked against finite differences in ``test_numeric_loss_battery.py``.
"""

import math

import _loss_loops as loops
import numpy as np
import pytest
from _loss_cases import CASES
from hypothesis import given, settings
from hypothesis import strategies as st

import numeric as nm
from numeric.errors import ArgumentError, DifferentiationError, ShapeError

LN2 = math.log(2.0)
EPS32 = float(np.float32(1e-12))  # PyTorch's BCE EPSILON, a float constant

# ----- Values against the loops, over random options -----


@pytest.mark.parametrize("case_name", sorted(n for n in CASES if n != "svm_loss"))
@settings(max_examples=25, deadline=None, derandomize=True)
@given(seed=st.integers(0, 2**32 - 1))
def test_loss_value_equals_loops(case_name, seed):
    case = CASES[case_name](np.random.default_rng(seed), np.float64)
    value = case.fn(*case.arrays).data
    expected = getattr(loops, case.name)(*case.arrays, *case.constants, **case.options)
    assert value.shape == np.shape(expected)
    np.testing.assert_allclose(value, expected, rtol=1e-12, atol=1e-13)


# ----- cross_entropy and nll_loss, by hand -----


def _two_rows():
    # softmax of [0, 0] is [1/2, 1/2]; of [ln 3, 0] it is [3/4, 1/4]
    return np.array([[0.0, 0.0], [math.log(3.0), 0.0], [5.0, -5.0]])


def test_cross_entropy_weighted_mean_divides_by_the_weights_of_kept_targets():
    # losses: w0 ln 2 = ln 2, w1 (-ln 1/4) = 6 ln 2, ignored row 0;
    # mean = 7 ln 2 / (w0 + w1) = 7/4 ln 2
    x, labels, weight = _two_rows(), np.array([0, 1, -100]), np.array([1.0, 3.0])
    value, g = nm.value_and_grad(lambda x: nm.cross_entropy(x, labels, weight))(x)
    assert float(value) == pytest.approx(7 / 4 * LN2, rel=1e-14)
    # w_y / W * (softmax - onehot), zero for the ignored row
    expected = [[-1 / 8, 1 / 8], [9 / 16, -9 / 16], [0.0, 0.0]]
    np.testing.assert_allclose(g, expected, rtol=1e-14, atol=1e-16)
    none = nm.cross_entropy(x, labels, weight, reduction="none").data
    np.testing.assert_allclose(none, [LN2, 6 * LN2, 0.0], rtol=1e-14)
    assert nm.cross_entropy(x, labels, weight, reduction="sum").item() == (
        pytest.approx(7 * LN2, rel=1e-14)
    )


def test_label_smoothing_gradient_vanishes_at_the_smoothed_target():
    # logits [ln 3, 0] give [3/4, 1/4], which is label 0 smoothed by 0.5:
    # (1 - 0.5) [1, 0] + 0.5 / 2; the loss is its entropy, the gradient 0
    x = np.array([[math.log(3.0), 0.0]])
    value, g = nm.value_and_grad(
        lambda x: nm.cross_entropy(x, np.array([0]), label_smoothing=0.5)
    )(x)
    entropy = -(0.75 * math.log(0.75) + 0.25 * math.log(0.25))
    assert float(value) == pytest.approx(entropy, rel=1e-14)
    np.testing.assert_allclose(g, [[0.0, 0.0]], atol=1e-16)


def test_label_smoothing_with_class_weights_by_hand():
    # row [0, 0], label 1, weights [1, 3], e = 0.5:
    # (1 - e) * 3 ln 2 + (e / 2) * (1 + 3) ln 2 = 2.5 ln 2, over W = 3
    x, labels, weight = np.array([[0.0, 0.0]]), np.array([1]), np.array([1.0, 3.0])
    value = nm.cross_entropy(x, labels, weight, label_smoothing=0.5)
    assert value.item() == pytest.approx(2.5 * LN2 / 3.0, rel=1e-14)


def test_probability_targets_with_extra_dimensions_average_over_positions():
    # (N, C, d1) = (1, 2, 2): both positions have logits [0, 0] (loss ln 2
    # whatever the target); 'mean' divides by N * d1 = 2, not by weights
    x = np.zeros((1, 2, 2))
    q = np.array([[[1.0, 0.25], [0.0, 0.75]]])
    weight = np.array([2.0, 2.0])
    assert nm.cross_entropy(x, q).item() == pytest.approx(LN2, rel=1e-14)
    assert nm.cross_entropy(x, q, weight).item() == pytest.approx(2 * LN2)
    none = nm.cross_entropy(x, q, reduction="none")
    assert none.shape == (1, 2)
    # d/dx = softmax - q, over the 2 positions
    g = nm.grad(lambda x: nm.cross_entropy(x, q))(x)
    np.testing.assert_allclose(g, (0.5 - q) / 2, rtol=1e-14)


@pytest.mark.parametrize(
    ("shape", "target_shape"),
    [((4,), ()), ((3, 4), (3,)), ((3, 4, 5), (3, 5)), ((2, 4, 3, 2), (2, 3, 2))],
)
def test_reduction_none_has_the_target_shape(shape, target_shape):
    x = np.random.default_rng(0).normal(size=shape)
    labels = np.zeros(target_shape, dtype=int)
    assert nm.cross_entropy(x, labels, reduction="none").shape == target_shape
    assert nm.nll_loss(x, labels, reduction="none").shape == target_shape
    assert nm.cross_entropy(x, np.ones(shape), reduction="none").shape == target_shape
    assert nm.cross_entropy(x, labels).shape == ()


@pytest.mark.parametrize("label_smoothing", [0.0, 0.2])
@pytest.mark.parametrize("weighted", [False, True])
def test_every_target_ignored_gives_nan_mean_and_zero_gradient(
    label_smoothing, weighted
):
    x = np.random.default_rng(1).normal(size=(3, 4))
    labels = np.full(3, -100)
    kw = {"label_smoothing": label_smoothing}
    if weighted:
        kw["weight"] = np.array([1.0, 2.0, 3.0, 4.0])
    with np.errstate(all="raise"):  # no 0/0 behind the NaN: no warning either
        value, g = nm.value_and_grad(lambda x: nm.cross_entropy(x, labels, **kw))(x)
        total = nm.cross_entropy(x, labels, reduction="sum", **kw)
        none = nm.cross_entropy(x, labels, reduction="none", **kw)
        nll = nm.nll_loss(x, labels)
    assert math.isnan(float(value)) and math.isnan(nll.item())
    np.testing.assert_array_equal(g, np.zeros((3, 4)))
    assert total.item() == 0.0
    np.testing.assert_array_equal(none.data, np.zeros(3))


def test_ignore_index_may_be_a_real_class():
    # class 0 is "background": rows labelled 0 count for nothing
    x = _two_rows()
    labels = np.array([0, 1, 0])
    value = nm.cross_entropy(x, labels, ignore_index=0)
    assert value.item() == pytest.approx(-math.log(0.25), rel=1e-14)


def test_nll_loss_picks_minus_the_weighted_log_probability():
    logp = np.log(np.array([[0.5, 0.25, 0.25], [0.1, 0.8, 0.1]]))
    weight = np.array([1.0, 2.0, 4.0])
    value = nm.nll_loss(logp, np.array([2, 1]), weight)
    # (4 ln 4 + 2 ln 1.25) / (4 + 2)
    expected = (4 * math.log(4.0) + 2 * math.log(1.25)) / 6
    assert value.item() == pytest.approx(expected, rel=1e-14)
    g = nm.grad(lambda z: nm.nll_loss(z, np.array([2, 1]), weight))(logp)
    np.testing.assert_allclose(g, [[0, 0, -4 / 6], [0, -2 / 6, 0]], rtol=1e-14)


def test_cross_entropy_of_logits_and_labels_is_unchanged():
    # the mean case of the old two-argument call: the fused primitive, the same
    # value as the general composition (forced here by unit weights)
    rng = np.random.default_rng(4)
    x, labels = 3 * rng.normal(size=(6, 4)), rng.integers(0, 4, size=6)
    fused = nm.cross_entropy(nm.tensor(x, requires_grad=True), labels)
    assert fused._prim.name == "cross_entropy"
    composed = nm.cross_entropy(x, labels, weight=np.ones(4))
    logp = x - np.log(np.exp(x).sum(axis=1, keepdims=True))
    expected = -logp[np.arange(6), labels].mean()
    assert fused.item() == pytest.approx(expected, rel=1e-14)
    assert composed.item() == pytest.approx(fused.item(), rel=1e-14)
    g_fused = nm.grad(lambda x: nm.cross_entropy(x, labels))(x)
    g_composed = nm.grad(lambda x: nm.cross_entropy(x, labels, np.ones(4)))(x)
    np.testing.assert_allclose(g_fused, g_composed, rtol=1e-13, atol=1e-16)


# ----- multi_margin_loss -----


def test_multi_margin_loss_by_hand():
    # PyTorch's example: (0.3 + 0.4 + 0.6) / 4; squared: (.09 + .16 + .36) / 4
    x, y = np.array([[0.1, 0.2, 0.4, 0.8]]), np.array([3])
    assert nm.multi_margin_loss(x, y).item() == pytest.approx(0.325, rel=1e-14)
    assert nm.multi_margin_loss(x, y, p=2).item() == pytest.approx(0.1525, rel=1e-14)
    weight = np.array([9.0, 9.0, 9.0, 2.0])  # applied by the label: w[3] = 2
    assert nm.multi_margin_loss(x, y, weight=weight).item() == pytest.approx(0.65)
    # margin 0.25: only j = 2 is active, (0.25 - 0.8 + 0.4) < 0 ... none is
    assert nm.multi_margin_loss(x, y, margin=0.25).item() == 0.0
    g = nm.grad(lambda x: nm.multi_margin_loss(x, y))(x)
    np.testing.assert_allclose(g, [[0.25, 0.25, 0.25, -0.75]], rtol=1e-14)


@pytest.mark.parametrize("p", [1, 2])
def test_multi_margin_loss_kink_has_zero_gradient(p):
    # margin - x[y] + x[0] = 1 - 2 + 1 = 0 exactly: relu'(0) = 0
    x, y = np.array([[1.0, 0.0, 2.0, 1.5]]), np.array([2])
    g = nm.grad(lambda x: nm.multi_margin_loss(x, y, p=p))(x)
    # only j = 3 is active: z = 1 - 2 + 1.5 = 0.5, dz^p/dz = 1 or 1.0
    slope = 1.0 if p == 1 else 2 * 0.5
    np.testing.assert_allclose(g, [[0.0, 0.0, -slope / 4, slope / 4]], rtol=1e-14)


# ----- binary cross-entropy -----


def test_binary_cross_entropy_by_hand_and_clamped():
    x = np.array([0.5, 0.0, 1.0, 1.0, 0.0])
    t = np.array([1.0, 1.0, 0.0, 1.0, 0.0])
    value = nm.binary_cross_entropy(x, t, reduction="none").data
    # ln 2; log(0) clamped to -100 (twice); exact 0 where the target is met
    np.testing.assert_allclose(value, [LN2, 100.0, 100.0, 0.0, 0.0], rtol=1e-15)
    g = nm.grad(lambda x: nm.binary_cross_entropy(x, t, reduction="sum"))(x)
    # (x - t) / max(x (1 - x), EPSILON): -2, then -+1/EPSILON at the edges
    expected = [-2.0, -1 / EPS32, 1 / EPS32, 0.0, 0.0]
    np.testing.assert_allclose(g, expected, rtol=1e-15)


def test_binary_cross_entropy_target_gradient_is_the_log_odds():
    x = np.array([0.25, 0.5, 0.0, 1.0])
    t = np.array([0.5, 0.5, 0.5, 0.5])
    with np.errstate(divide="ignore"):
        g = nm.grad(lambda t: nm.binary_cross_entropy(x, t, reduction="sum"))(t)
    np.testing.assert_allclose(g[:2], [math.log(3.0), 0.0], atol=1e-15)
    assert g[2] == np.inf and g[3] == -np.inf  # not clamped, as PyTorch


def test_binary_cross_entropy_weight_broadcasts_and_mean_is_plain():
    x, t = np.full((2, 2), 0.5), np.ones((2, 2))
    value = nm.binary_cross_entropy(x, t, weight=np.array([1.0, 3.0]))
    assert value.item() == pytest.approx(2 * LN2, rel=1e-15)  # (1 + 3) / 2 ln 2


def test_binary_cross_entropy_with_logits_by_hand():
    # x = 0, t = 1, pos_weight 3: -3 log(1/2) = 3 ln 2; d/dx = -3 sigmoid(0)
    value, g = nm.value_and_grad(
        lambda x: nm.binary_cross_entropy_with_logits(
            x, np.ones(1), pos_weight=np.array([3.0]), reduction="sum"
        )
    )(np.zeros(1))
    assert float(value) == pytest.approx(3 * LN2, rel=1e-15)
    np.testing.assert_allclose(g, [-1.5], rtol=1e-15)


def test_binary_cross_entropy_with_logits_is_finite_at_extremes():
    z = np.array([-1000.0, 1000.0, 745.0, -745.0])
    t = np.array([1.0, 0.0, 0.0, 1.0])
    with np.errstate(over="raise", invalid="raise", divide="raise"):
        value, g = nm.value_and_grad(
            lambda z: nm.binary_cross_entropy_with_logits(z, t, reduction="sum")
        )(z)
    assert float(value) == pytest.approx(1000 + 1000 + 745 + 745, rel=1e-15)
    np.testing.assert_allclose(g, [-1.0, 1.0, 1.0, -1.0], rtol=1e-15)


def test_binary_cross_entropy_with_logits_equals_bce_of_the_sigmoid():
    rng = np.random.default_rng(5)
    z, t = rng.normal(size=(3, 4)), rng.uniform(size=(3, 4))
    p = 1.0 / (1.0 + np.exp(-z))
    a = nm.binary_cross_entropy_with_logits(z, t).item()
    assert a == pytest.approx(nm.binary_cross_entropy(p, t).item(), rel=1e-12)


# ----- regression losses -----


def test_l1_smooth_l1_and_huber_gradients_at_their_kinks():
    d = np.array([-2.0, -1.0, 0.0, 0.5, 1.0])

    def grad_of(loss, **kw):
        return nm.grad(lambda x: loss(x, np.zeros(5), reduction="sum", **kw))(d)

    np.testing.assert_array_equal(grad_of(nm.l1_loss), [-1, -1, 0, 1, 1])  # l1'(0) = 0
    sl1 = [-1.0, -1.0, 0.0, 0.5, 1.0]  # d / beta inside, sign outside; equal at 1
    np.testing.assert_array_equal(grad_of(nm.smooth_l1_loss), sl1)
    np.testing.assert_array_equal(
        grad_of(nm.smooth_l1_loss, beta=0.0), [-1, -1, 0, 1, 1]
    )
    hub = [-0.5, -0.5, 0.0, 0.5, 0.5]  # d inside, delta * sign outside
    np.testing.assert_array_equal(grad_of(nm.huber_loss, delta=0.5), hub)


def test_smooth_l1_second_derivative_is_the_linear_pieces_at_beta():
    d = np.array([-1.0, -0.5, 0.0, 1.0])

    def second(x):
        inner = nm.grad(lambda y: nm.smooth_l1_loss(y, np.zeros(4), reduction="sum"))
        return nm.sum(inner(x))

    np.testing.assert_array_equal(nm.grad(second)(d), [0.0, 1.0, 1.0, 0.0])


def test_smooth_l1_and_huber_by_hand():
    d, zero = np.array([-2.0, 0.5, 0.0]), np.zeros(3)
    sl1 = nm.smooth_l1_loss(d, zero, reduction="none", beta=1.0).data
    np.testing.assert_array_equal(sl1, [1.5, 0.125, 0.0])
    hub = nm.huber_loss(d, zero, reduction="none", delta=1.5).data
    np.testing.assert_array_equal(hub, [1.5 * (2 - 0.75), 0.125, 0.0])
    # huber(delta) = delta * smooth_l1(beta=delta)
    scaled = 1.5 * nm.smooth_l1_loss(d, zero, beta=1.5).item()
    assert nm.huber_loss(d, zero, delta=1.5).item() == pytest.approx(scaled)
    assert nm.smooth_l1_loss(d, zero, beta=0.0).item() == nm.l1_loss(d, zero).item()


def test_weighted_regression_means_follow_torch():
    x, t, w = np.array([1.0, 3.0]), np.zeros(2), np.array([1.0, 3.0])
    # mse, l1: sum(w e) / sum(w); huber: mean(w e)
    assert nm.mse_loss(x, t, weight=w).item() == pytest.approx((1 + 27) / 4)
    assert nm.l1_loss(x, t, weight=w).item() == pytest.approx((1 + 9) / 4)
    assert nm.huber_loss(x, t, weight=w).item() == pytest.approx((0.5 + 3 * 2.5) / 2)


def test_mse_loss_broadcasts_with_a_warning_and_equals_mse():
    rng = np.random.default_rng(6)
    x, t = rng.normal(size=(3, 4)), rng.normal(size=4)
    with pytest.warns(UserWarning, match=r"mse_loss: target shape \(4,\) differs"):
        value = nm.mse_loss(x, t, reduction="none")
    np.testing.assert_allclose(value.data, (x - t) ** 2)
    tt = np.broadcast_to(t, x.shape)
    assert nm.mse_loss(x, tt).item() == pytest.approx(nm.mse(x, tt).item(), rel=1e-15)


def test_losses_of_empty_batches():
    empty = np.zeros((0, 3))
    with np.errstate(all="raise"):
        assert math.isnan(nm.cross_entropy(empty, np.zeros(0, int)).item())
        assert math.isnan(nm.multi_margin_loss(empty, np.zeros(0, int)).item())
        assert nm.cross_entropy(empty, np.zeros(0, int), reduction="sum").item() == 0
        assert math.isnan(nm.l1_loss(np.zeros(0), np.zeros(0)).item())


# ----- weights are differentiable (PyTorch refuses some) -----


@pytest.mark.parametrize(
    "loss",
    [
        lambda w: nm.cross_entropy(
            np.array([[1.0, 2.0, 0.5], [0.3, -1.0, 2.0]]),
            np.array([2, -100]),
            w,
            label_smoothing=0.2,
        ),
        lambda w: nm.nll_loss(np.array([[-1.0, -2.0, -0.5]]), np.array([1]), w),
        lambda w: nm.multi_margin_loss(
            np.array([[1.0, 0.2, 0.5]]), np.array([0]), weight=w
        ),
        lambda w: nm.binary_cross_entropy(
            np.array([0.2, 0.7, 0.4]), np.array([0.0, 1.0, 0.5]), w
        ),
        lambda w: nm.binary_cross_entropy_with_logits(
            np.array([0.2, -0.7, 1.4]), np.array([0.0, 1.0, 0.5]), w, pos_weight=w
        ),
        lambda w: nm.mse_loss(np.array([0.2, 0.7, 0.4]), np.zeros(3), weight=w),
        lambda w: nm.huber_loss(np.array([0.2, 1.7, 0.4]), np.zeros(3), weight=w),
    ],
)
def test_traced_weights_get_their_gradient(loss):
    assert nm.gradcheck(loss, np.array([0.5, 1.5, 2.0]))


# ----- bad input -----

X = np.zeros((2, 3))
Y = np.array([0, 1])
P = np.full((2, 3), 0.5)

BAD_CALLS = [
    (lambda: nm.cross_entropy(X, Y, reduction="avg"), ArgumentError, "reduction must be 'mean', 'sum' or 'none', got 'avg'"),
    (lambda: nm.mse_loss(X, X, reduction=None), ArgumentError, "mse_loss: reduction"),
    (lambda: nm.cross_entropy(X, np.array([0, 1, 2])), ShapeError, r"target \(class labels\) must have shape \(2,\)"),
    (lambda: nm.cross_entropy(np.zeros((2, 3, 4)), np.zeros((2, 5), int)), ShapeError, r"shape \(2, 4\)"),
    (lambda: nm.cross_entropy(np.float64(1.0), np.array(0)), ShapeError, "0-d input"),
    (lambda: nm.cross_entropy(X, np.array([0, 3])), ArgumentError, r"target labels must lie in \[0, 3\), got 3"),
    (lambda: nm.nll_loss(X, np.array([-1, 0])), ArgumentError, r"nll_loss: target labels must lie in \[0, 3\), got -1"),
    (lambda: nm.multi_margin_loss(X, np.array([0, -100])), ArgumentError, r"multi_margin_loss: target labels must lie in \[0, 3\), got -100"),
    (lambda: nm.cross_entropy(X, np.array([0.5, 1.0])), ArgumentError, "labels must be integers"),
    (lambda: nm.cross_entropy(X, nm.tensor([0.0, 1.0], requires_grad=True)), DifferentiationError, "not differentiable"),
    (lambda: nm.cross_entropy(X, Y, weight=np.ones(4)), ShapeError, r"weight must have shape \(3,\)"),
    (lambda: nm.nll_loss(X, Y, weight=np.ones((3, 1))), ShapeError, r"nll_loss: weight must have shape \(3,\)"),
    (lambda: nm.multi_margin_loss(X, Y, weight=np.ones(2)), ShapeError, "multi_margin_loss: weight"),
    (lambda: nm.cross_entropy(X, Y, label_smoothing=1.5), ArgumentError, r"label_smoothing must lie in \[0, 1\], got 1.5"),
    (lambda: nm.cross_entropy(X, Y, label_smoothing=-0.1), ArgumentError, "label_smoothing"),
    (lambda: nm.cross_entropy(X, Y, ignore_index=1.5), ArgumentError, "ignore_index must be an integer"),
    (lambda: nm.cross_entropy(X, P, ignore_index=1), ArgumentError, "ignore_index .* class-index targets only"),
    (lambda: nm.cross_entropy(X, np.zeros((2, 3), int)), ArgumentError, "probabilities and must be floating point"),
    (lambda: nm.multi_margin_loss(X, Y, p=3), ArgumentError, "p must be 1 or 2, got 3"),
    (lambda: nm.multi_margin_loss(np.zeros((2, 3, 1)), Y), ShapeError, r"input must have shape \(N, C\) or \(C,\)"),
    (lambda: nm.multi_margin_loss(X, Y, margin="1"), ArgumentError, "margin must be a real number"),
    (lambda: nm.binary_cross_entropy(P, np.full(3, 0.5)), ShapeError, r"target shape \(3,\) must equal the input shape \(2, 3\)"),
    (lambda: nm.binary_cross_entropy(P + 1.0, P), ArgumentError, r"every element of input must lie in \[0, 1\], got 1.5"),
    (lambda: nm.binary_cross_entropy(P, P * np.nan), ArgumentError, "every element of target must lie in"),
    (lambda: nm.binary_cross_entropy(P, P, weight=np.ones(2)), ShapeError, r"weight of shape \(2,\) does not broadcast"),
    (lambda: nm.binary_cross_entropy(P, P, weight=np.ones((4, 2, 3))), ShapeError, "weight of shape"),
    (lambda: nm.binary_cross_entropy_with_logits(X, np.zeros(3)), ShapeError, "target shape"),
    (lambda: nm.binary_cross_entropy_with_logits(X, X, pos_weight=np.ones(2)), ShapeError, r"pos_weight of shape \(2,\)"),
    (lambda: nm.mse_loss(X, np.zeros(2)), ShapeError, r"mse_loss: target shape \(2,\) does not broadcast"),
    (lambda: nm.l1_loss(X, X, weight=np.ones(3)), ShapeError, r"l1_loss: weight must have the input's shape \(2, 3\)"),
    (lambda: nm.smooth_l1_loss(X, X, beta=-1.0), ArgumentError, "beta must be >= 0, got -1.0"),
    (lambda: nm.huber_loss(X, X, delta=0.0), ArgumentError, "delta must be > 0, got 0.0"),
]  # fmt: skip


@pytest.mark.parametrize(("call", "error", "message"), BAD_CALLS)
def test_bad_input_is_refused_naming_the_argument(call, error, message):
    with pytest.raises(error, match=message):
        call()
