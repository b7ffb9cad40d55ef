"""G.conv2d, G.max_pool2d and G.avg_pool2d with every option of the eager
functions: the static shape inferred at construction (with unknown sizes) is
the shape computed, the session's value is nm's, and G.gradients equals nm's
backward and central finite differences in a random direction. Bad options
are refused when the node is built, naming the argument, with no node added.
"""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import numeric as nm
import numeric.graph as G
from numeric.errors import ArgumentError, ShapeError

SETTINGS = settings(max_examples=25, deadline=None)


def _unknown(shape, which):
    """``shape`` with the axes in ``which`` unknown (None)."""
    return tuple(None if i in which else d for i, d in enumerate(shape))


def _check_against_eager(graph_fn, eager_fn, arrays, unknown_axes, seed):
    """Build with the unknown axes of input 0, run, compare with nm; then
    compare G.gradients with nm's backward and with central differences."""
    rng = np.random.default_rng(seed)
    with G.Graph().as_default():
        nodes = [
            G.placeholder(
                _unknown(a.shape, unknown_axes if i == 0 else ()), name=f"in{i}"
            )
            for i, a in enumerate(arrays)
        ]
        out = graph_fn(*nodes)
        feed = dict(zip(nodes, arrays))
        want = eager_fn(*arrays).data
        static = out.shape.dims
        assert len(static) == want.ndim
        assert all(s is None or s == d for s, d in zip(static, want.shape))
        # the output axes line up with the input's: a size is unknown exactly
        # where the input's is
        assert {i for i, s in enumerate(static) if s is None} == set(unknown_axes)
        weights = rng.standard_normal(want.shape)
        loss = G.reduce_sum(out * weights)
        grads = G.gradients(loss, nodes)
        with G.Session() as sess:
            got, got_grads = sess.run([out, grads], feed)
            np.testing.assert_allclose(got, want, rtol=1e-13, atol=1e-13)

            tensors = [nm.tensor(a, requires_grad=True) for a in arrays]
            nm.sum(eager_fn(*tensors) * weights).backward()
            for g, t in zip(got_grads, tensors):
                np.testing.assert_allclose(g, t.grad, rtol=1e-12, atol=1e-12)

            # <grad, u> against (loss(a + eps u) - loss(a - eps u)) / (2 eps)
            eps = 1e-6
            for node, a, g in zip(nodes, arrays, got_grads):
                u = rng.standard_normal(a.shape)
                plus = sess.run(loss, {**feed, node: a + eps * u})
                minus = sess.run(loss, {**feed, node: a - eps * u})
                fd = (plus - minus) / (2 * eps)
                assert np.isclose(np.vdot(g, u), fd, rtol=1e-5, atol=1e-6)


# ----- conv2d -----------------------------------------------------------------


