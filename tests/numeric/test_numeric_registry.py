"""Every registered primitive against central finite differences.

Parametrized over the registry (see ``_numeric_specs.SPECS``): a primitive
added without a spec fails ``test_registry_every_primitive_has_a_spec``.
"""

import numpy as np
import pytest
from _numeric_specs import SECOND_DERIVATIVES, SPECS
from hypothesis import given, settings
from hypothesis import strategies as st

import numeric as nm
from numeric.registry import primitives

NAMES = sorted(SPECS)
shapes = st.lists(st.integers(1, 3), min_size=1, max_size=3).map(tuple)
seeds = st.integers(0, 2**32 - 1)


def test_registry_every_primitive_has_a_spec():
    registered = {p.name for p in primitives()}
    assert registered == set(SPECS)


def test_registry_every_primitive_has_a_vjp():
    assert [p.name for p in primitives() if p.vjp is None] == []


@pytest.mark.parametrize("name", NAMES)
@settings(max_examples=15, deadline=None)
@given(seed=seeds, shape=shapes)
def test_registry_primitive_matches_finite_differences(name, seed, shape):
    fn, arrays = SPECS[name](np.random.default_rng(seed), shape)
    assert nm.gradcheck(fn, *arrays)


@pytest.mark.parametrize("name", NAMES)
@settings(max_examples=15, deadline=None)
@given(seed=seeds, shape=shapes)
def test_registry_gradient_shape_equals_input_shape(name, seed, shape):
    fn, arrays = SPECS[name](np.random.default_rng(seed), shape)
    grads = nm.grad(lambda *xs: nm.sum(fn(*xs)), tuple(range(len(arrays))))(*arrays)
    assert [g.shape for g in grads] == [a.shape for a in arrays]


@pytest.mark.parametrize("name", NAMES)
@settings(max_examples=6, deadline=None)
@given(seed=seeds, shape=shapes)
def test_registry_hessian_vector_product_matches_finite_differences(name, seed, shape):
    # q(x) = <grad <f(x), r>, v>; its gradient is a Hessian-vector product
    # computed by differentiating the VJP rules themselves
    rng = np.random.default_rng(seed)
    fn, arrays = SPECS[name](rng, shape)
    r = rng.normal(size=np.shape(fn(*arrays).data))
    vs = [rng.normal(size=a.shape) for a in arrays]
    argnums = tuple(range(len(arrays)))

    def q(*xs):
        grads = nm.grad(lambda *ys: nm.sum(fn(*ys) * r), argnums)(*xs)
        return sum(nm.sum(g * v) for g, v in zip(grads, vs))

    assert nm.gradcheck(q, *arrays, atol=1e-4)


@pytest.mark.parametrize("name", sorted(SECOND_DERIVATIVES))
def test_registry_second_derivative_matches_closed_form(name):
    closed_form, sample = SECOND_DERIVATIVES[name]
    xs = sample(np.random.default_rng(3), (8,))
    d2 = nm.grad(nm.grad(getattr(nm, name)))
    got = np.array([float(d2(x)) for x in xs])
    np.testing.assert_allclose(got, closed_form(xs), rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("name", sorted(SECOND_DERIVATIVES))
def test_registry_second_derivative_matches_differences_of_grad(name):
    _, sample = SECOND_DERIVATIVES[name]
    xs = sample(np.random.default_rng(4), (6,))
    d1 = nm.grad(getattr(nm, name))
    d2 = nm.grad(d1)
    eps = 1e-6
    for x in xs:
        fd = (float(d1(x + eps)) - float(d1(x - eps))) / (2 * eps)
        assert float(d2(x)) == pytest.approx(fd, rel=1e-5, abs=1e-6)
