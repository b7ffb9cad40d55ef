"""sg.lambdify on arrays other than NumPy's: Dask arrays (on a LocalCluster,
a few MB) and an array-API namespace are computed with their own library,
never converted to NumPy, and agree with the NumPy path and sg.evaluate."""

from __future__ import annotations

import sys
from pathlib import Path

import dask
import dask.array as da
import numpy as np
import pytest
from dask.distributed import Client, LocalCluster

import symgraph as sg

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "benchmarks"))
import families

x, y, z = sg.symbols("x y z")


def _same(got, expected):
    np.testing.assert_allclose(
        np.asarray(got, dtype=float), np.asarray(expected, dtype=float), rtol=1e-12
    )


def test_dask_gradient_on_a_local_cluster_matches_numpy():
    f, wrt, inputs = families.mlp_loss(3)
    grads = sg.grad(f, wrt)
    g_fn = sg.lambdify(inputs, grads)
    n = 40_000  # 13 columns of 40,000 float64: about 4 MB
    cols = [
        da.random.RandomState(seed).uniform(-1, 1, n, chunks=10_000)
        for seed in range(len(inputs))
    ]
    with (
        LocalCluster(n_workers=2, processes=False, threads_per_worker=1) as cluster,
        Client(cluster),
    ):
        lazy = g_fn(*cols)
        assert all(isinstance(g, da.Array) for g in lazy)  # nothing computed yet
        mean_grad = dask.compute(*[g.mean() for g in lazy])
        numpy_cols = dask.compute(*cols)
    expected = [g.mean() for g in g_fn(*numpy_cols)]
    _same(mean_grad, expected)
    # and the NumPy answer is evaluate's
    _same(
        expected,
        [np.mean(v) for v in sg.evaluate(grads, dict(zip(inputs, numpy_cols)))],
    )


def test_dask_object_array_outputs_and_object_array_arguments():
    W = sg.symbols_array("W", (2, 2))
    v = sg.symbols_array("v", (2,))
    out = np.array([sg.tanh(W[i, 0] * v[0] + W[i, 1] * v[1]) for i in range(2)])
    fn = sg.lambdify([W, v], np.array([out[0], 2, v[1], out[1]], dtype=object))
    rng = np.random.default_rng(0)
    wv, vv = rng.normal(size=(2, 2, 500)), rng.normal(size=(2, 500))
    got = fn(da.from_array(wv, chunks=(2, 2, 100)), vv)
    assert isinstance(got, da.Array) and got.shape == (4, 500)
    _same(got.compute(), fn(wv, vv))


class _Recording:
    """A tiny array-API namespace over NumPy that records the names asked of
    it; it has only the standard's spellings (atan, not arctan)."""

    def __init__(self):
        self.asked = []

    def __getattr__(self, name):
        if name in ("arctan", "arcsin", "power", "absolute"):
            raise AttributeError(name)  # NumPy's spellings are not standard
        self.asked.append(name)
        fn = {"atan": np.arctan, "asin": np.arcsin, "pow": np.power}.get(name)
        fn = fn or getattr(np, name)
        return lambda *a, **k: _Array(fn(*[_raw(v) for v in a], **k))


def _raw(v):
    return v.data if isinstance(v, _Array) else v


class _Array:
    """An array of the recording namespace; converting it to NumPy fails."""

    namespace = None

    def __init__(self, data):
        self.data = np.asarray(data)
        self.shape = self.data.shape

    def __array_namespace__(self):
        return _Array.namespace

    def __array__(self, *args, **kwargs):
        raise AssertionError("converted to NumPy")

    def _op(fn):
        return lambda self, other: _Array(fn(self.data, _raw(other)))

    __add__, __radd__ = _op(np.add), _op(lambda a, b: b + a)
    __sub__, __rsub__ = _op(np.subtract), _op(lambda a, b: b - a)
    __mul__, __rmul__ = _op(np.multiply), _op(lambda a, b: b * a)
    __truediv__, __rtruediv__ = _op(np.divide), _op(lambda a, b: b / a)
    __pow__, __rpow__ = _op(np.power), _op(lambda a, b: b**a)
    __gt__ = _op(np.greater)

    def __neg__(self):
        return _Array(-self.data)


def test_array_api_namespace_is_used_with_its_own_spellings():
    _Array.namespace = _Recording()
    f = sg.atan(x) * sg.sin(y) + sg.relu(x) * y**2
    grads = sg.grad(f, [x, y])
    fn = sg.lambdify([x, y], [f, *grads])
    xs = np.linspace(-1, 1, 7)
    got = fn(_Array(xs), 0.5)
    assert all(isinstance(g, _Array) for g in got)
    assert "atan" in _Array.namespace.asked and "sin" in _Array.namespace.asked
    _same([g.data for g in got], sg.evaluate([f, *grads], {x: xs, y: 0.5}))


def test_arrays_of_two_libraries_are_refused():
    _Array.namespace = _Recording()
    fn = sg.lambdify([x, y], x * y)
    with pytest.raises(TypeError, match="arguments x and y are arrays of different"):
        fn(_Array(np.ones(3)), da.ones(3, chunks=3))


def test_jax_arrays_stay_jax_arrays():
    jax = pytest.importorskip("jax")  # optional: the same path is tested above
    jnp = jax.numpy
    f = sg.sigmoid(x) * sg.sin(y)
    fn = sg.lambdify([x, y], sg.grad(f, [x, y]))
    xs = np.linspace(-1, 1, 5, dtype=np.float32)
    got = fn(jnp.asarray(xs), 0.5)
    assert all(isinstance(g, jax.Array) for g in got)
    expected = sg.evaluate(sg.grad(f, [x, y]), {x: xs, y: 0.5})
    # JAX computes in float32 here (x64 is off by default)
    np.testing.assert_allclose(
        [np.asarray(g) for g in got], expected, rtol=1e-5, atol=1e-6
    )
