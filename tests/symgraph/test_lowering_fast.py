"""sg.lambdify's direct NumPy lowering (the default backend) against the
SymPy reference path (backend="sympy") and against sg.evaluate: random DAGs
and their gradients, the benchmark families, the memory-planned blocks
(several blocks, a short last one, scalar arguments), general broadcasting,
argument and output forms, errors, and the generated source."""

import ast
import contextlib
import linecache
import sys
import threading
import traceback
import warnings
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from strategies import BOX, expressions

import symgraph as sg
from symgraph.errors import ShapeError
from symgraph.lowering import function as lowering_function
from symgraph.node import const

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "benchmarks"))
import families

SYMS = sg.symbols("x y z")
x, y, z = SYMS


@contextlib.contextmanager
def _blocks_of_64():
    """Blocks of 64 points, so a batch of a few hundred runs several blocks
    and a shorter last one."""
    saved = [
        getattr(lowering_function, k)
        for k in ("CACHE_BYTES", "MIN_BLOCK", "MIN_BLOCKED")
    ]
    lowering_function.CACHE_BYTES = 1
    lowering_function.MIN_BLOCK = 64
    lowering_function.MIN_BLOCKED = 100
    try:
        yield
    finally:
        (
            lowering_function.CACHE_BYTES,
            lowering_function.MIN_BLOCK,
            lowering_function.MIN_BLOCKED,
        ) = saved


@pytest.fixture
def small_blocks():
    with _blocks_of_64():
        yield


def _same(got, expected):
    np.testing.assert_allclose(
        np.asarray(got, dtype=float),
        np.asarray(expected, dtype=float),
        rtol=1e-12,
        atol=0,
        equal_nan=True,
    )


