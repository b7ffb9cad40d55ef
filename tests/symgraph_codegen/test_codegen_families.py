"""The benchmark families (MLP loss, conv layer, deep chain), generated code
against hand-written NumPy gradients, evaluate and lambdify; names; size."""

from __future__ import annotations

import re

import numpy as np
import pytest
import scipy.signal
from _codegen_helpers import call, chain, conv_loss, load, mlp_loss, random_values

import symgraph as sg
from symgraph.traverse import toposort


@pytest.fixture(scope="module")
def gen_dir(tmp_path_factory):
    return tmp_path_factory.mktemp("generated_families")


@pytest.mark.parametrize("n", [2, 4])
def test_codegen_mlp_matches_hand_written_gradient(gen_dir, n):
    f, wrt, (W1, W2, xs, y) = mlp_loss(n)
    mod = load(sg.codegen(f, wrt), gen_dir)
    names = [s.value for s in wrt] + [s.value for s in xs] + ["y"]
    batch = 25
    values = random_values(names, batch, seed=n)
    value, grads = call(mod.f_grad, values)
    # By hand, per point: h = tanh(W1 x), r = W2.h - y, f = r^2,
    # df/dW2 = 2 r h, df/dW1 = 2 r (W2 * (1 - h^2)) x^T.
    w1 = np.array([values[s.value] for s in W1.ravel()]).reshape(n, n, batch)
    w2 = np.array([values[s.value] for s in W2])
    xv = np.array([values[s.value] for s in xs])
    h = np.tanh(np.einsum("ijb,jb->ib", w1, xv))
    r = np.einsum("ib,ib->b", w2, h) - values["y"]
    d_w2 = 2 * r * h
    d_w1 = np.einsum("ib,jb->ijb", 2 * r * w2 * (1 - h * h), xv)
    np.testing.assert_allclose(value, r * r, rtol=1e-13)
    np.testing.assert_allclose(
        np.array(grads[: n * n]), d_w1.reshape(n * n, batch), rtol=1e-11
    )
    np.testing.assert_allclose(np.array(grads[n * n :]), d_w2, rtol=1e-11)
    lam = sg.lambdify(list(wrt) + list(xs) + [y], sg.grad(f, wrt))
    np.testing.assert_allclose(
        np.array(lam(*[values[k] for k in names])), np.array(grads), rtol=1e-12
    )


def test_codegen_conv_layer_matches_scipy_gradients(gen_dir):
    f, wrt, (X, W, G) = conv_loss(5, 6, 2, 3)
    mod = load(sg.codegen(f, wrt), gen_dir)
    rng = np.random.default_rng(9)
    xv, wv, gv = (
        rng.normal(size=(5, 6)),
        rng.normal(size=(2, 3)),
        rng.normal(size=(4, 4)),
    )
    values = {
        s.value: v
        for A, a in ((X, xv), (W, wv), (G, gv))
        for s, v in zip(A.ravel(), a.ravel())
    }
    value, grads = call(mod.f_grad, values)
    # By hand: f = sum(G * correlate(X, W)); dW = correlate(X, G); dX = convolve(G, W, full).
    assert float(value) == pytest.approx(
        np.sum(gv * scipy.signal.correlate2d(xv, wv, "valid"))
    )
    d_x = scipy.signal.convolve2d(gv, wv, "full")
    d_w = scipy.signal.correlate2d(xv, gv, "valid")
    np.testing.assert_allclose(
        np.array(grads[:30], dtype=float), d_x.ravel(), rtol=1e-12, atol=1e-14
    )
    np.testing.assert_allclose(
        np.array(grads[30:], dtype=float), d_w.ravel(), rtol=1e-12
    )


def test_codegen_chain_matches_evaluate(gen_dir):
    f, wrt = chain(40)
    mod = load(sg.codegen(f, wrt), gen_dir)
    xs = np.linspace(-1.5, 1.5, 101)
    value, (g,) = mod.f_grad(xs)
    np.testing.assert_allclose(value, sg.evaluate(f, {"x0": xs}), rtol=1e-12)
    np.testing.assert_allclose(
        g, sg.evaluate(sg.grad(f, wrt)[0], {"x0": xs}), rtol=1e-12
    )
    # Central differences, an independent check, on a chain short enough to be
    # well conditioned (the 40-step one amplifies rounding by orders of magnitude).
    short = load(sg.codegen(*chain(6)), gen_dir)
    _, (g,) = short.f_grad(xs)
    h = 1e-6
    fd = (short.f(xs + h) - short.f(xs - h)) / (2 * h)
    np.testing.assert_allclose(g, fd, rtol=1e-4, atol=1e-5)


