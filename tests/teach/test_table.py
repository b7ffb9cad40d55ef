"""The backprop table against hand-worked values, sympy.diff and finite differences."""

import math
import re
import shutil
import subprocess

import numpy as np
import pytest
import sympy as sp
from hypothesis import assume, given, settings
from hypothesis import strategies as st

import symgraph as sg
from symgraph.teach.table import PointError

x, y, z = sg.symbols("x y z")


def cs231n_circuit():
    return (x + y).named("q") * z


def sigmoid_neuron():
    w0, w1, w2, x0, x1 = sg.symbols("w0 w1 w2 x0 x1")
    f = 1 / (1 + sg.exp(-(w0 * x0 + w1 * x1 + w2)))
    return f, {w0: 2, w1: -3, w2: -3, x0: -1, x1: -2}


def test_table_cs231n_circuit_rows():
    # CS231n backprop notes: f = (x + y) z at (-2, 5, -4): q = 3, f = -12,
    # df/dq = z = -4, df/dz = q = 3, df/dx = df/dy = -4.
    t = sg.backprop_table(cs231n_circuit(), {x: -2, y: 5, z: -4})
    assert [r.name for r in t] == ["x", "y", "q", "z", "t1"]
    q, f = t["q"], t["t1"]
    assert (q.op, q.inputs, q.value, q.local, q.upstream, q.downstream) == (
        "add", ("x", "y"), 3.0, (1.0, 1.0), -4.0, (-4.0, -4.0)
    )  # fmt: skip
    assert (f.op, f.value, f.local, f.upstream, f.downstream) == (
        "mul", -12.0, (-4.0, 3.0), 1.0, (-4.0, 3.0)
    )  # fmt: skip
    assert t.gradients == {"x": -4.0, "y": -4.0, "z": 3.0}
    assert t.value == -12.0


def test_table_sigmoid_neuron_textbook_values():
    # CS231n: w = (2, -3, -3), x = (-1, -2) gives dw = (-0.197, -0.393, 0.197)
    # and dx = (0.393, -0.590).
    f, at = sigmoid_neuron()
    g = sg.backprop_table(f, at).gradients
    got = [g[k] for k in ("w0", "w1", "w2", "x0", "x1")]
    assert np.allclose(got, [-0.197, -0.393, 0.197, 0.393, -0.590], atol=1e-3)


def test_table_gates_named():
    t = sg.backprop_table(sg.maximum(x, y) * x + z, {x: 3, y: 1, z: 2})
    gates = {r.op: r.gate for r in t}
    assert gates["add"] == "distributor"
    assert gates["mul"] == "swap/switcher"
    assert gates["maximum"] == "router"
    assert "gradients add" in t["x"].gate  # x feeds both max and mul
    assert t["y"].gate == ""
    # the router sends the whole gradient to the larger input (x = 3 > y = 1)
    row = t["t1"]
    assert row.op == "maximum" and row.downstream == (3.0, 0.0)


def test_table_names_skip_user_names():
    t1 = sg.symbols("t1")
    t = sg.backprop_table(sg.sin(t1) * x, {t1: 0.5, x: 2})
    names = [r.name for r in t]
    assert len(set(names)) == len(names)
    assert names == ["t1", "t2", "x", "t3"]


def test_table_symbolic_without_point():
    t = sg.backprop_table(cs231n_circuit())
    assert t.at is None
    assert t.gradients["x"] is z and t.gradients["z"].to_sympy() == sp.Symbol(
        "x"
    ) + sp.Symbol("y")
    text = str(t)
    assert "q * z" in text


_BUILD = {
    "add": lambda a, b: a + b,
    "mul": lambda a, b: a * b,
    "sub": lambda a, b: a - b,
    "sin": lambda a, b: sg.sin(a),
    "tanh": lambda a, b: sg.tanh(a),
    "max": lambda a, b: sg.maximum(a, b),
    "sigmoid": lambda a, b: sg.sigmoid(a),
}


def _random_expr(draw_ops, leaves):
    nodes = list(leaves)
    for op, i, j in draw_ops:
        nodes.append(_BUILD[op](nodes[i % len(nodes)], nodes[j % len(nodes)]))
    return nodes[-1]


ops_lists = st.lists(
    st.tuples(
        st.sampled_from(["add", "mul", "sub", "sin", "tanh", "max", "sigmoid"]),
        st.integers(0, 20),
        st.integers(0, 20),
    ),
    min_size=1,
    max_size=8,
)
points = st.tuples(*[st.floats(-2, 2, allow_nan=False) for _ in range(3)])


