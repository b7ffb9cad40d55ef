"""DOT drawings: structure, edge labels from the backprop table, rendering."""

import re
import shutil

import pytest

import symgraph as sg
from symgraph.teach import GraphvizNotFoundError

x, y, z = sg.symbols("x y z")


def test_dot_structure_one_edge_per_argument():
    f = sg.maximum(x, y) * x + 2 * z
    d = sg.to_dot(f)
    nodes = re.findall(r"^  (n\d+) \[", d, re.MULTILINE)
    edges = re.findall(r"^  (n\d+) -> (n\d+)", d, re.MULTILINE)
    order = sg.count_nodes(f)
    assert len(nodes) == order
    from symgraph.traverse import toposort

    assert len(edges) == sum(len(n.args) for n in toposort([f]))
    assert d.startswith("digraph symgraph {") and d.rstrip().endswith("}")
    assert "label=" not in "".join(line for line in d.splitlines() if "->" in line)


def test_dot_edges_carry_values_and_gradients():
    # CS231n: f = (x + y) z at (-2, 5, -4); the wire x -> q carries -2 and -4,
    # q -> f carries 3 and -4, z -> f carries -4 and 3; f outputs -12 with grad 1.
    d = sg.to_dot((x + y).named("q") * z, {x: -2, y: 5, z: -4})
    labels = {
        (a, b): re.findall(r">([^<>]+)</font>", lab)
        for a, b, lab in re.findall(
            r"^  (\w+) -> (\w+) \[label=(.*)\];$", d, re.MULTILINE
        )
    }
    assert labels[("n0", "n2")] == ["-2", "-4"]
    assert labels[("n1", "n2")] == ["5", "-4"]
    assert labels[("n2", "n4")] == ["3", "-4"]
    assert labels[("n3", "n4")] == ["-4", "3"]
    assert labels[("n4", "out")] == ["-12", "1"]


def test_dot_edge_gradients_match_grad():
    f = sg.sin(x * y) * x
    at = {x: 0.5, y: 2.0}
    d = sg.to_dot(f, at, digits=12)
    dx, dy = sg.evaluate(sg.grad(f, [x, y]), at)
    # x feeds two consumers: the gradients on its two edges add up to df/dx
    edges = re.findall(r"^  n0 -> \w+ \[label=(.*)\];$", d, re.MULTILINE)
    grads = [float(re.findall(r">([^<>]+)</font>", e)[1]) for e in edges]
    assert len(grads) == 2 and abs(sum(grads) - dx) < 1e-9
    (ey,) = re.findall(r"^  n1 -> \w+ \[label=(.*)\];$", d, re.MULTILINE)
    assert abs(float(re.findall(r">([^<>]+)</font>", ey)[1]) - dy) < 1e-9


def test_dot_render_without_graphviz_says_so(monkeypatch, tmp_path):
    monkeypatch.setattr(shutil, "which", lambda name: None)
    d = sg.to_dot(x * y)
    with pytest.raises(
        GraphvizNotFoundError, match="Graphviz's 'dot' program was not found"
    ):
        d.render("svg")
    with pytest.raises(GraphvizNotFoundError):
        d.save(tmp_path / "g.png")
    assert d._repr_svg_() is None
    assert d.save(tmp_path / "g.dot").read_text() == str(d)


def test_dot_save_bad_suffix_and_format():
    d = sg.to_dot(x * y)
    with pytest.raises(ValueError, match="format"):
        d.save("drawing.bmp")
    with pytest.raises(ValueError, match="format"):
        d.render("bmp")


@pytest.mark.skipif(shutil.which("dot") is None, reason="Graphviz not installed")
def test_dot_render_svg_and_png(tmp_path):
    d = sg.to_dot((x + y).named("q") * z, {x: -2, y: 5, z: -4})
    svg = d.render("svg").decode()
    assert "<svg" in svg and ">q<" in svg and "12</text>" in svg
    png = d.save(tmp_path / "g.png").read_bytes()
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    assert "<svg" in d._repr_svg_()
