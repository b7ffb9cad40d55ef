"""conv2d's options (stride, padding incl. 'same', dilation, groups, bias,
unbatched input) and conv_transpose2d, against loop references built from
PyTorch's definitions, central finite differences and (when installed)
PyTorch itself; second-order gradients against finite differences."""

import numpy as np
import pytest
from _conv_reference import conv2d_ref, conv_transpose2d_ref
from hypothesis import given, settings
from hypothesis import strategies as st

import numeric as nm

seeds = st.integers(0, 2**32 - 1)


def _case(seed, unbatched=None):
    """A random conv2d call: (x, w, b, options, padding as ((t, b), (l, r)))."""
    rng = np.random.default_rng(seed)
    groups = int(rng.integers(1, 4))
    cg, og = (int(v) for v in rng.integers(1, 3, size=2))
    kh, kw = (int(v) for v in rng.integers(1, 4, size=2))
    dilation = tuple(int(v) for v in rng.integers(1, 3, size=2))
    kind = int(rng.integers(3))
    if kind == 0:  # 'same' (stride 1), even kernels included
        stride, padding = (1, 1), "same"
        pads = []
        for k, d in zip((kh, kw), dilation):
            total = d * (k - 1)
            pads.append((total // 2, total - total // 2))
    elif kind == 1:
        stride = tuple(int(v) for v in rng.integers(1, 4, size=2))
        padding, pads = "valid", [(0, 0), (0, 0)]
    else:
        stride = tuple(int(v) for v in rng.integers(1, 4, size=2))
        padding = tuple(int(v) for v in rng.integers(0, 3, size=2))
        pads = [(p, p) for p in padding]
    sizes = [
        max(d * (k - 1) + 1 - sum(p), 1) + int(rng.integers(0, 4))
        for k, d, p in zip((kh, kw), dilation, pads)
    ]
    x = rng.normal(size=(2, cg * groups, *sizes))
    if unbatched if unbatched is not None else rng.integers(2):
        x = x[0]
    w = rng.normal(size=(og * groups, cg, kh, kw))
    b = rng.normal(size=og * groups) if rng.integers(2) else None
    options = {
        "stride": stride,
        "padding": padding,
        "dilation": dilation,
        "groups": groups,
    }
    return rng, x, w, b, options, tuple(pads)


def _reference(x, w, b, options, pads):
    batch = x if x.ndim == 4 else x[None]
    y = conv2d_ref(
        batch, w, b, options["stride"], pads, options["dilation"], options["groups"]
    )
    return y if x.ndim == 4 else y[0]


@settings(max_examples=40, deadline=None, derandomize=True)
@given(seed=seeds)
def test_conv2d_options_forward_equals_loops(seed):
    _, x, w, b, options, pads = _case(seed)
    got = nm.conv2d(x, w, b, **options)
    np.testing.assert_allclose(got.data, _reference(x, w, b, options, pads), atol=1e-12)


@settings(max_examples=15, deadline=None, derandomize=True)
@given(seed=seeds)
def test_conv2d_options_gradients_match_finite_differences(seed):
    _, x, w, b, options, _ = _case(seed)
    if b is None:
        assert nm.gradcheck(lambda x, w: nm.conv2d(x, w, **options), x, w)
    else:
        assert nm.gradcheck(lambda x, w, b: nm.conv2d(x, w, b, **options), x, w, b)


@settings(max_examples=8, deadline=None, derandomize=True)
@given(seed=seeds)
def test_conv2d_options_second_order_matches_finite_differences(seed):
    # the gradient of a conv loss, itself checked against central differences:
    # it runs conv2d's VJPs (input_grad, weight_grad) under the outer trace
    rng, x, w, _b, options, _ = _case(seed)
    r = rng.normal(size=nm.conv2d(x, w, **options).shape)

    def loss(x, w):
        return nm.sum(nm.tanh(nm.conv2d(x, w, **options)) * r)

    assert nm.gradcheck(lambda x, w: nm.grad(loss, 0)(x, w), x, w, atol=1e-4)
    assert nm.gradcheck(lambda x, w: nm.grad(loss, 1)(x, w), x, w, atol=1e-4)


def test_conv2d_same_even_kernel_pads_the_extra_row_at_the_bottom():
    # hand-worked: a 2x2 kernel of ones over a 3x3 input; 'same' adds the one
    # row/column of zeros after the input (PyTorch), so y[i, j] sums
    # x[i:i+2, j:j+2] with the input's last row/column seeing only zeros after it
    x = np.arange(1.0, 10.0).reshape(1, 1, 3, 3)
    y = nm.conv2d(x, np.ones((1, 1, 2, 2)), padding="same").data[0, 0]
    expected = [
        [1 + 2 + 4 + 5, 2 + 3 + 5 + 6, 3 + 6],
        [4 + 5 + 7 + 8, 5 + 6 + 8 + 9, 6 + 9],
        [7 + 8, 8 + 9, 9],
    ]
    np.testing.assert_array_equal(y, expected)


def test_conv2d_same_keeps_the_size_with_dilation():
    x = np.ones((1, 2, 5, 6))
    y = nm.conv2d(x, np.ones((3, 2, 4, 3)), padding="same", dilation=(1, 2))
    assert y.shape == (1, 3, 5, 6)


def test_conv2d_depthwise_is_one_filter_per_channel():
    rng = np.random.default_rng(3)
    x, w = rng.normal(size=(2, 3, 5, 5)), rng.normal(size=(3, 1, 3, 3))
    y = nm.conv2d(x, w, groups=3, padding=1).data
    for c in range(3):
        alone = nm.conv2d(x[:, c : c + 1], w[c : c + 1], padding=1).data
        np.testing.assert_allclose(y[:, c : c + 1], alone, atol=1e-12)


def test_conv2d_unbatched_input_gives_unbatched_output():
    _, x, w, b, options, _pads = _case(11, unbatched=True)
    y = nm.conv2d(x, w, b, **options)
    assert y.ndim == 3
    np.testing.assert_allclose(y.data, nm.conv2d(x[None], w, b, **options).data[0])


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (
            lambda: nm.conv2d(np.ones((1, 3, 4, 4)), np.ones((2, 1, 3, 3)), groups=2),
            r"input channels 3 are not divisible by groups=2",
        ),
        (
            lambda: nm.conv2d(np.ones((1, 4, 4, 4)), np.ones((3, 2, 3, 3)), groups=2),
            r"output channels 3 are not divisible by groups=2",
        ),
        (
            lambda: nm.conv2d(np.ones((1, 4, 4, 4)), np.ones((2, 1, 3, 3)), groups=2),
            r"input has 4 channels but weight expects 2",
        ),
        (
            lambda: nm.conv2d(np.ones((1, 1, 4, 4)), np.ones((1, 1, 3, 3)), dilation=2),
            r"kernel height \(extent 5 with dilation\) is larger than the padded input height 4",
        ),
        (
            lambda: nm.conv2d(
                np.ones((1, 1, 4, 4)), np.ones((1, 1, 3, 3)), padding="same", stride=2
            ),
            r"padding='same' is not supported for strided",
        ),
        (
            lambda: nm.conv2d(
                np.ones((1, 1, 4, 4)), np.ones((1, 1, 3, 3)), padding="full"
            ),
            r"padding must be an int, a pair of ints, 'valid' or 'same'",
        ),
        (
            lambda: nm.conv2d(np.ones((1, 1, 4, 4)), np.ones((1, 1, 3, 3)), dilation=0),
            r"dilation must be >= 1",
        ),
        (
            lambda: nm.conv2d(np.ones((1, 1, 4, 4)), np.ones((1, 1, 3, 3)), groups=0),
            r"groups must be >= 1",
        ),
        (
            lambda: nm.conv2d(np.ones((4, 4)), np.ones((1, 1, 3, 3))),
            r"input must be \(N, C, H, W\) or unbatched \(C, H, W\)",
        ),
        (
            lambda: nm.conv2d(np.ones((1, 1, 4, 4)), np.ones((1, 1, 3, 3)), np.ones(2)),
            r"bias must have shape \(1,\)",
        ),
        (
            lambda: nm.conv_transpose2d(np.ones((1, 2, 3, 3)), np.ones((3, 1, 2, 2))),
            r"weight \(3, 1, 2, 2\) expects 3 input channels",
        ),
        (
            lambda: nm.conv_transpose2d(
                np.ones((1, 1, 3, 3)), np.ones((1, 1, 2, 2)), stride=2, output_padding=2
            ),
            r"output_padding \(2, 2\) must be smaller than either the stride",
        ),
        (
            lambda: nm.conv_transpose2d(
                np.ones((1, 1, 1, 1)), np.ones((1, 1, 1, 1)), padding=1
            ),
            r"the output would be \(-1, -1\)",
        ),
    ],
)
def test_conv_bad_arguments_name_the_culprit(call, message):
    with pytest.raises(ValueError, match=message):
        call()