@settings(max_examples=40, deadline=None, derandomize=True)
@given(ops_lists, points)
def test_table_gradients_match_finite_differences(ops, pt):
    f = _random_expr(ops, [x, y, z])
    at = dict(zip("xyz", pt))
    # keep away from the kink of max, where differences are not derivatives
    for r in sg.backprop_table(f, at):
        if r.op == "maximum":
            a, b = (sg.evaluate(n, at) for n in r.node.args)
            if abs(a - b) < 1e-3:
                return
    t = sg.backprop_table(f, at)
    h = 1e-6
    for name in "xyz":
        up, down = dict(at), dict(at)
        up[name] += h
        down[name] -= h
        fd = (sg.evaluate(f, up) - sg.evaluate(f, down)) / (2 * h)
        assert math.isclose(t.gradients.get(name, 0.0), fd, rel_tol=1e-4, abs_tol=1e-5)


@settings(max_examples=40, deadline=None, derandomize=True)
@given(ops_lists, points)
def test_table_upstream_is_sum_of_downstreams(ops, pt):
    f = _random_expr(ops, [x, y, z])
    assume(f.op != "const")  # x - x is 0: a table with no rows
    t = sg.backprop_table(f, dict(zip("xyz", pt)))
    total = {r.name: 0.0 for r in t}
    for r in t:
        for name, d in zip(r.inputs, r.downstream):
            if name in total and d is not None:
                total[name] += d
    for r in t.rows[:-1]:
        assert math.isclose(r.upstream, total[r.name], rel_tol=1e-9, abs_tol=1e-12), (
            r.name
        )
    assert t.rows[-1].upstream == 1.0


def test_table_symbol_gradients_match_sympy_diff():
    f = sg.sin(x * y) + sg.exp(z) * x
    at = {"x": 0.3, "y": -1.2, "z": 0.7}
    t = sg.backprop_table(f, at)
    fs = f.to_sympy()
    subs = {sp.Symbol(k): v for k, v in at.items()}
    for name in "xyz":
        expected = float(sp.diff(fs, sp.Symbol(name)).subs(subs))
        assert math.isclose(t.gradients[name], expected, rel_tol=1e-12)


def test_table_text_aligned():
    t = sg.backprop_table(cs231n_circuit(), {x: -2, y: 5, z: -4})
    lines = str(t).splitlines()
    assert lines[0].split()[:3] == ["node", "op", "inputs"]
    assert set(lines[1]) <= {"-", " "}
    # every column starts at the same offset on every line
    starts = [m.start() for m in re.finditer(r"-+", lines[1])]
    for line in lines[2:]:
        for s in starts[1:4]:
            assert line[s - 2 : s] == "  "
    assert "-12" in lines[-1] and "swap/switcher" in lines[-1]


def test_table_markdown_shape():
    t = sg.backprop_table(cs231n_circuit(), {x: -2, y: 5, z: -4})
    lines = t.to_markdown().splitlines()
    assert len(lines) == 2 + len(t)
    assert all(line.startswith("|") and line.endswith("|") for line in lines)
    assert {line.count("|") for line in lines} == {9}
    assert "| q | add | x, y | 3 | 1, 1 | -4 | -4, -4 | distributor |" in lines
    assert t._repr_markdown_() == t.to_markdown()
    assert t._repr_html_().count("<tr>") == len(t) + 1


def test_table_latex_structure():
    X = sg.symbols_array("X", (1, 2))
    t = sg.backprop_table(X[0, 0] * X[0, 1], {"X_0_0": 2, "X_0_1": -3})
    tex = t.to_latex()
    assert tex.startswith("\\begin{tabular}{") and tex.endswith("\\end{tabular}")
    body = [ln for ln in tex.splitlines() if ln.endswith("\\\\")]
    assert len(body) == len(t) + 1
    assert all(ln.count("&") == 7 for ln in body)
    assert "X\\_0\\_0" in tex and "X_0_0" not in tex.replace("X\\_0\\_0", "")
    assert "$-3$" in tex


@pytest.mark.skipif(shutil.which("pdflatex") is None, reason="pdflatex not installed")
def test_table_latex_compiles(tmp_path):
    f, at = sigmoid_neuron()
    body = sg.backprop_table(f, at).to_latex()
    doc = "\\documentclass{article}\n\\begin{document}\n" + body + "\n\\end{document}\n"
    (tmp_path / "t.tex").write_text(doc)
    r = subprocess.run(
        ["pdflatex", "-interaction=nonstopmode", "-halt-on-error", "t.tex"],
        cwd=tmp_path,
        capture_output=True,
        timeout=120,
        check=False,
    )
    assert r.returncode == 0, r.stdout[-2000:]


def test_table_json_round_trip():
    import json

    t = sg.backprop_table(cs231n_circuit(), {x: -2, y: 5, z: -4})
    data = json.loads(t.to_json())
    assert data["gradients"] == {"x": -4.0, "y": -4.0, "z": 3.0}
    assert data["rows"][2]["gate"] == "distributor"
    assert data["at"] == {"x": -2.0, "y": 5.0, "z": -4.0}


def test_table_missing_symbol_is_point_error():
    with pytest.raises(PointError, match="no value given for z"):
        sg.backprop_table(cs231n_circuit(), {x: 1, y: 2})
    with pytest.raises(ValueError, match="one point"):
        sg.backprop_table(cs231n_circuit(), {x: [1, 2], y: 2, z: 3})
