"""How the modules of symgraph.tensor depend on one another.

The project-wide test (``tests/test_module_structure.py``) forbids import
cycles and oversized modules everywhere; this one pins the layering the
tensor engine relies on: ``node.py`` at the bottom, its higher-level
behaviour (folding, printing, LaTeX) installed by the modules that own it,
no function-level imports inside the package, and annotated public functions.
"""

from __future__ import annotations

import inspect

import pytest
from import_graph import import_graph

import symgraph as sg
import symgraph.tensor as T
from symgraph.tensor import node as tensor_node

GRAPH = import_graph()
PACKAGE = "symgraph.tensor"
TENSOR_MODULES = sorted(m for m in GRAPH if m.startswith(PACKAGE + "."))


def _imports(module: str) -> set[str]:
    return {e.target for e in GRAPH[f"{PACKAGE}.{module}"]}


def _closure(module: str) -> set[str]:
    """Every project module ``module`` reaches through imports."""
    seen, stack = set(), [f"{PACKAGE}.{module}"]
    while stack:
        for e in GRAPH[stack.pop()]:
            if e.target not in seen:
                seen.add(e.target)
                stack.append(e.target)
    return seen


def test_the_package_has_the_expected_modules():
    for name in ("node", "fold", "printing", "latex", "display", "registry"):
        assert f"{PACKAGE}.{name}" in TENSOR_MODULES


def test_node_sits_at_the_bottom_of_the_package():
    # node.py reads the op table and the reserved names; everything above it
    # (folding, printing, LaTeX, the op families) registers into it instead
    inside = {m for m in _closure("node") if m.startswith(PACKAGE)}
    assert inside <= {f"{PACKAGE}.{m}" for m in ("dims", "registry", "reserved")}


def test_the_scalar_engine_never_reaches_the_tensor_package():
    # the scalar modules hand tensor expressions over through
    # symgraph.extensions; only symgraph/__init__ and the CLI import the package
    for module, edges in GRAPH.items():
        if module.startswith(PACKAGE) or module in ("symgraph", "symgraph.cli"):
            continue
        targets = {e.target for e in edges}
        assert not {t for t in targets if t.startswith(PACKAGE)}, module


def test_printers_do_not_import_the_op_families():
    for printer in ("printing", "latex", "display"):
        families = {m for m in _closure(printer) if ".ops_" in m}
        assert not families, f"{printer}.py reaches {sorted(families)}"


@pytest.mark.parametrize("module", TENSOR_MODULES)
def test_no_function_level_import_of_the_project(module):
    nested = [e for e in GRAPH[module] if e.nested]
    assert not nested, f"function-level imports: {[str(e) for e in nested]}"


def test_node_hooks_are_installed_by_their_owners():
    from symgraph.tensor import fold, latex, printing

    installed = tensor_node._HOOKS.installed()
    assert installed == {
        "fold": fold.fold,
        "to_numpy": printing.to_numpy,
        "to_latex": latex.to_latex,
    }
    X, w = sg.tensors("X:n,m w:m")
    assert X @ w + 0 is X @ w  # make() folded x + 0
    assert str(X.T @ X @ w) == "X.T @ X @ w"
    assert X.T._repr_latex_() == "$X^\\top$"


def test_an_unknown_hook_name_is_refused():
    with pytest.raises(ValueError, match=r"no symgraph\.tensor hook named 'fold2'"):
        tensor_node.register_hook("fold2", print)
    assert "fold2" not in tensor_node._HOOKS.installed()


def _public_functions():
    for name in T.__all__:
        obj = getattr(T, name)
        if inspect.isfunction(obj):
            yield name, obj


@pytest.mark.parametrize("name", sorted(n for n, _ in _public_functions()))
def test_public_function_is_fully_annotated(name):
    fn = getattr(T, name)
    sig = inspect.signature(fn)
    missing = [p for p, v in sig.parameters.items() if v.annotation is v.empty]
    assert not missing, f"{name}: parameters without annotations {missing}"
    assert sig.return_annotation is not sig.empty, f"{name}: no return annotation"


def test_tensor_node_methods_are_fully_annotated():
    checked = []
    for name, attr in vars(T.TensorNode).items():
        fn = attr.fget if isinstance(attr, property) else attr
        if not inspect.isfunction(fn):
            continue
        sig = inspect.signature(fn)
        params = list(sig.parameters.values())[1:]  # after self
        assert all(p.annotation is not p.empty for p in params), name
        assert sig.return_annotation is not sig.empty, name
        checked.append(name)
    assert {"__add__", "__matmul__", "named", "param", "T", "ndim"} <= set(checked)
