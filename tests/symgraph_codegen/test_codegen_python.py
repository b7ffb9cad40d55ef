"""Generated NumPy modules: they import, agree with evaluate, lambdify,
sympy.diff and finite differences, broadcast, and read as promised."""

from __future__ import annotations

import ast
import re
import shutil
import subprocess
import warnings
from fractions import Fraction

import numpy as np
import pytest
import sympy as sp
from _codegen_helpers import call, load, random_values
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from strategies import SMOOTH_OPS, expressions, is_safe, op_arguments, real_sympy

import symgraph as sg
from symgraph.node import const
from symgraph.ops import OPS

x, y, z = sg.symbols("x y z")
SETTINGS = settings(
    max_examples=30,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)


@pytest.fixture(scope="module")
def gen_dir(tmp_path_factory):
    return tmp_path_factory.mktemp("generated")


def _safe_batch(roots, symbols, n=40, seed=0):
    """A batch of points (columns) at which every node is finite and away from kinks."""
    values = random_values([s.value for s in symbols], 4 * n, seed)
    keep = [
        i
        for i in range(4 * n)
        if is_safe(roots, {s: values[s.value][i] for s in symbols})
    ]
    return {k: v[keep[:n]] for k, v in values.items()}, len(keep[:n])


def _grad_reference(f, wrt, values):
    shape = np.broadcast_shapes(*[np.shape(v) for v in values.values()])
    return np.array(
        [np.broadcast_to(g, shape) for g in sg.evaluate(sg.grad(f, wrt), values)]
    )


