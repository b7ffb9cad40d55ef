"""The Python target: a module of NumPy code, one function per derivative."""

from __future__ import annotations

import numpy as np

from ..opdef import OPS
from .constants import py_const, py_float_const
from .module import WIDTH, Module, helpers_of, indented, wrap_list

__all__ = ["python_module"]


class _PyLang:
    """How the Python target spells constants, ops, assignments and stores."""

    @staticmethod
    def const(value, force_float: bool) -> str:
        return f"np.float64({py_const(value)})" if force_float else py_const(value)

    @staticmethod
    def template(op: str) -> str:
        return OPS[op].np_src

    @staticmethod
    def assign(name: str, expr: str) -> str:
        return f"    {name} = {expr}"

    @staticmethod
    def store(target: str, src: str) -> str:
        return f"    {target} = {src}"

    @staticmethod
    def release(names: list) -> str:
        return "    del " + ", ".join(names)


def _py_def(fname: str, params: list, doc: str) -> list:
    head = f"def {fname}({', '.join(params)}):"
    if len(head) <= WIDTH:
        lines = [head]
    else:
        lines = [f"def {fname}("] + wrap_list(params, "    ") + ["):"]
    lines.append(f'    """{doc}"""')
    return lines


def _py_prologue(mod: Module, need_shape: bool) -> list:
    lines = []
    for s in mod.args:
        n = mod.names[s]
        lines.append(f"    {n} = np.asarray({n}, dtype=np.float64)")
    if need_shape:
        shapes = [f"np.shape({mod.names[s]})" for s in mod.args]
        call = "    _shape = np.broadcast_shapes(" + ", ".join(shapes) + ")"
        if len(call) <= WIDTH:
            lines.append(call)
        else:
            lines.append("    _shape = np.broadcast_shapes(")
            lines += wrap_list(shapes, "        ")
            lines.append("    )")
    return lines


def _py_value(mod: Module, node, atom) -> str:
    """Source of an output value with the arguments' broadcast shape."""
    if node.op == "const":
        return f"np.full(_shape, {py_float_const(node.value)})"
    if mod.needs_broadcast(node):
        return f"np.broadcast_to({atom[node]}, _shape)"
    return atom[node]


def _py_return(items: list) -> list:
    """``return a, b, ...`` (a tuple when several), wrapped when long."""
    line = "    return " + ", ".join(items)
    if len(line) <= WIDTH or len(items) == 1:
        return [line]
    return ["    return ("] + wrap_list(items, "        ") + ["    )"]


def _py_tuple_assign(var: str, items: list) -> list:
    """``var = (a, b, ...)``, always a tuple, wrapped when long."""
    line = f"    {var} = (" + ", ".join(items) + ("," if len(items) == 1 else "") + ")"
    if len(line) <= WIDTH:
        return [line]
    return [f"    {var} = ("] + wrap_list(items, "        ") + ["    )"]


def _py_header(mod: Module, params: list) -> list:
    name, n, m = mod.name, len(mod.wrt), len(mod.outputs)
    sig = "(" + ", ".join(params) + ")" if len(params) <= 6 else "(...)"
    doc = [f'"""{name} and its derivatives: generated code that needs only NumPy.', ""]
    doc += mod.header_lines() + [""]
    doc += ["Arguments, in order (floats or float64 arrays; they broadcast together):"]
    doc += indented(params)
    if mod.mangled:
        doc += ["Names changed to keep the code valid and unshadowed:"]
        doc += indented([f"{a} -> {b}" for a, b in mod.mangled])
    doc += [""]
    wrt = [mod.names[v] for v in mod.wrt]
    if mod.several:
        doc += [
            f"{name}{sig} returns the {m} values, a tuple;",
            f"{name}_jac{sig} returns (values, jacobian), the Jacobian an array",
            f"of shape ({m}, {n}) + the broadcast shape, its columns for:",
        ]
        doc += indented(wrt)
    else:
        doc += [
            f"{name}{sig} returns the value;",
            f"{name}_grad{sig} returns (value, gradient), the gradient a tuple of",
            f"{n} arrays (the rows of one new array) for:",
        ]
        doc += indented(wrt)
        if mod.hessian:
            doc += [
                f"{name}_hess{sig} returns (value, gradient, hessian), the Hessian",
                f"an array of shape ({n}, {n}) + the broadcast shape.",
            ]
    doc += [
        "Every result has the arguments' broadcast shape. A value that does not",
        "depend on every argument is a read-only broadcast view.",
        "",
        "Conventions at non-differentiable points (PyTorch's):",
    ]
    doc += ["    " + n for n in mod.notes] or [
        "    none: every op here is differentiable"
    ]
    doc += ['"""', "", "import numpy as np"]
    return doc


