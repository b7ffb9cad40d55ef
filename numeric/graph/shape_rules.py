"""Static shape rules of the graph layer's ops, one function per family.

Each rule maps ``(op_name, input_shapes, attrs)`` to the output shape, with
``None`` for what is unknown, and raises :class:`~numeric.errors.ShapeError`
naming the op and the shapes when known sizes cannot fit. The op registry
(:mod:`numeric.graph.op_registry`) names one rule per op type.
"""

from __future__ import annotations

import numpy as np

from numeric.errors import ShapeError
from numeric.graph.shapes import broadcast_shapes, format_shape


def same_shape(name, shapes, attrs):
    return shapes[0]


def broadcast_shape(name, shapes, attrs):
    return broadcast_shapes(name, *shapes)


def _normalize_axes(name, axis, ndim):
    axes = (axis,) if isinstance(axis, (int, np.integer)) else tuple(axis)
    out = []
    for a in axes:
        if not -ndim <= a < ndim:
            raise ShapeError(f"{name}: axis {a} is out of range for rank {ndim}")
        out.append(int(a) % ndim)
    if len(set(out)) != len(out):
        raise ShapeError(f"{name}: repeated axis in {axis!r}")
    return tuple(out)


def reduce_shape(name, shapes, attrs):
    shape = shapes[0]
    axis, keepdims = attrs.get("axis"), attrs.get("keepdims", False)
    if shape is None:
        return () if axis is None and not keepdims else None
    axes = (
        range(len(shape)) if axis is None else _normalize_axes(name, axis, len(shape))
    )
    if keepdims:
        return tuple(1 if i in axes else d for i, d in enumerate(shape))
    return tuple(d for i, d in enumerate(shape) if i not in axes)


def axis_shape(name, shapes, attrs):
    shape = shapes[0]
    if shape is not None:
        _normalize_axes(name, attrs.get("axis", -1), len(shape))
    return shape


def _dims_clash(a, b):
    return a is not None and b is not None and a != b


def matmul_shape(name, shapes, attrs):
    a, b = shapes
    if a is None or b is None:
        return None
    if len(a) == 0 or len(b) == 0:
        raise ShapeError(
            f"{name}: matmul of a scalar, shapes {format_shape(a)} and {format_shape(b)}"
        )
    a2 = (1,) + a if len(a) == 1 else a
    b2 = b + (1,) if len(b) == 1 else b
    if _dims_clash(a2[-1], b2[-2]):
        raise ShapeError(
            f"{name}: inner dimensions differ, shapes {format_shape(a)} and "
            f"{format_shape(b)} ({a2[-1]} != {b2[-2]})"
        )
    batch = broadcast_shapes(name, a2[:-2], b2[:-2])
    out = batch + (a2[-2], b2[-1])
    if len(a) == 1:
        out = out[:-2] + out[-1:]
    if len(b) == 1:
        out = out[:-1]
    return out


def reshape_shape(name, shapes, attrs):
    shape, target = shapes[0], attrs["shape"]
    if sum(1 for d in target if d == -1) > 1:
        raise ShapeError(f"{name}: at most one -1 in the new shape {tuple(target)}")
    known = int(np.prod([d for d in target if d != -1], dtype=np.int64))
    size = None
    if shape is not None and None not in shape:
        size = int(np.prod(shape, dtype=np.int64))
    if -1 not in target:
        if size is not None and size != known:
            raise ShapeError(
                f"{name}: cannot reshape {format_shape(shape)} ({size} elements) "
                f"to {format_shape(target)} ({known} elements)"
            )
        return tuple(target)
    if size is None:
        return tuple(None if d == -1 else d for d in target)
    if known == 0 or size % known:
        raise ShapeError(
            f"{name}: cannot reshape {format_shape(shape)} ({size} elements) "
            f"to {tuple(target)}"
        )
    return tuple(size // known if d == -1 else d for d in target)


def transpose_shape(name, shapes, attrs):
    shape, axes = shapes[0], attrs.get("axes")
    if shape is None:
        return None
    if axes is None:
        return shape[::-1]
    if sorted(_normalize_axes(name, axes, len(shape))) != list(range(len(shape))):
        raise ShapeError(
            f"{name}: axes {tuple(axes)} do not permute shape {format_shape(shape)}"
        )
    return tuple(shape[a] for a in axes)


def getitem_shape(name, shapes, attrs):
    shape, key = shapes[0], attrs["key"]
    if shape is None:
        return None
    key = key if isinstance(key, tuple) else (key,)
    if any(
        not isinstance(k, (int, np.integer, slice, type(None), type(Ellipsis)))
        for k in key
    ):
        if None not in shape:
            return np.empty(shape, dtype=np.int8)[attrs["key"]].shape
        return None
    n_index = sum(1 for k in key if k is not None and k is not Ellipsis)
    if n_index > len(shape):
        raise ShapeError(f"{name}: too many indices for shape {format_shape(shape)}")
    if Ellipsis in key:
        i = key.index(Ellipsis)
        key = key[:i] + (slice(None),) * (len(shape) - n_index) + key[i + 1 :]
    key = key + (slice(None),) * (len(shape) - n_index)
    out: list[int | None] = []
    axis = 0
    for k in key:
        if k is None:
            out.append(1)
            continue
        d = shape[axis]
        axis += 1
        if isinstance(k, slice):
            out.append(None if d is None else len(range(*k.indices(d))))
        elif d is not None and not -d <= k < d:
            raise ShapeError(f"{name}: index {k} is out of bounds for size {d}")
    return tuple(out)


def corr2d_shape(name, shapes, attrs):
    x, w = shapes
    for s in (x, w):
        if s is not None and len(s) != 2:
            raise ShapeError(f"{name}: 2-D inputs expected, got {format_shape(s)}")
    if x is None or w is None:
        return None
    mode = attrs.get("mode", "valid")
    out: list[int | None] = []
    for n, k in zip(x, w):
        if n is None or k is None:
            out.append(None)
        elif mode == "valid":
            out.append(abs(n - k) + 1)
        elif mode == "full":
            out.append(n + k - 1)
        else:
            out.append(n)
    return tuple(out)


def mse_shape(name, shapes, attrs):
    broadcast_shapes(name, *shapes)
    return ()


def per_example_shape(name, shapes, attrs):
    """A classification loss kept per example: shape (batch,)."""
    classification_shape(name, shapes, attrs)
    logits, labels = shapes
    if logits is not None:
        return logits[:1]
    return None if labels is None else labels[:1]


def classification_shape(name, shapes, attrs):
    logits, labels = shapes
    if logits is not None and len(logits) != 2:
        raise ShapeError(
            f"{name}: logits must be (batch, classes), got {format_shape(logits)}"
        )
    if labels is not None and len(labels) != 1:
        raise ShapeError(f"{name}: labels must be (batch,), got {format_shape(labels)}")
    if logits is not None and labels is not None and _dims_clash(logits[0], labels[0]):
        raise ShapeError(
            f"{name}: batch sizes differ, logits {format_shape(logits)} and "
            f"labels {format_shape(labels)}"
        )
    return ()
