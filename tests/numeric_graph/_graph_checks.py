"""Checks shared by the graph tests."""

import numpy as np

import numeric.graph as G


def fd_check(sess, loss, node, feed, seed=0):
    """G.gradients(loss, node) against a central difference in a random direction."""
    (grad,) = G.gradients(loss, [node])
    g = sess.run(grad, feed)
    u = np.random.default_rng(seed).standard_normal(np.shape(feed[node]))
    eps = 1e-6
    plus = sess.run(loss, {**feed, node: feed[node] + eps * u})
    minus = sess.run(loss, {**feed, node: feed[node] - eps * u})
    assert np.isclose(np.vdot(g, u), (plus - minus) / (2 * eps), rtol=1e-6, atol=1e-8)
    return g