@settings(max_examples=60, deadline=None)
@given(st.data())
def test_fast_lambdify_agrees_with_sympy_path_and_evaluate_on_batches(data):
    f = data.draw(expressions(SYMS, max_depth=4), label="f")
    outs = [f, *sg.grad(f, list(SYMS))]
    rng = np.random.default_rng(data.draw(st.integers(0, 2**16), label="seed"))
    n = data.draw(st.sampled_from([3, 150, 333]), label="points")
    # a scalar argument sometimes: the blocked code reads it as a zero-stride view
    scalar = data.draw(st.sampled_from([None, 0, 2]), label="scalar argument")
    vals = [rng.uniform(*BOX, size=n) for _ in SYMS]
    if scalar is not None:
        vals[scalar] = float(vals[scalar][0])
    with np.errstate(all="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with _blocks_of_64():
            fast = sg.lambdify(list(SYMS), outs)(*vals)
        ref = sg.lambdify(list(SYMS), outs, backend="sympy")(*vals)
        ev = sg.evaluate(outs, dict(zip(SYMS, vals)))
    assert len(fast) == len(outs)
    for a, b, c in zip(fast, ref, ev):
        assert np.shape(a) == np.shape(b) == np.shape(c)
        assert isinstance(a, float) == isinstance(b, float)
        _same(a, c)
        _same(a, b)


@pytest.mark.parametrize(
    "builder, size",
    [(families.mlp_loss, 3), (families.deep_chain, 40), (families.conv_layer, 5)],
    ids=["mlp", "chain", "conv"],
)
def test_fast_lambdify_families_match_sympy_path_and_evaluate(
    builder, size, small_blocks
):
    f, wrt, inputs = builder(size)
    grads = sg.grad(f, wrt)
    batch = families.random_batch(inputs, 333, seed=size)
    fast = sg.lambdify(inputs, [f, *grads])(*batch)
    ref = sg.lambdify(inputs, [f, *grads], backend="sympy")(*batch)
    ev = sg.evaluate([f, *grads], dict(zip(inputs, batch)))
    for a, b, c in zip(fast, ref, ev):
        assert a.shape == (333,)
        _same(a, c)
        _same(a, b)
    # the gradient as an object array: one (len(wrt), 333) block
    G = np.array(grads, dtype=object)
    block = sg.lambdify(inputs, G)(*batch)
    assert block.shape == (len(wrt), 333)
    _same(block, np.array(ev[1:]))


def test_fast_lambdify_object_array_outputs_with_constants_and_symbols(small_blocks):
    out = np.array([[x * y, 2], [y, sg.sin(x)]], dtype=object)
    fn = sg.lambdify([x, y], out)
    xs = np.linspace(-1, 1, 300)
    got = fn(xs, 0.5)
    assert got.shape == (2, 2, 300)
    _same(got, sg.evaluate(out, {x: xs, y: 0.5}))
    assert np.all(got[0, 1] == 2.0) and np.all(got[1, 0] == 0.5)
    _same(fn(0.25, 0.5), sg.evaluate(out, {x: 0.25, y: 0.5}))


def test_fast_lambdify_list_outputs_keep_their_own_shapes(small_blocks):
    fn = sg.lambdify([x, y], [x * y, y + 1, 2, x, x * y])
    xs = np.linspace(0, 1, 200).reshape(10, 20)
    a, b, c, d, e = fn(xs, 3.0)
    assert a.shape == (10, 20) and e.shape == (10, 20)
    _same(a, 3.0 * xs)
    assert isinstance(b, float) and b == 4.0  # depends on the scalar only
    assert isinstance(c, float) and c == 2.0
    assert d is not None and d.shape == (10, 20)
    _same(e, a)


def test_fast_lambdify_general_broadcasting_runs_the_plain_code():
    f = sg.sin(x) * y + z
    fn = sg.lambdify([x, y, z], f)
    xs = np.linspace(0, 1, 400).reshape(400, 1)
    ys = np.linspace(-1, 1, 300).reshape(1, 300)
    got = fn(xs, ys, 0.5)
    assert got.shape == (400, 300)
    _same(got, sg.evaluate(f, {x: xs, y: ys, z: 0.5}))


def test_fast_lambdify_shape_mismatch_names_the_arguments():
    fn = sg.lambdify([x, y], x * y)
    with pytest.raises(ShapeError, match=r"x \(3,\), y \(4,\)"):
        fn(np.zeros(3), np.zeros(4))
    with pytest.raises(TypeError, match="expected 2 arguments"):
        fn(1.0)
    with pytest.raises(ValueError, match="backend"):
        sg.lambdify([x], x, backend="jax")


def test_fast_lambdify_huge_constants_are_floats_in_both_paths(small_blocks):
    cases = [
        const(9) ** const(9**9) * x,
        const(2.0) ** const(2**20) + x,
        const(1) / const(0) + x,
        const(float("nan")) * x,
        const(10) ** const(400) - x,
    ]
    pts = np.linspace(1.0, 2.0, 300)
    with np.errstate(all="ignore"):
        for e in cases:
            fn = sg.lambdify([x], e)
            assert "9**387420489" not in fn.__doc__
            _same(fn(pts), sg.evaluate(e, {x: pts}))
            _same(fn(pts[:3]), sg.evaluate(e, {x: pts[:3]}))


def test_fast_lambdify_source_is_in_doc_and_in_tracebacks():
    fn = sg.lambdify([x, y], [sg.sin(x * y), sg.log(x)])
    doc = fn.__doc__
    assert "def _lambdifygenerated(x, y):" in doc
    assert "def _lambdifygenerated_blocked(_out, _buffers, x, y):" in doc
    assert "np.sin(" in doc and "np.log(" in doc
    # an error inside the generated code points at a generated line
    with pytest.raises(RuntimeError, match="boom") as info:
        fn(_Exploding(), 1.0)
    frames = traceback.extract_tb(info.tb)
    generated = [fr for fr in frames if fr.filename.startswith("<lambdifygenerated")]
    assert generated
    line = linecache.getline(generated[-1].filename, generated[-1].lineno)
    assert line.strip() == "t0 = x * y"


class _Exploding:
    """An array-API array whose product fails."""

    def __array_namespace__(self):
        return np

    def __mul__(self, other):
        raise RuntimeError("boom")


def test_fast_lambdify_memory_plan_reuses_buffers():
    f, wrt, inputs = families.deep_chain(30)
    fn = sg.lambdify(inputs, sg.grad(f, wrt))
    blocked = fn.__doc__.split("Source code:")[-1]
    tree = ast.parse(blocked)
    unpack = [
        node
        for node in ast.walk(tree)
        if isinstance(node, ast.Assign)
        and isinstance(node.value, ast.Name)
        and node.value.id == "_buffers"
    ]
    n_buffers = len(unpack[0].targets[0].elts)
    n_ops = sum(
        1
        for node in ast.walk(tree)
        if isinstance(node, ast.Call) and getattr(node.func, "value", None) is not None
    )
    # the reverse sweep keeps two values per step alive, no more
    assert n_buffers <= 2 * 30 + 2 < n_ops


def test_fast_lambdify_kept_buffers_are_not_shared_between_threads():
    f, wrt, inputs = families.deep_chain(20)
    grads = sg.grad(f, wrt)
    fn = sg.lambdify(inputs, [f, *grads])
    points = [np.linspace(-1, 1, 6000) + k for k in range(4)]
    expected = [sg.evaluate([f, *grads], {wrt[0]: p}) for p in points]
    failures = []

    def work(k):
        for _ in range(5):  # the kept buffers are reused call after call
            got = fn(points[k])
            if not all(np.array_equal(a, b) for a, b in zip(got, expected[k])):
                failures.append(k)

    threads = [threading.Thread(target=work, args=(k,)) for k in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not failures


def test_fast_lambdify_takes_object_array_arguments_in_blocks(small_blocks):
    W = sg.symbols_array("W", (2, 3))
    v = sg.symbols_array("v", (3,))
    out = np.array(
        [sum(W[i, j] * v[j] for j in range(3)) for i in range(2)], dtype=object
    )
    fn = sg.lambdify([W, v], out)
    rng = np.random.default_rng(3)
    wb, vb = rng.normal(size=(2, 3, 500)), rng.normal(size=(3, 500))
    _same(fn(wb, vb), np.einsum("ijn,jn->in", wb, vb))
