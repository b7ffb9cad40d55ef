"""The dtype policy: float32 stays float32 end to end (values, gradients),
float64 is the default, ints and bools become float64, float32 with float64
promotes to float64, and gradcheck works in float64."""

import numpy as np
import pytest
from _numeric_specs import SPECS

import numeric as nm

# Registered primitives whose gradient is not yet float32 for float32 inputs
# (each VJP or forward makes a float64 array somewhere). Strict: a primitive
# fixed elsewhere turns its XPASS into a failure here, so this list shrinks.
# Primitives that change the dtype by design (the cast itself).
CASTS = {"astype"}


def test_the_backward_driver_casts_a_cotangent_to_its_inputs_dtype():
    # cross_entropy's VJP builds a float64 one-hot matrix: the gradient of a
    # float32 input still comes back float32, through the astype primitive
    logits = np.random.default_rng(0).normal(size=(4, 3)).astype(np.float32)
    g = nm.grad(lambda z: nm.cross_entropy(z, np.array([0, 2, 1, 1])))(logits)
    assert g.dtype == np.float32
    g64 = nm.grad(lambda z: nm.cross_entropy(z, np.array([0, 2, 1, 1])))(
        logits.astype(float)
    )
    np.testing.assert_allclose(g, g64, rtol=1e-5)


def test_tensor_keeps_float32_and_float64_and_widens_the_rest():
    assert nm.tensor(np.ones(2, np.float32)).dtype == np.float32
    assert nm.tensor(np.ones(2)).dtype == np.float64
    for data in ([1, 2], np.array([True, False]), np.ones(2, np.float16)):
        assert nm.tensor(data).dtype == np.float64


def test_scalars_and_integer_arrays_do_not_widen_float32():
    x = nm.tensor(np.ones(3, np.float32), requires_grad=True)
    assert (x * 2.0).dtype == np.float32
    assert (1 - x).dtype == np.float32
    assert (x * np.arange(3)).dtype == np.float32
    assert (x * np.ones(3)).dtype == np.float64  # float64 data promotes, as in NumPy
    assert (x + nm.tensor(np.ones(3))).dtype == np.float64
    (x * 2.0).sum().backward()
    assert x.grad.dtype == np.float32


@pytest.mark.parametrize(
    "name",
    [n for n in sorted(SPECS) if n not in CASTS],
)
def test_registry_float32_in_float32_out_and_float32_gradients(name):
    fn, arrays = SPECS[name](np.random.default_rng(0), (2, 3))
    arrays = [np.asarray(a, np.float32) for a in arrays]
    assert fn(*arrays).dtype == np.float32
    grads = nm.grad(lambda *xs: nm.sum(fn(*xs)), tuple(range(len(arrays))))(*arrays)
    assert [g.dtype for g in grads] == [np.float32] * len(arrays)


def _conv_pool_layers():
    rng = np.random.default_rng(1)
    w = rng.normal(size=(4, 2, 3, 3)).astype(np.float32)
    wt = rng.normal(size=(4, 2, 2, 2)).astype(np.float32)
    return {
        "conv2d": lambda x: nm.conv2d(x, w, padding="same", dilation=2, groups=2),
        "conv_transpose2d": lambda x: nm.conv_transpose2d(x, wt, stride=2, groups=2),
        "max_pool2d": lambda x: nm.max_pool2d(x, 3, 2, padding=1, ceil_mode=True),
        "avg_pool2d": lambda x: nm.avg_pool2d(x, 3, 2, 1, count_include_pad=False),
        "adaptive_avg_pool2d": lambda x: nm.adaptive_avg_pool2d(x, (3, 2)),
        "convolve": lambda x: nm.convolve(x, w[:1, :1], "same", axes=(2, 3)),
        "correlate": lambda x: nm.correlate(x, w[:1], "valid"),
    }


@pytest.mark.parametrize("name", sorted(_conv_pool_layers()))
def test_conv_and_pool_compute_in_float32_close_to_float64(name):
    layer = _conv_pool_layers()[name]
    x64 = np.random.default_rng(2).normal(size=(2, 4, 7, 6))
    x32 = x64.astype(np.float32)
    y32, y64 = layer(x32), layer(x64)
    assert y32.dtype == np.float32
    np.testing.assert_allclose(y32.data, y64.data, rtol=1e-4, atol=1e-4)
    g32 = nm.grad(lambda x: nm.sum(nm.tanh(layer(x))))(x32)
    g64 = nm.grad(lambda x: nm.sum(nm.tanh(layer(x))))(x64)
    assert g32.dtype == np.float32
    np.testing.assert_allclose(g32, g64, rtol=1e-3, atol=1e-4)


def test_gradcheck_upcasts_float32_inputs_to_float64():
    # a float32 point is checked in float64 (its own rounding would swamp the
    # central differences); the float32 weights promote with it
    rng = np.random.default_rng(3)
    x = rng.normal(size=(1, 2, 5, 5)).astype(np.float32)
    w = rng.normal(size=(3, 2, 3, 3)).astype(np.float32)
    seen = []

    def fn(x):
        seen.append(np.asarray(x).dtype)
        return nm.conv2d(x, w, padding=1)

    assert nm.gradcheck(fn, x)
    assert set(seen) == {np.dtype(np.float64)}