@st.composite
def conv_cases(draw):
    groups = draw(st.sampled_from([1, 2]))
    c = groups * draw(st.integers(1, 2))
    o = groups * draw(st.integers(1, 2))
    kh, kw = draw(st.integers(1, 3)), draw(st.integers(1, 3))
    dilation = (draw(st.integers(1, 2)), draw(st.integers(1, 2)))
    padding = draw(
        st.one_of(
            st.sampled_from(["same", "valid"]),
            st.integers(0, 2),
            st.tuples(st.integers(0, 2), st.integers(0, 1)),
        )
    )
    stride = 1 if padding == "same" else draw(st.sampled_from([1, 2, (2, 1)]))
    h = draw(st.integers(dilation[0] * (kh - 1) + 1, 6))
    w = draw(st.integers(dilation[1] * (kw - 1) + 1, 6))
    batched = draw(st.booleans())
    x_shape = (draw(st.integers(1, 2)), c, h, w) if batched else (c, h, w)
    options = {"stride": stride, "padding": padding, "dilation": dilation}
    if groups > 1:
        options["groups"] = groups
    spatial = (len(x_shape) - 2, len(x_shape) - 1)
    # unknown sizes of the input: none, the batch, or the spatial axes (an
    # unknown channel count of an unbatched input does not align with the output)
    unknown = draw(st.sampled_from([(), (0,), spatial] if batched else [(), spatial]))
    return x_shape, (o, c // groups, kh, kw), draw(st.booleans()), options, unknown


@SETTINGS
@given(case=conv_cases(), seed=st.integers(0, 2**16))
def test_conv2d_options_match_eager_and_finite_differences(case, seed):
    x_shape, w_shape, with_bias, options, unknown = case
    rng = np.random.default_rng(seed)
    arrays = [rng.standard_normal(x_shape), rng.standard_normal(w_shape)]
    if with_bias:
        arrays.append(rng.standard_normal(w_shape[0]))
    _check_against_eager(
        lambda *t: G.conv2d(*t, **options),
        lambda *t: nm.conv2d(*t, **options),
        arrays,
        unknown,
        seed,
    )


def test_conv2d_same_and_valid_static_shapes(graph):
    x = G.placeholder((None, 3, 28, None), name="x")
    w = G.placeholder((8, 3, 4, 5), name="w")
    assert G.conv2d(x, w, padding="same").shape == (None, 8, 28, None)
    assert G.conv2d(x, w, padding="valid").shape == (None, 8, 25, None)
    assert G.conv2d(x, w, padding=(1, 2), stride=2).shape == (None, 8, 14, None)
    assert G.conv2d(x, w, dilation=3).shape == (None, 8, 19, None)
    # an unknown weight still gives the batch, and with 'same' the spatial sizes
    anything = G.placeholder(None, name="anything")
    assert G.conv2d(x, anything, padding="same").shape == (None, None, 28, None)
    assert G.conv2d(x, anything).shape == (None, None, None, None)
    unbatched = G.placeholder((3, 9, 9), name="unbatched")
    assert G.conv2d(unbatched, w, stride=2).shape == (8, 3, 3)


def test_conv2d_same_with_even_kernel_pads_bottom_right_like_eager(graph):
    # kernel 2: one zero in total per axis, at the bottom / right
    x = np.arange(9.0).reshape(1, 1, 3, 3)
    w = np.array([[[[1.0, 0.0], [0.0, 2.0]]]])
    out = G.conv2d(G.constant(x), G.constant(w), padding="same")
    with G.Session() as sess:
        got = sess.run(out)
    # out[i, j] = x[i, j] + 2 x[i + 1, j + 1], zero beyond the edge
    want = x[0, 0].copy()
    want[:2, :2] += 2 * x[0, 0, 1:, 1:]
    np.testing.assert_array_equal(got[0, 0], want)


@pytest.mark.parametrize(
    ("options", "argument"),
    [
        ({"padding": "full"}, "padding"),
        ({"padding": -1}, "padding"),
        ({"padding": (1, 2, 3)}, "padding"),
        ({"stride": 0}, "stride"),
        ({"stride": 1.5}, "stride"),
        ({"dilation": (1, 0)}, "dilation"),
        ({"groups": 0}, "groups"),
        ({"groups": True}, "groups"),
        ({"padding": "same", "stride": 2}, "padding='same'"),
    ],
)
def test_conv2d_bad_options_are_refused_when_built(graph, options, argument):
    x = G.placeholder((None, 4, 8, 8), name="x")
    w = G.placeholder((4, 4, 3, 3), name="w")
    before = len(graph.get_operations())
    with pytest.raises(ArgumentError, match=f"conv2d: {argument}"):
        G.conv2d(x, w, **options)
    assert len(graph.get_operations()) == before


@pytest.mark.parametrize(
    ("x_shape", "w_shape", "options", "message"),
    [
        ((None, 4, 8, 8), (3, 2, 3, 3), {"groups": 2}, "output channels 3"),
        ((None, 3, 8, 8), (4, 1, 3, 3), {"groups": 2}, "input channels 3"),
        ((None, 4, 8, 8), (4, 4, 3, 3), {"groups": 2}, "weight expects 8"),
        ((None, 4, 2, 8), (4, 4, 3, 3), {"dilation": 2}, "kernel height"),
        ((None, 4, 8, 8, 1), (4, 4, 3, 3), {}, "input must be"),
        ((None, 4, 8, 8), (4, 4, 3), {}, "weight must be"),
    ],
)
def test_conv2d_shapes_that_cannot_fit_are_refused_when_built(
    graph, x_shape, w_shape, options, message
):
    x = G.placeholder(x_shape, name="x")
    w = G.placeholder(w_shape, name="w")
    with pytest.raises(ShapeError, match=message):
        G.conv2d(x, w, **options)


def test_conv2d_bias_of_the_wrong_size_is_refused(graph):
    x = G.placeholder((None, 2, 5, 5), name="x")
    w = G.placeholder((3, 2, 3, 3), name="w")
    with pytest.raises(ShapeError, match="bias"):
        G.conv2d(x, w, G.placeholder((4,), name="b"))


# ----- pooling ------------------------------------------------------------------


@st.composite
def pool_cases(draw, with_dilation):
    kernel = (draw(st.integers(1, 3)), draw(st.integers(1, 3)))
    padding = (
        draw(st.integers(0, kernel[0] // 2)),
        draw(st.integers(0, kernel[1] // 2)),
    )
    dilation = (1, 1)
    if with_dilation:
        dilation = (draw(st.integers(1, 2)), draw(st.integers(1, 2)))
    stride = draw(st.sampled_from([None, 1, 2, (1, 2)]))
    h = draw(st.integers(dilation[0] * (kernel[0] - 1) + 1, 6))
    w = draw(st.integers(dilation[1] * (kernel[1] - 1) + 1, 6))
    batched = draw(st.booleans())
    x_shape = (draw(st.integers(1, 2)), 2, h, w) if batched else (2, h, w)
    options = {"stride": stride, "padding": padding, "ceil_mode": draw(st.booleans())}
    if with_dilation:
        options["dilation"] = dilation
    unknown = draw(st.sampled_from([(), (0,), (len(x_shape) - 1,)]))
    return x_shape, kernel, options, unknown


@SETTINGS
@given(case=pool_cases(with_dilation=True), seed=st.integers(0, 2**16))
def test_max_pool2d_options_match_eager_and_finite_differences(case, seed):
    x_shape, kernel, options, unknown = case
    # distinct values, so no tie sits within eps of a finite difference
    rng = np.random.default_rng(seed)
    x = rng.permutation(np.prod(x_shape)).reshape(x_shape) / 10.0
    _check_against_eager(
        lambda t: G.max_pool2d(t, kernel, **options),
        lambda t: nm.max_pool2d(t, kernel, **options),
        [x],
        unknown,
        seed,
    )


@SETTINGS
@given(
    case=pool_cases(with_dilation=False),
    count_include_pad=st.booleans(),
    divisor_override=st.sampled_from([None, 3]),
    seed=st.integers(0, 2**16),
)
def test_avg_pool2d_options_match_eager_and_finite_differences(
    case, count_include_pad, divisor_override, seed
):
    x_shape, kernel, options, unknown = case
    options = dict(
        options, count_include_pad=count_include_pad, divisor_override=divisor_override
    )
    x = np.random.default_rng(seed).standard_normal(x_shape)
    _check_against_eager(
        lambda t: G.avg_pool2d(t, kernel, **options),
        lambda t: nm.avg_pool2d(t, kernel, **options),
        [x],
        unknown,
        seed,
    )


def test_pool_static_shapes_with_unknown_sizes(graph):
    x = G.placeholder((None, 8, 7, None), name="x")
    assert G.max_pool2d(x, 2).shape == (None, 8, 3, None)
    assert G.max_pool2d(x, 2, ceil_mode=True).shape == (None, 8, 4, None)
    assert G.max_pool2d(x, 3, stride=1, dilation=2).shape == (None, 8, 3, None)
    assert G.avg_pool2d(x, 3, stride=2, padding=1).shape == (None, 8, 4, None)
    assert G.avg_pool2d(x, size=2).shape == (None, 8, 3, None)
    assert G.max_pool2d(G.placeholder(None, name="y"), 2).shape.dims is None


@pytest.mark.parametrize("pool", [G.max_pool2d, G.avg_pool2d])
@pytest.mark.parametrize(
    ("args", "options", "argument"),
    [
        ((), {}, "kernel_size is required"),
        ((0,), {}, "kernel_size"),
        ((2,), {"size": 2}, "give kernel_size or size"),
        ((2,), {"stride": (1, 0)}, "stride"),
        ((2,), {"padding": 2}, "padding"),
        ((2,), {"ceil_mode": 1}, "ceil_mode"),
    ],
)
def test_pool_bad_options_are_refused_when_built(graph, pool, args, options, argument):
    x = G.placeholder((None, 2, 6, 6), name="x")
    before = len(graph.get_operations())
    with pytest.raises(ArgumentError, match=argument):
        pool(x, *args, **options)
    assert len(graph.get_operations()) == before


@pytest.mark.parametrize(
    ("options", "argument"),
    [
        ({"count_include_pad": "yes"}, "count_include_pad"),
        ({"divisor_override": 0}, "divisor_override"),
        ({"divisor_override": 1.5}, "divisor_override"),
    ],
)
def test_avg_pool2d_bad_options_are_refused_when_built(graph, options, argument):
    x = G.placeholder((None, 2, 6, 6), name="x")
    with pytest.raises(ArgumentError, match=f"avg_pool2d: {argument}"):
        G.avg_pool2d(x, 2, **options)


def test_pool_window_larger_than_the_input_is_refused_when_built(graph):
    x = G.placeholder((None, 2, 3, 6), name="x")
    with pytest.raises(ShapeError, match="larger than the padded input"):
        G.max_pool2d(x, 2, dilation=3)
    with pytest.raises(ShapeError, match=r"input must be \(N, C, H, W\)"):
        G.avg_pool2d(G.placeholder((4, 4), name="flat"), 2)
