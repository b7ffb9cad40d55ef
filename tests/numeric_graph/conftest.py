"""Shared fixtures of the graph-layer tests: a fresh default graph per test."""

import numpy as np
import pytest

import numeric.graph as G


@pytest.fixture
def graph():
    """A new graph, made the default for the duration of the test."""
    g = G.Graph()
    with g.as_default():
        yield g


@pytest.fixture
def rng():
    return np.random.default_rng(1)
