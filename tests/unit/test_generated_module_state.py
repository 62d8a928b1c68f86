"""Generated workflow modules keep no state of their own: the managed workers pass them through
the workflow sandbox (core.runtime.sandbox), so one module serves every run of its version."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

GOLDEN = Path(__file__).parents[1] / "golden"
MODULES = sorted(GOLDEN.glob("*/workflow.py"))

# Methods that change a dict, list or set in place.
MUTATORS = {
    "append",
    "extend",
    "insert",
    "remove",
    "pop",
    "popitem",
    "clear",
    "update",
    "setdefault",
    "add",
    "discard",
    "sort",
    "reverse",
    "__setitem__",
    "__delitem__",
}
# What a function may do with a module-level dict, list or set: read an item, look a key up,
# or deep-copy it.
READS = {"get", "items", "keys", "values", "copy"}


def mutable_globals(tree: ast.Module) -> set[str]:
    """Module-level names bound to a dict, list or set (a display or a comprehension)."""
    containers = (ast.Dict, ast.List, ast.Set, ast.DictComp, ast.ListComp, ast.SetComp)
    names: set[str] = set()
    for statement in tree.body:
        if isinstance(statement, ast.Assign) and isinstance(statement.value, containers):
            names |= {t.id for t in statement.targets if isinstance(t, ast.Name)}
        elif (
            isinstance(statement, ast.AnnAssign)
            and isinstance(statement.value, containers)
            and isinstance(statement.target, ast.Name)
        ):
            names.add(statement.target.id)
    return names


def state_problems(source: str) -> list[str]:
    """Where functions of a generated module could change or hand out its module state."""
    tree = ast.parse(source)
    shared = mutable_globals(tree)
    problems: list[str] = []
    parents = {child: node for node in ast.walk(tree) for child in ast.iter_child_nodes(node)}
    for function in ast.walk(tree):
        if not isinstance(function, ast.FunctionDef | ast.AsyncFunctionDef):
            continue
        for node in ast.walk(function):
            where = f"{function.name}, line {getattr(node, 'lineno', '?')}"
            if isinstance(node, ast.Global | ast.Nonlocal):
                problems.append(f"{where}: rebinds {', '.join(node.names)}")
            if not (isinstance(node, ast.Name) and node.id in shared):
                continue
            parent = parents[node]
            if isinstance(parent, ast.Subscript) and parent.value is node:
                if not isinstance(parent.ctx, ast.Load):
                    problems.append(f"{where}: writes an item of {node.id}")
            elif isinstance(parent, ast.Attribute) and parent.value is node:
                if parent.attr in MUTATORS or parent.attr not in READS:
                    problems.append(f"{where}: calls {node.id}.{parent.attr}")
            elif isinstance(parent, ast.Compare) and node is not parent.left:
                pass  # `key in NAME`
            elif (
                isinstance(parent, ast.Call)
                and ast.unparse(parent.func) == "copy.deepcopy"
                and node in parent.args
            ):
                pass
            else:
                problems.append(f"{where}: {node.id} escapes ({ast.unparse(parent)[:60]})")
    return sorted(problems)


@pytest.mark.parametrize("path", MODULES, ids=lambda p: p.parent.name)
def test_generated_workflow_modules_never_change_their_module_state(path: Path):
    assert state_problems(path.read_text()) == []


def test_the_check_catches_state_a_function_changes_or_hands_out():
    source = """
CACHE = {}
SEEN: list[int] = []
LIMITS = {"a": 1}


def remember(key, value):
    CACHE[key] = value
    SEEN.append(key)
    return LIMITS


def fine(key):
    return LIMITS.get(key), LIMITS[key], key in LIMITS
"""
    assert state_problems(source) == [
        "remember, line 10: LIMITS escapes (return LIMITS)",
        "remember, line 8: writes an item of CACHE",
        "remember, line 9: calls SEEN.append",
    ]


def test_every_example_is_checked():
    examples = sorted(Path(__file__).parents[2].joinpath("examples").glob("*.json"))
    assert {p.parent.name for p in MODULES} >= {p.stem for p in examples}