# ----- conv_transpose2d and the flip identity -----


def _transpose_case(seed):
    rng = np.random.default_rng(seed)
    groups = int(rng.integers(1, 3))
    cin, cog = groups * int(rng.integers(1, 3)), int(rng.integers(1, 3))
    kh, kw = (int(v) for v in rng.integers(1, 4, size=2))
    stride = tuple(int(v) for v in rng.integers(1, 4, size=2))
    dilation = tuple(int(v) for v in rng.integers(1, 3, size=2))
    output_padding = tuple(
        int(rng.integers(0, max(s, d))) for s, d in zip(stride, dilation)
    )
    padding = tuple(
        int(rng.integers(0, d * (k - 1) // 2 + 1)) for k, d in zip((kh, kw), dilation)
    )
    x = rng.normal(size=(2, cin, *(int(v) for v in rng.integers(1, 4, size=2))))
    w = rng.normal(size=(cin, cog, kh, kw))
    b = rng.normal(size=cog * groups) if rng.integers(2) else None
    options = {
        "stride": stride,
        "padding": padding,
        "output_padding": output_padding,
        "groups": groups,
        "dilation": dilation,
    }
    return rng, x, w, b, options


@settings(max_examples=40, deadline=None, derandomize=True)
@given(seed=seeds)
def test_conv_transpose2d_forward_equals_loops(seed):
    _, x, w, b, o = _transpose_case(seed)
    expected = conv_transpose2d_ref(
        x,
        w,
        b,
        o["stride"],
        o["padding"],
        o["output_padding"],
        o["groups"],
        o["dilation"],
    )
    np.testing.assert_allclose(
        nm.conv_transpose2d(x, w, b, **o).data, expected, atol=1e-12
    )


@settings(max_examples=12, deadline=None, derandomize=True)
@given(seed=seeds)
def test_conv_transpose2d_gradients_match_finite_differences(seed):
    _, x, w, _b, o = _transpose_case(seed)
    assert nm.gradcheck(lambda x, w: nm.conv_transpose2d(x, w, **o), x, w)


@settings(max_examples=30, deadline=None, derandomize=True)
@given(seed=seeds)
def test_conv2d_input_gradient_is_conv_transpose2d_of_upstream(seed):
    # dL/dX of Y = conv2d(X, W) is the transposed convolution of dL/dY with the
    # same W; output_padding restores the rows a strided floor dropped
    rng = np.random.default_rng(seed)
    groups = int(rng.integers(1, 3))
    x = rng.normal(size=(2, 2 * groups, *(int(v) for v in rng.integers(5, 9, size=2))))
    w = rng.normal(
        size=(
            groups * int(rng.integers(1, 3)),
            2,
            *(int(v) for v in rng.integers(1, 4, size=2)),
        )
    )
    stride = tuple(int(v) for v in rng.integers(1, 4, size=2))
    dilation = tuple(int(v) for v in rng.integers(1, 3, size=2))
    padding = tuple(int(v) for v in rng.integers(0, 2, size=2))
    options = {
        "stride": stride,
        "padding": padding,
        "dilation": dilation,
        "groups": groups,
    }
    g = rng.normal(size=nm.conv2d(x, w, **options).shape)
    dx = nm.grad(lambda x: nm.sum(nm.conv2d(x, w, **options) * g))(x)
    extents = [d * (k - 1) + 1 for k, d in zip(w.shape[2:], dilation)]
    output_padding = tuple(
        (n + 2 * p - e) % s for n, p, e, s in zip(x.shape[2:], padding, extents, stride)
    )
    args = (stride, padding, output_padding, groups, dilation)
    np.testing.assert_allclose(
        dx, nm.conv_transpose2d(g, w, None, *args).data, atol=1e-10
    )
    np.testing.assert_allclose(dx, conv_transpose2d_ref(g, w, None, *args), atol=1e-10)


# ----- PyTorch, when installed -----

TORCH_GRID = [
    {
        "stride": s,
        "padding": p,
        "dilation": d,
        "groups": gr,
        "bias": bias,
        "unbatched": u,
    }
    for s, p, d, gr, bias, u in [
        (1, 0, 1, 1, True, False),
        (2, 1, 1, 1, False, False),
        ((2, 1), (1, 2), (1, 2), 1, True, False),
        (1, "same", 1, 1, True, False),
        (1, "same", (2, 1), 2, False, False),
        (1, "valid", 2, 2, True, True),
        (3, 2, 2, 4, True, False),
        (1, "same", 1, 4, False, True),
    ]
]


@pytest.mark.filterwarnings("ignore:Using padding='same'")  # torch's own note
@pytest.mark.parametrize("kernel", [(2, 2), (3, 2), (3, 3)])
@pytest.mark.parametrize(
    "opts", TORCH_GRID, ids=lambda o: "-".join(map(str, o.values()))
)
def test_conv2d_matches_torch_forward_and_gradients(opts, kernel):
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(7)
    groups = opts["groups"]
    x = rng.normal(size=(2, 4, 9, 8))
    if opts["unbatched"]:
        x = x[0]
    w = rng.normal(size=(4, 4 // groups, *kernel))
    b = rng.normal(size=4) if opts["bias"] else None
    options = {k: opts[k] for k in ("stride", "padding", "dilation", "groups")}
    tx, tw = torch.tensor(x, requires_grad=True), torch.tensor(w, requires_grad=True)
    tb = None if b is None else torch.tensor(b, requires_grad=True)
    ref = torch.nn.functional.conv2d(tx, tw, tb, **options)
    g = rng.normal(size=tuple(ref.shape))
    ref.backward(torch.tensor(g))
    args = (x, w) if b is None else (x, w, b)

    def loss(*a):
        return nm.sum(nm.conv2d(*a[:2], a[2] if len(a) > 2 else None, **options) * g)

    grads = nm.grad(loss, tuple(range(len(args))))(*args)
    np.testing.assert_allclose(
        nm.conv2d(x, w, b, **options).data, ref.detach().numpy(), atol=1e-10
    )
    for got, t in zip(grads, (tx, tw, tb)):
        np.testing.assert_allclose(got, t.grad.numpy(), atol=1e-10)


@settings(max_examples=30, deadline=None, derandomize=True)
@given(seed=seeds)
def test_conv_transpose2d_matches_torch(seed):
    torch = pytest.importorskip("torch")
    _, x, w, b, o = _transpose_case(seed)
    tx, tw = torch.tensor(x, requires_grad=True), torch.tensor(w, requires_grad=True)
    ref = torch.nn.functional.conv_transpose2d(
        tx, tw, None if b is None else torch.tensor(b), **o
    )
    g = np.random.default_rng(seed).normal(size=tuple(ref.shape))
    ref.backward(torch.tensor(g))
    dx, dw = nm.grad(
        lambda x, w: nm.sum(nm.conv_transpose2d(x, w, b, **o) * g), (0, 1)
    )(x, w)
    np.testing.assert_allclose(
        nm.conv_transpose2d(x, w, b, **o).data, ref.detach().numpy(), atol=1e-10
    )
    np.testing.assert_allclose(dx, tx.grad.numpy(), atol=1e-10)
    np.testing.assert_allclose(dw, tw.grad.numpy(), atol=1e-10)


@pytest.mark.parametrize("seed", [5, 6, 7])
def test_conv2d_in_chunks_equals_loops(monkeypatch, seed):
    # large layers compute sample chunk by sample chunk, without keeping the
    # forward's columns for the weight gradient; force that on a small one
    import numeric.prims.conv2d as conv2d_module

    monkeypatch.setattr(conv2d_module, "_CHUNK_BYTES", 1)
    monkeypatch.setattr(conv2d_module, "_SAVE_BYTES", 0)
    rng, x, w, b, options, pads = _case(seed, unbatched=False)
    y = nm.conv2d(x, w, b, **options)
    np.testing.assert_allclose(y.data, _reference(x, w, b, options, pads), atol=1e-12)
    assert nm.gradcheck(lambda w: nm.conv2d(x, w, **options), w)
    g = rng.normal(size=y.shape)
    dx = nm.grad(lambda x: nm.sum(nm.conv2d(x, w, **options) * g))(x)
    step = 1e-6  # the input gradient is linear: one central difference is exact
    v = rng.normal(size=x.shape)
    fd = (
        np.sum(_reference(x + step * v, w, None, options, pads) * g)
        - np.sum(_reference(x - step * v, w, None, options, pads) * g)
    ) / (2 * step)
    np.testing.assert_allclose(np.sum(dx * v), fd, rtol=1e-6)
