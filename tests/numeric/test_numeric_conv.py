"""Convolution and pooling against SciPy and explicit loops."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import signal

import numeric as nm

seeds = st.integers(0, 2**32 - 1)
MODES = ("valid", "full", "same")


def _sizes(rng, mode):
    xs = tuple(int(n) for n in rng.integers(1, 7, size=2))
    if mode == "valid":
        ws = tuple(int(rng.integers(1, n + 1)) for n in xs)
        return (ws, xs) if rng.integers(2) else (xs, ws)
    return xs, tuple(int(n) for n in rng.integers(1, 7, size=2))


def _input_and_smaller_kernel(rng):
    xs = tuple(int(n) for n in rng.integers(1, 7, size=2))
    return xs, tuple(int(rng.integers(1, n + 1)) for n in xs)


def _vjp(fn, x, w, g):
    """(dL/dx, dL/dw) for L = <fn(x, w), g>, from the engine."""
    return nm.grad(lambda x, w: nm.sum(fn(x, w) * g), (0, 1))(x, w)


# ----- forward against scipy.signal -----


@pytest.mark.parametrize("mode", MODES)
@settings(max_examples=40, deadline=None)
@given(seed=seeds)
def test_correlate2d_forward_equals_scipy(mode, seed):
    rng = np.random.default_rng(seed)
    xs, ws = _sizes(rng, mode)
    x, w = rng.normal(size=xs), rng.normal(size=ws)
    expected = signal.correlate2d(x, w, mode)
    np.testing.assert_allclose(nm.correlate2d(x, w, mode).data, expected, atol=1e-12)


@pytest.mark.parametrize("mode", MODES)
@settings(max_examples=40, deadline=None)
@given(seed=seeds)
def test_convolve2d_forward_equals_scipy(mode, seed):
    rng = np.random.default_rng(seed)
    xs, ws = _sizes(rng, mode)
    x, w = rng.normal(size=xs), rng.normal(size=ws)
    expected = signal.convolve2d(x, w, mode)
    np.testing.assert_allclose(nm.convolve2d(x, w, mode).data, expected, atol=1e-12)


def test_correlate2d_same_even_kernel_centring_equals_scipy():
    # the subtle case: "same" with an even kernel centres differently for
    # correlation and convolution
    x = np.arange(20.0).reshape(4, 5)
    w = np.array([[1.0, 2.0], [3.0, 5.0]])
    np.testing.assert_allclose(
        nm.correlate2d(x, w, "same").data, signal.correlate2d(x, w, "same")
    )
    np.testing.assert_allclose(
        nm.convolve2d(x, w, "same").data, signal.convolve2d(x, w, "same")
    )


def test_correlate2d_valid_larger_second_argument_equals_scipy():
    rng = np.random.default_rng(0)
    x, w = rng.normal(size=(2, 3)), rng.normal(size=(4, 5))
    np.testing.assert_allclose(
        nm.correlate2d(x, w, "valid").data, signal.correlate2d(x, w, "valid")
    )


def test_correlate2d_valid_mixed_sizes_raise_shape_error():
    with pytest.raises(nm.ShapeError, match=r"correlate2d.*\(2, 5\).*\(3, 3\)"):
        nm.correlate2d(np.ones((2, 5)), np.ones((3, 3)), "valid")


def test_correlate2d_unknown_mode_names_the_argument():
    with pytest.raises(ValueError, match=r"mode.*'vaild'"):
        nm.correlate2d(np.ones((3, 3)), np.ones((2, 2)), "vaild")


# ----- the flip-180 identities -----


@settings(max_examples=30, deadline=None)
@given(seed=seeds)
def test_correlate2d_weight_gradient_is_correlation_of_input_with_upstream(seed):
    rng = np.random.default_rng(seed)
    xs, ws = _input_and_smaller_kernel(rng)
    x, w = rng.normal(size=xs), rng.normal(size=ws)
    g = rng.normal(size=signal.correlate2d(x, w, "valid").shape)
    _, dw = _vjp(nm.correlate2d, x, w, g)
    np.testing.assert_allclose(dw, signal.correlate2d(x, g, "valid"), atol=1e-10)


@settings(max_examples=30, deadline=None)
@given(seed=seeds)
def test_correlate2d_input_gradient_is_full_convolution_of_upstream(seed):
    rng = np.random.default_rng(seed)
    xs, ws = _input_and_smaller_kernel(rng)
    x, w = rng.normal(size=xs), rng.normal(size=ws)
    g = rng.normal(size=signal.correlate2d(x, w, "valid").shape)
    dx, _ = _vjp(nm.correlate2d, x, w, g)
    np.testing.assert_allclose(dx, signal.convolve2d(g, w, "full"), atol=1e-10)


@settings(max_examples=30, deadline=None)
@given(seed=seeds)
def test_convolve2d_input_gradient_is_full_correlation_of_upstream(seed):
    rng = np.random.default_rng(seed)
    xs, ws = _input_and_smaller_kernel(rng)
    x, w = rng.normal(size=xs), rng.normal(size=ws)
    g = rng.normal(size=signal.convolve2d(x, w, "valid").shape)
    dx, _ = _vjp(nm.convolve2d, x, w, g)
    np.testing.assert_allclose(dx, signal.correlate2d(g, w, "full"), atol=1e-10)


@settings(max_examples=30, deadline=None)
@given(seed=seeds)
def test_convolve2d_weight_gradient_is_rotated_correlation(seed):
    rng = np.random.default_rng(seed)
    xs, ws = _input_and_smaller_kernel(rng)
    x, w = rng.normal(size=xs), rng.normal(size=ws)
    g = rng.normal(size=signal.convolve2d(x, w, "valid").shape)
    _, dw = _vjp(nm.convolve2d, x, w, g)
    expected = np.rot90(signal.correlate2d(x, g, "valid"), 2)
    np.testing.assert_allclose(dw, expected, atol=1e-10)


@pytest.mark.parametrize("mode", MODES)
@settings(max_examples=15, deadline=None)
@given(seed=seeds)
def test_convolve2d_gradients_match_finite_differences(mode, seed):
    rng = np.random.default_rng(seed)
    xs, ws = _sizes(rng, mode)
    x, w = rng.normal(size=xs), rng.normal(size=ws)
    assert nm.gradcheck(lambda x, w: nm.convolve2d(x, w, mode), x, w)


# ----- conv2d against explicit loops -----


def _conv2d_loops(x, w, b, stride, padding):
    n, c, h, v = x.shape
    o, _, kh, kw = w.shape
    (sh, sw), (ph, pw) = stride, padding
    xp = np.zeros((n, c, h + 2 * ph, v + 2 * pw))
    xp[:, :, ph : ph + h, pw : pw + v] = x
    ho, wo = (h + 2 * ph - kh) // sh + 1, (v + 2 * pw - kw) // sw + 1
    y = np.zeros((n, o, ho, wo))
    for i in range(n):
        for f in range(o):
            for r in range(ho):
                for s in range(wo):
                    patch = xp[i, :, r * sh : r * sh + kh, s * sw : s * sw + kw]
                    y[i, f, r, s] = np.sum(patch * w[f]) + b[f]
    return y


def _conv2d_grads_loops(x, w, g, stride, padding):
    n, c, h, v = x.shape
    o, _, kh, kw = w.shape
    (sh, sw), (ph, pw) = stride, padding
    xp = np.zeros((n, c, h + 2 * ph, v + 2 * pw))
    xp[:, :, ph : ph + h, pw : pw + v] = x
    dxp, dw = np.zeros_like(xp), np.zeros_like(w)
    for i in range(n):
        for f in range(o):
            for r in range(g.shape[2]):
                for s in range(g.shape[3]):
                    rows = slice(r * sh, r * sh + kh)
                    cols = slice(s * sw, s * sw + kw)
                    dw[f] += g[i, f, r, s] * xp[i, :, rows, cols]
                    dxp[i, :, rows, cols] += g[i, f, r, s] * w[f]
    return dxp[:, :, ph : ph + h, pw : pw + v], dw, g.sum(axis=(0, 2, 3))


def _conv_case(seed):
    rng = np.random.default_rng(seed)
    n, c, o = (int(v) for v in rng.integers(1, 4, size=3))
    kh, kw = (int(v) for v in rng.integers(1, 4, size=2))
    stride = tuple(int(v) for v in rng.integers(1, 3, size=2))
    padding = tuple(int(v) for v in rng.integers(0, 3, size=2))
    h, v = kh + int(rng.integers(0, 5)), kw + int(rng.integers(0, 5))
    x, w, b = (
        rng.normal(size=(n, c, h, v)),
        rng.normal(size=(o, c, kh, kw)),
        rng.normal(size=o),
    )
    return rng, x, w, b, stride, padding


@settings(max_examples=25, deadline=None)
@given(seed=seeds)
def test_conv2d_forward_equals_loops(seed):
    _, x, w, b, stride, padding = _conv_case(seed)
    got = nm.conv2d(x, w, b, stride=stride, padding=padding).data
    np.testing.assert_allclose(got, _conv2d_loops(x, w, b, stride, padding), atol=1e-12)


@settings(max_examples=25, deadline=None)
@given(seed=seeds)
def test_conv2d_gradients_equal_loops(seed):
    rng, x, w, b, stride, padding = _conv_case(seed)
    g = rng.normal(size=_conv2d_loops(x, w, b, stride, padding).shape)
    got = nm.grad(
        lambda x, w, b: nm.sum(nm.conv2d(x, w, b, stride=stride, padding=padding) * g),
        (0, 1, 2),
    )(x, w, b)
    for a, e in zip(got, _conv2d_grads_loops(x, w, g, stride, padding)):
        np.testing.assert_allclose(a, e, atol=1e-10)


@settings(max_examples=10, deadline=None)
@given(seed=seeds)
def test_conv2d_gradients_match_finite_differences(seed):
    _, x, w, b, stride, padding = _conv_case(seed)

    def conv(x, w, b):
        return nm.conv2d(x, w, b, stride=stride, padding=padding)

    assert nm.gradcheck(conv, x, w, b)


def test_conv2d_matches_torch():
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(5)
    x, w, b = (
        rng.normal(size=(2, 3, 8, 7)),
        rng.normal(size=(4, 3, 3, 2)),
        rng.normal(size=4),
    )
    ref = torch.nn.functional.conv2d(
        torch.tensor(x), torch.tensor(w), torch.tensor(b), stride=(2, 1), padding=(1, 2)
    )
    got = nm.conv2d(x, w, b, stride=(2, 1), padding=(1, 2)).data
    np.testing.assert_allclose(got, ref.numpy(), atol=1e-12)


def test_conv2d_channel_mismatch_raises_shape_error():
    with pytest.raises(nm.ShapeError, match=r"conv2d.*3 channels.*expects 2"):
        nm.conv2d(np.ones((1, 3, 4, 4)), np.ones((2, 2, 3, 3)))


def test_conv2d_bad_stride_names_the_argument():
    with pytest.raises(ValueError, match="stride"):
        nm.conv2d(np.ones((1, 1, 4, 4)), np.ones((1, 1, 3, 3)), stride=0)


# ----- pooling against loops -----


def _pool_loops(x, size, stride, reduce):
    n, c, h, v = x.shape
    ho, wo = (h - size[0]) // stride[0] + 1, (v - size[1]) // stride[1] + 1
    y = np.zeros((n, c, ho, wo))
    for r in range(ho):
        for s in range(wo):
            win = x[
                :,
                :,
                r * stride[0] : r * stride[0] + size[0],
                s * stride[1] : s * stride[1] + size[1],
            ]
            y[:, :, r, s] = reduce(win, axis=(2, 3))
    return y


def _pool_case(seed):
    rng = np.random.default_rng(seed)
    size = tuple(int(v) for v in rng.integers(1, 4, size=2))
    stride = tuple(int(v) for v in rng.integers(1, 4, size=2))
    shape = (2, 2, size[0] + int(rng.integers(0, 5)), size[1] + int(rng.integers(0, 5)))
    return rng, rng.normal(size=shape), size, stride


@settings(max_examples=25, deadline=None)
@given(seed=seeds)
def test_max_pool2d_forward_equals_loops(seed):
    _, x, size, stride = _pool_case(seed)
    got = nm.max_pool2d(x, size, stride).data
    np.testing.assert_allclose(got, _pool_loops(x, size, stride, np.max))


@settings(max_examples=25, deadline=None)
@given(seed=seeds)
def test_avg_pool2d_forward_equals_loops(seed):
    _, x, size, stride = _pool_case(seed)
    got = nm.avg_pool2d(x, size, stride).data
    np.testing.assert_allclose(got, _pool_loops(x, size, stride, np.mean), atol=1e-12)


@settings(max_examples=15, deadline=None)
@given(seed=seeds)
def test_max_pool2d_gradient_matches_finite_differences(seed):
    _, x, size, stride = _pool_case(seed)
    assert nm.gradcheck(lambda x: nm.max_pool2d(x, size, stride), x)


@settings(max_examples=15, deadline=None)
@given(seed=seeds)
def test_avg_pool2d_gradient_matches_finite_differences(seed):
    _, x, size, stride = _pool_case(seed)
    assert nm.gradcheck(lambda x: nm.avg_pool2d(x, size, stride), x)


def test_max_pool2d_stride_defaults_to_size():
    x = np.arange(36.0).reshape(1, 1, 6, 6)
    assert nm.max_pool2d(x, 3).shape == (1, 1, 2, 2)


def test_max_pool2d_window_too_large_raises_shape_error():
    with pytest.raises(nm.ShapeError, match="max_pool2d"):
        nm.max_pool2d(np.ones((1, 1, 2, 2)), 3)


# ----- seed exercises, expected values computed by hand -----


def test_exercise_3x3_input_2x2_filter_outputs():
    x = np.array([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0], [7.0, 8.0, 9.0]])
    w = np.array([[1.0, 0.0], [-1.0, 2.0]])
    # h_ij = sum_ab x[i+a, j+b] w[a, b]
    h11 = 1 * 1 + 2 * 0 + 4 * -1 + 5 * 2  # 7
    h12 = 2 * 1 + 3 * 0 + 5 * -1 + 6 * 2  # 9
    h21 = 4 * 1 + 5 * 0 + 7 * -1 + 8 * 2  # 13
    h22 = 5 * 1 + 6 * 0 + 8 * -1 + 9 * 2  # 15
    np.testing.assert_array_equal(nm.correlate2d(x, w).data, [[h11, h12], [h21, h22]])


def test_exercise_3x3_input_2x2_filter_gradients():
    x = np.array([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0], [7.0, 8.0, 9.0]])
    w = np.array([[1.0, 0.0], [-1.0, 2.0]])
    dx, dw = nm.grad(lambda x, w: nm.sum(nm.correlate2d(x, w)), (0, 1))(x, w)
    # with all upstream 1: dw[a, b] = sum of the 2x2 block of x at offset (a, b)
    np.testing.assert_array_equal(
        dw, [[1 + 2 + 4 + 5, 2 + 3 + 5 + 6], [4 + 5 + 7 + 8, 5 + 6 + 8 + 9]]
    )
    # dx[i, j] = sum of w over the windows that cover (i, j)
    np.testing.assert_array_equal(dx, [[1, 1, 0], [0, 2, 2], [-1, 1, 2]])


def test_exercise_6x6x3_input_3x3x3_filter_gives_4x4_map():
    rng = np.random.default_rng(7)
    x = rng.integers(-3, 4, size=(6, 6, 3)).astype(float)  # H, W, C
    w = rng.integers(-2, 3, size=(3, 3, 3)).astype(float)
    expected = np.zeros((4, 4))
    for i in range(4):
        for j in range(4):
            for a in range(3):
                for b in range(3):
                    for c in range(3):
                        expected[i, j] += x[i + a, j + b, c] * w[a, b, c]
    got = nm.conv2d(x.transpose(2, 0, 1)[None], w.transpose(2, 0, 1)[None]).data
    assert got.shape == (1, 1, 4, 4)
    np.testing.assert_array_equal(got[0, 0], expected)


def test_exercise_3x3_rgb_image_2x2x3_filter():
    r = np.array([[1.0, 0.0, 2.0], [3.0, 1.0, 0.0], [0.0, 2.0, 1.0]])
    g = np.array([[0.0, 1.0, 1.0], [1.0, 0.0, 2.0], [2.0, 1.0, 0.0]])
    b = np.array([[2.0, 2.0, 0.0], [0.0, 1.0, 1.0], [1.0, 0.0, 3.0]])
    wr = np.array([[1.0, -1.0], [0.0, 1.0]])
    wg = np.array([[0.0, 1.0], [1.0, 0.0]])
    wb = np.array([[1.0, 0.0], [0.0, -1.0]])
    # top-left output: red 1-0+0+1 = 2, green 0+1+1+0 = 2, blue 2+0+0-1 = 1
    top_left = (1 - 0 + 0 + 1) + (0 + 1 + 1 + 0) + (2 + 0 + 0 - 1)
    expected = (
        signal.correlate2d(r, wr, "valid")
        + signal.correlate2d(g, wg, "valid")
        + signal.correlate2d(b, wb, "valid")
    )
    x = np.stack([r, g, b])[None]
    w = np.stack([wr, wg, wb])[None]
    got = nm.conv2d(x, w).data[0, 0]
    assert got[0, 0] == top_left == 5
    np.testing.assert_array_equal(got, expected)


def test_exercise_max_and_mean_pooling_4x4():
    m = np.array(
        [
            [1.0, 1.0, 2.0, 4.0],
            [5.0, 6.0, 7.0, 8.0],
            [3.0, 2.0, 1.0, 0.0],
            [1.0, 2.0, 3.0, 4.0],
        ]
    )
    x = m[None, None]
    np.testing.assert_array_equal(nm.max_pool2d(x, 2, 2).data[0, 0], [[6, 8], [3, 4]])
    np.testing.assert_array_equal(
        nm.avg_pool2d(x, 2, 2).data[0, 0], [[13 / 4, 21 / 4], [8 / 4, 8 / 4]]
    )


def test_exercise_max_pooling_gradient_routes_to_the_maximum():
    m = np.array(
        [
            [1.0, 1.0, 2.0, 4.0],
            [5.0, 6.0, 7.0, 8.0],
            [3.0, 2.0, 1.0, 0.0],
            [1.0, 2.0, 3.0, 4.0],
        ]
    )
    dx = nm.grad(lambda x: nm.sum(nm.max_pool2d(x, 2, 2)))(m[None, None])[0, 0]
    expected = np.zeros((4, 4))
    expected[1, 1] = expected[1, 3] = expected[2, 0] = expected[3, 3] = 1.0
    np.testing.assert_array_equal(dx, expected)
