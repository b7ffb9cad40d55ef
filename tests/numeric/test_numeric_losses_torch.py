"""The PyTorch-style losses against torch.nn.functional (skipped without torch).

Forward values and gradients (of every differentiable input) over random
options, shapes and points (``_loss_cases``), then the edge cases on purpose:
every target ignored, zero total weight, -inf logits, the kinks, BCE at 0 and
1, float32. The same behaviour is checked without torch, against
hand-worked values, loop implementations and finite differences, in
``test_numeric_losses_reference.py`` and ``test_numeric_loss_battery.py``.
"""

import warnings

import numpy as np
import pytest
from _loss_cases import CASES
from hypothesis import given, settings
from hypothesis import strategies as st

import numeric as nm

torch = pytest.importorskip("torch")
F = torch.nn.functional

TORCH_CASES = sorted(n for n in CASES if n != "svm_loss")  # torch has no svm_loss


def _torch_value(value, requires_grad=False):
    if isinstance(value, np.ndarray):
        return torch.tensor(value, requires_grad=requires_grad)
    return value


def _torch_loss(name, arrays, constants, options):
    """torch's loss and its differentiable leaves, from numpy arguments."""
    leaves = [_torch_value(a, requires_grad=True) for a in arrays]
    args = leaves + [_torch_value(c) for c in constants]
    kwargs = {k: _torch_value(v) for k, v in options.items()}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # broadcasting shapes
        return getattr(F, name)(*args, **kwargs), leaves


def _compare(name, arrays, constants=(), rtol=1e-10, **options):
    """Value and gradients of numeric's loss and torch's, which must agree."""
    arrays, constants = list(arrays), list(constants)

    def fn(*xs):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", UserWarning)
            return getattr(nm, name)(*xs, *constants, **options)

    value = fn(*arrays).data
    expected, leaves = _torch_loss(name, arrays, constants, options)
    np.testing.assert_allclose(
        value, expected.detach().numpy(), rtol=rtol, atol=1e-12, err_msg=name
    )
    grads = nm.grad(lambda *xs: nm.sum(fn(*xs)), tuple(range(len(arrays))))(*arrays)
    expected_grads = torch.autograd.grad(expected.sum(), leaves)
    for i, (g, e) in enumerate(zip(grads, expected_grads)):
        np.testing.assert_allclose(
            g, e.numpy(), rtol=rtol, atol=1e-12, err_msg=f"{name} input {i}"
        )


@pytest.mark.parametrize("case_name", TORCH_CASES)
@settings(max_examples=40, deadline=None, derandomize=True)
@given(seed=st.integers(0, 2**32 - 1))
def test_loss_value_and_gradients_match_torch(case_name, seed):
    case = CASES[case_name](np.random.default_rng(seed), np.float64)
    _compare(case.name, case.arrays, case.constants, **case.options)


@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
@pytest.mark.parametrize("label_smoothing", [0.0, 0.3])
@pytest.mark.parametrize("weighted", [False, True])
def test_cross_entropy_with_every_target_ignored_matches_torch(
    reduction, label_smoothing, weighted
):
    x = np.random.default_rng(1).normal(size=(3, 4, 2))
    weight = np.array([1.0, 2.0, 3.0, 4.0]) if weighted else None
    labels = np.full((3, 2), 2)
    with np.errstate(all="raise"):  # NaN by construction, not by 0/0
        _compare(
            "cross_entropy",
            [x],
            [labels],
            weight=weight,
            ignore_index=2,
            reduction=reduction,
            label_smoothing=label_smoothing,
        )


def test_nll_loss_with_zero_total_weight_is_nan_like_torch():
    # not ignored but weighted 0: 0/0 in the value and at the picked entries
    x = np.random.default_rng(2).normal(size=(3, 4))
    with np.errstate(invalid="ignore", divide="ignore"):
        _compare(
            "nll_loss", [x], [np.array([0, 1, 1])], weight=np.array([0, 0, 1.0, 1])
        )


@pytest.mark.parametrize(
    "labels", [np.array([2, 1]), np.array([-100, 1]), np.array([0, -100])]
)
@pytest.mark.parametrize("label_smoothing", [0.0, 0.1])
def test_cross_entropy_with_masked_logits_matches_torch(labels, label_smoothing):
    x = np.array([[0.0, -np.inf, 1.0], [-np.inf, 2.0, -np.inf]])
    with np.errstate(all="ignore"):
        _compare("cross_entropy", [x], [labels], label_smoothing=label_smoothing)


