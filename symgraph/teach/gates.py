"""The backprop gate patterns a course names, looked up by op.

CS231n's notes describe how gradients flow through the common gates: an add
gate *distributes* its upstream gradient unchanged to every input, a multiply
gate *swaps* its inputs (each input's gradient is the upstream gradient times
the other input), a max gate *routes* the whole gradient to the larger input,
and where a value is used more than once (a copy, or branch) the gradients
coming back *add*. Tables and drawings label nodes with these names.
"""

from __future__ import annotations

from ..opdef import OPS

__all__ = ["BRANCH", "gate_pattern"]

# Each op's pattern is the ``gate`` of its declaration (``OpDef.gate``).
BRANCH = "copy/branch: gradients add"


def gate_pattern(op: str, consumers: int = 1) -> str:
    """The pattern name for a node with op ``op`` used by ``consumers`` nodes.

    Returns ``""`` when no pattern applies.

    Examples
    --------
    >>> gate_pattern("add")
    'distributor'
    >>> gate_pattern("symbol", consumers=2)
    'copy/branch: gradients add'
    """
    gate = OPS[op].gate if op in OPS else ""
    parts = [gate] if gate else []
    if consumers > 1:
        parts.append(BRANCH)
    return "; ".join(parts)
