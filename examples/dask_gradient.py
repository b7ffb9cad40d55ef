"""The gradient of a loss over a dataset larger than any worker's memory.

A two-layer network's squared loss is built and differentiated once with
symgraph; ``sg.lambdify`` lowers the per-point gradient. Called with Dask
arrays, the lowered function builds a lazy Dask graph (it never converts
them to NumPy), and the mean gradient over the dataset is computed chunk by
chunk on a ``dask.distributed`` LocalCluster. The dataset is generated
lazily with ``da.random``, so it never exists whole anywhere.

Run::

    python examples/dask_gradient.py          # 4 MB, threads: a few seconds
    python examples/dask_gradient.py --big    # 2 GB on 4 workers x 256 MB

The answer is checked twice: against a streaming NumPy reference (the same
chunks, one at a time, through the NumPy path of the same function) and, on
the first chunk, against central finite differences of the mean loss.
"""

from __future__ import annotations

import argparse
import time

import dask
import dask.array as da
import numpy as np
from dask.distributed import Client, LocalCluster

import symgraph as sg

D, H = 4, 3  # inputs and hidden units


def model():
    """The per-point loss, its parameters and its data symbols."""
    W1 = sg.symbols_array("W1", (H, D))
    b1 = sg.symbols_array("b1", (H,))
    w2 = sg.symbols_array("w2", (H,))
    b2 = sg.symbols("b2")
    x = sg.symbols_array("x", (D,))
    y = sg.symbols("y")
    hidden = [sg.tanh(sum(W1[i, j] * x[j] for j in range(D)) + b1[i]) for i in range(H)]
    out = sum(w2[i] * hidden[i] for i in range(H)) + b2
    loss = (out - y) ** 2
    params = [*W1.ravel(), *b1, *w2, b2]
    return loss, params, [*x, y]


def dataset(n: int, chunk: int):
    """Lazy columns x_0 .. x_{D-1}, y: y is a smooth function of x plus noise."""
    rs = da.random.RandomState(0)
    xs = [rs.uniform(-1.0, 1.0, n, chunks=chunk) for _ in range(D)]
    y = (
        da.sin(xs[0]) * xs[1]
        + 0.5 * xs[2]
        - xs[3] ** 2
        + 0.1 * rs.normal(0, 1, n, chunks=chunk)
    )
    return [*xs, y]


def streaming_mean(fn, columns, n_params):
    """The mean of fn's outputs, one chunk at a time in NumPy."""
    total, count = np.zeros(n_params), 0
    for k in range(columns[0].numblocks[0]):
        chunk = dask.compute(*[c.blocks[k] for c in columns], scheduler="sync")
        total += np.array([g.sum() for g in fn(*chunk)])
        count += chunk[0].size
    return total / count


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--big", action="store_true", help="2 GB on 4 x 256 MB workers")
    opts = parser.parse_args(argv)
    if opts.big:
        n, chunk = 50_000_000, 250_000  # 5 columns x 50M x 8 bytes = 2.0 GB
        cluster_opts = {
            "n_workers": 4,
            "threads_per_worker": 1,
            "memory_limit": "256MB",
        }
    else:
        n, chunk = 100_000, 25_000  # 4 MB
        cluster_opts = {"n_workers": 2, "threads_per_worker": 1, "processes": False}

    loss, params, data = model()
    grads = sg.grad(loss, params)
    rng = np.random.default_rng(1)
    theta = list(rng.normal(0.0, 0.5, len(params)))
    # the parameters are numbers, the data symbols get the dataset's columns
    per_point = sg.lambdify(params + data, grads)
    columns = dataset(n, chunk)
    print(f"dataset: {n:,} points, {5 * n * 8 / 1e6:,.0f} MB in chunks of {chunk:,}")

    with LocalCluster(**cluster_opts) as cluster, Client(cluster):
        t = time.perf_counter()
        lazy = per_point(*theta, *columns)  # Dask arrays, nothing computed yet
        assert all(isinstance(g, da.Array) for g in lazy)
        mean_grad = np.array(dask.compute(*[g.mean() for g in lazy]))
        elapsed = time.perf_counter() - t
    print(f"mean gradient over the dataset on the cluster in {elapsed:.1f} s")

    reference = streaming_mean(lambda *c: per_point(*theta, *c), columns, len(params))
    assert np.allclose(mean_grad, reference, rtol=1e-9, atol=1e-12), (
        mean_grad,
        reference,
    )
    print("matches the streaming NumPy reference:", True)

    # Finite differences of the mean loss on the first chunk.
    first = dask.compute(*[c.blocks[0] for c in columns], scheduler="sync")
    mean_loss = sg.lambdify(params + data, loss)
    analytic = np.array([g.mean() for g in per_point(*theta, *first)])
    eps, fd = 1e-6, []
    for i in range(len(params)):
        up, down = list(theta), list(theta)
        up[i] += eps
        down[i] -= eps
        fd.append(
            (mean_loss(*up, *first).mean() - mean_loss(*down, *first).mean())
            / (2 * eps)
        )
    assert np.allclose(analytic, fd, rtol=1e-5, atol=1e-8), (analytic, fd)
    print("first chunk's gradient matches central finite differences:", True)
    print("d mean loss / d W1[0, :] =", np.round(mean_grad[:D], 6))


if __name__ == "__main__":
    main()
