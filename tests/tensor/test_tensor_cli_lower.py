"""The symgraph command with --shapes, and the lowered NumPy code
(lambdify and standalone codegen) of tensor expressions."""

import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

import symgraph as sg
from symgraph.cli import main
from symgraph.errors import ShapeError

LSQ = "0.5*sum((X@w - y)**2)"
SHAPES = "X:n,m w:m y:n"


def run(capsys, *argv):
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_cli_grad_prints_the_textbook_line(capsys):
    code, out, _ = run(capsys, "grad", LSQ, "--shapes", SHAPES, "--wrt", "w")
    assert code == 0
    assert out == "d/dw = X.T @ (X @ w - y)\n"


def test_cli_grad_every_variable_by_default(capsys):
    code, out, _ = run(capsys, "grad", LSQ, "--shapes", SHAPES)
    assert code == 0
    assert out.splitlines() == [
        "d/dX = outer(X @ w - y, w)",
        "d/dw = X.T @ (X @ w - y)",
        "d/dy = y - X @ w",
    ]


def test_cli_verify_exit_status_and_first_line(capsys):
    code, out, _ = run(capsys, "verify", LSQ, "--shapes", SHAPES, "--wrt", "w",
                       "--claim", "X.T @ (X @ w - y)")  # fmt: skip
    assert code == 0 and out.startswith("proved")
    code, out, err = run(capsys, "verify", LSQ, "--shapes", SHAPES, "--wrt", "w",
                         "--claim", "X.T @ X @ w")  # fmt: skip
    assert code == 1 and out.startswith("WRONG") and "wrong" in err


def test_cli_check_and_bad_input(capsys):
    code, out, _ = run(capsys, "check", "logdet(A)", "--shapes", "A:n,n")
    assert code == 0 and out.startswith("gradient check: ok")
    code, _, err = run(capsys, "grad", "X @ y", "--shapes", SHAPES)
    assert code == 2 and "(n, m) and (n,)" in err and len(err.strip().splitlines()) == 1
    code, _, err = run(capsys, "grad", LSQ, "--shapes", SHAPES, "--wrt", "q")
    assert code == 2 and "'q'" in err
    code, _, err = run(capsys, "grad", LSQ, "--shapes", SHAPES, "--at", "w=1")
    assert code == 2 and "--at" in err


def test_cli_codegen_writes_a_module_that_runs(capsys, tmp_path):
    path = tmp_path / "lsq.py"
    code, out, _ = run(
        capsys, "codegen", LSQ, "--shapes", SHAPES, "--wrt", "w", "-o", str(path)
    )
    assert code == 0 and "wrote" in out
    namespace = {}
    exec(
        compile(path.read_text(), str(path), "exec"), namespace
    )  # our generated module
    rng = np.random.default_rng(0)
    Xv, wv, yv = (
        rng.standard_normal((5, 3)),
        rng.standard_normal(3),
        rng.standard_normal(5),
    )
    value, (dw,) = namespace["f_grad"](wv, Xv, yv)
    np.testing.assert_allclose(dw, Xv.T @ (Xv @ wv - yv), rtol=1e-12)
    assert value == pytest.approx(0.5 * np.sum((Xv @ wv - yv) ** 2), rel=1e-12)


