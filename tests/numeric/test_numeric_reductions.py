"""min, prod, var, std, cumsum, cumprod, concatenate, split, clip, mod and the
new elementwise functions: forward values against NumPy, gradients against
finite differences, and the edge points on purpose (zeros in products, ties,
bounds, size-1 axes, empty arrays)."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import numeric as nm

FAST = settings(max_examples=20, deadline=None, derandomize=True)
shapes = st.lists(st.integers(1, 4), min_size=1, max_size=3).map(tuple)
seeds = st.integers(0, 2**32 - 1)

REDUCTIONS = [
    (nm.min, np.min),
    (nm.max, np.max),
    (nm.prod, np.prod),
    (nm.sum, np.sum),
    (nm.mean, np.mean),
]


@pytest.mark.parametrize(("ours", "theirs"), REDUCTIONS, ids=lambda f: f.__name__)
@FAST
@given(seed=seeds, shape=shapes, keepdims=st.booleans(), data=st.data())
def test_reduction_matches_numpy_over_axes_and_keepdims(
    ours, theirs, seed, shape, keepdims, data
):
    rng = np.random.default_rng(seed)
    x = rng.uniform(0.5, 1.5, size=shape) * rng.choice([-1, 1], size=shape)
    axis = data.draw(st.one_of(st.none(), st.integers(-len(shape), len(shape) - 1)))
    got = ours(x, axis=axis, keepdims=keepdims)
    expected = theirs(x, axis=axis, keepdims=keepdims)
    assert got.shape == np.shape(expected)
    np.testing.assert_allclose(got.data, expected, rtol=1e-13)
    assert nm.gradcheck(lambda x: ours(x, axis=axis, keepdims=keepdims), x)


@pytest.mark.parametrize(("ddof", "keepdims"), [(0, False), (1, True), (2, False)])
@pytest.mark.parametrize("name", ["var", "std"])
def test_var_std_match_numpy_and_finite_differences(name, ddof, keepdims):
    rng = np.random.default_rng(ddof)
    x = rng.normal(size=(4, 5))
    for axis in (None, 0, 1, (0, 1), -1):
        ours = getattr(nm, name)(x, axis=axis, ddof=ddof, keepdims=keepdims)
        theirs = getattr(np, name)(x, axis=axis, ddof=ddof, keepdims=keepdims)
        np.testing.assert_allclose(ours.data, theirs, rtol=1e-12)
        assert ours.shape == np.shape(theirs)
        fn = getattr(nm, name)

        def f(x, fn=fn, axis=axis):
            return fn(x, axis=axis, ddof=ddof, keepdims=keepdims)

        assert nm.gradcheck(f, x)


def test_std_of_a_constant_has_nan_gradient_like_pytorch():
    with np.errstate(divide="ignore", invalid="ignore"):
        g = nm.grad(nm.std)(np.ones(3))
    assert np.all(np.isnan(g))


def test_min_ties_split_evenly():
    g = nm.grad(lambda x: nm.sum(nm.min(x, axis=1)))(
        np.array([[1.0, 1.0, 1.0, 2.0], [0.0, 3.0, 0.0, 5.0]])
    )
    np.testing.assert_allclose(g, [[1 / 3, 1 / 3, 1 / 3, 0.0], [0.5, 0.0, 0.5, 0.0]])


@pytest.mark.parametrize(
    ("x", "expected"),
    [
        ([2.0, 3.0, 4.0], [12.0, 8.0, 6.0]),
        ([2.0, 0.0, 4.0], [0.0, 8.0, 0.0]),  # one zero: only it has a gradient
        ([0.0, 3.0, 0.0], [0.0, 0.0, 0.0]),  # two zeros: none has
        ([0.0], [1.0]),
    ],
)
def test_prod_gradient_at_zeros_is_exact(x, expected):
    with np.errstate(all="raise"):  # no division by zero anywhere
        g = nm.grad(nm.prod)(np.array(x))
    np.testing.assert_array_equal(g, expected)


def test_prod_second_derivative_at_a_zero():
    # f = x0 * x1 * x2 at (0, 2, 3): d2f/dx0 dx1 = x2 = 3, d2f/dx1 dx2 = x0 = 0
    h = nm.hessian(nm.prod)(np.array([0.0, 2.0, 3.0]))
    np.testing.assert_allclose(h, [[0, 3, 2], [3, 0, 0], [2, 0, 0]])
    x = np.array([[0.0, 2.0, 0.0], [1.0, 0.0, 3.0]])
    assert nm.gradcheck(lambda x: nm.prod(x, axis=1), x)


def test_prod_and_sum_of_empty_arrays_follow_numpy():
    e = np.zeros((0, 3))
    assert nm.prod(e, axis=0).data.tolist() == [1.0, 1.0, 1.0]
    assert nm.grad(lambda x: nm.sum(nm.prod(x, axis=0)))(e).shape == (0, 3)
    assert float(nm.sum(e).data) == 0.0
    assert nm.grad(nm.sum)(e).shape == (0, 3)
    assert nm.cumsum(np.zeros(0)).shape == (0,)
    with pytest.raises(nm.ShapeError, match="empty"):
        nm.min(e)


@pytest.mark.parametrize("axis", [None, 0, 1, -1])
def test_cumsum_cumprod_match_numpy(axis):
    x = np.random.default_rng(0).uniform(0.5, 1.5, size=(3, 4))
    for ours, theirs in ((nm.cumsum, np.cumsum), (nm.cumprod, np.cumprod)):
        np.testing.assert_allclose(ours(x, axis=axis).data, theirs(x, axis=axis))
        assert nm.gradcheck(lambda x, f=ours: f(x, axis=axis), x)


@pytest.mark.parametrize(
    "x", [[2.0, 0.0, 3.0, 4.0], [0.0, 0.0, 3.0, 4.0], [1.0, 2.0, 0.0, 0.0], [0.0]]
)
def test_cumprod_gradient_at_zeros_matches_finite_differences(x):
    x = np.array(x)
    with np.errstate(all="raise"):
        assert nm.gradcheck(nm.cumprod, x)
        _, t = nm.jvp(nm.cumprod, (x,), (np.arange(1.0, x.size + 1),))
    eps = 1e-6
    v = np.arange(1.0, x.size + 1)
    fd = (np.cumprod(x + eps * v) - np.cumprod(x - eps * v)) / (2 * eps)
    np.testing.assert_allclose(t, fd, atol=1e-8)


def test_cumprod_gradient_with_a_zero_in_a_matrix_row():
    x = np.array([[1.0, 0.0, 2.0], [3.0, 1.0, 0.0]])
    assert nm.gradcheck(lambda x: nm.cumprod(x, axis=1), x)
    assert nm.gradcheck(lambda x: nm.cumprod(x, axis=0), x.T)


def test_concatenate_and_split_match_numpy_and_round_trip():
    rng = np.random.default_rng(1)
    a, b = rng.normal(size=(2, 3)), rng.normal(size=(1, 3))
    np.testing.assert_array_equal(nm.concatenate([a, b]).data, np.concatenate([a, b]))
    np.testing.assert_array_equal(
        nm.concatenate([a, b], axis=None).data, np.concatenate([a, b], axis=None)
    )
    assert nm.gradcheck(lambda a, b: nm.concatenate([a, b, a]), a, b)
    pieces = nm.split(np.arange(12.0).reshape(3, 4), [1, 3], axis=1)
    for got, expected in zip(
        pieces, np.split(np.arange(12.0).reshape(3, 4), [1, 3], axis=1)
    ):
        np.testing.assert_array_equal(got.data, expected)
    w = rng.normal(size=(3, 4))
    assert nm.gradcheck(lambda x: nm.split(x, 2, axis=1)[1] * 3.0, w)
    with pytest.raises(nm.ShapeError, match=r"differ off the joined axis"):
        nm.concatenate([a, np.ones((2, 2))])
    with pytest.raises(ValueError, match="do not divide"):
        nm.split(w, 3, axis=1)
    empty_piece = nm.concatenate([a, np.zeros((0, 3))])
    assert empty_piece.shape == (2, 3)


@pytest.mark.parametrize(
    ("x", "expected"),
    [(-1.0, 0.0), (0.0, 1.0), (0.5, 1.0), (1.0, 1.0), (2.0, 0.0)],
)
def test_clip_gradient_includes_the_bounds(x, expected):
    # PyTorch's clamp: the gradient passes where min <= x <= max
    assert float(nm.grad(lambda x: nm.clip(x, 0.0, 1.0))(x)) == expected


def test_clip_one_sided_array_bounds_and_bound_gradients():
    x = np.array([-2.0, 0.5, 3.0])
    lo, hi = np.array([-1.0, -1.0, -1.0]), np.array([1.0])
    np.testing.assert_array_equal(nm.clip(x, lo, hi).data, np.clip(x, lo, hi))
    np.testing.assert_array_equal(nm.clip(x, None, 1.0).data, np.clip(x, None, 1.0))
    gx, glo, ghi = nm.grad(lambda x, lo, hi: nm.sum(nm.clip(x, lo, hi)), (0, 1, 2))(
        x, lo, hi
    )
    np.testing.assert_array_equal(gx, [0.0, 1.0, 0.0])
    np.testing.assert_array_equal(glo, [1.0, 0.0, 0.0])
    np.testing.assert_array_equal(ghi, [1.0])
    with pytest.raises(ValueError, match="both be None"):
        nm.clip(x)


def test_mod_matches_numpy_signs_and_gradients():
    x = np.array([5.5, -5.5, 5.5, -5.5])
    y = np.array([2.0, 2.0, -2.0, -2.0])
    np.testing.assert_array_equal(nm.mod(x, y).data, np.mod(x, y))
    gx, gy = nm.grad(lambda x, y: nm.sum(nm.mod(x, y)), (0, 1))(x, y)
    np.testing.assert_array_equal(gx, np.ones(4))
    np.testing.assert_array_equal(gy, -np.floor(x / y))


ELEMENTWISE = [
    ("log2", np.log2, 0.5, 3.0),
    ("log10", np.log10, 0.5, 3.0),
    ("exp2", np.exp2, -2.0, 2.0),
    ("expm1", np.expm1, -2.0, 2.0),
    ("log1p", np.log1p, -0.5, 2.0),
    ("arcsinh", np.arcsinh, -2.0, 2.0),
    ("arccosh", np.arccosh, 1.2, 3.0),
    ("arctanh", np.arctanh, -0.9, 0.9),
    ("asinh", np.arcsinh, -2.0, 2.0),
    ("acosh", np.arccosh, 1.2, 3.0),
    ("atanh", np.arctanh, -0.9, 0.9),
    ("arcsin", np.arcsin, -0.9, 0.9),
    ("arccos", np.arccos, -0.9, 0.9),
    ("arctan", np.arctan, -2.0, 2.0),
]


@pytest.mark.parametrize(("name", "ref", "lo", "hi"), ELEMENTWISE, ids=lambda v: str(v))
def test_elementwise_matches_numpy_and_finite_differences(name, ref, lo, hi):
    x = np.linspace(lo, hi, 7)
    np.testing.assert_allclose(getattr(nm, name)(x).data, ref(x), rtol=1e-14)
    assert nm.gradcheck(getattr(nm, name), x)


def test_arctan2_quadrants_and_gradient():
    y = np.array([1.0, 1.0, -1.0, -1.0, 0.0])
    x = np.array([1.0, -1.0, 1.0, -1.0, -2.0])
    np.testing.assert_allclose(nm.arctan2(y, x).data, np.arctan2(y, x))
    gy, gx = nm.grad(lambda y, x: nm.sum(nm.arctan2(y, x)), (0, 1))(y, x)
    np.testing.assert_allclose(gy, x / (x**2 + y**2))
    np.testing.assert_allclose(gx, -y / (x**2 + y**2))


def test_functions_against_torch():
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(5)
    x = rng.uniform(0.5, 1.5, size=(3, 4))
    x[1, 2] = 0.0  # a zero in prod and cumprod
    cases = [
        (lambda t: nm.prod(t, axis=1), lambda t: torch.prod(t, dim=1)),
        (lambda t: nm.cumprod(t, axis=1), lambda t: torch.cumprod(t, dim=1)),
        (lambda t: nm.std(t, axis=0, ddof=1), lambda t: torch.std(t, dim=0)),
        (lambda t: nm.clip(t, 0.7, 1.2), lambda t: torch.clamp(t, 0.7, 1.2)),
        (lambda t: nm.min(t, axis=0), lambda t: torch.amin(t, dim=0)),
    ]
    for ours, theirs in cases:
        w = rng.normal(size=ours(x).shape)
        g = nm.grad(lambda t, f=ours, w=w: nm.sum(f(t) * w))(x)
        tx = torch.tensor(x, requires_grad=True)
        (theirs(tx) * torch.tensor(w)).sum().backward()
        np.testing.assert_allclose(g, tx.grad.numpy(), rtol=1e-12, atol=1e-12)


def test_where_broadcasts_array_conditions_and_branches():
    cond = np.array([[True], [False], [True]])  # (3, 1)
    x = np.arange(4.0).reshape(1, 4)  # (1, 4)
    y = np.array(-1.0)  # a scalar
    np.testing.assert_array_equal(nm.where(cond, x, y).data, np.where(cond, x, y))
    gx, gy = nm.grad(lambda x, y: nm.sum(nm.where(cond, x, y)), (0, 1))(x, y)
    np.testing.assert_array_equal(gx, [[2.0, 2.0, 2.0, 2.0]])  # two rows pick x
    assert gy.shape == () and float(gy) == 4.0
    assert nm.gradcheck(lambda x, y: nm.where(cond, x, y), x, y)
    # a condition computed from a tensor, and one given as a list
    t = nm.tensor([1.0, -2.0, 3.0])
    np.testing.assert_array_equal(nm.where(t > 0, t, 0.0).data, [1.0, 0.0, 3.0])
    np.testing.assert_array_equal(
        nm.where([True, False, True], t, 0.0).data, [1.0, 0.0, 3.0]
    )
    with pytest.raises(nm.ShapeError, match="where: shapes"):
        nm.where(np.ones((2, 3), bool), np.ones(2), 0.0)
