"""The hand-off points from symgraph's scalar API to the tensor engine.

The scalar modules call :func:`involved` at the top of ``grad``,
``jacobian``, ``hessian``, ``evaluate``, ``lambdify``, ``codegen``,
``check``, ``verify``, ``parse`` (with ``shapes=``), ``backprop_table``, the
elementwise functions and the convolution/pooling functions; when a tensor node is involved they return the tensor engine's
answer. Keeping every dispatch here keeps those hooks to two lines each.
"""

from __future__ import annotations

__all__ = ["involved"]


def _is_tensor(x) -> bool:
    from .node import TensorNode

    if isinstance(x, TensorNode):
        return True
    if isinstance(x, (list, tuple)) and x:
        return any(isinstance(i, TensorNode) for i in x)
    return False


def involved(*objs) -> bool:
    """Whether any argument is a tensor node (or a list holding one)."""
    return any(_is_tensor(o) for o in objs)


def elementwise(op, *operands):
    from .functions import elementwise as f

    return f(op, *operands)


def correlate2d(x, w, mode):
    from .functions import correlate2d as f

    return f(x, w, mode)


def convolve2d(x, w, mode):
    from .functions import convolve2d as f

    return f(x, w, mode)


def max_pool2d(x, size, stride):
    from .functions import max_pool2d as f

    return f(x, size, stride)


def avg_pool2d(x, size, stride):
    from .functions import avg_pool2d as f

    return f(x, size, stride)


def grad(f, wrt):
    from .grad import grad as g

    return g(f, wrt)


def jacobian(outputs, wrt):
    from .jacobian import jacobian as j

    return j(outputs, wrt)


def hessian(f, wrt):
    from .jacobian import hessian as h

    return h(f, wrt)


def evaluate(expr, values):
    from .evaluate import evaluate as e

    return e(expr, values)


def lambdify(args, outputs):
    from .lower import lambdify as lam

    return lam(args, outputs)


def codegen(f, wrt, name, target, hessian):
    from .lower import CodegenError
    from .lower import codegen as c

    if hessian:
        raise CodegenError("hessian=True is not supported for tensor expressions")
    return c(f, wrt, name=name, target=target)


def check(f, wrt, **options):
    from .check import check as c

    return c(f, wrt, **options)


def verify(f, wrt, claim, **options):
    from .verify import verify as v

    return v(f, wrt, claim, **options)


def parse(text, shapes):
    from .parse import parse as p

    return p(text, shapes)


def backprop_table(f, at):
    from .teach import backprop_table as table

    return table(f, at)
