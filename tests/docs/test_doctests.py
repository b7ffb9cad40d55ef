"""The examples in the docstrings of symgraph and numeric run as doctests."""

import doctest
import importlib
import pkgutil

import pytest

import numeric
import symgraph


def _modules():
    names = []
    for package in (symgraph, numeric):
        names.append(package.__name__)
        for info in pkgutil.walk_packages(package.__path__, package.__name__ + "."):
            names.append(info.name)
    return sorted(names)


MODULES = _modules()


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples(name):
    module = importlib.import_module(name)
    result = doctest.testmod(
        module, optionflags=doctest.NORMALIZE_WHITESPACE | doctest.ELLIPSIS
    )
    assert result.failed == 0, f"{result.failed} docstring example(s) of {name} failed"


def test_there_are_docstring_examples():
    finder = doctest.DocTestFinder()
    count = sum(
        len(t.examples)
        for name in MODULES
        for t in finder.find(importlib.import_module(name))
    )
    assert count >= 20, count
