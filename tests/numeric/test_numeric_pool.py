"""max_pool2d, avg_pool2d, max_unpool2d and adaptive_avg_pool2d with all of
PyTorch's options, against loop references built from PyTorch's definitions,
central finite differences and (when installed) PyTorch itself."""

import numpy as np
import pytest
from _conv_reference import adaptive_avg_pool2d_ref, avg_pool2d_ref, max_pool2d_ref
from hypothesis import given, settings
from hypothesis import strategies as st

import numeric as nm

seeds = st.integers(0, 2**32 - 1)


def _distinct(rng, shape):
    """Values at least 0.1 apart: no ties, so finite differences are fair."""
    n = int(np.prod(shape))
    return (rng.permutation(n) * 0.1).reshape(shape) - n * 0.05


def _max_case(seed, ties=False):
    rng = np.random.default_rng(seed)
    k = tuple(int(v) for v in rng.integers(1, 4, size=2))
    s = (
        None
        if rng.integers(3) == 0
        else tuple(int(v) for v in rng.integers(1, 4, size=2))
    )
    p = tuple(int(rng.integers(0, kk // 2 + 1)) for kk in k)
    d = tuple(int(v) for v in rng.integers(1, 3, size=2))
    ceil_mode = bool(rng.integers(2))
    sizes = tuple(int(dd * (kk - 1) + 1 + rng.integers(0, 4)) for kk, dd in zip(k, d))
    shape = (2, 2, *sizes)
    x = rng.integers(-2, 3, size=shape).astype(float) if ties else _distinct(rng, shape)
    options = {
        "kernel_size": k,
        "stride": s,
        "padding": p,
        "dilation": d,
        "ceil_mode": ceil_mode,
    }
    return rng, x, options


def _max_ref(x, o):
    s = o["kernel_size"] if o["stride"] is None else o["stride"]
    return max_pool2d_ref(
        x, o["kernel_size"], s, o["padding"], o["dilation"], o["ceil_mode"]
    )


@settings(max_examples=40, deadline=None, derandomize=True)
@given(seed=seeds)
def test_max_pool2d_options_forward_and_indices_equal_loops(seed):
    # integer data: many ties, which must go to the first in row-major order
    _, x, o = _max_case(seed, ties=True)
    out, idx = nm.max_pool2d(x, return_indices=True, **o)
    values, expected = _max_ref(x, o)
    np.testing.assert_array_equal(out.data, values)
    np.testing.assert_array_equal(idx, expected)


@settings(max_examples=25, deadline=None, derandomize=True)
@given(seed=seeds)
def test_max_pool2d_tie_gradient_goes_to_the_first_maximum(seed):
    rng, x, o = _max_case(seed, ties=True)
    _, idx = _max_ref(x, o)
    g = rng.normal(size=idx.shape)
    expected = np.zeros(x.shape)
    for index in np.ndindex(idx.shape):
        n, c = index[:2]
        expected[n, c].flat[idx[index]] += g[index]
    got = nm.grad(lambda x: nm.sum(nm.max_pool2d(x, **o) * g))(x)
    np.testing.assert_allclose(got, expected, atol=1e-12)


@settings(max_examples=15, deadline=None, derandomize=True)
@given(seed=seeds)
def test_max_pool2d_options_gradient_matches_finite_differences(seed):
    _, x, o = _max_case(seed)
    assert nm.gradcheck(lambda x: nm.max_pool2d(x, **o), x)


@settings(max_examples=8, deadline=None, derandomize=True)
@given(seed=seeds)
def test_max_pool2d_second_order_matches_finite_differences(seed):
    rng, x, o = _max_case(seed)
    r = rng.normal(size=nm.max_pool2d(x, **o).shape)

    def loss(x):
        return nm.sum(nm.max_pool2d(x, **o) ** 2 * r)

    assert nm.gradcheck(nm.grad(loss), x, atol=1e-4)


def test_max_pool2d_padding_is_never_selected():
    # every input is below 0, and the zero a zero-padding would bring must not win
    x = -np.arange(1.0, 10.0).reshape(1, 1, 3, 3)
    out, idx = nm.max_pool2d(x, 3, stride=1, padding=1, return_indices=True)
    assert out.data.max() < 0
    np.testing.assert_array_equal(idx[0, 0], [[0, 0, 1], [0, 0, 1], [3, 3, 4]])


def test_max_pool2d_ceil_mode_drops_a_window_starting_in_the_padding():
    # H = 4, k = 2, s = 2, p = 1: ceil gives 3 windows, starting at -1, 1, 3;
    # no window starts in the right padding, so all 3 stay. With H = 3 the
    # ceil'd count would be 3 with the last starting at 3 = H (in the padding):
    # dropped, leaving 2.
    assert nm.max_pool2d(np.ones((1, 4, 4)), 2, 2, 1, ceil_mode=True).shape == (1, 3, 3)
    assert nm.max_pool2d(np.ones((1, 3, 3)), 2, 2, 1, ceil_mode=True).shape == (1, 2, 2)


def test_max_pool2d_keeps_the_older_size_keyword():
    x = np.arange(16.0).reshape(1, 1, 4, 4)
    np.testing.assert_array_equal(
        nm.max_pool2d(x, size=2).data, nm.max_pool2d(x, kernel_size=2).data
    )
    np.testing.assert_array_equal(
        nm.avg_pool2d(x, size=2, stride=1).data, nm.avg_pool2d(x, 2, 1).data
    )


@settings(max_examples=40, deadline=None, derandomize=True)
@given(seed=seeds)
def test_avg_pool2d_options_forward_equals_loops(seed):
    _rng, x, o = _avg_case(seed)
    s = o["kernel_size"] if o["stride"] is None else o["stride"]
    expected = avg_pool2d_ref(
        x,
        o["kernel_size"],
        s,
        o["padding"],
        o["ceil_mode"],
        o["count_include_pad"],
        o["divisor_override"],
    )
    np.testing.assert_allclose(nm.avg_pool2d(x, **o).data, expected, atol=1e-12)


def _avg_case(seed):
    rng = np.random.default_rng(seed)
    k = tuple(int(v) for v in rng.integers(1, 4, size=2))
    s = (
        None
        if rng.integers(3) == 0
        else tuple(int(v) for v in rng.integers(1, 4, size=2))
    )
    p = tuple(int(rng.integers(0, kk // 2 + 1)) for kk in k)
    sizes = tuple(int(kk + rng.integers(0, 4)) for kk in k)
    options = {
        "kernel_size": k,
        "stride": s,
        "padding": p,
        "ceil_mode": bool(rng.integers(2)),
        "count_include_pad": bool(rng.integers(2)),
        "divisor_override": None if rng.integers(2) else int(rng.integers(1, 6)),
    }
    return rng, rng.normal(size=(2, 2, *sizes)), options


@settings(max_examples=15, deadline=None, derandomize=True)
@given(seed=seeds)
def test_avg_pool2d_options_gradient_matches_finite_differences(seed):
    _, x, o = _avg_case(seed)
    assert nm.gradcheck(lambda x: nm.avg_pool2d(x, **o), x)


@settings(max_examples=8, deadline=None, derandomize=True)
@given(seed=seeds)
def test_avg_pool2d_second_order_matches_finite_differences(seed):
    rng, x, o = _avg_case(seed)
    r = rng.normal(size=nm.avg_pool2d(x, **o).shape)
    assert nm.gradcheck(
        nm.grad(lambda x: nm.sum(nm.avg_pool2d(x, **o) ** 2 * r)), x, atol=1e-4
    )


def test_pooling_unbatched_input_gives_unbatched_output():
    x = np.random.default_rng(0).normal(size=(3, 5, 6))
    out, idx = nm.max_pool2d(x, 2, return_indices=True)
    assert out.shape == idx.shape == (3, 2, 3)
    np.testing.assert_array_equal(out.data, nm.max_pool2d(x[None], 2).data[0])
    assert nm.avg_pool2d(x, 2, padding=1).shape == (3, 3, 4)
    assert nm.adaptive_avg_pool2d(x, 2).shape == (3, 2, 2)
    assert nm.max_unpool2d(out, idx, 2).shape == (3, 4, 6)


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (
            lambda: nm.max_pool2d(np.ones((1, 1, 4, 4)), 2, padding=2),
            r"padding \(2, 2\) must be at most half of kernel_size",
        ),
        (
            lambda: nm.max_pool2d(np.ones((1, 1, 2, 2)), 3),
            r"window .* is larger than the padded input",
        ),
        (
            lambda: nm.max_pool2d(np.ones((1, 1, 1, 3)), (2, 1), 1, (1, 0), (2, 1)),
            r"every tap in the padding",
        ),
        (lambda: nm.max_pool2d(np.ones((1, 1, 4, 4))), r"kernel_size is required"),
        (lambda: nm.max_pool2d(np.ones((1, 1, 4, 4)), 2, size=2), r"not both"),
        (
            lambda: nm.avg_pool2d(np.ones((1, 1, 4, 4)), 2, divisor_override=0),
            r"divisor_override must not be zero",
        ),
        (
            lambda: nm.max_unpool2d(np.ones((1, 1, 2, 2)), np.zeros((1, 1, 2, 1)), 2),
            r"indices must have the shape of the input",
        ),
        (
            lambda: nm.max_unpool2d(
                np.ones((1, 1, 2, 2)), np.full((1, 1, 2, 2), 16), 2
            ),
            r"index 16 is outside an output plane of 4 x 4",
        ),
        (
            lambda: nm.adaptive_avg_pool2d(np.ones((1, 1, 4, 4)), (0, 2)),
            r"output_size entries must be positive",
        ),
    ],
)
def test_pool_bad_arguments_name_the_culprit(call, message):
    with pytest.raises(ValueError, match=message):
        call()


# ----- unpooling and adaptive pooling -----


@settings(max_examples=25, deadline=None, derandomize=True)
@given(seed=seeds)
def test_max_unpool2d_puts_each_maximum_back_where_it_was(seed):
    rng = np.random.default_rng(seed)
    k = tuple(int(v) for v in rng.integers(1, 4, size=2))
    x = _distinct(
        rng, (2, 2, k[0] * int(rng.integers(1, 4)), k[1] * int(rng.integers(1, 4)))
    )
    out, idx = nm.max_pool2d(x, k, return_indices=True)
    back = nm.max_unpool2d(out, idx, k).data
    # non-overlapping windows: each window keeps its maximum, zeros elsewhere
    expected = np.where(x == np.repeat(np.repeat(out.data, k[0], 2), k[1], 3), x, 0.0)
    np.testing.assert_array_equal(back, expected)
    assert nm.gradcheck(lambda v: nm.max_unpool2d(v, idx, k), out.data)


def test_max_unpool2d_output_size_recovers_a_floored_size():
    x = np.arange(25.0).reshape(1, 5, 5)
    out, idx = nm.max_pool2d(x, 2, return_indices=True)
    # the default size (4, 4) cannot hold indices into a 5-wide plane
    with pytest.raises(
        nm.ShapeError, match="index 16 is outside an output plane of 4 x 4"
    ):
        nm.max_unpool2d(out, idx, 2)
    restored = nm.max_unpool2d(out, idx, 2, output_size=(5, 5)).data
    assert (
        restored.shape == (1, 5, 5)
        and restored[0, 1, 1] == 6
        and restored[0, 3, 3] == 18
    )


@settings(max_examples=30, deadline=None, derandomize=True)
@given(seed=seeds)
def test_adaptive_avg_pool2d_equals_loops_and_finite_differences(seed):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(2, 2, *(int(v) for v in rng.integers(1, 8, size=2))))
    out = tuple(int(v) for v in rng.integers(1, 6, size=2))
    np.testing.assert_allclose(
        nm.adaptive_avg_pool2d(x, out).data, adaptive_avg_pool2d_ref(x, out), atol=1e-12
    )
    assert nm.gradcheck(lambda x: nm.adaptive_avg_pool2d(x, out), x)


def test_adaptive_avg_pool2d_windows_overlap_when_sizes_do_not_divide():
    # H = 5 onto 3 rows: [0, 2), [1, 4), [3, 5)
    x = np.arange(5.0).reshape(1, 1, 5, 1)
    np.testing.assert_allclose(
        nm.adaptive_avg_pool2d(x, (3, None)).data.ravel(), [0.5, 2.0, 3.5]
    )


# ----- PyTorch, when installed -----


@settings(max_examples=40, deadline=None, derandomize=True)
@given(seed=seeds, ties=st.booleans())
def test_max_pool2d_matches_torch(seed, ties):
    torch = pytest.importorskip("torch")
    rng, x, o = _max_case(seed, ties)
    if o["stride"] is None:
        o = dict(o, stride=o["kernel_size"])
    tx = torch.tensor(x, requires_grad=True)
    ref, ref_idx = torch.nn.functional.max_pool2d(tx, return_indices=True, **o)
    g = rng.normal(size=tuple(ref.shape))
    ref.backward(torch.tensor(g))
    out, idx = nm.max_pool2d(x, return_indices=True, **o)
    np.testing.assert_array_equal(out.data, ref.detach().numpy())
    np.testing.assert_array_equal(idx, ref_idx.numpy())
    got = nm.grad(lambda x: nm.sum(nm.max_pool2d(x, **o) * g))(x)
    np.testing.assert_allclose(got, tx.grad.numpy(), atol=1e-12)


@settings(max_examples=40, deadline=None, derandomize=True)
@given(seed=seeds)
def test_avg_pool2d_matches_torch(seed):
    torch = pytest.importorskip("torch")
    rng, x, o = _avg_case(seed)
    tx = torch.tensor(x, requires_grad=True)
    ref = torch.nn.functional.avg_pool2d(tx, **o)
    g = rng.normal(size=tuple(ref.shape))
    ref.backward(torch.tensor(g))
    np.testing.assert_allclose(
        nm.avg_pool2d(x, **o).data, ref.detach().numpy(), atol=1e-12
    )
    got = nm.grad(lambda x: nm.sum(nm.avg_pool2d(x, **o) * g))(x)
    np.testing.assert_allclose(got, tx.grad.numpy(), atol=1e-12)


@settings(max_examples=20, deadline=None, derandomize=True)
@given(seed=seeds)
def test_unpool_and_adaptive_match_torch(seed):
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(2, 2, *(int(v) for v in rng.integers(2, 8, size=2))))
    k, s = (2, int(rng.integers(1, 3))), int(rng.integers(1, 3))
    y, idx = torch.nn.functional.max_pool2d(torch.tensor(x), k, s, return_indices=True)
    ty = y.clone().requires_grad_()
    ref = torch.nn.functional.max_unpool2d(ty, idx, k, s, output_size=x.shape[2:])
    g = rng.normal(size=tuple(ref.shape))
    ref.backward(torch.tensor(g))
    got = nm.max_unpool2d(y.numpy(), idx.numpy(), k, s, output_size=x.shape[2:])
    np.testing.assert_array_equal(got.data, ref.detach().numpy())
    dy = nm.grad(
        lambda v: nm.sum(nm.max_unpool2d(v, idx.numpy(), k, s, output_size=x.shape) * g)
    )(y.numpy())
    np.testing.assert_allclose(dy, ty.grad.numpy())
    out = tuple(int(v) for v in rng.integers(1, 6, size=2))
    ref = torch.nn.functional.adaptive_avg_pool2d(torch.tensor(x), out)
    np.testing.assert_allclose(
        nm.adaptive_avg_pool2d(x, out).data, ref.numpy(), atol=1e-12
    )
