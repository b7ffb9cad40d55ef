"""The Tensor API: construction, operators, indexing, backward, errors."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import numeric as nm
from numeric.errors import DifferentiationError

seeds = st.integers(0, 2**32 - 1)


def test_tensor_converts_ints_to_float64():
    t = nm.tensor([1, 2, 3])
    assert t.data.dtype == np.float64 and t.shape == (3,) and t.ndim == 1


def test_tensor_copies_its_data():
    a = np.ones(3)
    t = nm.tensor(a)
    a[0] = 5.0
    assert t.data[0] == 1.0


def test_tensor_repr_is_readable():
    assert repr(nm.tensor([1.0, 2.0], requires_grad=True)) == (
        "Tensor([1., 2.], requires_grad=True)"
    )
    x = nm.tensor(2.0, requires_grad=True)
    assert repr(x * 3) == "Tensor(6., op=multiply)"


def test_tensor_item_and_numpy_return_plain_values():
    t = nm.tensor([[4.0]])
    assert t.item() == 4.0 and isinstance(t.numpy(), np.ndarray)


def test_tensor_comparisons_return_boolean_arrays():
    t = nm.tensor([1.0, 2.0, 3.0], requires_grad=True)
    for result, expected in [
        (t < 2, [True, False, False]),
        (t <= 2, [True, True, False]),
        (t > 2, [False, False, True]),
        (t >= 2, [False, True, True]),
    ]:
        assert isinstance(result, np.ndarray) and result.dtype == bool
        np.testing.assert_array_equal(result, expected)


def test_tensor_operators_match_numpy():
    a, b = np.array([1.0, 2.0, 4.0]), np.array([3.0, -1.0, 0.5])
    x, y = nm.tensor(a), nm.tensor(b)
    pairs = [
        (x + y, a + b),
        (x - y, a - b),
        (x * y, a * b),
        (x / y, a / b),
        (x**y, a**b),
        (-x, -a),
        (2 + x, 2 + a),
        (2 - x, 2 - a),
        (2 * x, 2 * a),
        (2 / x, 2 / a),
        (2**x, 2**a),
        (b + x, b + a),
        (x @ y, a @ b),
    ]
    for got, expected in pairs:
        assert isinstance(got, nm.Tensor)
        np.testing.assert_allclose(got.data, expected)


def test_tensor_reflected_operators_with_arrays_return_tensors():
    x = nm.tensor([1.0, 2.0], requires_grad=True)
    y = np.array([3.0, 4.0]) * x
    assert isinstance(y, nm.Tensor)
    y.sum().backward()
    np.testing.assert_array_equal(x.grad, [3.0, 4.0])


def test_tensor_backward_accumulates_like_pytorch():
    x = nm.tensor([1.0, 2.0], requires_grad=True)
    (x * x).sum().backward()
    (x * 3).sum().backward()
    np.testing.assert_array_equal(x.grad, [2 + 3, 4 + 3])


def test_tensor_backward_of_nonscalar_without_g_is_an_error():
    x = nm.tensor([1.0, 2.0], requires_grad=True)
    with pytest.raises(nm.ShapeError, match="non-scalar"):
        (x * 2).backward()


def test_tensor_backward_with_explicit_g():
    x = nm.tensor([1.0, 2.0], requires_grad=True)
    (x * x).backward(np.array([1.0, 10.0]))
    np.testing.assert_array_equal(x.grad, [2.0, 40.0])


def test_tensor_backward_without_grad_history_is_an_error():
    with pytest.raises(DifferentiationError):
        nm.tensor(1.0).backward()


def test_tensor_backward_leaves_nonleaf_grad_empty():
    x = nm.tensor(3.0, requires_grad=True)
    y = x * x
    (y * 2).backward()
    assert y.grad is None and x.grad == 12.0


def test_tensor_sharing_sums_cotangents_at_branches():
    x = nm.tensor(3.0, requires_grad=True)
    y = x * x + x * 2 + x
    y.backward()
    assert x.grad == 2 * 3 + 2 + 1


def test_tensor_slicing_gradient_scatters():
    x = nm.tensor(np.arange(12.0).reshape(3, 4), requires_grad=True)
    x[1:, 0].sum().backward()
    expected = np.zeros((3, 4))
    expected[1:, 0] = 1
    np.testing.assert_array_equal(x.grad, expected)


def test_tensor_integer_array_indexing_accumulates_repeats():
    x = nm.tensor([1.0, 2.0, 3.0], requires_grad=True)
    x[np.array([0, 2, 0, 0])].sum().backward()
    np.testing.assert_array_equal(x.grad, [3.0, 0.0, 1.0])


def test_tensor_transpose_and_reshape_gradients():
    a = np.arange(6.0).reshape(2, 3)
    x = nm.tensor(a, requires_grad=True)
    (x.T.reshape(6) * np.arange(6.0)).sum().backward()
    np.testing.assert_array_equal(x.grad, np.arange(6.0).reshape(3, 2).T)


@pytest.mark.parametrize("method", ["sum", "mean", "max"])
@pytest.mark.parametrize("axis", [None, 0, 1, -1])
@pytest.mark.parametrize("keepdims", [False, True])
def test_tensor_reduction_methods_match_numpy(method, axis, keepdims):
    a = np.random.default_rng(0).normal(size=(3, 4))
    got = getattr(nm.tensor(a), method)(axis=axis, keepdims=keepdims).data
    np.testing.assert_allclose(got, getattr(a, method)(axis=axis, keepdims=keepdims))


# ----- broadcasting -----


@pytest.mark.parametrize(
    "xshape,yshape",
    [
        ((3, 4), (4,)),
        ((3, 4), (3, 1)),
        ((3, 1), (1, 4)),
        ((), (2, 3)),
        ((2, 1, 3), (4, 1)),
    ],
)
def test_broadcasting_gradient_shapes_equal_input_shapes(xshape, yshape):
    rng = np.random.default_rng(1)
    x, y = rng.normal(size=xshape), rng.normal(size=yshape)
    gx, gy = nm.grad(lambda x, y: nm.sum(x * y + x / (y * y + 1)), (0, 1))(x, y)
    assert gx.shape == xshape and gy.shape == yshape


@settings(max_examples=25, deadline=None)
@given(seed=seeds)
def test_broadcasting_size_one_axes_sum_the_gradient(seed):
    rng = np.random.default_rng(seed)
    x, y = rng.normal(size=(3, 1)), rng.normal(size=(1, 4))
    gx = nm.grad(lambda x, y: nm.sum(x * y), 0)(x, y)
    np.testing.assert_allclose(
        gx, np.broadcast_to(y, (3, 4)).sum(axis=1, keepdims=True)
    )


def test_broadcasting_scalar_with_array_gradient_is_total():
    g = nm.grad(lambda s, a: nm.sum(s * a), 0)(2.0, np.arange(4.0))
    assert g.shape == () and float(g) == 6.0


def test_broadcasting_mismatch_raises_shape_error_naming_op_and_shapes():
    with pytest.raises(nm.ShapeError, match=r"add: shapes \(2, 3\) and \(4,\)"):
        nm.tensor(np.ones((2, 3))) + np.ones(4)


def test_stack_matches_numpy_and_names_bad_shapes():
    a, b = np.arange(6.0).reshape(2, 3), np.ones(3)
    for axis in (0, 1, 2, -1):
        want = np.stack(np.broadcast_arrays(a, b, 5.0), axis=axis)
        np.testing.assert_array_equal(nm.stack([a, b, 5.0], axis=axis).data, want)
    with pytest.raises(nm.ShapeError, match=r"stack: shapes \(2, 3\), \(4,\) do not"):
        nm.stack([a, np.ones(4)])
    with pytest.raises(nm.ShapeError, match="axis 3 is out of range"):
        nm.stack([a, b], axis=3)
    with pytest.raises(ValueError, match="at least one"):
        nm.stack([])


def test_matmul_mismatch_raises_shape_error_naming_shapes():
    with pytest.raises(
        nm.ShapeError, match=r"matmul: shapes \(2, 3\) and \(4, 5\) do not align"
    ):
        nm.matmul(np.ones((2, 3)), np.ones((4, 5)))


@pytest.mark.parametrize(
    "xshape,yshape", [((3,), (3, 2)), ((2, 3), (3,)), ((3,), (3,)), ((2, 2, 3), (3, 4))]
)
def test_matmul_vector_and_batched_gradients_match_finite_differences(xshape, yshape):
    rng = np.random.default_rng(2)
    assert nm.gradcheck(nm.matmul, rng.normal(size=xshape), rng.normal(size=yshape))


def test_reshape_bad_shape_raises_shape_error():
    with pytest.raises(nm.ShapeError, match="reshape"):
        nm.tensor(np.ones(6)).reshape(4, 2)


# ----- deep chains -----


def test_deep_chain_of_100k_ops_backward_without_recursion_error():
    x = nm.tensor(0.0, requires_grad=True)
    y = x
    for _ in range(100_000):
        y = y + 1.0
    y.backward()
    assert y.item() == 100_000.0 and x.grad == 1.0


def test_deep_chain_grad_of_100k_ops():
    def f(x):
        for _ in range(100_000):
            x = x * 1.0
        return x

    assert float(nm.grad(f)(2.0)) == 1.0


# ----- micrograd's torch-verified values (karpathy/micrograd test/test_engine.py) -----


def test_micrograd_sanity_check_values():
    x = nm.tensor(-4.0, requires_grad=True)
    z = 2 * x + 2 + x
    q = nm.relu(z) + z * x
    h = nm.relu(z * z)
    y = h + q + q * x
    y.backward()
    # PyTorch: y = -20, dy/dx = 46
    assert y.item() == -20.0 and x.grad == 46.0


def test_micrograd_more_ops_values():
    a = nm.tensor(-4.0, requires_grad=True)
    b = nm.tensor(2.0, requires_grad=True)
    c = a + b
    d = a * b + b**3
    c = c + c + 1
    c = c + 1 + c + (-a)
    d = d + d * 2 + nm.relu(b + a)
    d = d + 3 * d + nm.relu(b - a)
    e = c - d
    f = e**2
    g = f / 2.0
    g = g + 10.0 / f
    g.backward()
    tol = 1e-6
    assert abs(g.item() - 24.70408163265306) < tol
    assert abs(a.grad - 138.83381924198252) < tol
    assert abs(b.grad - 645.5772594752186) < tol


def test_engine_relu_and_powers_match_torch():
    torch = pytest.importorskip("torch")
    a = torch.tensor(-4.0, dtype=torch.float64, requires_grad=True)
    b = torch.tensor(2.0, dtype=torch.float64, requires_grad=True)
    ours_a = nm.tensor(-4.0, requires_grad=True)
    ours_b = nm.tensor(2.0, requires_grad=True)
    for lib, (p, q) in [(torch, (a, b)), (nm, (ours_a, ours_b))]:
        c = p * q + lib.relu(p - q) * q**2 + lib.relu(q - p) / q
        c.backward()
    assert a.grad.item() == pytest.approx(
        ours_a.grad
    ) and b.grad.item() == pytest.approx(ours_b.grad)