@pytest.mark.parametrize(
    ("name", "options"),
    [
        ("l1_loss", {}),
        ("smooth_l1_loss", {"beta": 1.0}),
        ("smooth_l1_loss", {"beta": 0.5}),
        ("smooth_l1_loss", {"beta": 0.0}),
        ("huber_loss", {"delta": 1.0}),
        ("huber_loss", {"delta": 0.5}),
        ("mse_loss", {}),
    ],
)
def test_regression_losses_at_their_kinks_match_torch_to_second_order(name, options):
    # d = 0 and |d| = beta (delta): first and second derivatives as torch's
    x = np.array([-1.0, 0.0, 1.0, 0.5, -0.5, 2.0])
    t = np.zeros(6)
    _compare(name, [x, t], reduction="sum", **options)
    tx = torch.tensor(x, requires_grad=True)
    (g,) = torch.autograd.grad(
        getattr(F, name)(tx, torch.tensor(t), reduction="sum", **options),
        tx,
        create_graph=True,
    )
    (h,) = torch.autograd.grad(g.sum(), tx, allow_unused=True, materialize_grads=True)
    loss = getattr(nm, name)
    ours = nm.grad(
        lambda x: nm.sum(nm.grad(lambda y: loss(y, t, reduction="sum", **options))(x))
    )(x)
    np.testing.assert_array_equal(ours, h.detach().numpy(force=True))


@pytest.mark.parametrize("p", [1, 2])
def test_multi_margin_loss_at_the_kink_matches_torch(p):
    # margin - x[y] + x[j] = 1 - 2 + 1 = 0 for j = 0: no gradient there
    x = np.array([[1.0, 0.0, 2.0, 1.5]])
    _compare("multi_margin_loss", [x], [np.array([2])], p=p)


def test_binary_cross_entropy_at_zero_and_one_matches_torch_exactly():
    x = np.array([0.0, 1.0, 1e-13, 0.5, 1 - 1e-13, 1e-50, 1.0, 0.0, 0.3])
    t = np.array([1.0, 0.0, 1.0, 0.3, 0.0, 0.5, 1.0, 0.0, 0.9])
    with np.errstate(divide="ignore", invalid="ignore"):
        value = nm.binary_cross_entropy(x, t, reduction="none").data
        gx, gt = nm.grad(
            lambda x, t: nm.binary_cross_entropy(x, t, reduction="sum"), (0, 1)
        )(x, t)
    expected, (tx, tt) = _torch_loss(
        "binary_cross_entropy", [x, t], [], {"reduction": "none"}
    )
    ex, et = torch.autograd.grad(expected.sum(), [tx, tt])
    np.testing.assert_array_equal(value, expected.detach().numpy())
    np.testing.assert_array_equal(gx, ex.numpy())  # PyTorch's float32 EPSILON too
    np.testing.assert_allclose(gt, et.numpy(), rtol=1e-15)  # +-inf at 0 and 1


def test_binary_cross_entropy_gradient_in_float32_matches_torch():
    x = np.array([0.0, 1e-7, 0.25, 1.0], dtype=np.float32)
    t = np.array([1.0, 1.0, 0.0, 0.0], dtype=np.float32)
    g = nm.grad(lambda x: nm.binary_cross_entropy(x, t, reduction="sum"))(x)
    tx = torch.tensor(x, requires_grad=True)
    F.binary_cross_entropy(tx, torch.tensor(t), reduction="sum").backward()
    assert g.dtype == np.float32
    np.testing.assert_allclose(g, tx.grad.numpy(), rtol=1e-6)


def test_binary_cross_entropy_with_logits_at_extremes_matches_torch():
    z = np.array([-1000.0, 1000.0, 0.0, 30.0, -30.0])
    t = np.array([1.0, 0.0, 0.5, 1.0, 0.25])
    with np.errstate(over="raise", invalid="raise", divide="raise"):
        _compare(
            "binary_cross_entropy_with_logits",
            [z, t],
            pos_weight=np.array([2.0, 3.0, 0.5, 1.0, 4.0]),
            weight=np.array([1.0, 0.5, 2.0, 1.0, 3.0]),
            reduction="none",
        )


@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
def test_empty_batches_match_torch(reduction):
    empty = np.zeros((0, 4))
    with np.errstate(all="raise"):
        _compare(
            "cross_entropy", [empty], [np.zeros(0, dtype=int)], reduction=reduction
        )
        _compare("cross_entropy", [empty, empty], reduction=reduction)
        _compare("binary_cross_entropy", [empty, empty], reduction=reduction)
        _compare("mse_loss", [empty, empty], reduction=reduction)


def test_float32_cross_entropy_matches_torch_float32():
    rng = np.random.default_rng(3)
    x = rng.normal(size=(6, 5, 3)).astype(np.float32)
    labels = rng.integers(0, 5, size=(6, 3))
    weight = rng.uniform(0.5, 2.0, size=5).astype(np.float32)
    options = {"weight": weight, "label_smoothing": 0.2, "ignore_index": 4}
    value, g = nm.value_and_grad(lambda x: nm.cross_entropy(x, labels, **options))(x)
    expected, (tx,) = _torch_loss("cross_entropy", [x], [labels], options)
    expected.backward()
    assert value.dtype == np.float32 and g.dtype == np.float32
    np.testing.assert_allclose(value, expected.item(), rtol=1e-6)
    np.testing.assert_allclose(g, tx.grad.numpy(), rtol=1e-5, atol=1e-7)
