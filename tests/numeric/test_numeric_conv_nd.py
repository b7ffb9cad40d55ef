"""N-d convolve / correlate against scipy.signal on random shapes, modes and
axes, and their gradients against central finite differences."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import signal

import numeric as nm

seeds = st.integers(0, 2**32 - 1)
MODES = ("full", "valid", "same")


def _case(seed, mode, with_axes):
    """Shapes that fit ``mode``: in "valid" either input may be the larger;
    with axes, the other axes are equal or 1 (broadcast)."""
    rng = np.random.default_rng(seed)
    ndim = int(rng.integers(1, 4))
    xs = [int(v) for v in rng.integers(1, 6, size=ndim)]
    axes = None
    if with_axes:
        axes = sorted(
            {int(a) for a in rng.integers(0, ndim, size=int(rng.integers(1, ndim + 1)))}
        )
    conv = range(ndim) if axes is None else axes
    larger_w = mode == "valid" and bool(rng.integers(2))
    ws = []
    for i in range(ndim):
        if i in conv:
            if mode != "valid":
                ws.append(int(rng.integers(1, 6)))
            elif larger_w:
                ws.append(xs[i] + int(rng.integers(0, 3)))
            else:
                ws.append(int(rng.integers(1, xs[i] + 1)))
        else:
            ws.append(xs[i] if rng.integers(2) or mode == "same" else 1)
            if mode != "same" and rng.integers(3) == 0:
                xs[i] = 1  # x broadcast along a non-convolved axis
    if axes is not None and rng.integers(2):
        axes = [a - ndim for a in axes]  # negative axes, as NumPy takes them
    return rng, rng.normal(size=xs), rng.normal(size=ws), axes


def _scipy(name, x, w, mode, axes):
    if axes is None:
        return getattr(signal, name)(x, w, mode, method="direct")
    # SciPy's N-d correlate has no axes; fftconvolve does, and correlation is
    # convolution with the kernel flipped along the convolved axes
    if name == "correlate":
        w = np.flip(w, axis=tuple(axes))
    return signal.fftconvolve(x, w, mode, axes=axes)


@pytest.mark.parametrize("name", ["convolve", "correlate"])
@pytest.mark.parametrize("mode", MODES)
@settings(max_examples=30, deadline=None, derandomize=True)
@given(seed=seeds, with_axes=st.booleans())
def test_nd_forward_equals_scipy(name, mode, seed, with_axes):
    _, x, w, axes = _case(seed, mode, with_axes)
    expected = _scipy(name, x, w, mode, axes)
    got = getattr(nm, name)(x, w, mode, axes=axes).data
    assert got.shape == expected.shape
    np.testing.assert_allclose(got, expected, atol=1e-10)


@pytest.mark.parametrize("name", ["convolve", "correlate"])
@pytest.mark.parametrize("mode", MODES)
@settings(max_examples=6, deadline=None, derandomize=True)
@given(seed=seeds, with_axes=st.booleans())
def test_nd_gradients_match_finite_differences(name, mode, seed, with_axes):
    _, x, w, axes = _case(seed, mode, with_axes)
    fn = getattr(nm, name)
    assert nm.gradcheck(lambda x, w: fn(x, w, mode, axes=axes), x, w)


@pytest.mark.parametrize("name", ["convolve", "correlate"])
def test_nd_second_order_matches_finite_differences(name):
    rng = np.random.default_rng(5)
    x, w = rng.normal(size=(4, 3)), rng.normal(size=(2, 2))
    fn = getattr(nm, name)

    def loss(x, w):
        return nm.sum(nm.tanh(fn(x, w, "same")))

    assert nm.gradcheck(lambda x, w: nm.grad(loss, 1)(x, w), x, w, atol=1e-4)


def test_nd_flip_identities_hold_in_full_mode():
    # y = convolve(x, w): dx = correlate(g, w, "valid"), dw = correlate(g, x, "valid")
    rng = np.random.default_rng(2)
    x, w = rng.normal(size=(4, 3, 5)), rng.normal(size=(2, 3, 2))
    g = rng.normal(size=(5, 5, 6))
    dx, dw = nm.grad(lambda x, w: nm.sum(nm.convolve(x, w) * g), (0, 1))(x, w)
    np.testing.assert_allclose(dx, signal.correlate(g, w, "valid"), atol=1e-10)
    np.testing.assert_allclose(dw, signal.correlate(g, x, "valid"), atol=1e-10)


def test_nd_correlate_same_centres_like_convolve_unlike_correlate2d():
    x, w = np.arange(6.0).reshape(2, 3), np.array([[1.0, 2.0]])
    got = nm.correlate(x, w, "same").data
    np.testing.assert_array_equal(got, signal.correlate(x, w, "same"))
    assert not np.array_equal(got, signal.correlate2d(x, w, "same"))


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (
            lambda: nm.convolve(np.ones((3, 3)), np.ones(3)),
            r"same number of dimensions",
        ),
        (
            lambda: nm.convolve(np.ones((2, 5)), np.ones((3, 3)), "valid"),
            r"one input must be at least as large",
        ),
        (
            lambda: nm.convolve(np.ones((3, 5)), np.ones((2, 7)), axes=1),
            r"axis 0 is not convolved",
        ),
        (
            lambda: nm.convolve(np.ones((1, 5)), np.ones((3, 2)), "same", axes=1),
            r"may not broadcast it along axis 0",
        ),
        (
            lambda: nm.correlate(np.ones(3), np.ones(2), "circular"),
            r"mode must be 'full', 'valid' or 'same'",
        ),
        (lambda: nm.correlate(np.ones(3), np.ones(2), axes=1), r"axes 1 out of range"),
        (lambda: nm.correlate(np.ones(3), np.ones(0)), r"must not be empty"),
    ],
)
def test_nd_bad_arguments_name_the_culprit(call, message):
    with pytest.raises(ValueError, match=message):
        call()
