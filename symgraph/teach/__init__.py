"""Teaching views of a DAG: the backprop table, Graphviz drawings, gate names.

``backprop_table`` works backpropagation out node by node; ``to_dot`` draws
the DAG with forward values and gradients on the edges (CS231n's circuit
diagrams); ``gates`` names the patterns (distributor, swap, router, branch).
"""

from .dot import Dot, GraphvizNotFoundError, to_dot
from .gates import gate_pattern
from .table import BackpropTable, Row, backprop_table

__all__ = [
    "BackpropTable",
    "Dot",
    "GraphvizNotFoundError",
    "Row",
    "backprop_table",
    "gate_pattern",
    "to_dot",
]
