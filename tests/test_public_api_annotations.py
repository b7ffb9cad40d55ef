"""Every public function and every public method of a public class is fully
annotated: each parameter (but ``self`` / ``cls``) and the return value.

"Public" is what a user reaches by name: the ``__all__`` of ``symgraph``
(the matrix-calculus names it loads lazily included), ``symgraph.tensor``,
``numeric``, ``numeric.graph``, ``numeric.graph.train`` and
``numeric.linalg``; for a public class, its public methods and properties
and its special methods (``__init__``, the operators, ...) defined in this
project (methods a class inherits from Python or NumPy are theirs to type).
The generated op functions (``sg.sin`` ...) are checked through the
signature they carry.

mypy (run by CI with the configuration in pyproject.toml) then checks that
the annotations agree with the code.
"""

import ast
import functools
import importlib
import inspect

import pytest

import numeric
import symgraph

MODULES = [
    "symgraph",
    "symgraph.tensor",
    "numeric",
    "numeric.graph",
    "numeric.graph.train",
    "numeric.linalg",
]


def _ours(obj) -> bool:
    module = getattr(obj, "__module__", None) or ""
    return module.split(".")[0] in ("symgraph", "numeric")


def _missing(function, where: str, skip_first: bool) -> list[str]:
    """The annotations ``function`` lacks, each named with ``where``."""
    try:
        signature = inspect.signature(function)
    except (TypeError, ValueError) as exc:  # pragma: no cover - a failure to report
        return [f"{where}: no signature ({exc})"]
    params = list(signature.parameters.values())
    if skip_first:
        params = params[1:]
    out = [
        f"{where}: parameter {p.name!r}"
        for p in params
        if p.annotation is inspect.Parameter.empty
    ]
    if signature.return_annotation is inspect.Signature.empty:
        out.append(f"{where}: return")
    return out


def _class_members(cls) -> list[tuple[str, object, str]]:
    """``(name, attribute, where)`` of the public members ``cls`` defines or
    inherits from a class of this project."""
    seen: set[str] = set()
    members = []
    for klass in cls.__mro__:
        if not _ours(klass):
            continue
        for name, attr in vars(klass).items():
            if name in seen:
                continue
            seen.add(name)
            special = name.startswith("__") and name.endswith("__")
            if name.startswith("_") and not special:
                continue
            # named where it is defined: an inherited method is reported once
            where = f"{klass.__module__}.{klass.__qualname__}.{name}"
            members.append((name, attr, where))
    return members


def _missing_in_class(cls) -> list[str]:
    out = []
    for name, attr, where in _class_members(cls):
        if isinstance(attr, staticmethod):  # __new__ is one; its first is the class
            out += _missing(attr.__func__, where, skip_first=name == "__new__")
        elif isinstance(attr, classmethod):
            out += _missing(attr.__func__, where, skip_first=True)
        elif isinstance(attr, property):
            if attr.fget is not None:
                out += _missing(attr.fget, where, skip_first=True)
            if attr.fset is not None:
                out += _missing(attr.fset, where + " (setter)", skip_first=True)
        elif isinstance(attr, functools.cached_property):
            out += _missing(attr.func, where, skip_first=True)
        elif inspect.isfunction(attr):
            out += _missing(attr, where, skip_first=True)
    return out


def _public(module_name: str) -> list[tuple[str, object]]:
    module = importlib.import_module(module_name)
    return [(n, getattr(module, n)) for n in module.__all__]


def _missing_annotations(module_name: str) -> list[str]:
    out = []
    for name, obj in _public(module_name):
        where = f"{module_name}.{name}"
        if inspect.isclass(obj):
            if _ours(obj):
                out += _missing_in_class(obj)
        elif inspect.isfunction(obj) or inspect.isbuiltin(obj):
            out += _missing(obj, where, skip_first=False)
        elif callable(obj) and not inspect.ismodule(obj):
            out.append(
                f"{where}: a callable {type(obj).__name__} this test cannot read"
            )
    return list(dict.fromkeys(out))  # each finding once


@pytest.mark.parametrize("module_name", MODULES)
def test_public_api_is_fully_annotated(module_name):
    missing = _missing_annotations(module_name)
    assert not missing, f"{len(missing)} missing annotations:\n" + "\n".join(missing)


