"""Options and static shapes of the graph layer's windowed ops: ``conv2d``,
``max_pool2d`` and ``avg_pool2d``.

The option checks run when a node is built, with the eager engine's own
argument helpers (:mod:`numeric.prims.conv_args`), so a bad stride, padding,
dilation, groups or ceil_mode is an ``ArgumentError`` naming the argument
before anything runs, and the graph accepts exactly what ``nm.conv2d`` and the
pools accept. The shape rules give the output shape with ``None`` where a size
is unknown and raise ``ShapeError`` when known sizes cannot fit; the sizes
follow the eager formulas (PyTorch's).
"""

from __future__ import annotations

import numbers
from typing import Any

import numpy as np

from numeric._typing import IntPair
from numeric.errors import ArgumentError, ShapeError
from numeric.graph.shapes import format_shape
from numeric.prims import conv_args as A
from numeric.prims.pool import kernel_arg, pooled_size

# ----- options, checked when the node is built --------------------------------


def conv2d_options(
    stride: IntPair, padding: IntPair | str, dilation: IntPair, groups: int
) -> dict[str, Any]:
    """``nm.conv2d``'s options checked and normalized (pairs of ints; padding
    a pair, ``'same'`` or ``'valid'``)."""
    op = "conv2d"
    stride = A.pair(stride, "stride", 1, op)
    dilation = A.pair(dilation, "dilation", 1, op)
    groups = A.int_arg(groups, "groups", 1, op)
    if isinstance(padding, str):
        # refuses an unknown string and 'same' with a stride, as nm.conv2d does;
        # the pads themselves depend on the kernel, computed when it runs
        A.conv_padding(padding, (1, 1), stride, dilation, op)
        padding = str(padding)
    else:
        padding = A.pair(padding, "padding", 0, op)
    return {
        "stride": stride,
        "padding": padding,
        "dilation": dilation,
        "groups": groups,
    }


def _bool_arg(op: str, name: str, value: Any) -> bool:
    if not isinstance(value, (bool, np.bool_)):
        raise ArgumentError(f"{op}: {name} must be a bool, got {value!r}")
    return bool(value)


def pool_options(
    op: str,
    kernel_size: IntPair | None,
    size: IntPair | None,
    stride: IntPair | None,
    padding: IntPair,
    dilation: IntPair,
    ceil_mode: bool,
) -> dict[str, Any]:
    """The options shared by the pools, checked and normalized to pairs."""
    kernel = A.pair(kernel_arg(op, kernel_size, size), "kernel_size", 1, op)
    strides = kernel if stride is None else A.pair(stride, "stride", 1, op)
    pad = A.pair(padding, "padding", 0, op)
    dilations = A.pair(dilation, "dilation", 1, op)
    if pad[0] > kernel[0] // 2 or pad[1] > kernel[1] // 2:
        raise ArgumentError(
            f"{op}: padding {pad} must be at most half of kernel_size {kernel}"
        )
    return {
        "kernel_size": kernel,
        "stride": strides,
        "padding": pad,
        "dilation": dilations,
        "ceil_mode": _bool_arg(op, "ceil_mode", ceil_mode),
    }


def avg_pool_options(
    count_include_pad: bool, divisor_override: int | None
) -> dict[str, Any]:
    """``avg_pool2d``'s own options, checked."""
    op = "avg_pool2d"
    if divisor_override is not None:
        if isinstance(divisor_override, (bool, np.bool_)) or not isinstance(
            divisor_override, numbers.Integral
        ):
            raise ArgumentError(
                f"{op}: divisor_override must be an int, got {divisor_override!r}"
            )
        if divisor_override == 0:
            raise ArgumentError(f"{op}: divisor_override must not be zero")
        divisor_override = int(divisor_override)
    return {
        "count_include_pad": _bool_arg(op, "count_include_pad", count_include_pad),
        "divisor_override": divisor_override,
    }


# ----- static shapes ------------------------------------------------------------


def _spatial_rank(name: str, what: str, shape) -> None:
    if shape is not None and len(shape) not in (3, 4):
        raise ShapeError(
            f"{name}: {what} must be (N, C, H, W) or unbatched (C, H, W), "
            f"got {format_shape(shape)}"
        )


def _known(*dims) -> bool:
    return all(d is not None for d in dims)


def _conv_axis(name, which, n, k, stride, dilation, padding, shapes):
    """One spatial output size of a convolution, or None when unknown."""
    if padding == "same":
        return n  # stride 1 (checked with the options)
    pad = 0 if padding == "valid" else padding
    if not _known(n, k):
        return None
    extent = A.effective(k, dilation)
    if n + 2 * pad < extent:
        raise ShapeError(
            f"{name}: the kernel {which} (extent {extent} with dilation "
            f"{dilation}) is larger than the padded input {which} {n + 2 * pad} "
            f"({shapes}, padding {pad})"
        )
    return (n + 2 * pad - extent) // stride + 1


def conv2d_shape(name, shapes, attrs):
    x, w = shapes[0], shapes[1]
    b = shapes[2] if len(shapes) > 2 else None  # None: no bias, or rank unknown
    groups = attrs.get("groups", 1)
    _spatial_rank(name, "input", x)
    if w is not None and len(w) != 4:
        raise ShapeError(
            f"{name}: weight must be (O, C / groups, kh, kw), got {format_shape(w)}"
        )
    described = f"input {format_shape(x)}, weight {format_shape(w)}"
    channels = None if x is None else x[-3]
    if w is not None and w[0] is not None and w[0] % groups:
        raise ShapeError(
            f"{name}: output channels {w[0]} are not divisible by groups={groups} "
            f"({described})"
        )
    if channels is not None and channels % groups:
        raise ShapeError(
            f"{name}: input channels {channels} are not divisible by "
            f"groups={groups} ({described})"
        )
    if w is not None and _known(channels, w[1]) and w[1] * groups != channels:
        raise ShapeError(
            f"{name}: input has {channels} channels but weight expects "
            f"{w[1] * groups} ({w[1]} per group, groups={groups}; {described})"
        )
    out_channels = None if w is None else w[0]
    if b is not None and (
        len(b) != 1 or (_known(b[0], out_channels) and b[0] != out_channels)
    ):
        raise ShapeError(
            f"{name}: bias {format_shape(b)} does not fit weight {format_shape(w)}"
        )
    if x is None:
        return None
    kernel = (None, None) if w is None else w[2:]
    spatial = tuple(
        _conv_axis(
            name,
            which,
            x[-2 + i],
            kernel[i],
            attrs["stride"][i],
            attrs["dilation"][i],
            attrs["padding"]
            if isinstance(attrs["padding"], str)
            else attrs["padding"][i],
            described,
        )
        for i, which in enumerate(("height", "width"))
    )
    return x[:-3] + (out_channels,) + spatial


def pool_shape(name, shapes, attrs):
    x = shapes[0]
    _spatial_rank(name, "input", x)
    if x is None:
        return None
    kernel, stride = attrs["kernel_size"], attrs["stride"]
    pad, dilation = attrs["padding"], attrs.get("dilation", (1, 1))
    out: list[int | None] = []
    for i in (0, 1):
        n = x[-2 + i]
        if n is None:
            out.append(None)
            continue
        size = pooled_size(
            n, kernel[i], stride[i], pad[i], dilation[i], attrs["ceil_mode"]
        )
        if size < 1:
            raise ShapeError(
                f"{name}: the window (kernel_size {kernel}, dilation {dilation}) is "
                f"larger than the padded input (input {format_shape(x)}, padding "
                f"{pad})"
            )
        out.append(size)
    return x[:-2] + tuple(out)
