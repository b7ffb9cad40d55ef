"""``numeric.linalg``: the differentiable counterparts of ``np.linalg``.

``import numeric as nm`` then ``nm.linalg.inv``, ``det``, ``slogdet``,
``solve``, ``cholesky``, ``norm`` and ``trace`` (over the last two axes, as
``np.linalg.trace``). Every function works on stacks of matrices like NumPy.
"""

from numeric.prims.decomp import cholesky, det, inv, slogdet, solve
from numeric.prims.linalg import matmul
from numeric.prims.norms import matrix_trace as trace
from numeric.prims.norms import norm

__all__ = ["cholesky", "det", "inv", "matmul", "norm", "slogdet", "solve", "trace"]
