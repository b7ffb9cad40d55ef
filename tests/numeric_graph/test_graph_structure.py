"""Graph construction: names, scopes, printing, static shapes, collections.

None of these tests evaluates anything, so they do not need the numeric engine.
"""

import numpy as np
import pytest

import numeric.graph as G
from numeric.errors import ShapeError


def test_node_repr_like_tf1(graph):
    node = G.constant(2) + G.constant(3)
    assert repr(node) == 'Tensor("Add:0", shape=(), dtype=int64)'
    assert repr(G.constant(2.5)) == 'Tensor("Const_2:0", shape=(), dtype=float64)'


def test_names_unique_and_name_honoured(graph):
    a, b, c = G.constant(1.0), G.constant(2.0), G.constant(3.0)
    assert [a.name, b.name, c.name] == ["Const:0", "Const_1:0", "Const_2:0"]
    x = G.constant(1.0, name="x")
    x1 = G.constant(1.0, name="x")
    assert (x.name, x1.name) == ("x:0", "x_1:0")
    assert graph.get_tensor_by_name("x_1:0") is x1
    assert graph.get_operation_by_name("x") is x.op


def test_name_scope_prefixes_and_reentry(graph):
    x = G.placeholder((None, 3), name="x")
    with G.name_scope("layer1") as scope:
        w = G.Variable(np.ones((3, 2)), name="W")
        h = G.matmul(x, w)
    assert scope == "layer1/"
    assert h.name == "layer1/MatMul:0"
    assert w.name == "layer1/W:0"
    assert w.initializer.name == "layer1/W/Assign"
    with G.name_scope("layer1"):
        h2 = G.relu(h)
        with G.name_scope("inner"):
            c = G.constant(1.0)
    assert h2.name == "layer1_1/Relu:0"
    assert c.name == "layer1_1/inner/Const:0"


def test_placeholder_shape_prints_unknown_dims(graph):
    x = G.placeholder((None, 3), name="x")
    assert repr(x) == 'Tensor("x:0", shape=(?, 3), dtype=float64)'
    assert str(x.shape) == "(?, 3)"
    assert x.shape.as_list() == [None, 3]
    anything = G.placeholder(None)
    assert "shape=<unknown>" in repr(anything)
    labels = G.placeholder((None,), dtype="int64", name="labels")
    assert repr(labels) == 'Tensor("labels:0", shape=(?,), dtype=int64)'


def test_static_shapes_inferred_through_ops(graph):
    x = G.placeholder((None, 4), name="x")
    w = G.Variable(np.zeros((4, 5)))
    b = G.Variable(np.zeros(5))
    h = G.relu(x @ w + b)
    assert h.shape == (None, 5)
    assert G.reduce_sum(h, axis=1).shape == (None,)
    assert G.reduce_mean(h).shape == ()
    assert G.reduce_max(h, axis=0, keepdims=True).shape == (1, 5)
    assert h.T.shape == (5, None)
    assert h[:, 1:3].shape == (None, 2)
    assert h[0].shape == (5,)
    assert G.reshape(w, (-1,)).shape == (20,)
    assert G.softmax(h).shape == (None, 5)
    images = G.placeholder((None, 1, 12, 12))
    k = G.Variable(np.zeros((6, 1, 3, 3)))
    conv = G.conv2d(images, k, padding=1)
    assert conv.shape == (None, 6, 12, 12)
    assert G.max_pool2d(conv, 2).shape == (None, 6, 6, 6)
    labels = G.placeholder((None,), dtype=G.int64)
    assert G.cross_entropy(h, labels).shape == ()


@pytest.mark.parametrize(
    "build, shapes",
    [
        (
            lambda: G.matmul(G.placeholder((None, 3)), G.constant(np.ones((4, 2)))),
            ("(?, 3)", "(4, 2)"),
        ),
        (
            lambda: G.add(G.constant(np.ones((2, 3))), G.constant(np.ones((4,)))),
            ("(2, 3)", "(4,)"),
        ),
        (
            lambda: G.conv2d(
                G.placeholder((None, 3, 8, 8)), G.constant(np.ones((2, 1, 3, 3)))
            ),
            ("(?, 3, 8, 8)", "(2, 1, 3, 3)"),
        ),
        (lambda: G.reshape(G.constant(np.ones((2, 3))), (4, 2)), ("(2, 3)", "(4, 2)")),
    ],
    ids=["matmul", "add", "conv2d", "reshape"],
)
def test_shape_mismatch_raises_at_construction(graph, build, shapes):
    n_ops = len(graph.get_operations())
    with pytest.raises(ShapeError) as info:
        build()
    message = str(info.value)
    for s in shapes:
        assert s in message
    assert info.value.args[0].split(":")[0] in {"MatMul", "Add", "Conv2D", "Reshape"}
    assert len(graph.get_operations()) - n_ops <= 2  # only the operand constants


def test_default_graph_stack_and_reset():
    outer = G.get_default_graph()
    g = G.Graph()
    with g.as_default():
        assert G.get_default_graph() is g
        c = G.constant(1.0)
        with pytest.raises(G.GraphError):
            G.reset_default_graph()
    assert c.graph is g
    assert G.get_default_graph() is outer
    G.reset_default_graph()
    assert G.get_default_graph() is not outer
    assert G.get_default_graph().get_operations() == []


def test_nodes_of_two_graphs_do_not_mix():
    with G.Graph().as_default():
        a = G.constant(1.0)
    with G.Graph().as_default():
        b = G.constant(2.0)
        with pytest.raises(G.GraphError, match="another graph"):
            G.add(a, b)


def test_variables_listed_in_collections(graph):
    w = G.Variable(np.zeros(3), name="w")
    s = G.Variable(0, name="step", trainable=False)
    assert G.global_variables() == [w, s]
    assert G.trainable_variables() == [w]
    assert repr(w) == "<Variable 'w:0' shape=(3,) dtype=float64_ref>"
    assert s.dtype == np.int64
    assert repr(G.global_variables_initializer()) == "<Operation 'init' type=NoOp>"


def test_optimizer_slots_are_global_variables(graph):
    w = G.Variable(np.zeros((2, 2)), name="w")
    step = G.train.get_or_create_global_step()
    G.train.AdamOptimizer(0.1).minimize(G.reduce_sum(w * w), global_step=step)
    names = [v.op.name for v in G.global_variables()]
    assert names == [
        "w",
        "global_step",
        "w/Adam",
        "w/Adam_1",
        "beta1_power",
        "beta2_power",
    ]
    assert G.trainable_variables() == [w]
    G.train.MomentumOptimizer(0.1, 0.9).minimize(G.reduce_sum(w * w))
    assert "w/Momentum" in [v.op.name for v in G.global_variables()]


def test_gradients_unconnected_is_none(graph):
    x = G.placeholder((), name="x")
    w = G.Variable(1.0)
    unused = G.Variable(2.0)
    grads = G.gradients(w * x, [w, unused])
    assert grads[1] is None
    assert grads[0].shape == ()
    assert grads[0].name == "gradients:0"


def test_tensor_has_no_truth_value(graph):
    with pytest.raises(TypeError):
        bool(G.constant(1.0))
    with pytest.raises(TypeError):
        list(G.placeholder((None, 2)))


def test_variable_assign_checks_shape(graph):
    w = G.Variable(np.zeros((2, 3)), name="w")
    with pytest.raises(ShapeError, match=r"\(3, 2\).*\(2, 3\)"):
        w.assign(np.zeros((3, 2)))
    op = w.assign(np.ones((2, 3)))
    assert op.name == "Assign:0"
