"""Checks of fed values: every feed is validated before anything runs.

A feed key must be a tensor of the session's graph (or its name); a value must
be numbers of a shape the tensor's static shape allows. :func:`check_feed_value`
also checks the values :meth:`Variable.load` writes.
"""

from __future__ import annotations

import numpy as np

from numeric.errors import FeedError
from numeric.graph.dtypes import dtype_name, int64, int64_problem, is_python_int_array
from numeric.graph.graph import Operation, Tensor
from numeric.graph.shapes import format_shape, shape_fits


def check_feeds(graph, feed_dict) -> dict:
    """The feeds as ``{tensor: array of its dtype}``, each key and value checked
    (keys: tensors of ``graph`` or their names); a :class:`FeedError` names the
    first that is wrong."""
    feeds: dict = {}
    if not feed_dict:
        return feeds
    for key, value in feed_dict.items():
        if isinstance(key, str):
            try:
                key = graph.get_tensor_by_name(key)
            except (KeyError, ValueError) as exc:
                raise FeedError(f"cannot feed {key!r}: {exc}") from None
        if isinstance(key, Operation):
            raise FeedError(
                f"cannot feed operation {key.name!r}; feed one of its tensors"
            )
        if not isinstance(key, Tensor):
            raise FeedError(f"feed_dict keys must be graph tensors, not {key!r}")
        if key.graph is not graph:
            raise FeedError(
                f"cannot feed {key.name}: it is not an element of this session's graph"
            )
        feeds[key] = check_feed_value(key, value)
    return feeds


def check_feed_value(key, value, verb="feed"):
    """The fed value as an array of the tensor's dtype, or a FeedError naming
    the tensor (``verb`` says what was tried: ``"feed"``, ``"load"``)."""
    expected = format_shape(key._shape)
    if isinstance(value, (Tensor, Operation)):
        raise FeedError(
            f"cannot {verb} {key.name} with graph node {value.name}: feed values "
            "must be numbers or arrays"
        )
    try:
        arr = np.asarray(value)
    except (ValueError, TypeError) as exc:
        raise FeedError(
            f"cannot {verb} {key.name} (expected numbers of shape {expected}): {exc}"
        ) from None
    is_int = key.dtype == int64
    if arr.dtype.kind not in "biuf" and not (is_int and is_python_int_array(arr)):
        raise FeedError(
            f"cannot {verb} {key.name} (expected {dtype_name(key.dtype)} numbers of "
            f"shape {expected}) with a non-numeric value of dtype {arr.dtype}"
        )
    if not shape_fits(arr.shape, key._shape):
        raise FeedError(
            f"Cannot {verb} value of shape {format_shape(arr.shape)} for Tensor "
            f"'{key.name}', which has shape {expected}"
        )
    if is_int:
        problem = int64_problem(arr)
        if problem is not None:
            raise FeedError(
                f"cannot {verb} {key.name} (int64, shape {expected}): {problem}; "
                "integers are never wrapped or rounded"
            )
    return np.asarray(arr, dtype=key.dtype)  # numeric.tensor copies float data
