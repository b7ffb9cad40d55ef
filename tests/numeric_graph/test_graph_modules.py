"""The modules of numeric.graph import one another in one direction only,
at module level.

The imports are read from the source with ``ast`` (``tests/import_graph.py``:
every ``import`` anywhere in a module, inside functions too). Cycles and the
line limit are checked for every module of the project in
``tests/test_module_structure.py``; this file pins numeric.graph's own
layering.
"""

import pytest
from import_graph import import_graph

import numeric.graph as G

PACKAGE = "numeric.graph"
GRAPH = import_graph()
MODULES = sorted(m.split(".")[2] for m in GRAPH if m.startswith(PACKAGE + "."))


def _graph_imports(module):
    """(module-level, inside-a-function) numeric.graph modules ``module`` imports."""
    top, nested = set(), set()
    for e in GRAPH[f"{PACKAGE}.{module}"]:
        if e.target.startswith(PACKAGE + "."):
            (nested if e.nested else top).add(e.target.split(".")[2])
    return top, nested


IMPORTS = {m: _graph_imports(m) for m in MODULES}


def test_the_package_has_the_expected_modules():
    for name in ("graph", "ops", "session", "gradients", "variables", "train"):
        assert name in MODULES


@pytest.mark.parametrize("module", MODULES)
def test_no_function_level_import_of_the_package(module):
    _, nested = IMPORTS[module]
    assert not nested, f"{module}.py imports {sorted(nested)} inside a function"


def test_core_graph_module_knows_nothing_of_sessions_or_ops():
    top, nested = IMPORTS["graph"]
    assert not (top | nested) & {"session", "ops", "gradients", "plan", "train"}


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
