"""nm.detect_anomaly(): the first op that makes an inf or NaN is named."""

import numpy as np
import pytest

import numeric as nm
from numeric.errors import NonFiniteError, ToolkitError


def test_anomaly_forward_names_first_op_and_index():
    x = nm.tensor([1.0, 0.0, 2.0])
    with (
        nm.detect_anomaly(),
        pytest.raises(NonFiniteError, match=r"forward: log .*index \(1,\)"),
    ):
        nm.exp(nm.log(x) * 2.0)


def test_anomaly_backward_names_the_vjp():
    # sqrt'(0) = +inf by convention: the value is finite, the gradient is not.
    f = nm.grad(lambda v: nm.sum(nm.sqrt(v)))
    with nm.detect_anomaly(), pytest.raises(NonFiniteError, match="backward of sqrt"):
        f(np.array([4.0, 0.0]))


@pytest.mark.filterwarnings("error")
def test_anomaly_raises_its_error_not_numpy_warnings_and_restores_errstate():
    before = np.geterr()
    with nm.detect_anomaly(), pytest.raises(NonFiniteError, match="forward: divide"):
        nm.divide(nm.tensor([1.0]), 0.0)
    assert np.geterr() == before


def test_anomaly_quiet_on_finite_computation_and_stable_forms():
    f = nm.grad(lambda v: nm.sum(nm.sigmoid(v) * nm.elu(v) + nm.softplus(v)))
    x = np.array([1000.0, -1000.0, 0.0, 710.0, -710.0])
    with nm.detect_anomaly():
        got = f(x)
    np.testing.assert_array_equal(got, f(x))
    assert np.isfinite(got).all()


def test_anomaly_does_not_blame_propagation_of_user_infs():
    # An inf that comes in with the data is not produced by any op.
    x = nm.tensor([np.inf, 1.0])
    with nm.detect_anomaly():
        y = x * 2.0 + 1.0
    assert np.isinf(y.data[0])


def test_anomaly_off_by_default_and_restored():
    with nm.detect_anomaly():
        pass
    with np.errstate(divide="ignore"):
        assert np.isneginf(nm.log(nm.tensor([0.0])).data[0])  # no error outside


def test_anomaly_error_is_a_toolkit_value_error():
    with nm.detect_anomaly(), pytest.raises(ToolkitError) as info:
        nm.divide(nm.tensor([1.0]), nm.tensor([0.0]))
    assert isinstance(info.value, ValueError)
