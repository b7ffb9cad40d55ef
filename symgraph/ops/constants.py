"""The exact constants pi and E: nullary ops, so they stay symbols.

``sg.parse("pi")`` is the node ``pi`` (printed ``pi``, ``sympy.pi`` on the
SymPy side, ``np.pi`` when evaluated), not the float 3.14159...; ``E`` is
Euler's number (``E**x`` is ``exp(x)`` and ``log(E)`` is 1, by the rewrites of
``pow`` and ``log``).
"""

from __future__ import annotations

import math

from ..opdef import defop

__all__: list[str] = []

for _name, _value, _sympy, _np, _c, _doc in (
    ("pi", math.pi, "pi", "np.pi", "3.141592653589793", "The constant pi."),
    ("E", math.e, "E", "np.e", "2.718281828459045", "Euler's number e = exp(1)."),
):
    defop(
        _name,
        0,
        formula=lambda sp, _n=_sympy: getattr(sp, _n),
        numpy=lambda _v=_value: _v,
        partials=lambda out: (),
        np_src=_np,
        c_src=_c,
        numeric=lambda nm, _v=_value: _v,
        sympy_class=None,
        public=False,
        doc=_doc,
    )
