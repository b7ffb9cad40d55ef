"""Benchmark the numeric engine against PyTorch CPU, HIPS autograd and NumPy.

Run from the repository root:

    python benchmarks/bench_numeric.py [--repeats N] [--conv-only | --no-large]

Three workloads, each timed as the median of repeated runs in this one
process:

1. conv2d forward + backward (gradients of input, weight and bias), in
   float64 and float32, on a small layer (N=32, C=3, 32x32 input, 16 filters
   3x3) and a large one (N=64, C=64, 56x56, 64 filters 3x3): plain (padding
   1), dilated (dilation 2, padding 2), strided (stride 2, padding 1) and, on
   the large layer, grouped (4 groups) and depthwise (64 groups);
2. the gradient of a two-layer MLP (batch 64, 784 -> 128 -> 10, relu, softmax
   cross-entropy), against the same computation written by hand in NumPy
   (float64);
3. a micrograd-size scalar graph (micrograd's ``test_more_ops`` expression).

PyTorch and autograd are imported lazily and skipped with a message when they
are not installed. PyTorch is given as many threads as NumPy's BLAS uses
(read from threadpoolctl when installed, else from OpenBLAS itself), so both
peers compute on the same cores. The table gives the medians, their ratio
(numeric / reference, below 1 means the numeric engine is faster) and the
ratio of the minima (the least disturbed runs, a guard against background
load).
"""

from __future__ import annotations

import argparse
import ctypes
import statistics
import time

import numpy as np

import numeric as nm


def optional(name):
    try:
        return __import__(name)
    except ImportError:
        print(f"({name} is not installed: its column is skipped)")
        return None


# ----- 1. conv2d -----

CONV_LAYERS = {
    "small": ((32, 3, 32, 32), (16, 3, 3, 3)),
    "large": ((64, 64, 56, 56), (64, 64, 3, 3)),
}
CONV_VARIANTS = {
    "plain": {"padding": 1},
    "dilated": {"padding": 2, "dilation": 2},
    "strided": {"padding": 1, "stride": 2},
    "grouped": {"padding": 1, "groups": 4},
    "depthwise": {"padding": 1, "groups": 64},
}