def test_codegen_large_function_frees_temporaries(gen_dir):
    f, wrt = chain(100)
    src = sg.codegen(f, wrt)
    assert re.search(r"^    del t\d+", src, re.MULTILINE)
    small = sg.codegen(chain(2)[0], wrt)
    assert "del " not in small  # short functions stay plain straight-line code


def test_codegen_size_is_linear_in_the_dag(gen_dir):
    # One line per op node: the lines of f_grad are bounded by the gradient DAG's size.
    sizes = []
    for k in (200, 800):
        f, wrt = chain(k)
        n_nodes = len(toposort([f, *sg.grad(f, wrt)]))
        src = sg.codegen(f, wrt)
        grad_fn = src[src.index("def f_grad") :]
        ops = len(re.findall(r"^    \w+ = ", grad_fn, re.MULTILINE))
        assert ops <= n_nodes + 2  # + the _shape and _grad lines
        sizes.append(len(src))
    assert sizes[1] < 4.5 * sizes[0]


def test_codegen_hundred_thousand_node_gradient_imports(gen_dir):
    f, wrt = chain(11200)  # about 10^5 nodes in the value-and-gradient DAG
    n_nodes = len(toposort([f, *sg.grad(f, wrt)]))
    assert n_nodes >= 100_000
    mod = load(sg.codegen(f, wrt), gen_dir)
    value, (g,) = mod.f_grad(np.array([0.1, 0.2]))
    np.testing.assert_allclose(
        value, sg.evaluate(f, {"x0": np.array([0.1, 0.2])}), rtol=1e-10
    )
    assert np.all(np.isfinite(g))


# ----- names from the user ------------------------------------------------------------
def test_codegen_keyword_and_odd_names_are_rejected_before_codegen():
    # symgraph refuses them when the symbol or name is made, so no code can hold them.
    # (Latin and Greek letters are allowed: é, θ; a Cyrillic а is not)
    for bad in ("class", "lambda", "x-y", "x)", "_x", "1x", "\u0430", "x²"):
        with pytest.raises(ValueError):
            sg.symbols(bad)
    x = sg.symbols("x")
    with pytest.raises(ValueError):
        (x * x).named("import os")


def test_codegen_builtin_and_temporary_names_are_mangled(gen_dir):
    names = "print np sum max t0 f_grad l x x_"
    syms = sg.symbols(names)
    f = syms[0] * syms[1] + syms[2] * sg.maximum(syms[3], syms[4]) + syms[5] * syms[6]
    f = (f + syms[7] * syms[8]).named("t1")
    src = sg.codegen(f, list(syms))
    header = src[: src.index('"""', 3)]
    expected = "print_, np_, sum_, max_, t0_, f_grad_, l_, x, x_"
    assert expected in header.replace("\n    ", " ")
    assert (
        "print -> print_" in header and "t0 -> t0_" in header and "t1 -> t1_" in header
    )
    assert re.search(
        r"^def f\(print_, np_, sum_, max_, t0_, f_grad_, l_, x, x_\):",
        src,
        re.MULTILINE,
    )
    mod = load(src, gen_dir)
    values = random_values(names.split(), 9, seed=11)
    value, grads = mod.f_grad(*values.values())
    ref = sg.evaluate(f, values)
    np.testing.assert_allclose(value, ref, rtol=1e-13)
    np.testing.assert_allclose(
        np.array(grads),
        np.array(sg.evaluate(sg.grad(f, list(syms)), values)),
        rtol=1e-13,
    )


def test_codegen_cli_writes_a_module(tmp_path):
    from symgraph import cli

    try:
        code = cli.main(
            ["codegen", "x*sin(y)", "--wrt", "x,y", "-o", str(tmp_path / "m.py")]
        )
    except SystemExit:
        pytest.skip("the symgraph command has no codegen subcommand yet")
    assert code == 0
    mod = load((tmp_path / "m.py").read_text(), tmp_path)
    value, grads = mod.f_grad(2.0, 0.5)
    assert float(value) == pytest.approx(2 * np.sin(0.5))
    np.testing.assert_allclose(
        [float(g) for g in grads], [np.sin(0.5), 2 * np.cos(0.5)]
    )
