"""Session overhead: a training step in a TF1-style session against the same
step in the eager engine (and PyTorch CPU when it is installed).

    python benchmarks/bench_session.py [--repeat 9]

Cases: one gradient-descent step of CS231n's two-layer net on the spiral data
(300 x 2 -> 100 ReLU -> 3, softmax + L2), one plain SGD step of the small
CNN of examples/tf1_small_cnn.py on a batch of 32 12x12 images, and a tiny
graph (one add of two scalars) to show the fixed cost of a ``Session.run``.
Each figure is the best of ``--repeat`` timed loops of steps, the variants
taking turns in one process; the ratio session / eager is the number to read
(target <= 1.2).

BLAS runs single-threaded (``OPENBLAS_NUM_THREADS=1`` and friends, unless set
in the environment): a multi-threaded BLAS on a busy 2-core machine makes the
figures swing by several times from run to run.
"""

import argparse
import os
import platform
import time

for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")  # before NumPy loads its BLAS

import numpy as np  # noqa: E402  (after the BLAS thread settings)

import numeric as nm  # noqa: E402
import numeric.graph as G  # noqa: E402


def best_times(fns, number, repeat):
    """Best time per call of each function, the functions taking turns so a
    busy machine slows all of them alike; the best of ``repeat`` blocks of
    ``number`` calls is the least disturbed estimate."""
    for fn in fns:
        fn()  # warm-up (and plan caching for sessions)
    best = [float("inf")] * len(fns)
    for _ in range(repeat):
        for i, fn in enumerate(fns):
            t0 = time.perf_counter()
            for _ in range(number):
                fn()
            best[i] = min(best[i], (time.perf_counter() - t0) / number)
    return best


# ----- the two-layer net ----------------------------------------------------


def spiral(n=100, k=3, seed=0):
    rng = np.random.default_rng(seed)
    x, y = np.zeros((n * k, 2)), np.zeros(n * k, dtype=np.int64)
    for j in range(k):
        r = np.linspace(0.0, 1, n)
        t = np.linspace(j * 4, (j + 1) * 4, n) + rng.standard_normal(n) * 0.2
        x[n * j : n * (j + 1)] = np.c_[r * np.sin(t), r * np.cos(t)]
        y[n * j : n * (j + 1)] = j
    return x, y


def two_layer_params(seed=0):
    rng = np.random.default_rng(seed)
    return [
        0.01 * rng.standard_normal((2, 100)),
        np.zeros((1, 100)),
        0.01 * rng.standard_normal((100, 3)),
        np.zeros((1, 3)),
    ]


def two_layer_loss(mod, x, y, w1, b1, w2, b2, reg=1e-3):
    hidden = mod.relu(mod.matmul(x, w1) + b1)
    scores = mod.matmul(hidden, w2) + b2
    return mod.cross_entropy(scores, y) + 0.5 * reg * (
        mod.sum(w1 * w1) + mod.sum(w2 * w2)
    )


def session_two_layer(x, y):
    graph = G.Graph()
    with graph.as_default():
        xp = G.placeholder((None, 2))
        yp = G.placeholder((None,), dtype=G.int64)
        params = [G.Variable(p) for p in two_layer_params()]
        loss = two_layer_loss(_GraphMod, xp, yp, *params)
        train = G.train.GradientDescentOptimizer(1.0).minimize(loss)
        sess = G.Session()
        sess.run(G.global_variables_initializer())
    feed = {xp: x, yp: y}
    return lambda: sess.run(train, feed)


def eager_two_layer(x, y):
    params = [nm.tensor(p, requires_grad=True) for p in two_layer_params()]

    def step():
        loss = two_layer_loss(nm, x, y, *params)
        loss.backward()
        for i, p in enumerate(params):
            params[i] = nm.tensor(p.data - 1.0 * p.grad, requires_grad=True)

    return step


class _GraphMod:
    """The graph layer under numeric's function names, to share the model code."""

    relu, matmul, cross_entropy, sum = G.relu, G.matmul, G.cross_entropy, G.reduce_sum
    conv2d, max_pool2d, reshape = G.conv2d, G.max_pool2d, G.reshape


# ----- the small CNN -----------------------------------------------------------


def cnn_params(seed=0):
    rng = np.random.default_rng(seed)
    return [
        rng.standard_normal((8, 1, 3, 3)) * np.sqrt(2 / 9),
        np.zeros(8),
        rng.standard_normal((16, 8, 3, 3)) * np.sqrt(2 / 72),
        np.zeros(16),
        rng.standard_normal((144, 4)) * np.sqrt(2 / 144),
        np.zeros(4),
    ]


def cnn_loss(mod, x, y, k1, c1, k2, c2, w, b):
    h1 = mod.max_pool2d(mod.relu(mod.conv2d(x, k1, c1, padding=1)), 2)
    h2 = mod.max_pool2d(mod.relu(mod.conv2d(h1, k2, c2, padding=1)), 2)
    return mod.cross_entropy(mod.matmul(mod.reshape(h2, (-1, 144)), w) + b, y)


