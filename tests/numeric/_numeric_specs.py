"""One test specification per registered numeric primitive.

``SPECS[name](rng, shape)`` returns ``(fn, arrays)``: a function of the
differentiable inputs only (static parameters, conditions and indices are
closed over) and a valid point for it, away from kinks and domain edges, so
central finite differences are a fair reference. The registry tests assert
that every registered primitive has an entry here.
"""

import numpy as np
from _numeric_specs_more import SECOND_DERIVATIVES_MORE, SPECS_MORE

from numeric.registry import lookup


def _p(name):
    return lookup(name)


def _away_from_zero(rng, shape, low=0.2, high=2.0):
    return rng.uniform(low, high, size=shape) * rng.choice([-1.0, 1.0], size=shape)


def _distinct(rng, shape):
    """Values at least 0.1 apart, so max and argmax are unambiguous."""
    n = int(np.prod(shape))
    return (rng.permutation(n) * 0.1 + rng.uniform(0, 0.01, n)).reshape(shape)


def _unary(name, sample, **params):
    def spec(rng, shape):
        return (lambda x: _p(name)(x, **params)), [sample(rng, shape)]

    return spec


def _normal(rng, shape):
    return rng.normal(size=shape)


def _positive(rng, shape):
    return rng.uniform(0.5, 2.0, size=shape)


def _unit(rng, shape):
    return rng.uniform(-0.9, 0.9, size=shape)


def _binary(name, sample_x=_normal, sample_y=_normal):
    def spec(rng, shape):
        # broadcast: y drops its leading axis and keeps a size-1 axis if any
        yshape = tuple(1 if i == 0 else n for i, n in enumerate(shape[1:])) or ()
        return (lambda x, y: _p(name)(x, y)), [
            sample_x(rng, shape),
            sample_y(rng, yshape),
        ]

    return spec


def _max_min(name):
    def spec(rng, shape):
        x = rng.normal(size=shape)
        y = x + _away_from_zero(rng, shape)  # no ties: a tie is a kink
        return (lambda x, y: _p(name)(x, y)), [x, y]

    return spec


def _where(rng, shape):
    cond = rng.random(shape) < 0.5
    return (lambda x, y: _p("where")(cond, x, y)), [
        rng.normal(size=shape),
        rng.normal(size=shape[-1:]),
    ]


def _reduce(name, sample=_normal):
    def spec(rng, shape):
        axis = int(rng.integers(len(shape))) if shape else None
        keepdims = bool(rng.integers(2))
        axis = None if axis is None else (axis,)
        return (lambda x: _p(name)(x, axis=axis, keepdims=keepdims)), [
            sample(rng, shape)
        ]

    return spec


def _softmax_like(name):
    def spec(rng, shape):
        axis = (int(rng.integers(len(shape))),) if shape else ()
        return (lambda x: _p(name)(x, axis=axis)), [rng.normal(size=shape)]

    return spec


def _reshape(rng, shape):
    return (lambda x: _p("reshape")(x, shape=(-1,))), [rng.normal(size=shape)]


def _transpose(rng, shape):
    axes = tuple(int(a) for a in rng.permutation(len(shape)))
    return (lambda x: _p("transpose")(x, axes=axes)), [rng.normal(size=shape)]


def _getitem(rng, shape):
    n = shape[0] if shape else 1
    x = rng.normal(size=shape or (1,))
    index = rng.integers(0, n, size=5)  # repeats: the scatter must add them
    return (lambda x: _p("getitem")(x, index=index)), [x]


def _index_add(rng, shape):
    shape = shape or (1,)
    index = rng.integers(0, shape[0], size=4)
    g = rng.normal(size=(4,) + tuple(shape[1:]))
    return (lambda g: _p("index_add")(g, index=index, shape=shape)), [g]


def _pad(rng, shape):
    widths = tuple((int(rng.integers(3)), int(rng.integers(3))) for _ in shape)
    return (lambda x: _p("pad")(x, widths=widths)), [rng.normal(size=shape)]


def _broadcast_to(rng, shape):
    small = tuple(1 if i % 2 == 0 else n for i, n in enumerate(shape))
    target = (2,) + tuple(shape)
    return (lambda x: _p("broadcast_to")(x, shape=target)), [rng.normal(size=small)]


