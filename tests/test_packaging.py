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


def test_importing_symgraph_loads_no_sympy_scipy_or_numeric():
    """`symgraph --help` and a raw gradient start fast: SymPy, SciPy and the
    numeric engine load only where they are needed."""
    import subprocess
    import sys

    code = (
        "import sys, symgraph as sg\n"
        "x = sg.symbols('x')\n"
        "sg.grad(sg.sin(x) * x, 'x'); sg.lambdify([x], sg.cos(x))(1.0)\n"
        "print(sorted(m for m in ('sympy', 'scipy', 'numeric') if m in sys.modules))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert out.stdout.strip() == "[]"
