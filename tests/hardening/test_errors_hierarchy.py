"""Two error hierarchies of one shape: every exception class an engine exports
derives from that engine's ``ToolkitError`` (``symgraph.errors`` or
``numeric.errors``: the engines share no code, errors included) and is also a
``ValueError`` or ``TypeError``.

The walk covers the public names of ``symgraph``, ``numeric``,
``numeric.graph`` (and ``G.train``) and their ``errors`` modules, so a class
added later is checked without a new test. A few user errors are then raised
for real, to check they arrive as the toolkit's classes.
"""

import importlib
import inspect

import numpy as np
import pytest

import numeric as nm
import numeric.errors
import numeric.graph as G
import symgraph as sg
import symgraph.errors

BASES = (symgraph.errors.ToolkitError, numeric.errors.ToolkitError)

MODULES = [
    "symgraph",
    "symgraph.errors",
    "symgraph.codegen",
    "numeric",
    "numeric.errors",
    "numeric.graph",
    "numeric.graph.errors",
    "numeric.graph.train",
]


def _exported_exception_classes():
    found = {}
    for name in MODULES:
        try:
            module = importlib.import_module(name)
        except ImportError:  # a module still being written
            continue
        for attr in dir(module):
            obj = getattr(module, attr)
            if (
                inspect.isclass(obj)
                and issubclass(obj, BaseException)
                and not issubclass(obj, Warning)  # sg.ParseHint warns, never raises
                and obj.__module__.split(".")[0] in ("symgraph", "numeric")
            ):
                found[f"{obj.__module__}.{obj.__qualname__}"] = obj
    return found


EXCEPTIONS = _exported_exception_classes()


def test_exception_walk_finds_the_documented_classes():
    names = {cls.__name__ for cls in EXCEPTIONS.values()}
    for expected in ("ToolkitError", "ParseError", "ShapeError", "FeedError",
                     "CheckpointError", "LimitError", "NonFiniteError"):  # fmt: skip
        assert expected in names


def test_each_engine_exports_its_own_base_class():
    assert sg.ToolkitError is symgraph.errors.ToolkitError
    assert nm.errors.ToolkitError is numeric.errors.ToolkitError
    assert not issubclass(sg.ToolkitError, numeric.errors.ToolkitError)


@pytest.mark.parametrize("qualname", sorted(EXCEPTIONS))
def test_exported_exception_derives_from_its_engines_toolkit_error(qualname):
    cls = EXCEPTIONS[qualname]
    base = BASES[0] if qualname.startswith("symgraph") else BASES[1]
    assert issubclass(cls, base), f"{qualname} is not a {base.__module__}.ToolkitError"
    if cls is not base:
        assert issubclass(cls, (ValueError, TypeError)), (
            f"{qualname} is neither a ValueError nor a TypeError"
        )


def _raises_toolkit(fn, kind):
    with pytest.raises(BASES) as info:
        fn()
    assert isinstance(info.value, kind), type(info.value).__mro__


def test_user_errors_arrive_as_toolkit_errors():
    x = sg.symbols("x")
    _raises_toolkit(lambda: sg.parse("x.__class__"), ValueError)
    _raises_toolkit(lambda: sg.grad(x * x, [x * 2]), TypeError)
    _raises_toolkit(lambda: sg.evaluate(x + sg.symbols("y"), {x: 1.0}), ValueError)
    _raises_toolkit(lambda: nm.matmul(np.ones((2, 3)), np.ones((2, 3))), ValueError)
    with G.Graph().as_default():
        p = G.placeholder((2,), name="p")
        with G.Session() as sess:
            _raises_toolkit(lambda: sess.run(p * 2.0), ValueError)
            _raises_toolkit(lambda: sess.run(p * 2.0, {p: np.ones(3)}), ValueError)


def test_bad_symbol_name_is_toolkit_error():
    _raises_toolkit(lambda: sg.symbols("__class__"), ValueError)


def test_check_without_finite_points_is_toolkit_error():
    x = sg.symbols("x")
    _raises_toolkit(lambda: sg.check(sg.log(-(x * x) - 1), [x]), ValueError)
