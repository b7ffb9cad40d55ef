"""Helpers of the code-generation tests: load generated modules, build the
benchmark families, compile generated C and call it through ctypes."""

from __future__ import annotations

import ctypes
import importlib.util
import inspect
import itertools
import shutil
import subprocess
from pathlib import Path

import numpy as np
import strategies  # noqa: F401  (shared hypothesis strategies)

import symgraph as sg

_COUNTER = itertools.count()


def load(src: str, directory: Path, stem: str = "gen"):
    """Write ``src`` to ``directory`` and import it as a fresh module."""
    name = f"_cg_{stem}_{next(_COUNTER)}"
    path = Path(directory) / f"{name}.py"
    path.write_text(src, encoding="utf-8")
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def params(fn) -> list:
    """The parameter names of a generated function, in order."""
    return list(inspect.signature(fn).parameters)


def call(fn, values: dict):
    """Call a generated function with ``values`` keyed by parameter name."""
    return fn(*[values[p] for p in params(fn)])


def random_values(names, n: int, seed: int, lo=-2.0, hi=2.0) -> dict:
    rng = np.random.default_rng(seed)
    return {name: rng.uniform(lo, hi, n) for name in names}


def free_symbols(roots) -> list:
    from symgraph.traverse import toposort

    return [n for n in toposort(list(roots)) if n.op == "symbol"]


# ----- benchmark families ----------------------------------------------------------
def mlp_loss(n: int):
    """(W2 . tanh(W1 x) - y)**2 for an n x n hidden layer, scalarized."""
    W1 = sg.symbols_array("W1", (n, n))
    W2 = sg.symbols_array("W2", (n,))
    x = sg.symbols_array("x", (n,))
    y = sg.symbols("y")
    h = sg.tanh(W1.dot(x))
    r = (W2.dot(h) - y).named("r")
    return r * r, list(W1.ravel()) + list(W2), (W1, W2, x, y)


def conv_loss(h: int, w: int, kh: int, kw: int):
    """sum(G * correlate2d(X, W)): a valid cross-correlation layer, scalarized."""
    X = sg.symbols_array("X", (h, w))
    W = sg.symbols_array("W", (kh, kw))
    Y = sg.correlate2d(X, W)
    G = sg.symbols_array("G", Y.shape)
    f = _sum(list((G * Y).ravel()))
    return f, list(X.ravel()) + list(W.ravel()), (X, W, G)


def _sum(terms):
    acc = terms[0]
    for t in terms[1:]:
        acc = acc + t
    return acc


def chain(k: int):
    """x_{j+1} = sin(x_j) * x_j + x_0, k steps."""
    x0 = sg.symbols("x0")
    x = x0
    for _ in range(k):
        x = sg.sin(x) * x + x0
    return x, [x0]


# ----- C ---------------------------------------------------------------------------
CC = shutil.which("cc") or shutil.which("gcc")
C_FLAGS = [
    "-std=c99",
    "-O2",
    "-Wall",
    "-Wextra",
    "-pedantic",
    "-Werror",
    "-shared",
    "-fPIC",
]


def compile_c(src: str, directory: Path, stem: str = "gen"):
    """Compile ``src`` into a shared library with warnings as errors; load it."""
    name = f"_cg_{stem}_{next(_COUNTER)}"
    c_path = Path(directory) / f"{name}.c"
    so_path = Path(directory) / f"{name}.so"
    c_path.write_text(src, encoding="utf-8")
    result = subprocess.run(
        [CC, *C_FLAGS, "-o", str(so_path), str(c_path), "-lm"],
        check=False,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr + "\n" + src[:3000]
    return ctypes.CDLL(str(so_path))


_DP = np.ctypeslib.ndpointer(dtype=np.float64, flags="C_CONTIGUOUS")


def c_value_grad(lib, name: str, inputs: np.ndarray, n_wrt: int):
    """Value and gradient of ``name`` / ``name_grad`` at each row of ``inputs``."""
    f = getattr(lib, name)
    f.argtypes, f.restype = [_DP], ctypes.c_double
    g = getattr(lib, name + "_grad")
    g.argtypes, g.restype = [_DP, _DP], ctypes.c_double
    values, grads = [], []
    for row in np.ascontiguousarray(inputs, dtype=np.float64):
        out = np.empty(n_wrt)
        v = g(row, out)
        assert v == f(row) or (np.isnan(v) and np.isnan(f(row)))
        values.append(v)
        grads.append(out)
    return np.array(values), np.array(grads).T