def session_cnn(x, y):
    graph = G.Graph()
    with graph.as_default():
        xp = G.placeholder((None, 1, 12, 12))
        yp = G.placeholder((None,), dtype=G.int64)
        params = [G.Variable(p) for p in cnn_params()]
        train = G.train.GradientDescentOptimizer(0.05).minimize(
            cnn_loss(_GraphMod, xp, yp, *params)
        )
        sess = G.Session()
        sess.run(G.global_variables_initializer())
    feed = {xp: x, yp: y}
    return lambda: sess.run(train, feed)


def eager_cnn(x, y):
    params = [nm.tensor(p, requires_grad=True) for p in cnn_params()]

    def step():
        cnn_loss(nm, x, y, *params).backward()
        for i, p in enumerate(params):
            params[i] = nm.tensor(p.data - 0.05 * p.grad, requires_grad=True)

    return step


# ----- PyTorch, optional -------------------------------------------------------------


def torch_steps(two_layer_data, cnn_data):
    try:
        import torch
    except ImportError:
        print("PyTorch is not installed: its column is skipped")
        return None, None
    torch.set_num_threads(1)
    tx, ty = (torch.tensor(a) for a in two_layer_data)
    ps = [torch.tensor(p, requires_grad=True) for p in two_layer_params()]

    def two_layer():
        w1, b1, w2, b2 = ps
        scores = torch.relu(tx @ w1 + b1) @ w2 + b2
        loss = torch.nn.functional.cross_entropy(scores, ty) + 0.5e-3 * (
            (w1 * w1).sum() + (w2 * w2).sum()
        )
        loss.backward()
        with torch.no_grad():
            for p in ps:
                p -= p.grad
                p.grad = None

    cx, cy = (torch.tensor(a) for a in cnn_data)
    cs = [torch.tensor(p, requires_grad=True) for p in cnn_params()]

    def cnn():
        k1, c1, k2, c2, w, b = cs
        f = torch.nn.functional
        h1 = f.max_pool2d(torch.relu(f.conv2d(cx, k1, c1, padding=1)), 2)
        h2 = f.max_pool2d(torch.relu(f.conv2d(h1, k2, c2, padding=1)), 2)
        f.cross_entropy(h2.reshape(-1, 144) @ w + b, cy).backward()
        with torch.no_grad():
            for p in cs:
                p -= 0.05 * p.grad
                p.grad = None

    return two_layer, cnn


# ----- main ------------------------------------------------------------------------


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=9)
    args = parser.parse_args(argv)

    two_layer_data = spiral()
    rng = np.random.default_rng(0)
    cnn_data = (rng.standard_normal((32, 1, 12, 12)), rng.integers(0, 4, size=32))
    torch_two_layer, torch_cnn = torch_steps(two_layer_data, cnn_data)

    rows = []
    cases = [
        (
            "two-layer net step (300x2, 100 hidden)",
            session_two_layer,
            eager_two_layer,
            torch_two_layer,
            two_layer_data,
            50,
        ),
        (
            "small CNN step (batch 32, 12x12)",
            session_cnn,
            eager_cnn,
            torch_cnn,
            cnn_data,
            5,
        ),
    ]
    for label, session_fn, eager_fn, torch_fn, data, number in cases:
        fns = [session_fn(*data), eager_fn(*data)] + ([torch_fn] if torch_fn else [])
        times = best_times(fns, number, args.repeat)
        rows.append((label, times[0], times[1], times[2] if torch_fn else None))

    with G.Graph().as_default():
        a, b = G.constant(1.0), G.constant(2.0)
        tiny = a + b
        p = G.placeholder(())
        tiny_fed = p * 2.0
        sess = G.Session()
    one, two = nm.tensor(1.0), nm.tensor(2.0)
    t_tiny, t_tiny_fed, t_tiny_eager = best_times(
        [
            lambda: sess.run(tiny),
            lambda: sess.run(tiny_fed, {p: 3.0}),
            lambda: nm.add(one, two),
        ],
        2000,
        args.repeat,
    )

    print(
        f"python {platform.python_version()}, numpy {np.__version__}, "
        f"{platform.machine()}, BLAS threads {os.environ['OPENBLAS_NUM_THREADS']}"
    )
    print()
    print("| case | session | eager | session / eager | PyTorch CPU |")
    print("|---|---|---|---|---|")
    for label, t_sess, t_eager, t_torch in rows:
        torch_cell = f"{t_torch * 1e3:.2f} ms" if t_torch else "not installed"
        print(
            f"| {label} | {t_sess * 1e3:.2f} ms | {t_eager * 1e3:.2f} ms "
            f"| {t_sess / t_eager:.2f}x | {torch_cell} |"
        )
    print()
    print("| tiny graph | time per call |")
    print("|---|---|")
    print(f"| `sess.run(a + b)` (two constants) | {t_tiny * 1e6:.1f} us |")
    print(f"| `sess.run(p * 2.0, {{p: 3.0}})` (one feed) | {t_tiny_fed * 1e6:.1f} us |")
    print(f"| eager `nm.add(one, two)` | {t_tiny_eager * 1e6:.1f} us |")
    worst = max(t_sess / t_eager for _, t_sess, t_eager, _ in rows)
    print()
    print(
        f"worst session / eager ratio: {worst:.2f}x (target <= 1.2x): "
        + ("met" if worst <= 1.2 else "NOT met")
    )


if __name__ == "__main__":
    main()
