"""Lowering a DAG to NumPy source text, directly and in linear time.

``schedule.py`` turns the outputs' topological order into a straight-line
program and plans its temporaries and buffers, ``source.py`` writes and
compiles its source, ``arrays.py`` decides which arrays a call computes on
and with which namespace, and ``function.py`` is the callable
``sg.lambdify`` returns by default. The SymPy path (``sympy.lambdify`` fed
the DAG's sharing) stays in ``symgraph/lower.py`` as the reference.
"""

from .function import lower_numpy

__all__ = ["lower_numpy"]