def test_public_api_walk_sees_functions_classes_and_methods():
    # The walk must reach what it claims to check: the generated op functions,
    # the classes' methods and properties, and the numeric.graph.train names.
    sg_names = dict(_public("symgraph"))
    assert {"sin", "maximum", "logsumexp", "grad", "Node"} <= set(sg_names)
    node_members = {name for name, _, _ in _class_members(symgraph.Node)}
    assert {"named", "subs", "diff", "label", "free_symbols"} <= node_members
    train_names = dict(_public("numeric.graph.train"))
    assert "AdamOptimizer" in train_names
    adam = {name for name, _, _ in _class_members(train_names["AdamOptimizer"])}
    assert {"__init__", "minimize"} <= adam
    tensor = {name for name, _, _ in _class_members(numeric.Tensor)}
    assert {"__add__", "__getitem__", "backward", "T"} <= tensor


def test_public_api_walk_reports_what_lacks_an_annotation():
    def partly(x: int, y, *args, **kwargs: int):
        return x

    class Thing:
        def method(self, a: int) -> int:
            return a

        def bare(self, b):
            return b

        @property
        def size(self):
            return 1

        def __add__(self, other):
            return self

        def _private(self, c):  # not public: not reported
            return c

        @staticmethod
        def make(d):
            return d

    Thing.__module__ = "symgraph._example"  # a class of this project
    assert _missing(partly, "partly", skip_first=False) == [
        "partly: parameter 'y'",
        "partly: parameter 'args'",
        "partly: return",
    ]
    assert sorted(_missing_in_class(Thing)) == sorted(
        [
            f"{Thing.__module__}.{Thing.__qualname__}.bare: parameter 'b'",
            f"{Thing.__module__}.{Thing.__qualname__}.bare: return",
            f"{Thing.__module__}.{Thing.__qualname__}.size: return",
            f"{Thing.__module__}.{Thing.__qualname__}.__add__: parameter 'other'",
            f"{Thing.__module__}.{Thing.__qualname__}.__add__: return",
            f"{Thing.__module__}.{Thing.__qualname__}.make: parameter 'd'",
            f"{Thing.__module__}.{Thing.__qualname__}.make: return",
        ]
    )


def test_public_api_walk_reaches_the_lazily_loaded_matrix_calculus_names():
    # symgraph loads its matrix-calculus names on first use; the walk loads
    # them and checks them like the others.
    walked = dict(_public("symgraph"))
    assert set(symgraph._TENSOR_NAMES) <= set(walked)
    assert inspect.isclass(walked["TensorNode"])
    assert inspect.isfunction(walked["tensors"])


def _declared_for_checkers(cls) -> dict[str, ast.FunctionDef]:
    """The methods declared in ``cls``'s body under ``if TYPE_CHECKING:``."""
    tree = ast.parse(inspect.getsource(inspect.getmodule(cls)))
    (body,) = [
        node
        for node in ast.walk(tree)
        if isinstance(node, ast.ClassDef) and node.name == cls.__name__
    ]
    out = {}
    for node in body.body:
        if isinstance(node, ast.If) and ast.unparse(node.test) == "TYPE_CHECKING":
            for item in node.body:
                if isinstance(item, ast.FunctionDef):
                    out[item.name] = item
    return out


def test_graph_tensor_declares_exactly_the_methods_numeric_graph_installs():
    # numeric.graph.ops installs the graph Tensor's operators and array
    # methods when numeric.graph is imported (TF1's way); graph.py declares
    # them for type checkers. The declarations must name what is installed,
    # with the same parameters and annotations, or mypy would check user code
    # against methods that do not exist.
    import numeric.graph as G

    declared = _declared_for_checkers(G.Tensor)
    installed = {}
    for name, attr in vars(G.Tensor).items():
        function = attr.fget if isinstance(attr, property) else attr
        if getattr(function, "__module__", None) == "numeric.graph.ops":
            installed[name] = function
    assert set(declared) == set(installed)
    assert {"__add__", "__rmatmul__", "__getitem__", "T", "reshape", "sum"} <= set(
        installed
    )
    for name, node in declared.items():
        signature = inspect.signature(installed[name])
        runtime = [
            (p.name, p.kind, p.annotation) for p in signature.parameters.values()
        ][1:]  # the first is self
        args = node.args
        stated = [
            (a.arg, inspect.Parameter.POSITIONAL_OR_KEYWORD, ast.unparse(a.annotation))
            for a in args.args[1:]
        ]
        if args.vararg is not None:
            stated.append(
                (
                    args.vararg.arg,
                    inspect.Parameter.VAR_POSITIONAL,
                    ast.unparse(args.vararg.annotation),
                )
            )
        assert runtime == stated, name
        assert signature.return_annotation == ast.unparse(node.returns), name
        defaults = [p.default for p in signature.parameters.values()][1:]
        assert [d for d in defaults if d is not inspect.Parameter.empty] == [
            ast.literal_eval(d) for d in args.defaults
        ], name
