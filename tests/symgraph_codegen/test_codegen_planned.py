"""sg.codegen(..., plan=True): memory-planned modules that import only NumPy,
agree with the default module and with sg.evaluate (random DAGs, the
benchmark families, several blocks, scalar arguments, the Hessian), take
Dask arrays without converting them, and refuse what they do not support."""

from __future__ import annotations

import ast
import sys
import warnings
from pathlib import Path

import dask.array as da
import numpy as np
import pytest
from _codegen_helpers import load
from hypothesis import given, settings
from strategies import BOX, expressions

import symgraph as sg

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "benchmarks"))
import families

SYMS = sg.symbols("x y z")
x, y, z = SYMS


@pytest.fixture(scope="module")
def gen_dir(tmp_path_factory):
    return tmp_path_factory.mktemp("planned")


def _same(got, expected):
    np.testing.assert_allclose(
        np.asarray(got, dtype=float),
        np.asarray(expected, dtype=float),
        rtol=1e-12,
        atol=0,
        equal_nan=True,
    )


def _small_blocks(src: str) -> str:
    """The module with blocks of 64 points (several blocks, a short last one)."""
    lines = []
    for line in src.splitlines():
        if "= _run(" in line:
            head, rest = line.split("= _run(")
            parts = rest.split(", ")
            parts[2] = "64"
            line = head + "= _run(" + ", ".join(parts)
        lines.append(line)
    return "\n".join(lines) + "\n"


@settings(max_examples=25, deadline=None)
@given(expressions(SYMS, max_depth=3))
def test_planned_module_matches_default_module_and_evaluate(f):
    src = sg.codegen(f, list(SYMS), plan=True)
    planned, plain = {}, {}
    exec(compile(_small_blocks(src), "<planned>", "exec"), planned)
    exec(compile(sg.codegen(f, list(SYMS)), "<plain>", "exec"), plain)
    rng = np.random.default_rng(5)
    vals = [rng.uniform(*BOX, 300), 0.75, rng.uniform(*BOX, 300)]
    with np.errstate(all="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        v1, g1 = planned["f_grad"](*vals)
        _, g2 = plain["f_grad"](*vals)
        ref = sg.evaluate([f, *sg.grad(f, list(SYMS))], dict(zip(SYMS, vals)))
        assert np.shape(v1) == (300,)
        _same(v1, np.broadcast_to(ref[0], (300,)))
        _same(planned["f"](*vals), v1)
        for a, b, c in zip(g1, g2, ref[1:]):
            assert a.shape == (300,)
            _same(a, b)
            _same(a, np.broadcast_to(c, (300,)))


@pytest.mark.parametrize(
    "builder, size",
    [(families.mlp_loss, 3), (families.deep_chain, 30), (families.conv_layer, 4)],
    ids=["mlp", "chain", "conv"],
)
def test_planned_module_families_match_evaluate(builder, size, gen_dir):
    f, wrt, inputs = builder(size)
    src = sg.codegen(f, wrt, plan=True)
    tree = ast.parse(src)
    imports = [n for n in ast.walk(tree) if isinstance(n, (ast.Import, ast.ImportFrom))]
    assert [a.name for n in imports for a in n.names] == ["numpy"]
    mod = load(_small_blocks(src), gen_dir, "planned")
    batch = families.random_batch(inputs, 257, seed=size)
    value, grads = mod.f_grad(*batch)
    ref = sg.evaluate([f, *sg.grad(f, wrt)], dict(zip(inputs, batch)))
    _same(value, ref[0])
    assert len(grads) == len(wrt)
    for a, b in zip(grads, ref[1:]):
        _same(a, b)


def test_planned_module_hessian_and_shapes(gen_dir):
    f = sg.sin(x * y) + x**3 * z
    mod = load(sg.codegen(f, [x, y, z], plan=True, hessian=True), gen_dir, "hess")
    xs = np.linspace(-1, 1, 600).reshape(20, 30)
    value, grads, hess = mod.f_hess(xs, 0.5, 2.0)
    assert value.shape == (20, 30) and hess.shape == (3, 3, 20, 30)
    ref = sg.evaluate(sg.hessian(f, [x, y, z]), {x: xs, y: 0.5, z: 2.0})
    _same(hess, ref)
    _same(grads[1], sg.evaluate(sg.grad(f, [y])[0], {x: xs, y: 0.5, z: 2.0}))
    # one point: 0-d results of the same functions
    v, g = mod.f_grad(0.3, 0.5, 2.0)
    assert np.shape(v) == () and len(g) == 3


def test_planned_module_takes_dask_arrays_without_converting(gen_dir):
    f = sg.sigmoid(x) * sg.log1p(y * y) + sg.relu(x - y)
    mod = load(sg.codegen(f, [x, y], plan=True), gen_dir, "dask")
    rng = np.random.default_rng(1)
    xs, ys = rng.normal(size=1000), rng.normal(size=1000)
    dx = da.from_array(xs, chunks=250)
    value, (gx, gy) = mod.f_grad(dx, ys)
    assert isinstance(value, da.Array) and isinstance(gx, da.Array)
    np_value, (np_gx, np_gy) = mod.f_grad(xs, ys)
    _same(value.compute(), np_value)
    _same(gx.compute(), np_gx)
    _same(gy.compute(), np_gy)


def test_planned_module_refuses_c_target_and_several_outputs():
    with pytest.raises(sg.CodegenError, match="Python target"):
        sg.codegen(x * y, [x, y], target="c", plan=True)
    with pytest.raises(sg.CodegenError, match="single scalar output"):
        sg.codegen([x * y, x + y], [x, y], plan=True)


def test_planned_module_takes_jax_arrays(gen_dir):
    jax = pytest.importorskip("jax")  # optional: Dask covers the same path above
    f = sg.sigmoid(x) * sg.softplus(y) + sg.atan(x * y)
    mod = load(sg.codegen(f, [x, y], plan=True), gen_dir, "jax")
    xs = np.linspace(-2, 2, 9, dtype=np.float32)
    value, grads = mod.f_grad(jax.numpy.asarray(xs), 0.5)
    assert isinstance(value, jax.Array) and all(isinstance(g, jax.Array) for g in grads)
    ref = sg.evaluate([f, *sg.grad(f, [x, y])], {x: xs, y: 0.5})
    np.testing.assert_allclose(np.asarray(value), ref[0], rtol=1e-5)
    for g, r in zip(grads, ref[1:]):
        np.testing.assert_allclose(np.asarray(g), r, rtol=1e-5, atol=1e-6)