def conv_workload(rng, layer="small", groups=1, dtype=np.float64):
    x_shape, (o, c, kh, kw) = CONV_LAYERS[layer]
    x = rng.normal(size=x_shape).astype(dtype)
    w = (rng.normal(size=(o, c // groups, kh, kw)) * 0.1).astype(dtype)
    b = rng.normal(size=o).astype(dtype)
    return x, w, b


def conv_numeric(x, w, b, **options):
    def loss(x, w, b):
        return nm.sum(nm.conv2d(x, w, b, **options))

    grad = nm.grad(loss, (0, 1, 2))
    return lambda: grad(x, w, b)


def conv_torch(torch, x, w, b, **options):
    tx, tw, tb = (torch.tensor(a) for a in (x, w, b))

    def run():
        xs = [a.detach().requires_grad_() for a in (tx, tw, tb)]
        out = torch.nn.functional.conv2d(xs[0], xs[1], xs[2], **options)
        return torch.autograd.grad(out.sum(), xs)

    return run


def conv_autograd(autograd, x, w, b):
    import autograd.numpy as anp
    from autograd.scipy.signal import convolve

    # autograd convolves (flip for correlation) with weights laid out (C, O, kh, kw)
    flipped = np.ascontiguousarray(w[:, :, ::-1, ::-1].transpose(1, 0, 2, 3))

    def loss(x, w, b):
        xp = anp.pad(x, ((0, 0), (0, 0), (1, 1), (1, 1)), mode="constant")
        out = convolve(xp, w, axes=([2, 3], [2, 3]), dot_axes=([1], [0]), mode="valid")
        # out: (N, O, H, W)
        return anp.sum(out + b[None, :, None, None])

    grad = autograd.grad(loss, (0, 1, 2))
    return lambda: grad(x, flipped, b)


def numpy_blas_threads():
    """The number of threads NumPy's BLAS uses, or None if it cannot be read."""
    try:
        from threadpoolctl import threadpool_info
    except ImportError:
        pass
    else:
        counts = [
            p["num_threads"] for p in threadpool_info() if p["user_api"] == "blas"
        ]
        return counts[0] if counts else None
    # without threadpoolctl: ask the OpenBLAS library NumPy loaded (Linux)
    try:
        with open("/proc/self/maps") as maps:
            paths = {line.split()[-1] for line in maps if "openblas" in line.lower()}
    except OSError:
        return None
    names = (
        "scipy_openblas_get_num_threads64_",
        "openblas_get_num_threads64_",
        "openblas_get_num_threads",
    )
    for path in sorted(paths):
        lib = ctypes.CDLL(path)
        for name in names:
            if hasattr(lib, name):
                return int(getattr(lib, name)())
    return None


def conv_cases(torch, autograd, rng, n, large=True):
    """(workload, reference, ours, theirs, repeats, warm-up calls) rows."""
    cases = []
    layers = ["small", "large"] if large else ["small"]
    for layer in layers:
        for dtype in (np.float64, np.float32):
            for variant, options in CONV_VARIANTS.items():
                groups = options.get("groups", 1)
                if CONV_LAYERS[layer][1][0] % groups or (
                    layer == "small" and groups > 1
                ):
                    continue  # 3 input channels do not split into these groups
                x, w, b = conv_workload(rng, layer, groups, dtype)
                label = f"conv2d {layer} {variant} {np.dtype(dtype).name}"
                ours = conv_numeric(x, w, b, **options)
                repeats, warm = (n, 5) if layer == "small" else (max(3, n // 10), 1)
                if torch is not None:
                    theirs = conv_torch(torch, x, w, b, **options)
                    cases.append((label, "PyTorch CPU", ours, theirs, repeats, warm))
                if (
                    autograd is not None
                    and layer == "small"
                    and variant == "plain"
                    and dtype == np.float64
                ):
                    theirs = conv_autograd(autograd, x, w, b)
                    cases.append((label, "autograd", ours, theirs, max(5, n // 3), 5))
    return cases


# ----- 2. MLP -----


def mlp_workload(rng):
    x = rng.normal(size=(64, 784))
    y = rng.integers(0, 10, size=64)
    w1 = rng.normal(size=(784, 128)) * 0.05
    b1 = np.zeros(128)
    w2 = rng.normal(size=(128, 10)) * 0.05
    b2 = np.zeros(10)
    return x, y, (w1, b1, w2, b2)


def mlp_numeric(x, y, params):
    def loss(w1, b1, w2, b2):
        h = nm.relu(nm.matmul(x, w1) + b1)
        return nm.cross_entropy(nm.matmul(h, w2) + b2, y)

    vg = nm.value_and_grad(loss, (0, 1, 2, 3))
    return lambda: vg(*params)


def mlp_by_hand(x, y, params):
    w1, b1, w2, b2 = params
    n = len(y)
    rows = np.arange(n)

    def run():
        a = x @ w1 + b1
        h = np.maximum(a, 0.0)
        z = h @ w2 + b2
        shifted = z - z.max(axis=1, keepdims=True)
        e = np.exp(shifted)
        s = e.sum(axis=1, keepdims=True)
        loss = np.mean(np.log(s[:, 0]) - shifted[rows, y])
        dz = e / s
        dz[rows, y] -= 1.0
        dz /= n
        dw2 = h.T @ dz
        db2 = dz.sum(axis=0)
        da = (dz @ w2.T) * (a > 0)
        dw1 = x.T @ da
        db1 = da.sum(axis=0)
        return loss, (dw1, db1, dw2, db2)

    return run


def mlp_torch(torch, x, y, params):
    tx, ty = torch.tensor(x), torch.tensor(y)
    tparams = [torch.tensor(p) for p in params]

    def run():
        ps = [p.detach().requires_grad_() for p in tparams]
        h = torch.relu(tx @ ps[0] + ps[1])
        loss = torch.nn.functional.cross_entropy(h @ ps[2] + ps[3], ty)
        return torch.autograd.grad(loss, ps)

    return run


def mlp_autograd(autograd, x, y, params):
    import autograd.numpy as anp
    from autograd.scipy.special import logsumexp

    rows = np.arange(len(y))

    def loss(w1, b1, w2, b2):
        h = anp.maximum(anp.dot(x, w1) + b1, 0.0)
        z = anp.dot(h, w2) + b2
        return anp.mean(logsumexp(z, axis=1) - z[rows, y])

    vg = autograd.value_and_grad(loss, (0, 1, 2, 3))
    return lambda: vg(*params)


# ----- 3. micrograd-size scalar graph -----


def micrograd_expression(a, b, relu):
    c = a + b
    d = a * b + b**3
    c = c + c + 1
    c = c + 1 + c + (-a)
    d = d + d * 2 + relu(b + a)
    d = d + 3 * d + relu(b - a)
    e = c - d
    f = e**2
    g = f / 2.0
    return g + 10.0 / f


def scalar_numeric():
    def run():
        a = nm.tensor(-4.0, requires_grad=True)
        b = nm.tensor(2.0, requires_grad=True)
        micrograd_expression(a, b, nm.relu).backward()
        return a.grad, b.grad

    return run


def scalar_torch(torch):
    def run():
        a = torch.tensor(-4.0, dtype=torch.float64, requires_grad=True)
        b = torch.tensor(2.0, dtype=torch.float64, requires_grad=True)
        micrograd_expression(a, b, torch.relu).backward()
        return a.grad, b.grad

    return run


def scalar_autograd(autograd):
    import autograd.numpy as anp

    grad = autograd.grad(
        lambda a, b: micrograd_expression(a, b, lambda t: anp.maximum(t, 0.0)), (0, 1)
    )
    return lambda: grad(-4.0, 2.0)


def _block(fn, repeats: int, warm: int = 5) -> list:
    # warm up towards a training loop's steady state: at least `warm` calls
    # and 0.3 s (none when warm is 0)
    start, calls = time.perf_counter(), 0
    while calls < warm or (calls and time.perf_counter() - start < 0.3):
        fn()
        calls += 1
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    time.sleep(0.2)  # let spinning BLAS / OpenMP worker threads park
    return times


def compare(ours, reference, repeats: int, warm: int = 5, rounds: int = 3):
    """Medians and minima (ms) of ``ours`` and ``reference``.

    Each is timed in blocks of runs: alternating them run by run would make
    each library's spinning worker threads (OpenBLAS, OpenMP) steal the two
    cores from the other. The blocks alternate over ``rounds`` rounds, so a
    drift of the machine's speed lands on both. The minimum is the least
    disturbed run.
    """
    t_ours, t_ref = [], []
    per_round = max(1, -(-repeats // rounds))
    for _ in range(rounds):
        t_ours += _block(ours, per_round, warm)
        t_ref += _block(reference, per_round, warm)
        warm = 0  # warmed up already
    return (
        statistics.median(t_ours) * 1e3,
        statistics.median(t_ref) * 1e3,
        min(t_ours) * 1e3,
        min(t_ref) * 1e3,
    )


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=30)
    parser.add_argument("--conv-only", action="store_true", help="only the conv2d rows")
    parser.add_argument(
        "--no-large", action="store_true", help="skip the large conv2d layer"
    )
    args = parser.parse_args(argv)
    torch = optional("torch")
    autograd = optional("autograd")
    threads = numpy_blas_threads()
    if torch is not None:
        if threads is None:
            print("(NumPy's BLAS thread count is unknown: PyTorch keeps its default)")
        else:
            torch.set_num_threads(threads)
    rng = np.random.default_rng(0)
    n = args.repeats
    cases = conv_cases(torch, autograd, rng, n, large=not args.no_large)
    if args.conv_only:
        report(cases, torch, autograd, threads)
        return

    x, y, params = mlp_workload(rng)
    mlp = mlp_numeric(x, y, params)
    cases.append(
        ("MLP gradient", "NumPy by hand", mlp, mlp_by_hand(x, y, params), 5 * n, 5)
    )
    if torch is not None:
        cases.append(
            (
                "MLP gradient",
                "PyTorch CPU",
                mlp,
                mlp_torch(torch, x, y, params),
                5 * n,
                5,
            )
        )
    if autograd is not None:
        cases.append(
            (
                "MLP gradient",
                "autograd",
                mlp,
                mlp_autograd(autograd, x, y, params),
                5 * n,
                5,
            )
        )

    scalar = scalar_numeric()
    if torch is not None:
        cases.append(
            (
                "scalar graph (micrograd)",
                "PyTorch CPU",
                scalar,
                scalar_torch(torch),
                20 * n,
                5,
            )
        )
    if autograd is not None:
        cases.append(
            (
                "scalar graph (micrograd)",
                "autograd",
                scalar,
                scalar_autograd(autograd),
                20 * n,
                5,
            )
        )

    report(cases, torch, autograd, threads)


def report(cases, torch, autograd, threads):
    print()
    print(
        "| workload | reference | numeric median (ms) | reference median (ms) "
        "| ratio of medians | ratio of minima |"
    )
    print("|---|---|---:|---:|---:|---:|")
    for workload, ref, ours, reference, repeats, warm in cases:
        med_ours, med_ref, min_ours, min_ref = compare(ours, reference, repeats, warm)
        print(
            f"| {workload} | {ref} | {med_ours:.3f} | {med_ref:.3f} "
            f"| {med_ours / med_ref:.2f} | {min_ours / min_ref:.2f} |",
            flush=True,
        )
    versions = [f"numpy {np.__version__} (BLAS threads: {threads})"]
    if torch is not None:
        versions.append(
            f"torch {torch.__version__} ({torch.get_num_threads()} threads)"
        )
    if autograd is not None:
        from importlib.metadata import PackageNotFoundError, version

        try:
            versions.append(f"autograd {version('autograd')}")
        except PackageNotFoundError:  # the version is only informative
            versions.append("autograd")
    print()
    print(
        "ratios are numeric / reference (below 1: numeric is faster); "
        + ", ".join(versions)
    )


if __name__ == "__main__":
    main()