# ----- agreement ----------------------------------------------------------------------
@SETTINGS
@given(expressions([x, y, z], max_depth=4))
def test_codegen_random_dag_matches_evaluate_and_lambdify(gen_dir, f):
    wrt = [x, y, z]
    mod = load(sg.codegen(f, wrt), gen_dir)
    values = random_values("xyz", 64, seed=1)
    with np.errstate(all="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        value, grads = call(mod.f_grad, values)
        only_value = call(mod.f, values)
        ref_value = np.broadcast_to(sg.evaluate(f, values), (64,))
        ref_grads = _grad_reference(f, wrt, values)
        lam = sg.lambdify(wrt, [f] + sg.grad(f, wrt))(*[values[c] for c in "xyz"])
    assert np.shape(value) == (64,)
    assert all(np.shape(g) == (64,) for g in grads)
    np.testing.assert_allclose(value, ref_value, rtol=1e-9, atol=1e-12, equal_nan=True)
    np.testing.assert_allclose(only_value, value, rtol=0, atol=0, equal_nan=True)
    np.testing.assert_allclose(
        np.array(grads), ref_grads, rtol=1e-9, atol=1e-12, equal_nan=True
    )
    lam_grads = np.array([np.broadcast_to(g, (64,)) for g in lam[1:]])
    np.testing.assert_allclose(
        lam_grads, ref_grads, rtol=1e-9, atol=1e-12, equal_nan=True
    )


@settings(SETTINGS, max_examples=20)
@given(expressions([x, y], max_depth=3, ops=SMOOTH_OPS))
def test_codegen_gradient_matches_sympy_diff(gen_dir, f):
    values, n = _safe_batch(f, [x, y], n=16, seed=2)
    if n == 0:
        return
    mod = load(sg.codegen(f, [x, y]), gen_dir)
    expr, syms = real_sympy(f.to_sympy())
    args = [
        syms.get("x", sp.Symbol("x", real=True)),
        syms.get("y", sp.Symbol("y", real=True)),
    ]
    diffs = [sp.diff(expr, a) for a in args]
    ref = sp.lambdify(args, [expr] + diffs, modules="numpy")(values["x"], values["y"])
    ref = [np.broadcast_to(np.asarray(r, dtype=float), (n,)) for r in ref]
    value, grads = mod.f_grad(values["x"], values["y"])
    np.testing.assert_allclose(value, ref[0], rtol=1e-8, atol=1e-10)
    np.testing.assert_allclose(np.array(grads), np.array(ref[1:]), rtol=1e-7, atol=1e-9)


@pytest.mark.parametrize("op", sorted(OPS))
def test_codegen_every_op_matches_finite_differences(gen_dir, op):
    symbols = sg.symbols("a b c")[: OPS[op].nargs]
    f = _apply(op, symbols)
    mod = load(sg.codegen(f, list(symbols)), gen_dir)
    draws = st.lists(op_arguments(op), min_size=8, max_size=8)
    points = np.array(_example(draws), dtype=float).T  # (nargs, 8)
    value, grads = mod.f_grad(*points)
    ref = sg.evaluate(f, dict(zip(symbols, points)))
    np.testing.assert_allclose(value, ref, rtol=1e-12, atol=1e-14)
    h = 1e-6
    for i, g in enumerate(grads):
        up, down = points.copy(), points.copy()
        up[i] += h
        down[i] -= h
        fd = (mod.f(*up) - mod.f(*down)) / (2 * h)
        if op == "heaviside" and i == 1:
            continue  # h0 only matters at x == 0, which the draws avoid
        np.testing.assert_allclose(
            g, fd, rtol=1e-5, atol=1e-6, err_msg=f"d{op}/d arg {i}"
        )


def _apply(op, symbols):
    from symgraph.node import make

    return make(op, *symbols)


def _example(strategy):
    """One deterministic draw of a strategy (outside @given)."""
    found = []

    @settings(max_examples=1, deadline=None, derandomize=True, database=None)
    @given(strategy)
    def grab(v):
        found.append(v)

    grab()
    return found[0]


def test_codegen_numeric_engine_agrees_on_the_mlp(gen_dir):
    from _codegen_helpers import mlp_loss

    from symgraph.check import numeric_gradient

    f, wrt, _ = mlp_loss(3)
    mod = load(sg.codegen(f, wrt), gen_dir)
    values = random_values([s.value for s in f_free(f)], 3, seed=4)
    _, grads = call(mod.f_grad, values)
    for i in range(3):
        point = {k: v[i] for k, v in values.items()}
        ref = numeric_gradient(f, wrt, point)
        np.testing.assert_allclose(np.array(grads)[:, i], ref, rtol=1e-10, atol=1e-12)


def f_free(f):
    from _codegen_helpers import free_symbols

    return free_symbols([f])


# ----- broadcasting and shapes ------------------------------------------------------
def test_codegen_gradient_has_the_broadcast_shape(gen_dir):
    f = x * 3 + sg.sin(y) + 2 * z  # constant, partial and full dependencies
    mod = load(sg.codegen(f, [x, y, z]), gen_dir)
    xv = np.linspace(-1, 1, 3).reshape(3, 1)
    yv = np.linspace(0, 2, 4).reshape(1, 4)
    value, (gx, gy, gz) = mod.f_grad(xv, yv, 0.5)
    assert value.shape == gx.shape == gy.shape == gz.shape == (3, 4)
    np.testing.assert_array_equal(gx, np.full((3, 4), 3.0))
    np.testing.assert_allclose(gy, np.broadcast_to(np.cos(yv), (3, 4)))
    np.testing.assert_array_equal(gz, np.full((3, 4), 2.0))


def test_codegen_value_independent_of_some_arguments_is_broadcast(gen_dir):
    mod = load(sg.codegen(sg.sin(x), [x, y]), gen_dir)
    value, (gx, gy) = mod.f_grad(0.5, np.zeros(5))
    assert np.shape(mod.f(0.5, np.zeros(5))) == (5,)
    assert value.shape == gx.shape == gy.shape == (5,)
    np.testing.assert_array_equal(gy, np.zeros(5))
    np.testing.assert_allclose(gx, np.cos(0.5))


def test_codegen_scalar_arguments_give_scalars(gen_dir):
    mod = load(sg.codegen((x + y) * z, [x, y, z]), gen_dir)
    value, grads = mod.f_grad(-2, 5, -4)  # the cs231n circuit, by hand: -12; -4, -4, 3
    assert float(value) == -12.0
    assert [float(g) for g in grads] == [-4.0, -4.0, 3.0]
    assert np.ndim(value) == 0


def test_codegen_gradient_rows_are_fresh_arrays(gen_dir):
    mod = load(sg.codegen(x * y, [x, y]), gen_dir)
    xv, yv = np.arange(3.0), np.arange(3.0) + 10
    _, (gx, gy) = mod.f_grad(xv, yv)
    gx += 1  # writing into the gradient must not touch the arguments
    np.testing.assert_array_equal(yv, np.arange(3.0) + 10)
    np.testing.assert_array_equal(gy, xv)


# ----- several outputs and the Hessian ---------------------------------------------------
def test_codegen_jacobian_matches_sg_jacobian(gen_dir):
    outs = [x * y, sg.sin(x) + z, sg.tanh(y * z) / (1 + x * x), const(2) + 0 * x]
    mod = load(sg.codegen(outs, [x, y, z]), gen_dir)
    assert not hasattr(mod, "f_grad")
    values = random_values("xyz", 7, seed=5)
    vals, jac = call(mod.f_jac, values)
    only = call(mod.f, values)
    assert jac.shape == (4, 3, 7)
    ref = sg.evaluate(sg.jacobian(outs, [x, y, z]), values)
    np.testing.assert_allclose(jac, ref, rtol=1e-12, atol=1e-14)
    np.testing.assert_allclose(
        np.array(vals), sg.evaluate(np.array(outs, dtype=object), values)
    )
    np.testing.assert_array_equal(np.array(only), np.array(vals))
    # Independent: sympy's Jacobian.
    X, Y, Z = sp.symbols("x y z")
    M = sp.Matrix([X * Y, sp.sin(X) + Z, sp.tanh(Y * Z) / (1 + X**2), 2]).jacobian(
        [X, Y, Z]
    )
    num = sp.lambdify([X, Y, Z], M, modules="numpy")
    for i in range(7):
        got = num(values["x"][i], values["y"][i], values["z"][i])
        np.testing.assert_allclose(jac[:, :, i], np.array(got, dtype=float), rtol=1e-12)


def test_codegen_hessian_matches_sympy_hessian(gen_dir):
    f = sg.exp(x * y) * sg.sin(z) + x**3 * sg.log(1 + y * y)
    mod = load(sg.codegen(f, [x, y, z], hessian=True), gen_dir)
    values = random_values("xyz", 6, seed=6, lo=-1, hi=1)
    value, grads, hess = call(mod.f_hess, values)
    assert hess.shape == (3, 3, 6)
    X, Y, Z = sp.symbols("x y z")
    fs = sp.exp(X * Y) * sp.sin(Z) + X**3 * sp.log(1 + Y**2)
    H = sp.lambdify([X, Y, Z], sp.hessian(fs, [X, Y, Z]), modules="numpy")
    for i in range(6):
        ref = np.array(H(values["x"][i], values["y"][i], values["z"][i]), dtype=float)
        np.testing.assert_allclose(hess[:, :, i], ref, rtol=1e-10, atol=1e-12)
    v2, g2 = call(mod.f_grad, values)
    np.testing.assert_array_equal(value, v2)
    np.testing.assert_array_equal(np.array(grads), np.array(g2))


# ----- conventions and stability -------------------------------------------------------
def test_codegen_kinks_follow_the_documented_convention(gen_dir):
    f = (
        sg.relu(x)
        + sg.abs(y)
        + sg.maximum(x, y)
        + sg.minimum(y, z)
        + sg.leaky_relu(z, 0.1)
    )
    mod = load(sg.codegen(f, [x, y, z]), gen_dir)
    _, grads = mod.f_grad(0.0, 0.0, 0.0)
    # relu'(0) = 0 and max tie 1/2; abs'(0) = 0, max tie 1/2, min tie 1/2;
    # min tie 1/2 plus leaky_relu'(0) = slope 0.1.
    np.testing.assert_allclose([float(g) for g in grads], [0.5, 1.0, 0.6])


def test_codegen_sigmoid_and_softplus_are_stable(gen_dir):
    f = sg.sigmoid(x) + sg.softplus(x)
    mod = load(sg.codegen(f, [x]), gen_dir)
    xs = np.array([-800.0, -30.0, 0.0, 30.0, 800.0])
    with np.errstate(over="raise", invalid="raise"):
        value, (g,) = mod.f_grad(xs)
    from scipy.special import expit

    np.testing.assert_allclose(value, expit(xs) + np.logaddexp(0, xs), rtol=1e-15)
    np.testing.assert_allclose(g, expit(xs) * (1 - expit(xs)) + expit(xs), rtol=1e-15)


def test_codegen_untaken_branch_cannot_poison_the_gradient(gen_dir):
    f = sg.where(x, sg.log(x), 0 * y + y)  # log(x) at x < 0 is NaN, not taken
    mod = load(sg.codegen(f, [x, y]), gen_dir)
    with np.errstate(all="ignore"):
        value, (gx, gy) = mod.f_grad(np.array([-1.0, 2.0]), np.array([3.0, 3.0]))
    np.testing.assert_allclose(value, [3.0, np.log(2.0)])
    np.testing.assert_allclose(gx, [0.0, 0.5])
    np.testing.assert_allclose(gy, [1.0, 0.0])


# ----- readability -----------------------------------------------------------------------
def test_codegen_named_intermediates_keep_their_names():
    q = (x + y).named("q")
    src = sg.codegen(q * z, [x, y, z])
    assert "    q = x + y\n" in src
    assert re.search(r"^    t0 = q \* z$", src, re.MULTILINE)


def test_codegen_temporaries_are_numbered_in_evaluation_order():
    f = sg.sin(x) * sg.cos(y) + sg.exp(x * y)
    src = sg.codegen(f, [x, y])
    for fn in src.split("\ndef ")[1:]:
        numbers = [int(n) for n in re.findall(r"^    t(\d+) = ", fn, re.MULTILINE)]
        assert numbers == list(range(len(numbers)))


def test_codegen_one_op_per_line():
    f = (sg.sin(x * y) + sg.tanh(x) ** 2) / (1 + sg.exp(y))
    src = sg.codegen(f, [x, y])
    for line in src.splitlines():
        m = re.match(r"^    \w+ = (.*)$", line)
        if m and not line.lstrip().startswith(("_", "x =", "y =")):
            node = ast.parse(m.group(1), mode="eval").body
            inner = [
                n
                for n in ast.walk(node)
                if isinstance(n, (ast.BinOp, ast.Call, ast.UnaryOp))
            ]
            assert len(inner) == 1, line


def test_codegen_header_states_expression_and_conventions():
    f = sg.relu(x) * y + sg.abs(y)
    src = sg.codegen(f, [x, y])
    doc = ast.get_docstring(ast.parse(src))
    assert "f = relu(x) * y + abs(y)" in doc
    assert "relu'(0) = 0" in doc and "abs'(0) = 0" in doc
    smooth = ast.get_docstring(ast.parse(sg.codegen(sg.sin(x), [x])))
    assert "none: every op here is differentiable" in smooth


def test_codegen_same_dag_same_bytes():
    def build():
        a, b = sg.symbols("a b")
        return sg.sigmoid(a * b).named("s") * sg.maximum(a, b) + sg.exp(a / b)

    first = sg.codegen(build(), list(sg.symbols("a b")), hessian=True)
    assert first == sg.codegen(build(), list(sg.symbols("a b")), hessian=True)


def test_codegen_constants_print_exactly(gen_dir):
    f = x * Fraction(1, 3) + 0.1 * y + 2**60 * x + const(1) / const(0) * 0 + x**2
    src = sg.codegen(f, [x, y])
    assert "(1 / 3)" in src and "0.1 * y" in src and "x ** 2" in src
    assert (
        repr(float(2**60)) in src
    )  # beyond 2**53: a float literal, as evaluate computes
    mod = load(src, gen_dir)
    with np.errstate(all="ignore"):
        value = mod.f(np.array([0.5, 1.25]), np.array([2.0, 3.0]))
        ref = sg.evaluate(f, {x: np.array([0.5, 1.25]), y: np.array([2.0, 3.0])})
    np.testing.assert_array_equal(value, ref)


def test_codegen_constant_only_ops_compute_in_floating_point(gen_dir):
    f = const(1) / const(0) + x  # kept symbolic by the folder
    mod = load(sg.codegen(f, [x]), gen_dir)
    with np.errstate(divide="ignore"):
        value, (g,) = mod.f_grad(np.array([1.0, 2.0]))
    np.testing.assert_array_equal(value, [np.inf, np.inf])
    np.testing.assert_array_equal(g, [1.0, 1.0])


# ----- what the source may contain ---------------------------------------------------------
_ALLOWED = (
    ast.Module, ast.Expr, ast.Constant, ast.Import, ast.alias, ast.FunctionDef,
    ast.arguments, ast.arg, ast.Assign, ast.Delete, ast.Name, ast.Load, ast.Store,
    ast.Del, ast.BinOp, ast.UnaryOp, ast.Call, ast.Attribute, ast.Return, ast.Tuple,
    ast.Subscript, ast.Compare, ast.Add, ast.Sub, ast.Mult, ast.Div, ast.Pow,
    ast.USub, ast.Gt, ast.GtE, ast.Lt, ast.Eq, ast.keyword, ast.With, ast.withitem,
)  # fmt: skip


def _check_constructs(src: str) -> None:
    tree = ast.parse(src)
    helpers = {
        n.name for n in tree.body if isinstance(n, ast.FunctionDef) and n.name[0] == "_"
    }
    for node in ast.walk(tree):
        assert isinstance(node, _ALLOWED), f"unexpected {type(node).__name__}"
        if isinstance(node, ast.Import):
            assert [(a.name, a.asname) for a in node.names] == [("numpy", "np")]
        if isinstance(node, ast.Attribute):
            assert isinstance(node.value, ast.Name) and node.value.id == "np", (
                ast.unparse(node)
            )
        if isinstance(node, ast.Call):
            func = node.func
            ok = isinstance(func, ast.Attribute) or (
                isinstance(func, ast.Name) and func.id in helpers | {"tuple"}
            )
            assert ok, ast.unparse(node)
        if isinstance(node, ast.Subscript):
            assert isinstance(node.value, ast.Name) and node.value.id in (
                "_grad",
                "_jac",
                "_hess",
            )
    assert sum(isinstance(n, ast.Import) for n in ast.walk(tree)) == 1


@SETTINGS
@given(expressions([x, y, z], max_depth=4))
def test_codegen_source_holds_only_printer_constructs(f):
    for src in (sg.codegen(f, [x, y, z], hessian=True), sg.codegen([f, f * x], [x, y])):
        _check_constructs(src)
        low = src.lower()
        assert "symgraph" not in low and "sympy" not in low


def test_codegen_module_imports_only_numpy_in_a_fresh_interpreter(tmp_path):
    from _codegen_helpers import conv_loss, mlp_loss

    cases = {
        "mlp": mlp_loss(3)[:2],
        "conv": conv_loss(4, 4, 2, 2)[:2],
        "expr": (sg.sigmoid(x * y) + sg.relu(x - z) * sg.log(1 + y * y), [x, y, z]),
    }
    site = tmp_path / "site"  # only numpy is importable from here
    site.mkdir()
    np_root = __import__("pathlib").Path(np.__file__).resolve().parents[1]
    for entry in ("numpy", "numpy.libs"):
        if (np_root / entry).exists():
            (site / entry).symlink_to(np_root / entry)
    for key, (f, wrt) in cases.items():
        (tmp_path / f"gen_{key}.py").write_text(sg.codegen(f, wrt, name=key))
        names = [s.value for s in __import__("_codegen_helpers").free_symbols([f])]
        values = random_values(names, 50, seed=7)
        np.savez(tmp_path / f"in_{key}.npz", **values)
    script = tmp_path / "run.py"
    script.write_text(
        "import sys\n"
        "sys.path[:0] = [sys.argv[1], sys.argv[2]]  # -S: no site-packages at all\n"
        "import importlib, inspect\n"
        "import numpy as np\n"
        "for key in sys.argv[3:]:\n"
        "    mod = importlib.import_module('gen_' + key)\n"
        "    inputs = np.load(sys.argv[2] + '/in_' + key + '.npz')\n"
        "    fn = getattr(mod, key + '_grad')\n"
        "    args = [inputs[p] for p in inspect.signature(fn).parameters]\n"
        "    value, grads = fn(*args)\n"
        "    np.savez(sys.argv[2] + '/out_' + key + '.npz', value=value, grads=np.array(grads))\n"
        "bad = sorted(m for m in sys.modules if m.split('.')[0] in\n"
        "             ('symgraph', 'sympy', 'scipy', 'numeric', 'mpmath'))\n"
        "print('foreign modules:', bad)\n"
    )
    exe = __import__("sys").executable
    result = subprocess.run(
        [exe, "-I", "-S", str(script), str(site), str(tmp_path), *cases],
        check=False,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert "foreign modules: []" in result.stdout
    for key, (f, wrt) in cases.items():
        inputs = dict(np.load(tmp_path / f"in_{key}.npz"))
        out = np.load(tmp_path / f"out_{key}.npz")
        np.testing.assert_allclose(out["value"], sg.evaluate(f, inputs), rtol=1e-12)
        ref = np.array(sg.evaluate(sg.grad(f, wrt), inputs))
        np.testing.assert_allclose(out["grads"], ref, rtol=1e-12, atol=1e-14)


def test_codegen_passes_ruff(tmp_path):
    import sys
    from pathlib import Path

    ruff = shutil.which("ruff") or str(Path(sys.executable).with_name("ruff"))
    if not Path(ruff).exists():
        pytest.skip("ruff is not installed")
    from _codegen_helpers import mlp_loss

    q = (x * y).named("q")
    sources = {
        "small.py": sg.codegen(
            sg.sigmoid(q) * sg.relu(z) + sg.maximum(q, z), [x, y, z], hessian=True
        ),
        "several.py": sg.codegen([q, sg.sin(q) + z, const(3) + 0 * x], [x, y]),
        "mlp.py": sg.codegen(mlp_loss(4)[0], mlp_loss(4)[1]),
        "names.py": sg.codegen(
            sg.symbols("print") * sg.symbols("t0") + sg.symbols("l"),
            list(sg.symbols("print t0 l")),
        ),
    }
    for name, src in sources.items():
        (tmp_path / name).write_text(src)
    result = subprocess.run(
        [
            ruff,
            "check",
            "--isolated",
            "--select",
            "E,F,W",
            "--line-length",
            "88",
            str(tmp_path),
        ],
        check=False,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr


# ----- errors ----------------------------------------------------------------------------------
def test_codegen_rejects_bad_requests():
    with pytest.raises(sg.ToolkitError, match="target"):
        sg.codegen(x, [x], target="fortran")
    with pytest.raises(ValueError, match="twice"):
        sg.codegen(x * y, [x, x])
    with pytest.raises(ValueError, match="single"):
        sg.codegen([x, y], [x], hessian=True)
    with pytest.raises(sg.NotASymbolError):
        sg.codegen(x * y, [x * y])
    with pytest.raises(ValueError, match="keyword"):
        sg.codegen(x, [x], name="lambda")
    with pytest.raises(ValueError, match="reserved"):
        sg.codegen(x, [x], name="np")
    with pytest.raises(ValueError, match="not allowed"):
        sg.codegen(x, [x], name="f; import os")


def test_codegen_is_exported():
    assert "codegen" in sg.__all__
    import sys

    assert sg.codegen is sys.modules["symgraph.codegen"].codegen
