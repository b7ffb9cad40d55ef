"""Independent references for the tensor tests: central differences of the
forward values (computed here, not by sg.check) and random arrays."""

import numpy as np

import symgraph as sg


def fd_gradient(f, wrt, point, eps=1e-6):
    """Entry-by-entry central differences of sg.evaluate(f) w.r.t. ``wrt``."""
    base = {k: np.array(v, dtype=float) for k, v in point.items()}
    x = base[wrt.value]
    out = np.zeros_like(x)
    for idx in np.ndindex(*x.shape):
        up, down = dict(base), dict(base)
        up[wrt.value] = x.copy()
        down[wrt.value] = x.copy()
        up[wrt.value][idx] += eps
        down[wrt.value][idx] -= eps
        out[idx] = (sg.evaluate(f, up) - sg.evaluate(f, down)) / (2 * eps)
    return out


def random_point(symbols, sizes, seed=0, kind="normal"):
    """Arrays for tensor symbols at concrete sizes ({dim name: int})."""
    rng = np.random.default_rng(seed)
    point = {}
    for s in symbols:
        shape = tuple(d if isinstance(d, int) else sizes[str(d)] for d in s.shape)
        if kind == "positive":
            point[s.value] = rng.uniform(0.5, 1.5, shape)
        elif kind == "near_identity" and len(shape) == 2 and shape[0] == shape[1]:
            point[s.value] = np.eye(shape[0]) + 0.3 * rng.standard_normal(shape)
        else:
            point[s.value] = rng.standard_normal(shape)
    return point


def symbols_of(*exprs):
    from symgraph.tensor.evaluate import free_symbols

    return free_symbols(list(exprs))