def python_module(mod: Module) -> str:
    name, lang = mod.name, _PyLang
    params = [mod.names[s] for s in mod.args]
    parts = ["\n".join(_py_header(mod, params))]
    parts += helpers_of(mod, "python")
    outs = mod.outputs

    # name: the value(s).
    lines = _py_def(name, params, "Values, a tuple." if mod.several else "Value.")
    lines += _py_prologue(mod, any(mod.needs_broadcast(o) for o in outs))
    body, atom = mod.body(outs, lang, keep=outs)
    values = [_py_value(mod, o, atom) for o in outs]
    if mod.several:
        lines += body + _py_tuple_assign("_values", values) + _py_return(["_values"])
    else:
        lines += body + _py_return(values)
    parts.append("\n".join(lines))

    if mod.several:
        jac = mod.jac
        assert jac is not None  # built for several outputs
        m, n = jac.shape
        doc = "Values and the Jacobian: one reverse sweep per output."
        lines = _py_def(name + "_jac", params, doc) + _py_prologue(mod, True)
        lines.append(f"    _jac = np.zeros(({m}, {n}) + _shape)")
        stores = [
            (f"_jac[{i}, {j}]", g)
            for (i, j), g in np.ndenumerate(jac)
            if not _is_zero(g)
        ]
        body, atom = mod.body(list(outs) + list(jac.ravel()), lang, stores, keep=outs)
        values = [_py_value(mod, o, atom) for o in outs]
        lines += (
            body + _py_tuple_assign("_values", values) + _py_return(["_values", "_jac"])
        )
        parts.append("\n".join(lines))
    else:
        parts.append("\n".join(_py_grad_fn(mod, params, with_hess=False)))
        if mod.hessian:
            parts.append("\n".join(_py_grad_fn(mod, params, with_hess=True)))
    return "\n\n\n".join(parts) + "\n"


def _is_zero(node) -> bool:
    return node.op == "const" and node.value == 0


def _py_grad_fn(mod: Module, params: list, with_hess: bool) -> list:
    value, n = mod.outputs[0], len(mod.wrt)
    grads = mod.grads
    assert grads is not None  # built for a single output
    if with_hess:
        fname = mod.name + "_hess"
        doc = "Value, gradient and Hessian (reverse sweeps over the gradient)."
    else:
        fname = mod.name + "_grad"
        doc = "Value and gradient: one forward pass, then one reverse pass."
    lines = _py_def(fname, params, doc) + _py_prologue(mod, True)
    lines.append(f"    _grad = np.empty(({n},) + _shape)")
    stores = [(f"_grad[{k}]", g) for k, g in enumerate(grads)]
    roots = [value] + list(grads)
    if with_hess:
        hess = mod.hess
        assert hess is not None  # built with hessian=True
        lines.append(f"    _hess = np.zeros(({n}, {n}) + _shape)")
        stores += [
            (f"_hess[{i}, {j}]", h)
            for (i, j), h in np.ndenumerate(hess)
            if not _is_zero(h)
        ]
        roots += list(hess.ravel())
    body, atom = mod.body(roots, _PyLang, stores, keep=[value])
    lines += body
    items = [_py_value(mod, value, atom), "tuple(_grad)"] + (
        ["_hess"] if with_hess else []
    )
    return lines + _py_return(items)
