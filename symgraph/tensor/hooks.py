"""The hand-off points from symgraph's scalar API to the tensor engine.

The scalar modules call :func:`involved` at the top of ``grad``,
``jacobian``, ``hessian``, ``evaluate``, ``lambdify``, ``codegen``,
``check``, ``verify``, ``parse`` (with ``shapes=``), ``backprop_table``, the
elementwise functions and the convolution/pooling functions; when a tensor
node is involved they return the tensor engine's answer. Keeping every
dispatch here keeps those hooks to two lines each. The package registers
this module with ``symgraph.extensions``, so the scalar modules reach it
without importing ``symgraph.tensor``; it sits at the top of the package.
"""

from __future__ import annotations

from typing import Any

from . import check as _check
from . import evaluate as _evaluate
from . import functions as _functions
from . import grad as _grad
from . import jacobian as _jacobian
from . import lower as _lower
from . import parse as _parse
from . import teach as _teach
from . import verify as _verify
from .node import TensorNode

__all__ = ["involved"]


def _is_tensor(x: object) -> bool:
    if isinstance(x, TensorNode):
        return True
    if isinstance(x, (list, tuple)) and x:
        return any(isinstance(i, TensorNode) for i in x)
    return False


def involved(*objs: object) -> bool:
    """Whether any argument is a tensor node (or a list holding one)."""
    return any(_is_tensor(o) for o in objs)


def elementwise(op: str, *operands: Any) -> TensorNode:
    return _functions.elementwise(op, *operands)


def correlate2d(x: Any, w: Any, mode: str) -> TensorNode:
    return _functions.correlate2d(x, w, mode)


def convolve2d(x: Any, w: Any, mode: str) -> TensorNode:
    return _functions.convolve2d(x, w, mode)


def max_pool2d(x: Any, size: Any, stride: Any) -> TensorNode:
    return _functions.max_pool2d(x, size, stride)


def avg_pool2d(x: Any, size: Any, stride: Any) -> TensorNode:
    return _functions.avg_pool2d(x, size, stride)


def grad(f: Any, wrt: Any) -> Any:
    return _grad.grad(f, wrt)


def jacobian(outputs: Any, wrt: Any) -> Any:
    return _jacobian.jacobian(outputs, wrt)


def hessian(f: Any, wrt: Any) -> Any:
    return _jacobian.hessian(f, wrt)


def evaluate(expr: Any, values: dict) -> Any:
    return _evaluate.evaluate(expr, values)


def lambdify(args: Any, outputs: Any) -> Any:
    return _lower.lambdify(args, outputs)


def codegen(f: Any, wrt: Any, name: str, target: str, hessian: bool) -> str:
    if hessian:
        raise _lower.CodegenError(
            "hessian=True is not supported for tensor expressions"
        )
    return _lower.codegen(f, wrt, name=name, target=target)


def check(f: Any, wrt: Any, **options: Any) -> Any:
    return _check.check(f, wrt, **options)


def verify(f: Any, wrt: Any, claim: Any, **options: Any) -> Any:
    return _verify.verify(f, wrt, claim, **options)


def parse(text: str, shapes: Any) -> Any:
    return _parse.parse(text, shapes)


def backprop_table(f: Any, at: Any) -> Any:
    return _teach.backprop_table(f, at)
