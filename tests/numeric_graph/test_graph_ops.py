"""Every op of the graph registry against the eager engine: the session's value
equals numeric's, the static shape inferred at construction equals the shape
computed, and G.gradients equals Tensor.backward on the same computation.

The table below must name every registered op type, so a new op gets these
tests by adding one row.
"""

import numpy as np
import pytest

import numeric as nm
import numeric.graph as G
from numeric.graph.ops import OPS

R = np.random.default_rng(7)


def _pos(*shape):
    return R.uniform(0.5, 2.0, size=shape)


def _any(*shape):
    return R.standard_normal(shape)


LABELS = np.array([0, 3, 1, 2, 3])


def _as_tensor(x):
    """Keep a traced tensor as it is (nm.tensor would copy it off the tape)."""
    return x if isinstance(x, nm.Tensor) else nm.tensor(x)


# op type -> (graph function, eager function, inputs, indices of inputs to differentiate)
CASES = {
    "Add": (G.add, nm.add, [_any(3, 4), _any(4)], [0, 1]),
    "Sub": (G.subtract, nm.subtract, [_any(3, 4), _any(3, 1)], [0, 1]),
    "Mul": (G.multiply, nm.multiply, [_any(3, 4), _any(3, 4)], [0, 1]),
    "RealDiv": (G.divide, nm.divide, [_any(3, 4), _pos(4)], [0, 1]),
    "Pow": (G.power, nm.power, [_pos(3, 4), _any(3, 4)], [0, 1]),
    "Maximum": (G.maximum, nm.maximum, [_any(3, 4), _any(3, 4)], [0, 1]),
    "Minimum": (G.minimum, nm.minimum, [_any(3, 4), _any(3, 4)], [0, 1]),
    "Neg": (G.negative, nm.negative, [_any(3, 4)], [0]),
    "Abs": (G.abs, nm.abs, [_any(3, 4)], [0]),
    "Exp": (G.exp, nm.exp, [_any(3, 4)], [0]),
    "Log": (G.log, nm.log, [_pos(3, 4)], [0]),
    "Sin": (G.sin, nm.sin, [_any(3, 4)], [0]),
    "Cos": (G.cos, nm.cos, [_any(3, 4)], [0]),
    "Tan": (G.tan, nm.tan, [0.3 * _any(3, 4)], [0]),
    "Tanh": (G.tanh, nm.tanh, [_any(3, 4)], [0]),
    "Sigmoid": (G.sigmoid, nm.sigmoid, [_any(3, 4)], [0]),
    "Relu": (G.relu, nm.relu, [_any(3, 4)], [0]),
    "Elu": (
        lambda x: G.elu(x, alpha=0.5),
        lambda x: nm.elu(x, alpha=0.5),
        [_any(3, 4)],
        [0],
    ),
    "LeakyRelu": (
        lambda x: G.leaky_relu(x, 0.1),
        lambda x: nm.leaky_relu(x, 0.1),
        [_any(3, 4)],
        [0],
    ),
    "Softplus": (G.softplus, nm.softplus, [_any(3, 4)], [0]),
    "Sqrt": (G.sqrt, nm.sqrt, [_pos(3, 4)], [0]),
    "Identity": (G.identity, _as_tensor, [_any(3, 4)], [0]),
    "Sum": (
        lambda x: G.reduce_sum(x, axis=1, keepdims=True),
        lambda x: nm.sum(x, axis=1, keepdims=True),
        [_any(3, 4)],
        [0],
    ),
    "Mean": (
        lambda x: G.reduce_mean(x, axis=0),
        lambda x: nm.mean(x, axis=0),
        [_any(3, 4)],
        [0],
    ),
    "Max": (
        lambda x: G.reduce_max(x, axis=(0, 1)),
        lambda x: nm.max(x, axis=(0, 1)),
        [_any(3, 4)],
        [0],
    ),
    "LogSumExp": (
        lambda x: G.logsumexp(x, axis=1),
        lambda x: nm.logsumexp(x, axis=1),
        [_any(3, 4)],
        [0],
    ),
    "Softmax": (G.softmax, nm.softmax, [_any(3, 4)], [0]),
    "LogSoftmax": (
        lambda x: G.log_softmax(x, axis=0),
        lambda x: nm.log_softmax(x, axis=0),
        [_any(3, 4)],
        [0],
    ),
    "MatMul": (G.matmul, nm.matmul, [_any(3, 4), _any(4, 2)], [0, 1]),
    "Reshape": (
        lambda x: G.reshape(x, (2, -1)),
        lambda x: nm.reshape(x, (2, 6)),
        [_any(3, 4)],
        [0],
    ),
    "Transpose": (
        lambda x: G.transpose(x, (2, 0, 1)),
        lambda x: nm.transpose(x, (2, 0, 1)),
        [_any(2, 3, 4)],
        [0],
    ),
    "StridedSlice": (
        lambda x: x[:, 1:3, None],
        lambda x: _as_tensor(x)[:, 1:3, None],
        [_any(3, 4)],
        [0],
    ),
    "Select": (
        G.where,
        nm.where,
        [_any(3, 4) > 0, _any(3, 4), _any(3, 4)],
        [1, 2],
    ),
    "Conv2D": (
        lambda x, w, b: G.conv2d(x, w, b, stride=2, padding=1),
        lambda x, w, b: nm.conv2d(x, w, b, stride=2, padding=1),
        [_any(2, 2, 5, 5), _any(3, 2, 3, 3), _any(3)],
        [0, 1, 2],
    ),
    "MaxPool": (
        lambda x: G.max_pool2d(x, 2),
        lambda x: nm.max_pool2d(x, 2),
        [_any(2, 3, 4, 5)],
        [0],
    ),
    "AvgPool": (
        lambda x: G.avg_pool2d(x, 2, stride=1),
        lambda x: nm.avg_pool2d(x, 2, stride=1),
        [_any(2, 3, 4, 4)],
        [0],
    ),
    "Correlate2D": (
        lambda x, w: G.correlate2d(x, w, mode="full"),
        lambda x, w: nm.correlate2d(x, w, mode="full"),
        [_any(5, 6), _any(3, 2)],
        [0, 1],
    ),
    "Convolve2D": (
        lambda x, w: G.convolve2d(x, w, mode="same"),
        lambda x, w: nm.convolve2d(x, w, mode="same"),
        [_any(5, 6), _any(3, 2)],
        [0, 1],
    ),
    "MSE": (G.mse, nm.mse, [_any(3, 4), _any(3, 4)], [0, 1]),
    "CrossEntropy": (G.cross_entropy, nm.cross_entropy, [_any(5, 4), LABELS], [0]),
    "SVMLoss": (G.svm_loss, nm.svm_loss, [_any(5, 4), LABELS], [0]),
    # TF1's array and math names (numeric/graph/array_ops.py, math_ops.py)
    "Min": (
        lambda x: G.reduce_min(x, axis=1),
        lambda x: nm.min(x, axis=1),
        [_any(3, 4)],
        [0],
    ),
    "Prod": (
        lambda x: G.reduce_prod(x, axis=0, keepdims=True),
        lambda x: nm.prod(x, axis=0, keepdims=True),
        [_any(3, 4)],
        [0],
    ),
    "ClipByValue": (
        G.clip_by_value,
        nm.clip,
        [_any(3, 4), -0.5 + 0.1 * _any(4), 0.5 + 0.1 * _any(3, 1)],
        [0, 1, 2],
    ),
    "StopGradient": (
        lambda x: G.stop_gradient(x) * x,
        lambda x: nm.tensor(_as_tensor(x).data) * x,
        [_any(3, 4)],
        [0],
    ),
    "PlaceholderWithDefault": (
        lambda x: G.placeholder_with_default(x, (3, 4)),
        _as_tensor,
        [_any(3, 4)],
        [0],
    ),
    "ConcatV2": (
        lambda x, y: G.concat([x, y], -1),
        lambda x, y: nm.concatenate([x, y], axis=-1),
        [_any(3, 4), _any(3, 2)],
        [0, 1],
    ),
    "Pack": (
        lambda x, y: G.stack([x, y], axis=1),
        lambda x, y: nm.stack([x, y], axis=1),
        [_any(3, 4), _any(3, 4)],
        [0, 1],
    ),
    "ExpandDims": (
        lambda x: G.expand_dims(x, -2),
        lambda x: _as_tensor(x)[:, None, :],
        [_any(3, 4)],
        [0],
    ),
    "Squeeze": (
        lambda x: G.squeeze(x, [0, 2]),
        lambda x: nm.reshape(x, (3, 4)),
        [_any(1, 3, 1, 4)],
        [0],
    ),
    "SparseSoftmaxCrossEntropyWithLogits": (
        lambda z, y: G.nn.sparse_softmax_cross_entropy_with_logits(labels=y, logits=z),
        lambda z, y: nm.cross_entropy(z, y, reduction="none"),
        [_any(5, 4), LABELS],
        [0],
    ),
}


