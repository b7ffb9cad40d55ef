"""``conv_transpose2d`` (PyTorch semantics): the input gradient of a conv2d.

A transposed convolution is no new primitive: it *is* ``conv2d_input_grad``,
the transpose of ``x -> conv2d(x, w)``, applied to the layer's input as the
cotangent. So the gradient a convolution sends to its input is a transposed
convolution of the upstream gradient with the same weight, and the VJPs of
``conv_transpose2d`` are ``conv2d`` and ``conv2d_weight_grad``.
"""

from __future__ import annotations

from numeric._typing import IntPair
from numeric.errors import ArgumentError, ShapeError
from numeric.prims import conv_args as A
from numeric.prims.conv2d import conv2d_input_grad_p
from numeric.prims.shape import reshape
from numeric.tape import Tensor, TensorLike, apply


def conv_transpose2d(
    x: TensorLike,
    w: TensorLike,
    b: TensorLike | None = None,
    stride: IntPair = 1,
    padding: IntPair = 0,
    output_padding: IntPair = 0,
    groups: int = 1,
    dilation: IntPair = 1,
) -> Tensor:
    """2-D transposed convolution, as ``torch.nn.functional.conv_transpose2d``.

    Parameters
    ----------
    x : Tensor or array_like, shape (N, C_in, H, W) or unbatched (C_in, H, W)
    w : Tensor or array_like, shape (C_in, C_out / groups, kh, kw)
        PyTorch's layout: the weight of the convolution this one transposes.
    b : Tensor or array_like, shape (C_out,), optional
    stride, padding, output_padding, dilation : int or pair of ints
        As in PyTorch, ``H_out = (H - 1) * stride - 2 * padding
        + dilation * (kh - 1) + output_padding + 1``. ``output_padding`` (smaller than the stride or
        the dilation) adds rows at the bottom and columns at the right, to
        reach the sizes a strided convolution maps onto the same output.
    groups : int
        Splits C_in and C_out into independent groups.

    Returns
    -------
    Tensor of shape (N, C_out, H_out, W_out), or (C_out, H_out, W_out).

    Raises
    ------
    ShapeError
        Wrong ranks, channels not divisible by ``groups``, a weight whose first
        axis is not C_in, a bias of the wrong shape, or an empty output.
    ArgumentError
        A bad stride, padding, output_padding, dilation or groups.

    Examples
    --------
    >>> import numpy as np
    >>> import numeric as nm
    >>> x, w = np.ones((1, 1, 2, 2)), np.ones((1, 1, 3, 3))
    >>> nm.conv_transpose2d(x, w, stride=2).shape
    (1, 1, 5, 5)
    >>> nm.conv_transpose2d(x, w, stride=2, padding=1, output_padding=1).shape
    (1, 1, 4, 4)
    """
    op = "conv_transpose2d"
    stride = A.pair(stride, "stride", 1, op)
    padding = A.pair(padding, "padding", 0, op)
    output_padding = A.pair(output_padding, "output_padding", 0, op)
    dilation = A.pair(dilation, "dilation", 1, op)
    groups = A.int_arg(groups, "groups", 1, op)
    xs, unbatched = A.spatial_input(x, op)
    ws = A.shape_of(w)
    if len(ws) != 4:
        raise ShapeError(
            f"{op}: weight must be (C_in, C_out / groups, kh, kw), got shape {ws}"
        )
    c_in = xs[1]
    if c_in % groups:
        raise ShapeError(
            f"{op}: input channels {c_in} are not divisible by groups={groups} "
            f"(input {A.shape_of(x)}, weight {ws})"
        )
    if ws[0] != c_in:
        raise ShapeError(
            f"{op}: weight {ws} expects {ws[0]} input channels (its first axis) "
            f"but the input has {c_in} (input {A.shape_of(x)})"
        )
    for i in (0, 1):
        if output_padding[i] >= max(stride[i], dilation[i]):
            raise ArgumentError(
                f"{op}: output_padding {output_padding} must be smaller than "
                f"either the stride {stride} or the dilation {dilation}"
            )
    c_out = ws[1] * groups
    extents = [A.effective(k, d) for k, d in zip(ws[2:], dilation)]
    out_hw = tuple(
        (xs[2 + i] - 1) * stride[i] - 2 * padding[i] + extents[i] + output_padding[i]
        for i in (0, 1)
    )
    if min(out_hw) < 1:
        raise ShapeError(
            f"{op}: the output would be {out_hw}, not positive (input "
            f"{A.shape_of(x)}, weight {ws}, stride {stride}, padding {padding})"
        )
    if b is not None and A.shape_of(b) != (c_out,):
        raise ShapeError(f"{op}: bias must have shape ({c_out},), got {A.shape_of(b)}")
    # the convolution this one transposes maps (N, C_out, H_out, W_out) onto x;
    # its padding is fitted to exactly xs's windows (bottom: padding - output_padding)
    fitted = tuple((padding[i], padding[i] - output_padding[i]) for i in (0, 1))
    if unbatched:
        x = reshape(x, xs)
    out = apply(
        conv2d_input_grad_p,
        x,
        w,
        stride=stride,
        padding=fitted,
        dilation=dilation,
        groups=groups,
        x_shape=(xs[0], c_out) + out_hw,
    )
    if b is not None:
        out = out + reshape(b, (1, c_out, 1, 1))
    return reshape(out, out.shape[1:]) if unbatched else out