def _matmul(rng, shape):
    k = (shape[-1] if shape else 2) + 1
    m, n = 2, 3
    batch = tuple(shape[:-2]) if len(shape) > 2 else ()
    x = rng.normal(size=batch + (m, k))
    y = rng.normal(size=(k, n)) if rng.integers(2) else rng.normal(size=(k,))
    return (lambda x, y: _p("matmul")(x, y)), [x, y]


def _corr(name):
    def spec(rng, shape):
        mode = ("valid", "full", "same")[int(rng.integers(3))]
        xs = tuple(rng.integers(1, 6, size=2))
        if mode == "valid":
            ws = tuple(rng.integers(1, n + 1) for n in xs)
            if rng.integers(2):  # SciPy swaps when the second input is larger
                xs, ws = ws, xs
        else:
            ws = tuple(rng.integers(1, 5, size=2))
        return (lambda x, w: _p(name)(x, w, mode=mode)), [
            rng.normal(size=xs),
            rng.normal(size=ws),
        ]

    return spec


def _conv_geometry(rng):
    """A random valid conv2d geometry: groups, dilation, stride, asymmetric
    fitted padding (bottom/right may crop), as conv2d() would pass it."""
    groups = int(rng.integers(1, 3))
    n, cg, og = (int(v) for v in rng.integers(1, 3, size=3))
    kh, kw = (int(v) for v in rng.integers(1, 4, size=2))
    stride = tuple(int(v) for v in rng.integers(1, 3, size=2))
    dilation = tuple(int(v) for v in rng.integers(1, 3, size=2))
    pads = [(int(rng.integers(0, 2)), int(rng.integers(0, 2))) for _ in range(2)]
    sizes, fitted = [], []
    for k, d, s, (a, b) in zip((kh, kw), dilation, stride, pads):
        extent = d * (k - 1) + 1
        size = max(extent - a - b, 1) + int(rng.integers(0, 4))
        out = (size + a + b - extent) // s + 1
        sizes.append(size)
        fitted.append((a, (out - 1) * s + extent - size - a))
    params = {
        "stride": stride,
        "padding": tuple(fitted),
        "dilation": dilation,
        "groups": groups,
    }
    return (n, cg * groups, *sizes), (og * groups, cg, kh, kw), params


