"""einsum and the products on it, np.linalg counterparts and norms: values
against NumPy, gradients against finite differences (and PyTorch, optional)."""

import numpy as np
import pytest

import numeric as nm
from numeric.errors import ArgumentError, DifferentiationError

rng0 = np.random.default_rng(0)
A = rng0.normal(size=(3, 3))
B3 = rng0.normal(size=(2, 3, 4))
C4 = rng0.normal(size=4)

EINSUM_CASES = [
    ("ij,jk->ik", [A, A]),
    ("ij,jk", [A, A]),  # implicit output
    ("ba", [A]),  # implicit mode sorts the letters: a transpose
    ("ii", [A]),  # a trace
    ("ii->i", [A]),  # a diagonal
    ("ij->", [A]),
    ("...j,j", [B3, C4]),
    ("...ij,...jk->...ik", [B3, np.swapaxes(B3, 1, 2)]),
    ("bij,j->bi", [B3, C4]),
    ("...i,...i->...", [B3, rng0.normal(size=(3, 1))]),  # size-1 broadcast
    ("iij->j", [rng0.normal(size=(3, 3, 2))]),
    ("ij,jk,k->i", [A, B3[0], C4]),
    ("i,j->ij", [C4, A[0]]),
]


@pytest.mark.parametrize(("subscripts", "ops"), EINSUM_CASES, ids=lambda v: str(v))
def test_einsum_matches_numpy_and_finite_differences(subscripts, ops):
    np.testing.assert_allclose(
        nm.einsum(subscripts, *ops).data, np.einsum(subscripts, *ops), rtol=1e-12
    )
    assert nm.gradcheck(lambda *xs: nm.einsum(subscripts, *xs), *ops)


def test_einsum_bad_subscripts_are_named():
    with pytest.raises(ArgumentError, match="name 2 operands, got 1"):
        nm.einsum("ij,jk->ik", A)
    with pytest.raises(nm.ShapeError, match="do not fit"):
        nm.einsum("ijk->i", A)
    with pytest.raises(ArgumentError, match="only letters"):
        nm.einsum("i1->i", A)


@pytest.mark.parametrize(
    ("a", "b"),
    [(A, A), (A, C4[:3]), (C4[:3], A), (B3, rng0.normal(size=(3, 4, 2))), (2.0, A)],
    ids=["mm", "mv", "vm", "nd", "scalar"],
)
def test_dot_inner_tensordot_outer_match_numpy(a, b):
    np.testing.assert_allclose(nm.dot(a, b).data, np.dot(a, b), rtol=1e-12)
    assert nm.gradcheck(nm.dot, a, b)
    if np.ndim(a) == 0 or np.ndim(b) == 0 or np.shape(a)[-1] == np.shape(b)[-1]:
        np.testing.assert_allclose(nm.inner(a, b).data, np.inner(a, b), rtol=1e-12)
    np.testing.assert_allclose(nm.outer(a, b).data, np.outer(a, b), rtol=1e-12)
    assert nm.gradcheck(nm.outer, a, b)


def test_tensordot_axes_forms():
    D = rng0.normal(size=(3, 4, 2))
    for axes in (2, ([1, 2], [0, 1]), ([1], [0]), 0):
        np.testing.assert_allclose(
            nm.tensordot(B3, D, axes).data, np.tensordot(B3, D, axes), rtol=1e-12
        )
    assert nm.gradcheck(lambda a, b: nm.tensordot(a, b, ([1], [0])), B3, D)
    with pytest.raises(nm.ShapeError, match="contracted axes"):
        nm.tensordot(B3, D, ([2], [0]))


def _well_conditioned(rng, batch=()):
    return rng.normal(size=batch + (3, 3)) + 4 * np.eye(3)


@pytest.mark.parametrize("batch", [(), (2,)])
def test_linalg_functions_match_numpy_and_finite_differences(batch):
    rng = np.random.default_rng(1)
    a = _well_conditioned(rng, batch)
    b = rng.normal(size=3)
    m = rng.normal(size=batch + (3, 2))
    spd = a @ np.swapaxes(a, -1, -2)
    la = nm.linalg
    np.testing.assert_allclose(la.inv(a).data, np.linalg.inv(a), rtol=1e-12)
    np.testing.assert_allclose(la.det(a).data, np.linalg.det(a), rtol=1e-12)
    sign, logdet = la.slogdet(a)
    np.testing.assert_allclose(logdet.data, np.linalg.slogdet(a)[1], rtol=1e-12)
    np.testing.assert_array_equal(sign.data, np.linalg.slogdet(a)[0])
    np.testing.assert_allclose(
        la.solve(a, b).data,
        np.linalg.solve(a, b[..., None])[..., 0] if batch else np.linalg.solve(a, b),
    )
    np.testing.assert_allclose(la.solve(a, m).data, np.linalg.solve(a, m), rtol=1e-12)
    np.testing.assert_allclose(
        la.cholesky(spd).data, np.linalg.cholesky(spd), rtol=1e-12
    )
    np.testing.assert_allclose(la.trace(a).data, np.linalg.trace(a), rtol=1e-12)
    for fn, args in [
        (la.inv, (a,)),
        (la.det, (a,)),
        (lambda x: la.slogdet(x)[1], (a,)),
        (la.solve, (a, b)),
        (la.solve, (a, m)),
        (la.cholesky, (spd,)),
        (la.trace, (a,)),
    ]:
        assert nm.gradcheck(fn, *args)


