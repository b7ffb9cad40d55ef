"""A list or tuple of traced tensors passed to an op keeps its gradient.

Before the fix, ``nm.mean([x, x + 2])`` converted the list to a plain array
through ``__array__`` and the gradient was silently 0. Now every op that takes
array-likes stacks such a list with ``nm.stack`` (gradient included), and the
places where that cannot be done refuse with a clear error.
"""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import numeric as nm
from numeric.errors import ArgumentError


def test_sequence_mean_of_list_keeps_gradient():
    # d/dx mean([x, x + 2]) = 1
    assert float(nm.grad(lambda x: nm.mean([x, x + 2]))(1.0)) == 1.0


def test_sequence_ufunc_of_list_keeps_gradient():
    # d/dx sum(exp([x, x])) = 2 exp(x)
    g = nm.grad(lambda x: nm.sum(nm.exp([x, x])))(0.5)
    assert float(g) == pytest.approx(2 * np.exp(0.5), rel=1e-14)


def test_sequence_tensor_of_traced_tensors_stacks_with_gradient():
    def f(x, y):
        v = nm.tensor([x, y, x * y])
        return nm.sum(v * np.array([1.0, 10.0, 100.0]))

    gx, gy = nm.grad(f, (0, 1))(2.0, 3.0)
    assert (float(gx), float(gy)) == (1.0 + 100.0 * 3.0, 10.0 + 100.0 * 2.0)


def test_sequence_nested_lists_and_mixed_constants():
    def f(x):
        m = nm.tensor([[x, 1.0], [2.0, x * x]])
        return nm.sum(m * m)

    # d/dx (x^2 + 1 + 4 + x^4) = 2x + 4x^3
    assert float(nm.grad(f)(2.0)) == 2 * 2.0 + 4 * 8.0
    assert nm.gradcheck(f, np.array(0.7))


def test_sequence_binary_op_and_tuple_operand():
    g = nm.grad(lambda x: nm.sum(nm.maximum((x, -x), 0.0)))(np.array([1.0, -2.0]))
    np.testing.assert_array_equal(g, [1.0, -1.0])
    g = nm.grad(lambda x: nm.sum(nm.matmul([x, x], np.ones(2))))(np.array([1.0, 2.0]))
    np.testing.assert_array_equal(g, [2.0, 2.0])


def test_sequence_backward_through_list_on_tensor_api():
    x = nm.tensor(3.0, requires_grad=True)
    nm.sum(nm.stack([x, 2 * x]) * nm.tensor([x, x])).backward()
    assert float(x.grad) == 2 * 3.0 + 4 * 3.0


def test_sequence_tensor_with_requires_grad_refuses_traced_items():
    x = nm.tensor(1.0, requires_grad=True)
    with pytest.raises(
        ArgumentError, match=r"requires_grad=True would make a new leaf"
    ):
        nm.tensor([x, x], requires_grad=True)


def test_sequence_tensor_class_refuses_traced_items():
    x = nm.tensor(1.0, requires_grad=True)
    with pytest.raises(ArgumentError, match=r"nm\.tensor"):
        nm.Tensor([x, 2 * x])


def test_sequence_ragged_items_are_a_shape_error():
    x = nm.tensor([1.0, 2.0], requires_grad=True)
    with pytest.raises(nm.ShapeError, match=r"equal shapes.*\(2,\), \(\)"):
        nm.sum([x, 1.0])


def test_sequence_single_traced_tensor_is_copied_with_gradient():
    def f(x):
        y = nm.tensor(x)
        assert y.data is not x.data
        return nm.sum(y * y)

    np.testing.assert_array_equal(nm.grad(f)(np.array([1.0, 3.0])), [2.0, 6.0])


def test_sequence_of_untraced_tensors_is_a_plain_constant():
    a = nm.tensor([1.0, 2.0])
    t = nm.tensor([a, a])
    assert t.shape == (2, 2) and not t.requires_grad
    t2 = nm.tensor([a, a], requires_grad=True)
    assert t2.requires_grad and t2._prim is None


def test_sequence_forward_mode_through_list():
    _, t = nm.jvp(lambda x: nm.sum(nm.tensor([x, 3 * x])), (1.0,), (1.0,))
    assert float(t) == 4.0


@settings(max_examples=25, deadline=None, derandomize=True)
@given(
    n=st.integers(1, 4),
    shape=st.lists(st.integers(1, 3), max_size=2).map(tuple),
    traced=st.lists(st.booleans(), min_size=4, max_size=4),
    seed=st.integers(0, 2**16),
)
def test_sequence_list_operand_equals_explicit_stack(n, shape, traced, seed):
    # any mix of traced items and constants: the list behaves as nm.stack of it
    rng = np.random.default_rng(seed)
    consts = [rng.normal(size=shape) for _ in range(n)]
    w = rng.normal(size=(n, *shape))

    def items(x):
        return [x * (k + 1) if traced[k] else consts[k] for k in range(n)]

    def via_list(x):
        return nm.sum(nm.exp(items(x)) * w)

    def via_stack(x):
        return nm.sum(nm.exp(nm.stack(items(x))) * w)

    x = rng.normal(size=shape)
    np.testing.assert_allclose(
        nm.grad(via_list)(x), nm.grad(via_stack)(x), rtol=1e-14, atol=0
    )
    assert nm.gradcheck(via_list, x)