def _conv_out(x_shape, w_shape, params):
    out = []
    for i in (0, 1):
        extent = params["dilation"][i] * (w_shape[2 + i] - 1) + 1
        padded = x_shape[2 + i] + sum(params["padding"][i])
        out.append((padded - extent) // params["stride"][i] + 1)
    return tuple(out)


def _conv2d(rng, shape):
    xs, ws, params = _conv_geometry(rng)
    arrays = [rng.normal(size=xs), rng.normal(size=ws)]
    if rng.integers(2):  # the optional third input, a bias
        arrays.append(rng.normal(size=ws[0]))
    return (lambda *xwb: _p("conv2d")(*xwb, **params)), arrays


def _conv2d_weight_grad(rng, shape):
    xs, ws, params = _conv_geometry(rng)
    gs = (xs[0], ws[0]) + _conv_out(xs, ws, params)

    def fn(x, g):
        return _p("conv2d_weight_grad")(x, g, w_shape=ws, **params)

    return fn, [rng.normal(size=xs), rng.normal(size=gs)]


def _conv2d_input_grad(rng, shape):
    xs, ws, params = _conv_geometry(rng)
    gs = (xs[0], ws[0]) + _conv_out(xs, ws, params)

    def fn(g, w):
        return _p("conv2d_input_grad")(g, w, x_shape=xs, **params)

    return fn, [rng.normal(size=gs), rng.normal(size=ws)]


def _nd_conv(name):
    def spec(rng, shape):
        # inputs of the spec's rank, a random set of axes convolved, the others
        # broadcasting; a random mode that fits the sizes
        ndim = len(shape)
        axes = tuple(int(a) for a in np.flatnonzero(rng.integers(0, 2, size=ndim)))
        axes = axes or (ndim - 1,)
        mode = ("full", "valid", "same")[int(rng.integers(3))]
        xs, ws = [], []
        for i, n in enumerate(shape):
            if i in axes:
                xs.append(n + 1)
                ws.append(int(rng.integers(1, n + 2)))
            else:
                xs.append(n)
                ws.append(1 if rng.integers(2) else n)
        return (lambda x, w: _p(name)(x, w, mode=mode, axes=axes)), [
            rng.normal(size=xs),
            rng.normal(size=ws),
        ]

    return spec


def _flip(rng, shape):
    axes = tuple(int(a) for a in np.flatnonzero(rng.integers(0, 2, size=len(shape))))
    return (lambda x: _p("flip")(x, axes=axes)), [rng.normal(size=shape)]


def _pool_case(rng):
    """A random pooling geometry with fitted padding, and its output size."""
    kernel = tuple(int(v) for v in rng.integers(1, 4, size=2))
    stride = tuple(int(v) for v in rng.integers(1, 4, size=2))
    fitted, xs, out = [], [1, 2], []
    for k, s in zip(kernel, stride):
        p = int(rng.integers(0, k // 2 + 1))
        size = k + int(rng.integers(0, 4))
        o = (size + 2 * p - k) // s + 1
        xs.append(size)
        out.append(o)
        fitted.append((p, (o - 1) * s + k - size - p))
    return kernel, stride, tuple(fitted), tuple(xs), tuple(out)


def _avg_pool2d(rng, shape):
    kernel, stride, padding, xs, out = _pool_case(rng)
    scale = rng.uniform(0.2, 1.0, size=out)

    def fn(x):
        return _p("avg_pool2d")(
            x, kernel=kernel, stride=stride, padding=padding, scale=scale
        )

    return fn, [rng.normal(size=xs)]


def _avg_pool2d_transpose(rng, shape):
    kernel, stride, padding, xs, out = _pool_case(rng)
    scale = rng.uniform(0.2, 1.0, size=out)

    def fn(g):
        return _p("avg_pool2d_transpose")(
            g, kernel=kernel, stride=stride, padding=padding, scale=scale, x_shape=xs
        )

    return fn, [rng.normal(size=xs[:2] + out)]


def _plane_index(rng, shape, plane, unique):
    """Random flat per-plane indices (repeats allowed unless ``unique``)."""
    if unique:
        n = int(np.prod(shape[2:]))
        rows = [rng.permutation(plane)[:n] for _ in range(shape[0] * shape[1])]
        return np.stack(rows).reshape(shape)
    return rng.integers(0, plane, size=shape)


def _max_pool2d(rng, shape):
    index = _plane_index(rng, (1, 2, 2, 3), 12, unique=False)
    return (lambda x: _p("max_pool2d")(x, index=index)), [rng.normal(size=(1, 2, 3, 4))]


def _max_pool2d_transpose(rng, shape):
    index = _plane_index(rng, (1, 2, 2, 3), 12, unique=False)

    def fn(g):
        return _p("max_pool2d_transpose")(g, index=index, x_shape=(1, 2, 3, 4))

    return fn, [rng.normal(size=(1, 2, 2, 3))]


def _max_unpool2d(rng, shape):
    # unique indices: with repeats the write keeps one value, and the rule
    # (PyTorch's gather) is a convention, not the derivative
    index = _plane_index(rng, (1, 2, 2, 3), 12, unique=True)

    def fn(x):
        return _p("max_unpool2d")(x, index=index, out_shape=(1, 2, 3, 4))

    return fn, [rng.normal(size=(1, 2, 2, 3))]


def _stack(rng, shape):
    # three inputs: one full, one broadcast along axis 0, one scalar; a random axis
    full = rng.normal(size=shape)
    row = rng.normal(size=(1,) + tuple(shape[1:]))
    axis = int(rng.integers(-len(shape) - 1, len(shape) + 1))
    return (lambda a, b, c: _p("stack")(a, b, c, axis=axis)), [
        full,
        row,
        rng.normal(size=()),
    ]


def _cross_entropy(rng, shape):
    n, k = shape[0], (shape[-1] if len(shape) > 1 else 1) + 1
    labels = rng.integers(0, k, size=n)
    return (lambda z: _p("cross_entropy")(z, labels)), [3 * rng.normal(size=(n, k))]


SPECS = {
    "identity": _unary("identity", _normal),
    "astype": _unary("astype", _normal, dtype=np.float64),
    "reshape": _reshape,
    "transpose": _transpose,
    "getitem": _getitem,
    "index_add": _index_add,
    "pad": _pad,
    "broadcast_to": _broadcast_to,
    "stack": _stack,
    "sum": _reduce("sum"),
    "mean": _reduce("mean"),
    "max": _reduce("max", _distinct),
    "where": _where,
    "add": _binary("add"),
    "subtract": _binary("subtract"),
    "multiply": _binary("multiply"),
    "divide": _binary("divide", _normal, _away_from_zero),
    "power": _binary("power", _positive, _normal),
    "maximum": _max_min("maximum"),
    "minimum": _max_min("minimum"),
    "negative": _unary("negative", _normal),
    "exp": _unary("exp", _normal),
    "log": _unary("log", _positive),
    "log1p": _unary("log1p", _positive),
    "expm1": _unary("expm1", _normal),
    "sin": _unary("sin", _normal),
    "cos": _unary("cos", _normal),
    "tan": _unary("tan", _unit),
    "tanh": _unary("tanh", _normal),
    "sinh": _unary("sinh", _normal),
    "cosh": _unary("cosh", _normal),
    "atan": _unary("atan", _normal),
    "asin": _unary("asin", _unit),
    "acos": _unary("acos", _unit),
    "sqrt": _unary("sqrt", _positive),
    "sigmoid": _unary("sigmoid", _normal),
    "softplus": _unary("softplus", _normal),
    "relu": _unary("relu", _away_from_zero),
    "abs": _unary("abs", _away_from_zero),
    "sign": _unary("sign", _away_from_zero),
    "leaky_relu": _unary("leaky_relu", _away_from_zero, negative_slope=0.1),
    "elu": _unary("elu", _away_from_zero, alpha=1.5),
    "matmul": _matmul,
    "logsumexp": _reduce("logsumexp"),
    "softmax": _softmax_like("softmax"),
    "log_softmax": _softmax_like("log_softmax"),
    "cross_entropy": _cross_entropy,
    "correlate2d": _corr("correlate2d"),
    "convolve2d": _corr("convolve2d"),
    "conv2d": _conv2d,
    "conv2d_weight_grad": _conv2d_weight_grad,
    "conv2d_input_grad": _conv2d_input_grad,
    "avg_pool2d": _avg_pool2d,
    "avg_pool2d_transpose": _avg_pool2d_transpose,
    "max_pool2d": _max_pool2d,
    "max_pool2d_transpose": _max_pool2d_transpose,
    "max_unpool2d": _max_unpool2d,
    "convolve": _nd_conv("convolve"),
    "correlate": _nd_conv("correlate"),
    "flip": _flip,
    **SPECS_MORE,
}

# smooth scalar functions and their closed-form second derivatives
SECOND_DERIVATIVES = {
    "exp": (np.exp, _normal),
    "log": (lambda x: -1.0 / x**2, _positive),
    "log1p": (lambda x: -1.0 / (1.0 + x) ** 2, _positive),
    "expm1": (np.exp, _normal),
    "sin": (lambda x: -np.sin(x), _normal),
    "cos": (lambda x: -np.cos(x), _normal),
    "tan": (lambda x: 2 * np.tan(x) / np.cos(x) ** 2, _unit),
    "tanh": (lambda x: -2 * np.tanh(x) * (1 - np.tanh(x) ** 2), _normal),
    "sinh": (np.sinh, _normal),
    "cosh": (np.cosh, _normal),
    "atan": (lambda x: -2 * x / (1 + x**2) ** 2, _normal),
    "asin": (lambda x: x / (1 - x**2) ** 1.5, _unit),
    "acos": (lambda x: -x / (1 - x**2) ** 1.5, _unit),
    "sqrt": (lambda x: -0.25 * x**-1.5, _positive),
    "sigmoid": (
        lambda x: (s := 1 / (1 + np.exp(-x))) * (1 - s) * (1 - 2 * s),
        _normal,
    ),
    "softplus": (lambda x: (s := 1 / (1 + np.exp(-x))) * (1 - s), _normal),
    "negative": (lambda x: 0.0 * x, _normal),
    "elu": (lambda x: np.where(x > 0, 0.0, np.exp(x)), _away_from_zero),
    **SECOND_DERIVATIVES_MORE,
}
