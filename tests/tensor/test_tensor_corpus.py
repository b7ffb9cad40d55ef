"""The corpus: Matrix Cookbook identities and ML layer gradients.

Each entry is derived symbolically by the tensor engine, printed (NumPy text
and LaTeX, the text parsed back), and checked numerically at three sizes
(all dimensions different, all 1, mixed) against the reference's closed form
and against entrywise central differences computed here.
"""

import numpy as np
import pytest
from _tensor_helpers import fd_gradient, random_point, symbols_of

import symgraph as sg
from symgraph.tensor.corpus import CORPUS

DEFAULT_SIZES = ("distinct", "ones", "mixed")


def _sizes(entry, f):
    if entry.sizes:
        return list(entry.sizes)
    from symgraph.tensor.sampling import dim_names

    names = dim_names([f])
    return [
        {n: 2 + i for i, n in enumerate(names)},
        dict.fromkeys(names, 1),
        {n: 1 if i % 2 else 3 + i for i, n in enumerate(names)},
    ]


def _point(entry, symbols, sizes, seed):
    kind = entry.points
    point = random_point(symbols, sizes, seed, "near_identity" if kind == "near_identity" else
                         "positive" if kind == "positive" else "normal")  # fmt: skip
    if kind.startswith("onehot:"):
        name = kind.split(":")[1]
        shape = point[name].shape
        rng = np.random.default_rng(seed)
        onehot = np.zeros(shape)
        onehot[rng.integers(0, shape[0], shape[1]), np.arange(shape[1])] = 1.0
        point[name] = onehot
    return point


def test_corpus_has_at_least_60_identities():
    assert len(CORPUS) >= 60
    assert sum("Cookbook" in e.source for e in CORPUS) >= 40
    assert len({e.name for e in CORPUS}) == len(CORPUS)


@pytest.mark.parametrize("entry", CORPUS, ids=[e.name for e in CORPUS])
def test_corpus_identity(entry):
    f, x, closed = entry.build()
    g = sg.grad(f, x)
    text, latex = str(g), sg.tensor.to_latex(g)
    assert text and latex and "<" not in text
    symbols = symbols_of(f)
    back = sg.parse(text, shapes=symbols)
    for i, sizes in enumerate(_sizes(entry, f)):
        point = _point(entry, symbols, sizes, seed=i)
        got, want = (
            np.asarray(v) for v in sg.evaluate([g, closed], {**point, **sizes})
        )
        assert got.shape == np.shape(point[x.value]), (
            "the gradient has the variable's shape"
        )
        want = np.broadcast_to(want, got.shape)
        np.testing.assert_allclose(
            got, want, rtol=1e-8, atol=1e-10, err_msg=f"{text} vs closed form"
        )
        np.testing.assert_allclose(got, fd_gradient(f, x, point), rtol=1e-5, atol=1e-6)
        np.testing.assert_allclose(
            sg.evaluate(back, {**point, **sizes}), got, rtol=1e-12, atol=1e-12
        )
