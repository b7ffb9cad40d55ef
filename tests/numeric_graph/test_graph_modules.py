"""The modules of numeric.graph import one another in one direction only,
at module level, and each stays under the house limit of about 400 lines.

The imports are read from the source with ``ast`` (every ``import`` anywhere in
a module, inside functions too), so a cycle hidden behind a function-level
import is still a cycle here.
"""

import ast
from pathlib import Path

import pytest

import numeric.graph as G

PACKAGE = Path(G.__file__).resolve().parent
MODULES = sorted(p.stem for p in PACKAGE.glob("*.py") if p.stem != "__init__")
MAX_LINES = 400


def _graph_imports(path):
    """(module-level, inside-a-function) numeric.graph modules ``path`` imports."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    top, nested = set(), set()
    body_ids = {id(node) for node in tree.body}
    for node in ast.walk(tree):
        names = []
        if isinstance(node, ast.ImportFrom) and node.module:
            if node.module == "numeric.graph":
                names = [a.name for a in node.names]
            elif node.module.startswith("numeric.graph."):
                names = [node.module.split(".")[2]]
        elif isinstance(node, ast.Import):
            names = [
                a.name.split(".")[2]
                for a in node.names
                if a.name.startswith("numeric.graph.")
            ]
        names = [n for n in names if n in MODULES]
        (top if id(node) in body_ids else nested).update(names)
    return top, nested


IMPORTS = {m: _graph_imports(PACKAGE / f"{m}.py") for m in MODULES}


def test_the_package_has_the_expected_modules():
    for name in ("graph", "ops", "session", "gradients", "variables", "train"):
        assert name in MODULES


@pytest.mark.parametrize("module", MODULES)
def test_no_function_level_import_of_the_package(module):
    _, nested = IMPORTS[module]
    assert not nested, f"{module}.py imports {sorted(nested)} inside a function"


def test_module_imports_form_no_cycle():
    edges = {m: set(IMPORTS[m][0]) | set(IMPORTS[m][1]) for m in MODULES}
    # Kahn: repeatedly remove modules that import nothing left
    remaining = dict(edges)
    while remaining:
        leaves = [m for m, deps in remaining.items() if not deps & set(remaining)]
        if not leaves:
            cycle = sorted(remaining)
            pytest.fail(f"import cycle among numeric.graph modules {cycle}")
        for m in leaves:
            del remaining[m]


def test_core_graph_module_knows_nothing_of_sessions_or_ops():
    top, nested = IMPORTS["graph"]
    assert not (top | nested) & {"session", "ops", "gradients", "plan", "train"}


@pytest.mark.parametrize("module", MODULES + ["__init__"])
def test_module_is_under_the_line_limit(module):
    lines = (PACKAGE / f"{module}.py").read_text(encoding="utf-8").count("\n")
    assert lines <= MAX_LINES, f"{module}.py has {lines} lines"


# The public names of numeric.graph before the modules were split (round 2).
PUBLIC = [
    "CheckpointError",
    "ClosedSessionError",
    "FailedPreconditionError",
    "FeedError",
    "Graph",
    "GraphError",
    "NonFiniteError",
    "Operation",
    "RunMetadata",
    "Session",
    "ShapeError",
    "Tensor",
    "TensorShape",
    "Variable",
    "abs",
    "add",
    "avg_pool2d",
    "constant",
    "conv2d",
    "convert_to_tensor",
    "convolve2d",
    "correlate2d",
    "cos",
    "cross_entropy",
    "divide",
    "elu",
    "exp",
    "float64",
    "get_default_graph",
    "get_default_session",
    "global_variables",
    "global_variables_initializer",
    "gradients",
    "group",
    "identity",
    "int64",
    "leaky_relu",
    "log",
    "log_softmax",
    "logsumexp",
    "matmul",
    "max",
    "max_pool2d",
    "maximum",
    "mean",
    "minimum",
    "mse",
    "multiply",
    "name_scope",
    "negative",
    "no_op",
    "placeholder",
    "power",
    "reduce_max",
    "reduce_mean",
    "reduce_sum",
    "relu",
    "reset_default_graph",
    "reshape",
    "sigmoid",
    "sin",
    "softmax",
    "softplus",
    "sqrt",
    "subtract",
    "sum",
    "svm_loss",
    "tan",
    "tanh",
    "train",
    "trainable_variables",
    "transpose",
    "variables_initializer",
    "where",
]
TRAIN = [
    "AdamOptimizer",
    "GradientDescentOptimizer",
    "MomentumOptimizer",
    "Optimizer",
    "Saver",
    "get_global_step",
    "get_or_create_global_step",
    "latest_checkpoint",
]


def test_public_names_are_all_still_exported():
    assert set(PUBLIC) <= set(G.__all__)
    for name in PUBLIC:
        assert getattr(G, name) is not None, name
    for name in TRAIN:
        assert name in G.train.__all__ and getattr(G.train, name) is not None


def test_tensor_operators_are_installed_on_import():
    with G.Graph().as_default():
        x = G.placeholder((2, 3), name="x")
        ops = [x + 1.0, 1.0 - x, x * x, x / 2.0, x**2, -x, abs(x), x[0], x.T]
        ops += [x.reshape(3, 2), x.sum(), x.mean(axis=0), x.max(), x @ x.T]
    assert [t.op.type for t in ops] == [
        "Add", "Sub", "Mul", "RealDiv", "Pow", "Neg", "Abs", "StridedSlice",
        "Transpose", "Reshape", "Sum", "Mean", "Max", "MatMul",
    ]  # fmt: skip
