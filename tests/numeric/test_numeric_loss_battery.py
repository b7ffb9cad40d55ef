"""The registry's battery, run over every PyTorch-style loss with random options.

Each case of ``_loss_cases.CASES`` draws a shape and options (reduction,
weights, ignore_index, label smoothing, p, margin, beta, delta, pos_weight,
extra dimensions) and a point away from kinks; the loss must then agree with
central finite differences (first order, forward mode, and second order
through its own VJPs), its JVP must be the transpose of its VJP, and float32
must stay float32.
"""

import numpy as np
import pytest
from _loss_cases import CASES
from hypothesis import given, settings
from hypothesis import strategies as st

import numeric as nm

NAMES = sorted(CASES)
seeds = st.integers(0, 2**32 - 1)
FAST = settings(max_examples=15, deadline=None, derandomize=True)
SLOW = settings(max_examples=6, deadline=None, derandomize=True)


def _fd_jvp(fn, arrays, tangents, eps=1e-6):
    plus = fn(*[a + eps * t for a, t in zip(arrays, tangents)]).data
    minus = fn(*[a - eps * t for a, t in zip(arrays, tangents)]).data
    return (plus - minus) / (2 * eps)


def test_loss_cases_cover_every_exported_loss():
    losses = {n for n in nm.__all__ if n.endswith("_loss") or "cross_entropy" in n}
    rng = np.random.default_rng(0)
    covered = {CASES[name](rng, np.float64).name for name in CASES}
    assert losses == covered


@pytest.mark.parametrize("name", NAMES)
@FAST
@given(seed=seeds)
def test_loss_gradient_matches_finite_differences(name, seed):
    case = CASES[name](np.random.default_rng(seed), np.float64)
    assert nm.gradcheck(case.fn, *case.arrays), case.options


@pytest.mark.parametrize("name", NAMES)
@FAST
@given(seed=seeds)
def test_loss_jvp_matches_finite_differences_and_transposes_the_vjp(name, seed):
    rng = np.random.default_rng(seed)
    case = CASES[name](rng, np.float64)
    fn, arrays, options = case.fn, case.arrays, case.options
    tangents = [rng.normal(size=a.shape) for a in arrays]
    out, tangent = nm.jvp(fn, arrays, tangents)
    np.testing.assert_allclose(out, fn(*arrays).data, rtol=1e-12, atol=1e-12)
    expected = _fd_jvp(fn, arrays, tangents)
    np.testing.assert_allclose(tangent, expected, rtol=1e-5, atol=1e-6, err_msg=options)
    u = rng.normal(size=np.shape(out))
    _, pullback = nm.vjp(fn, *arrays)
    lhs = float(np.sum(u * tangent))
    rhs = sum(float(np.sum(g * v)) for g, v in zip(pullback(u), tangents))
    assert lhs == pytest.approx(rhs, rel=1e-9, abs=1e-9), options


@pytest.mark.parametrize("name", NAMES)
@SLOW
@given(seed=seeds)
def test_loss_hessian_vector_product_matches_finite_differences(name, seed):
    # q(x) = <grad <f(x), r>, v>: its gradient differentiates the VJPs again
    rng = np.random.default_rng(seed)
    case = CASES[name](rng, np.float64)
    fn, arrays, options = case.fn, case.arrays, case.options
    r = rng.normal(size=np.shape(fn(*arrays).data))
    vs = [rng.normal(size=a.shape) for a in arrays]
    argnums = tuple(range(len(arrays)))

    def q(*xs):
        grads = nm.grad(lambda *ys: nm.sum(fn(*ys) * r), argnums)(*xs)
        return sum(nm.sum(g * v) for g, v in zip(grads, vs))

    assert nm.gradcheck(q, *arrays, atol=1e-4), options


@pytest.mark.parametrize("name", NAMES)
@SLOW
@given(seed=seeds)
def test_loss_float32_in_float32_out_close_to_float64(name, seed):
    case32 = CASES[name](np.random.default_rng(seed), np.float32)
    case64 = CASES[name](np.random.default_rng(seed), np.float64)
    fn32, arrays32 = case32.fn, case32.arrays
    fn64, arrays64 = case64.fn, case64.arrays
    out32 = fn32(*arrays32)
    assert out32.dtype == np.float32
    np.testing.assert_allclose(out32.data, fn64(*arrays64).data, rtol=2e-4, atol=1e-5)
    argnums = tuple(range(len(arrays32)))
    grads = nm.grad(lambda *xs: nm.sum(fn32(*xs)), argnums)(*arrays32)
    assert [g.dtype for g in grads] == [np.float32] * len(grads)
    grads64 = nm.grad(lambda *xs: nm.sum(fn64(*xs)), argnums)(*arrays64)
    for g32, g64 in zip(grads, grads64):
        np.testing.assert_allclose(g32, g64, rtol=2e-3, atol=1e-4)
