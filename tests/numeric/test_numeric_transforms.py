"""grad, value_and_grad, higher derivatives and gradcheck."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import numeric as nm
from numeric.registry import Primitive

seeds = st.integers(0, 2**32 - 1)


def test_grad_returns_plain_ndarray_of_input_shape():
    g = nm.grad(lambda x: nm.sum(x**2))(np.array([[1.0, 2.0]]))
    assert type(g) is np.ndarray and g.shape == (1, 2)
    np.testing.assert_array_equal(g, [[2.0, 4.0]])


def test_grad_result_is_writeable():
    g = nm.grad(lambda x: nm.sum(x))(np.ones(3))
    g -= 1.0
    np.testing.assert_array_equal(g, np.zeros(3))


def test_grad_accepts_lists_and_numbers():
    assert float(nm.grad(lambda x: x * x)(3.0)) == 6.0
    np.testing.assert_array_equal(nm.grad(lambda x: nm.sum(x))([1, 2]), [1.0, 1.0])


def test_grad_of_nonscalar_function_is_a_clear_error():
    with pytest.raises(nm.ShapeError, match=r"scalar.*\(2,\)"):
        nm.grad(lambda x: x * 2)(np.ones(2))


def test_grad_of_constant_function_is_zero():
    np.testing.assert_array_equal(nm.grad(lambda x: 3.0)(np.ones(2)), np.zeros(2))


def test_value_and_grad_with_tuple_argnums_returns_tuple():
    value, (gx, gz) = nm.value_and_grad(lambda x, y, z: nm.sum(x * y * z), (0, 2))(
        np.array([1.0, 2.0]), np.array([3.0, 4.0]), 5.0
    )
    assert value == 1 * 3 * 5 + 2 * 4 * 5
    np.testing.assert_array_equal(gx, [15.0, 20.0])
    assert float(gz) == 1 * 3 + 2 * 4


def test_value_and_grad_bad_argnums_names_the_argument():
    with pytest.raises(ValueError, match="argnums"):
        nm.grad(lambda x: x, argnums=(0, 0))
    with pytest.raises(ValueError, match="argnums"):
        nm.grad(lambda x: x, argnums=3)(1.0)


def test_grad_of_grad_sin_is_minus_sin():
    xs = np.linspace(-3, 3, 7)
    got = [float(nm.grad(nm.grad(nm.sin))(x)) for x in xs]
    np.testing.assert_allclose(got, -np.sin(xs), rtol=1e-12)


def test_grad_of_grad_of_grad_cube_is_six():
    assert float(nm.grad(nm.grad(nm.grad(lambda x: x**3)))(2.5)) == pytest.approx(6.0)


def test_grad_of_grad_through_closure_of_outer_variable():
    # d/dx [ d/dy (x * y**2) at y=3 ] = d/dx (6x) = 6
    def inner(x):
        return nm.grad(lambda y: x * y**2)(3.0)

    assert float(nm.grad(inner)(2.0)) == pytest.approx(6.0)


@settings(max_examples=20, deadline=None)
@given(seed=seeds)
def test_hessian_vector_product_matches_explicit_hessian(seed):
    rng = np.random.default_rng(seed)
    a = rng.normal(size=(3, 3))
    x, v = rng.normal(size=3), rng.normal(size=3)

    def f(x):  # 0.5 x^T A x + sum(sin x): Hessian (A + A^T)/2 + diag(-sin x)
        return 0.5 * nm.sum(x * nm.matmul(a, x)) + nm.sum(nm.sin(x))

    hvp = nm.grad(lambda x: nm.sum(nm.grad(f)(x) * v))(x)
    hessian = (a + a.T) / 2 + np.diag(-np.sin(x))
    np.testing.assert_allclose(hvp, hessian @ v, rtol=1e-10, atol=1e-12)


@settings(max_examples=15, deadline=None)
@given(seed=seeds)
def test_grad_of_grad_matches_finite_differences_of_grad(seed):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=4)

    def f(x):
        return nm.sum(nm.tanh(x) * nm.exp(x / 3)) + nm.logsumexp(x * x)

    assert nm.gradcheck(nm.grad(f), x)


def test_grad_inside_grad_returns_tensors():
    seen = []

    def outer(x):
        g = nm.grad(lambda y: y * y)(x)
        seen.append(type(g))
        return g * x

    assert float(nm.grad(outer)(3.0)) == 12.0
    assert seen == [nm.Tensor]


# ----- gradcheck -----


def test_gradcheck_accepts_a_correct_gradient():
    assert nm.gradcheck(lambda x, y: nm.sum(x * nm.exp(y)), np.ones(3), np.zeros(3))


def test_gradcheck_names_input_index_and_both_values():
    # a primitive with a deliberately wrong rule: d sin = cos, claimed 2*cos
    wrong = Primitive("wrong_sin", np.sin, 1)
    wrong.vjp = lambda g, ans, x: (g * 2.0 * nm.cos(x),)
    with pytest.raises(
        nm.GradcheckError,
        match=r"input 1 at index \(0,\).*engine gradient.*finite difference",
    ):
        nm.gradcheck(lambda x, y: nm.sum(x) + nm.sum(wrong(y)), np.ones(2), np.zeros(2))


def test_gradcheck_error_is_a_value_error():
    assert issubclass(nm.GradcheckError, ValueError)


def test_missing_vjp_raises_not_implemented_naming_the_primitive():
    norule = Primitive("norule", np.sin, 1)
    with pytest.raises(NotImplementedError, match="norule"):
        nm.grad(lambda x: norule(x))(1.0)


def test_undefined_input_gradient_is_an_error_not_a_zero():
    cond = nm.tensor([1.0, 0.0], requires_grad=True)
    with pytest.raises(ValueError, match=r"where is not differentiable.*input 0"):
        nm.where(cond, 1.0, 2.0).sum().backward()


def test_grad_in_several_threads_at_once_gives_each_its_own_answer():
    import sys
    import threading

    results, errors = {}, []
    start = threading.Barrier(6)

    def work(k):
        try:
            start.wait()
            for i in range(60):
                a = np.linspace(k, k + i + 1, 50)

                def f(x):  # many small ops, so the threads switch inside a sweep
                    for _ in range(10):
                        x = nm.sin(x) * 0.5 + x * 0.5
                    return nm.sum(x * x)

                g = nm.grad(f)(a)
                h = 1e-6
                fd = (
                    f(nm.tensor(a + h)).data.sum() - f(nm.tensor(a - h)).data.sum()
                ) / (2 * h)
                assert np.isclose(g.sum(), fd, rtol=1e-5), (k, i)
            results[k] = True
        except Exception as exc:  # reported below, with the thread's number
            errors.append((k, exc))

    old = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)
    try:
        threads = [threading.Thread(target=work, args=(k,)) for k in range(6)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    finally:
        sys.setswitchinterval(old)
    assert not errors and len(results) == 6