def test_cholesky_symmetrizes_like_jax():
    rng = np.random.default_rng(2)
    a = _well_conditioned(rng)
    spd = a @ a.T
    skewed = spd + np.triu(np.ones((3, 3)), 1)  # not symmetric
    np.testing.assert_allclose(
        nm.linalg.cholesky(skewed).data, np.linalg.cholesky((skewed + skewed.T) / 2)
    )
    g = nm.grad(lambda x: nm.sum(nm.linalg.cholesky(x)))(spd)
    np.testing.assert_allclose(g, g.T)  # the symmetric gradient


def test_det_gradient_is_cofactor_and_singular_is_refused():
    a = np.array([[2.0, 1.0], [0.5, 3.0]])
    g = nm.grad(nm.linalg.det)(a)
    np.testing.assert_allclose(g, [[3.0, -0.5], [-1.0, 2.0]])  # the cofactors
    with pytest.raises(DifferentiationError, match="singular"):
        nm.grad(nm.linalg.det)(np.array([[1.0, 2.0], [2.0, 4.0]]))
    with pytest.raises(DifferentiationError, match=r"slogdet: .*singular"):
        nm.grad(lambda a: nm.linalg.slogdet(a)[1])(np.zeros((2, 2)))
    with pytest.raises(ArgumentError, match="inv: Singular matrix"):
        nm.linalg.inv(np.zeros((2, 2)))
    with pytest.raises(nm.ShapeError, match="square"):
        nm.linalg.det(np.ones((2, 3)))


NORM_CASES = [
    (None, None),
    (None, 1),
    (2, 0),
    (1, 1),
    (np.inf, 1),
    (-np.inf, 0),
    (3, 1),
    (0.5, 1),
    (0, 1),
    ("fro", None),
    (1, None),
    (-1, None),
    (np.inf, None),
    (-np.inf, (1, 0)),
]


@pytest.mark.parametrize(("ord", "axis"), NORM_CASES, ids=lambda v: str(v))
@pytest.mark.parametrize("keepdims", [False, True])
def test_norm_matches_numpy_and_finite_differences(ord, axis, keepdims):
    x = np.random.default_rng(3).normal(size=(3, 4))
    got = nm.linalg.norm(x, ord, axis, keepdims)
    expected = np.linalg.norm(x, ord, axis, keepdims)
    np.testing.assert_allclose(got.data, expected, rtol=1e-12)
    assert got.shape == np.shape(expected)
    assert nm.gradcheck(lambda x: nm.linalg.norm(x, ord, axis, keepdims), x)


@pytest.mark.parametrize("ord", [None, 2, 3, 1, np.inf])
def test_norm_at_the_zero_vector_has_zero_subgradient(ord):
    with np.errstate(all="raise"):
        g = nm.grad(lambda x: nm.linalg.norm(x, ord))(np.zeros(3))
    np.testing.assert_array_equal(g, np.zeros(3))


def test_norm_unsupported_orders_are_refused_by_name():
    with pytest.raises(ArgumentError, match="'nuc'"):
        nm.linalg.norm(np.eye(2), "nuc")
    with pytest.raises(nm.ShapeError, match="1-D or 2-D"):
        nm.linalg.norm(np.ones((2, 2, 2)), 1)


def test_trace_offsets_and_axes_match_numpy():
    for offset, a1, a2 in [(0, 0, 1), (1, 1, 2), (-1, 2, 0)]:
        np.testing.assert_allclose(
            nm.trace(B3, offset, a1, a2).data, np.trace(B3, offset, a1, a2)
        )
        assert nm.gradcheck(lambda x, o=offset, i=a1, j=a2: nm.trace(x, o, i, j), B3)


def test_linalg_against_torch():
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(4)
    a = _well_conditioned(rng, (2,))
    spd = a @ np.swapaxes(a, -1, -2)
    cases = [
        (nm.linalg.inv, torch.linalg.inv, a),
        (nm.linalg.det, torch.linalg.det, a),
        (nm.linalg.cholesky, torch.linalg.cholesky, spd),
        (
            lambda x: nm.linalg.norm(x, axis=(1, 2)),
            lambda x: torch.linalg.norm(x, dim=(1, 2)),
            a,
        ),
    ]
    for ours, theirs, x in cases:
        w = rng.normal(size=ours(x).shape)
        g = nm.grad(lambda t, f=ours, w=w: nm.sum(f(t) * w))(x)
        tx = torch.tensor(x, requires_grad=True)
        (theirs(tx) * torch.tensor(w)).sum().backward()
        tg = tx.grad.numpy()
        if ours is nm.linalg.cholesky:
            tg = (tg + np.swapaxes(tg, -1, -2)) / 2  # torch reads one triangle
        np.testing.assert_allclose(g, tg, rtol=1e-9, atol=1e-10)
