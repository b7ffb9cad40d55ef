"""The C target: C99 functions that include only <math.h>."""

from __future__ import annotations

import numpy as np

from ..opdef import OPS
from ..traverse import toposort
from .constants import c_const
from .module import Module, helpers_of, indented

__all__ = ["c_module"]


def _c_fn(
    mod: Module, signature: str, roots: list, stores: list, returns: bool
) -> list:
    """One C function: read the inputs it uses, compute, store, return."""
    body, atom = mod.body(roots, CLang, stores)
    used = {n for n in toposort(roots) if n.op == "symbol"}
    lines = [signature, "{"]
    reads = [
        f"    const double {mod.names[s]} = in[{i}];"
        for i, s in enumerate(mod.args)
        if s in used
    ]
    lines += reads or ["    (void)in;"]
    # an output array with nothing to store (no variables): mark it used
    for array in ("out", "grad", "jac", "hess"):
        if f"double *{array}" in signature and not any(
            t.startswith(f"{array}[") for t, _ in stores
        ):
            lines.append(f"    (void){array};")
    lines += body
    if returns:
        lines.append(f"    return {atom[roots[0]]};")
    return lines + ["}"]


def _c_header(mod: Module, params: list) -> list:
    name, n, m = mod.name, len(mod.wrt), len(mod.outputs)
    head = [
        f"/* {name} and its derivatives: generated C99 that needs only <math.h>.",
        " *",
    ]
    head += [" * " + line for line in mod.header_lines()]
    head += [" *", " * Inputs in[], in order:"]
    head += [" *" + line for line in indented(params, 72)]
    if mod.mangled:
        head += [" * Names changed to keep the code valid:"]
        head += [
            " *" + line
            for line in indented([f"{a} -> {b}" for a, b in mod.mangled], 72)
        ]
    head += [" *"]
    if mod.several:
        head += [
            f" * {name}(in, out) writes the {m} values to out[0..{m - 1}];",
            f" * {name}_jac(in, out, jac) also writes the {m} x {n} Jacobian to jac[]",
            f" * (row-major: jac[i * {n} + j] = d out[i] / d in[j]).",
        ]
    else:
        head += [
            f" * {name}(in) returns the value; {name}_grad(in, grad) returns it and writes",
            f" * the {n} partial derivatives to grad[0..{n - 1}] (d/d in[0], d/d in[1], ...).",
        ]
        if mod.hessian:
            head += [
                f" * {name}_hess(in, grad, hess) also writes the {n} x {n} Hessian to hess[]",
                f" * (row-major: hess[i * {n} + j]).",
            ]
    head += [" *", " * Conventions at non-differentiable points (PyTorch's):"]
    head += [" *     " + note for note in mod.notes] or [
        " *     none: every op here is differentiable"
    ]
    return head + [" */", "", "#include <math.h>"]


def c_module(mod: Module) -> str:
    name, n = mod.name, len(mod.wrt)
    params = [mod.names[s] for s in mod.args]
    parts = ["\n".join(_c_header(mod, params))]
    parts += helpers_of(mod, "c")
    outs = mod.outputs
    if mod.several:
        jac = mod.jac
        assert jac is not None  # built for several outputs
        stores = [(f"out[{i}]", o) for i, o in enumerate(outs)]
        sig = f"void {name}(const double *in, double *out)"
        parts.append("\n".join(_c_fn(mod, sig, outs, stores, False)))
        jstores = stores + [
            (f"jac[{i * n + j}]", g) for (i, j), g in np.ndenumerate(jac)
        ]
        sig = f"void {name}_jac(const double *in, double *out, double *jac)"
        parts.append(
            "\n".join(_c_fn(mod, sig, list(outs) + list(jac.ravel()), jstores, False))
        )
    else:
        grads = mod.grads
        assert grads is not None  # built for a single output
        sig = f"double {name}(const double *in)"
        parts.append("\n".join(_c_fn(mod, sig, outs, [], True)))
        gstores = [(f"grad[{k}]", g) for k, g in enumerate(grads)]
        roots = list(outs) + list(grads)
        sig = f"double {name}_grad(const double *in, double *grad)"
        parts.append("\n".join(_c_fn(mod, sig, roots, gstores, True)))
        if mod.hessian:
            hess = mod.hess
            assert hess is not None  # built with hessian=True
            hstores = gstores + [
                (f"hess[{i * n + j}]", h) for (i, j), h in np.ndenumerate(hess)
            ]
            sig = f"double {name}_hess(const double *in, double *grad, double *hess)"
            parts.append(
                "\n".join(_c_fn(mod, sig, roots + list(hess.ravel()), hstores, True))
            )
    return "\n\n".join(parts) + "\n"


class CLang:
    """How the C target spells constants, ops, assignments and stores."""

    release = None

    @staticmethod
    def const(value, force_float: bool) -> str:
        return c_const(value)

    @staticmethod
    def template(op: str) -> str:
        return OPS[op].c_template

    @staticmethod
    def assign(name: str, expr: str) -> str:
        return f"    const double {name} = {expr};"

    @staticmethod
    def store(target: str, src: str) -> str:
        return f"    {target} = {src};"
