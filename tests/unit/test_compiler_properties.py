"""Property: every valid structured graph compiles, deterministically, to loadable code."""

from __future__ import annotations

import ast

from hypothesis import HealthCheck, given, settings

from core.compiler import compile_graph
from core.graph import graph_from_dict
from tests.unit.graph_strategies import structured_graphs


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(structured_graphs())
def test_random_structured_graphs_compile(document: dict) -> None:
    graph = graph_from_dict(document)
    bundle = compile_graph(graph)
    source = bundle.files["workflow.py"]
    compile(source, "workflow.py", "exec")
    tree = ast.parse(source)
    # Every drawn step except start and join is emitted at least once.
    steps = {
        node.value.value
        for node in ast.walk(tree)
        if isinstance(node, ast.Assign)
        and isinstance(node.targets[0], ast.Attribute)
        and node.targets[0].attr == "step"
        and isinstance(node.value, ast.Constant)
        and node.value.value
    }
    assert steps == {n.id for n in graph.nodes if n.type not in ("start", "join")}
    # Labels of activities and timers reach Temporal's UI as summaries, intact.
    constants = {n.value for n in ast.walk(tree) if isinstance(n, ast.Constant)}
    labels = {n.label for n in graph.nodes if n.label and n.type in ("activity", "timer")}
    assert labels <= constants
    assert compile_graph(graph_from_dict(document)).files == bundle.files
