"""Conventions at kinks and ties (PyTorch's), lifted from the scalar registry
or stated by a tensor op, checked against hand-worked values, numeric's
primitives, and PyTorch when it is installed."""

import numpy as np
import pytest

import numeric as nm
import symgraph as sg

x, y = sg.tensors("x:n y:n")
Img = sg.tensors("Img:1,1,4,4")


def _grad_at(f, var, point):
    return np.asarray(sg.evaluate(sg.grad(f, var), point))


def test_norm_gradient_is_zero_at_zero_and_x_over_norm_elsewhere():
    f = sg.norm(x)
    np.testing.assert_array_equal(_grad_at(f, x, {"x": np.zeros(3)}), np.zeros(3))
    v = np.array([3.0, 4.0, 0.0])
    np.testing.assert_allclose(_grad_at(f, x, {"x": v}), v / 5.0)
    # |x|^2 needs no guard: its gradient 2x is exact at 0 too
    assert str(sg.grad(sg.norm(x) ** 2, x)) == "2 * x"


def test_lifted_kinks_follow_the_scalar_registry():
    zero = {"x": np.zeros(2), "y": np.zeros(2)}
    np.testing.assert_array_equal(
        _grad_at(sg.sum(sg.relu(x)), x, zero), [0, 0]
    )  # relu'(0) = 0
    np.testing.assert_array_equal(
        _grad_at(sg.sum(sg.abs(x)), x, zero), [0, 0]
    )  # abs'(0) = 0
    np.testing.assert_array_equal(_grad_at(sg.norm(x, 1), x, zero), [0, 0])
    np.testing.assert_array_equal(
        _grad_at(sg.sum(sg.maximum(x, y)), x, zero), [0.5, 0.5]
    )
    np.testing.assert_array_equal(
        _grad_at(sg.sum(sg.leaky_relu(x, 0.2)), x, zero), [0.2, 0.2]
    )


def test_max_pool_tie_goes_to_the_first_maximum_as_numeric():
    data = np.array([[[[1.0, 1.0, 0.0, 2.0], [1.0, 0.0, 2.0, 2.0],
                       [3.0, 3.0, 1.0, 1.0], [3.0, 3.0, 1.0, 1.0]]]])  # fmt: skip
    f = sg.sum(sg.max_pool2d(Img, 2))
    got = _grad_at(f, Img, {"Img": data})
    t = nm.tensor(data, requires_grad=True)
    nm.sum(nm.max_pool2d(t, 2)).backward()
    np.testing.assert_array_equal(got, t.grad)
    assert got.sum() == 4 and got[0, 0, 0, 0] == 1 and got[0, 0, 0, 3] == 1


# ----- PyTorch, when installed ---------------------------------------------------------
def test_against_pytorch_conv_softmax_pool_norm_and_inverse():
    torch = pytest.importorskip("torch")
    F = torch.nn.functional
    rng = np.random.default_rng(0)
    Xc, Wc = sg.tensors("Xc:2,3,7,6 Wc:4,3,3,2")
    f = sg.sum(sg.tanh(sg.conv2d(Xc, Wc, stride=2, padding=1)))
    xv, wv = rng.standard_normal((2, 3, 7, 6)), rng.standard_normal((4, 3, 3, 2))
    tx = torch.tensor(xv, requires_grad=True)
    tw = torch.tensor(wv, requires_grad=True)
    torch.tanh(F.conv2d(tx, tw, stride=2, padding=1)).sum().backward()
    gx, gw = sg.evaluate(sg.grad(f, [Xc, Wc]), {"Xc": xv, "Wc": wv})
    np.testing.assert_allclose(gx, tx.grad.numpy(), rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(gw, tw.grad.numpy(), rtol=1e-10, atol=1e-12)

    Z, Y = sg.tensors("Z:5,4 Y:5,4")
    ce = -sg.sum(Y * sg.log_softmax(Z, axis=1))
    zv = rng.standard_normal((5, 4))
    labels = rng.integers(0, 4, 5)
    tz = torch.tensor(zv, requires_grad=True)
    F.cross_entropy(tz, torch.tensor(labels), reduction="sum").backward()
    got = sg.evaluate(sg.grad(ce, Z), {"Z": zv, "Y": np.eye(4)[labels]})
    np.testing.assert_allclose(got, tz.grad.numpy(), rtol=1e-10, atol=1e-12)

    tzero = torch.zeros(3, requires_grad=True)
    torch.linalg.vector_norm(tzero).backward()
    np.testing.assert_array_equal(
        _grad_at(sg.norm(x), x, {"x": np.zeros(3)}), tzero.grad.numpy()
    )

    A = sg.tensors("A:3,3")
    av = np.eye(3) + 0.3 * rng.standard_normal((3, 3))
    ta = torch.tensor(av, requires_grad=True)
    (torch.linalg.slogdet(ta)[1] + torch.linalg.inv(ta).sum()).backward()
    got = _grad_at(sg.logdet(A) + sg.sum(sg.inv(A)), A, {"A": av})
    np.testing.assert_allclose(got, ta.grad.numpy(), rtol=1e-10, atol=1e-12)

    data = np.array([[[[1.0, 1.0], [0.0, 1.0]]]])
    tp = torch.tensor(data, requires_grad=True)
    F.max_pool2d(tp, 2).sum().backward()
    P = sg.tensors("P:1,1,2,2")
    np.testing.assert_array_equal(
        _grad_at(sg.sum(sg.max_pool2d(P, 2)), P, {"P": data}), tp.grad.numpy()
    )
