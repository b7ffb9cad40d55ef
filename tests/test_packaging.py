"""What an installed distribution promises: versions, licence, type marker."""

import re
from importlib.metadata import version
from pathlib import Path

import numeric as nm
import symgraph as sg

ROOT = Path(__file__).resolve().parents[1]
PYPROJECT = (ROOT / "pyproject.toml").read_text()  # tomllib is Python 3.11+


def test_both_packages_report_the_distributions_version():
    declared = re.search(r'^version = "([^"]+)"', PYPROJECT, re.M).group(1)
    assert sg.__version__ == nm.__version__ == declared == version("symgraph")


def test_the_declared_licence_is_the_licence_file():
    assert 'license = { text = "MIT" }' in PYPROJECT
    assert (ROOT / "LICENSE").read_text().startswith("MIT License")


def test_both_packages_are_marked_as_typed():
    for pkg in (sg, nm):
        assert (Path(pkg.__file__).parent / "py.typed").exists()
