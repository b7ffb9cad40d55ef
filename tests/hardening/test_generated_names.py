"""Symbol names reach generated code only as safe identifiers.

Names that are not identifiers of Latin and Greek letters (a Cyrillic ``а``,
a Greek capital ``Α`` that looks like ``A``, ``x²``) and keywords are rejected
when the symbol is made (also through ``from_sympy``); names that shadow a builtin, the
NumPy module or a temporary are mangled by ``lambdify`` and ``codegen``. The
generated source is parsed with ``ast`` and must hold only the constructs the
printers emit.
"""

import ast
import builtins
import keyword

import numpy as np
import pytest
import sympy as sp

import symgraph as sg

SHADOWS = ["print", "len", "sum", "max", "abs", "open", "exec", "eval", "np",
           "numpy", "t0", "t1", "x_bar", "f", "k", "k_grad"]  # fmt: skip
BAD_NAMES = ["__import__", "_x", "a-b", "x.y", "1x", "lambda", "class",
             "None", "\u0430", "\u0391", "x;y", "x'", "x\u00b2", ""]  # fmt: skip

_ALLOWED = (ast.Module, ast.FunctionDef, ast.arguments, ast.arg, ast.Return,
            ast.Assign, ast.Name, ast.Load, ast.Store, ast.BinOp, ast.UnaryOp,
            ast.Call, ast.Attribute, ast.Constant, ast.Tuple, ast.List,
            ast.Subscript, ast.Expr, ast.Import, ast.alias, ast.keyword,
            ast.operator, ast.unaryop, ast.Slice, ast.Starred,
            ast.Compare, ast.cmpop, ast.IfExp, ast.With, ast.withitem)  # fmt: skip


def _check_source(source, params):
    tree = ast.parse(source)
    for node in ast.walk(tree):
        assert isinstance(node, _ALLOWED), f"unexpected {type(node).__name__}"
        if isinstance(node, ast.Constant):
            assert node.value is None or isinstance(node.value, (int, float, str))
        if isinstance(node, ast.Attribute):
            assert not node.attr.startswith("__"), node.attr
        if isinstance(node, ast.Import):
            assert [a.name for a in node.names] == ["numpy"]
        if isinstance(node, ast.arg):
            assert node.arg.isidentifier() and not keyword.iskeyword(node.arg)
            assert node.arg not in dir(builtins) and node.arg not in ("np", "numpy")
    assert params


@pytest.mark.parametrize("name", BAD_NAMES)
def test_bad_symbol_name_rejected(name):
    with pytest.raises((ValueError, TypeError)):
        sg.symbols(name) if name.strip() else sg.symbols(name + "\x00")
    with pytest.raises((ValueError, TypeError)):
        sg.from_sympy(sp.Symbol(name if name else "\x00"))


@pytest.mark.parametrize("name", SHADOWS)
def test_lambdify_mangles_shadowing_name(name):
    s, y = sg.symbols(f"{name} y")
    f = sg.sin(s) * y + s * s
    fn = sg.lambdify([s, y], [f, *sg.grad(f, [s, y])])
    value, ds, dy = fn(0.5, 2.0)
    assert value == pytest.approx(np.sin(0.5) * 2.0 + 0.25, rel=1e-15)
    assert ds == pytest.approx(np.cos(0.5) * 2.0 + 1.0, rel=1e-15)
    assert dy == pytest.approx(np.sin(0.5), rel=1e-15)
    source = fn.__doc__[fn.__doc__.index("def ") :] if "def " in fn.__doc__ else ""
    assert "def " in source
    header = source.splitlines()[0]
    if name not in dir(builtins) and name not in ("np", "numpy", "t0", "t1"):
        return  # not a shadow in lambdify's namespace: kept as written
    assert f"({name}," not in header and f" {name}," not in header, header


@pytest.mark.parametrize("name", SHADOWS)
def test_codegen_mangles_shadowing_name_and_emits_only_printer_constructs(name):
    codegen = getattr(sg, "codegen", None)
    if codegen is None:
        pytest.skip("sg.codegen does not exist yet")
    s, y = sg.symbols(f"{name} y")
    f = sg.maximum(s, y) * sg.sigmoid(s) + sg.relu(y)
    source = codegen(f, [s, y], name="k")
    _check_source(source, [s, y])
    namespace = {}
    exec(compile(source, "<codegen>", "exec"), namespace)
    value, grads = namespace["k_grad"](0.5, 2.0)
    expected = sg.evaluate([f, *sg.grad(f, [s, y])], {s: 0.5, y: 2.0})
    np.testing.assert_allclose([value, *grads], expected, rtol=1e-14)