def test_registry_ops_all_have_a_case():
    assert sorted(CASES) == sorted(OPS)


def _graph_inputs(inputs):
    nodes = []
    for i, a in enumerate(inputs):
        dtype = G.int64 if a.dtype.kind in "iu" else None
        if a.dtype == bool:
            nodes.append(G.constant(a, name=f"in{i}"))
        else:
            nodes.append(
                G.placeholder(a.shape, name=f"in{i}", dtype=dtype or G.float64)
            )
    return nodes


@pytest.mark.parametrize("op_type", sorted(CASES))
def test_registry_op_value_and_static_shape_match_eager(graph, op_type):
    graph_fn, eager_fn, inputs, _ = CASES[op_type]
    nodes = _graph_inputs(inputs)
    out = graph_fn(*nodes)
    # the op itself, or (StopGradient's case) one of its inputs
    assert op_type in {out.op.type} | {t.op.type for t in out.op.inputs}
    feed = {n: a for n, a in zip(nodes, inputs) if n.op.type == "Placeholder"}
    with G.Session() as sess:
        got = sess.run(out, feed)
    want = eager_fn(*inputs).data
    np.testing.assert_allclose(got, want, rtol=1e-15, atol=0)
    assert out.shape == np.shape(want)


@pytest.mark.parametrize("op_type", sorted(CASES))
def test_registry_op_gradients_match_eager_backward(graph, op_type):
    graph_fn, eager_fn, inputs, diff = CASES[op_type]
    nodes = _graph_inputs(inputs)
    out = graph_fn(*nodes)
    weights = R.standard_normal(np.shape(eager_fn(*inputs).data))
    loss = G.reduce_sum(out * weights)
    grads = G.gradients(loss, [nodes[i] for i in diff])
    feed = {n: a for n, a in zip(nodes, inputs) if n.op.type == "Placeholder"}
    with G.Session() as sess:
        got = sess.run(grads, feed)

    tensors = [
        nm.tensor(a, requires_grad=True) if i in diff else a
        for i, a in enumerate(inputs)
    ]
    nm.sum(eager_fn(*tensors) * weights).backward()
    for g, i in zip(got, diff):
        np.testing.assert_allclose(g, tensors[i].grad, rtol=1e-13, atol=1e-15)
        assert g.shape == inputs[i].shape


def test_static_shapes_with_unknown_batch_fit_the_values(graph):
    x = G.placeholder((None, 2, 5, 5))
    w = G.constant(_any(3, 2, 3, 3))
    y = G.max_pool2d(G.relu(G.conv2d(x, w, padding=1)), 2)
    flat = G.reshape(y, (-1, 12))
    assert y.shape == (None, 3, 2, 2) and flat.shape == (None, 12)
    with G.Session() as sess:
        for batch in (1, 4):
            value = sess.run(flat, {x: _any(batch, 2, 5, 5)})
            assert value.shape == (batch, 12)