def test_console_script_with_shapes():
    exe = str(Path(sys.executable).with_name("symgraph"))
    if not Path(exe).exists():
        exe = shutil.which("symgraph")
    result = subprocess.run(
        [exe, "grad", LSQ, "--shapes", SHAPES, "--wrt", "w"],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "d/dw = X.T @ (X @ w - y)"


# ----- lowering --------------------------------------------------------------------------
X, w, y = sg.tensors(SHAPES)
F = 0.5 * sg.sum((X @ w - y) ** 2)


def test_codegen_module_imports_only_numpy_and_checks_shapes():
    src = sg.codegen(F, [w, X])
    imports = [line for line in src.splitlines() if line.startswith(("import", "from"))]
    assert imports == ["import numpy as np"]
    ns = {}
    exec(compile(src, "<generated>", "exec"), ns)  # our generated module
    with pytest.raises(
        ValueError, match=r"argument X: axis 1 has size 4 but the dimension m = 3"
    ):
        ns["f"](np.ones(3), np.ones((2, 4)), np.ones(2))
    with pytest.raises(ValueError, match=r"argument y: expected shape \(n,\)"):
        ns["f"](np.ones(3), np.ones((2, 3)), np.ones((2, 1)))
    assert "d_w = X.T @ (X @ w - y)" in src  # the docstring shows the formula


def test_codegen_is_deterministic_and_refuses_c():
    assert sg.codegen(F, w) == sg.codegen(F, w)
    with pytest.raises(sg.tensor.CodegenError, match="C code is not generated"):
        sg.codegen(F, w, target="c")
    with pytest.raises(sg.tensor.CodegenError, match="scalar function"):
        sg.codegen(X @ w, w)


def test_lambdify_one_line_per_op_and_bound_dimension_errors():
    g = sg.lambdify([X, w, y], sg.grad(F, w))
    body = g.__doc__.splitlines()
    ops = body[body.index("    m = X.shape[1]") :]
    ops = [line.strip() for line in ops if line.startswith(("    t", "    out"))]
    assert ops == ["t0 = X @ w", "t1 = t0 - y", "out0 = X.T @ t1"]  # one line per op
    v = sg.tensors("v:3")
    h = sg.lambdify([X, v], X @ v)
    with pytest.raises(ShapeError, match="must have size m = 3"):
        h(np.ones((2, 4)), np.ones(3))
    with pytest.raises(sg.UnboundSymbolError, match="'y'"):
        sg.lambdify([X, w], F)


def test_an_op_without_a_numpy_spelling_lowers_through_the_registry(monkeypatch):
    # a registry op whose NumPy function is no ufunc and has no spelling of
    # its own: lambdify calls the registry's function, codegen says why not
    import dataclasses

    from symgraph.tensor import TOPS
    from symgraph.tensor.ops_elementwise import REGISTRY_PREFIX

    sin = TOPS["sin"]
    spelled = dataclasses.replace(sin, src=lambda n, p: f"{REGISTRY_PREFIX}sin({n[0]})")
    monkeypatch.setitem(TOPS, "sin", spelled)
    f = sg.sum(sg.sin(X @ w))
    fn = sg.lambdify([X, w], [f, sg.grad(f, w)])
    assert f"{REGISTRY_PREFIX}sin(" in fn.__doc__
    rng = np.random.default_rng(0)
    xv, wv = rng.standard_normal((3, 2)), rng.standard_normal(2)
    got = fn(xv, wv)
    np.testing.assert_allclose(got[0], np.sum(np.sin(xv @ wv)), rtol=1e-12)
    np.testing.assert_allclose(got[1], xv.T @ np.cos(xv @ wv), rtol=1e-12)
    with pytest.raises(
        sg.tensor.CodegenError, match="'sin' has no standalone NumPy spelling"
    ):
        sg.codegen(f, w)


def test_cli_hessian_with_shapes_prints_every_block(capsys):
    code, out, _ = run(
        capsys, "hessian", "0.5*x@A@x", "--shapes", "x:n A:n,n", "--wrt", "x"
    )
    assert (code, out) == (0, "d2/dxdx = 0.5 * (A + A.T)\n")
    code, out, _ = run(
        capsys, "hessian", "sum(exp(x)) + a*sum(x) + a**3", "--shapes", "x:n a"
    )
    assert code == 0
    blocks = dict(line.split(" = ") for line in out.splitlines())
    assert list(blocks) == ["d2/dxdx", "d2/dxda", "d2/dadx", "d2/dada"]
    # each block evaluated at a random point against central differences of the gradient
    x, a = sg.tensors("x:n a")
    f = sg.sum(sg.exp(x)) + a * sg.sum(x) + a**3
    rng = np.random.default_rng(0)
    xv, av = rng.normal(size=4), 0.7
    gx = sg.lambdify([x, a], sg.grad(f, x))
    ga = sg.lambdify([x, a], sg.grad(f, a))
    h = 1e-6
    want_xa = (gx(xv, av + h) - gx(xv, av - h)) / (2 * h)
    want_ax = [(ga(xv + h * e, av) - ga(xv - h * e, av)) / (2 * h) for e in np.eye(4)]
    got_xa = sg.lambdify([x, a], sg.parse(blocks["d2/dxda"], shapes="x:n a"))(xv, av)
    got_ax = sg.lambdify([x, a], sg.parse(blocks["d2/dadx"], shapes="x:n a"))(xv, av)
    assert np.shape(got_xa) == (4,)
    np.testing.assert_allclose(got_xa, want_xa, rtol=1e-6)
    np.testing.assert_allclose(np.broadcast_to(got_ax, (4,)), want_ax, rtol=1e-6)
    code, _, err = run(capsys, "hessian", "sum(X)", "--shapes", "X:n,m")
    assert code == 2 and "X has shape" in err


def test_jacobian_with_respect_to_a_scalar_has_the_outputs_shape():
    x, a = sg.tensors("x:n a")
    J = sg.jacobian(sg.exp(a * x), a)  # numerator layout: y.shape + x.shape, as jax
    assert J.shape == x.shape
    xv, av, h = np.array([0.5, -1.0, 2.0]), 0.3, 1e-6
    y = sg.lambdify([x, a], sg.exp(a * x))
    np.testing.assert_allclose(
        sg.lambdify([x, a], J)(xv, av),
        (y(xv, av + h) - y(xv, av - h)) / (2 * h),
        rtol=1e-6,
    )
