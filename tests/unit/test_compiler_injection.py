"""Injection: user text in every field reaches generated code only as string constants."""

from __future__ import annotations

import ast
import io
import json
import re
import tokenize

import pytest

from core.compiler import compile_graph
from core.compiler.workflow_module import bounds_source
from core.graph import graph_from_dict
from tests.hostile_corpus import code_outside_strings
from tests.unit.graph_strategies import GraphBuilder

MARK = "INJECT"
CORPUS = [
    f"{MARK} \"quotes\" and 'single'",
    f"{MARK} \"\"\"triple\"\"\" '''quotes'''",
    f"{MARK} new\nline\r\n and tab\t",
    f"{MARK} back\\slash\\n \\x00 \\",
    f"{MARK} __import__('os').system('echo pwned')",
    f'{MARK} "); import os; ("',
    f"{MARK} '); import os; ('",
    f"{MARK} {{self.vars}} {{0}} %s %(x)s",
    f"{MARK} # not a comment",
    f"{MARK} unicode: é ß 漢字 🙂 \u202e \u2028 \x7f",
    f"{MARK} " + "x" * 10_000,
]


def _queue_name(text: str) -> str:
    """The text as a task queue may hold it: no control characters, at most 300 characters."""
    return re.sub(r"[\x00-\x1f\x7f]", " ", text)[:300].strip()


def _injected_graph(text: str) -> dict:
    short = text[:300]  # expressions are limited to 2,000 characters
    queue = _queue_name(text)
    literal = repr(short)
    builder = GraphBuilder(name="injected")
    builder.workflow = {
        "description": text,
        "task_queue": queue,
        "signals": [
            {
                "name": "approve",
                "description": text,
                "fields": [{"name": "by", "type": "string", "default": text, "description": text}],
            }
        ],
        "queries": [{"name": "peek", "description": text, "expression": f"greeting + {literal}"}],
    }
    fields = [
        {"name": "who", "type": "string", "default": text, "description": text},
        {"name": "tags", "type": "array", "default": [text, {"k": text}]},
    ]
    start = builder.node("start", {"input_fields": fields}, text)
    greet = builder.node(
        "activity",
        {
            "activity": "echo",
            "args": {"value": {"expr": f"{literal} + input.who + f'<{{input.who}}>'"}},
            "result_variable": "greeting",
            "task_queue": queue,
            "retry": {"non_retryable_error_types": [text]},
        },
        text,
    )
    log = builder.node("activity", {"activity": "log", "args": {"message": text}}, text)
    switch = builder.node("switch", {"expression": "input.who", "cases": [short, "plain"]}, text)
    wait = builder.node(
        "wait_signal", {"signal": "approve", "variable": "decision", "timeout": "1m"}, text
    )
    child = builder.node(
        "child_workflow",
        {
            "workflow": "other",
            "input": {"note": text, "who": {"expr": literal}},
            "task_queue": queue,
        },
        text,
    )
    timer = builder.node("timer", {"duration": "1s"}, text)
    end = builder.node("end", {"result": f"{{{literal}: greeting, 'x': [{literal}]}}"}, text)
    builder.connect([(start, "next")], greet)
    builder.connect([(greet, "next")], log)
    builder.connect([(log, "next")], switch)
    builder.connect([(switch, short), (switch, "plain")], wait)
    builder.connect([(switch, "default")], child)
    builder.connect([(wait, "next"), (wait, "timeout")], timer)
    builder.connect([(child, "next")], timer)
    builder.connect([(timer, "next")], end)
    return builder.document()


def _string_constants(tree: ast.AST) -> set[str]:
    return {
        node.value
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant) and isinstance(node.value, str)
    }


@pytest.mark.parametrize("text", CORPUS, ids=range(len(CORPUS)))
def test_user_text_is_only_ever_a_string_constant(text: str) -> None:
    bundle = compile_graph(graph_from_dict(_injected_graph(text)))
    for name in ("workflow.py", "worker.py", "activities.py"):
        source = bundle.files[name]
        tree = ast.parse(source)
        # Outside string constants, no trace of the text: no name, call, attribute, or code.
        assert MARK not in code_outside_strings(tree), name
        comments = [
            token.string
            for token in tokenize.generate_tokens(io.StringIO(source).readline)
            if token.type == tokenize.COMMENT
        ]
        assert not any(MARK in comment for comment in comments), name
    workflow_tree = ast.parse(bundle.files["workflow.py"])
    constants = _string_constants(workflow_tree)
    short = text[:300]
    # Labels, descriptions, literals, defaults, queue names and case values arrive intact.
    assert {text, short} <= constants
    assert json.loads(bundle.files["manifest.json"])["task_queue"] == _queue_name(text)
    assert _queue_name(text) in _string_constants(ast.parse(bundle.files["worker.py"]))


def test_generated_names_come_from_a_fixed_vocabulary() -> None:
    bundle = compile_graph(graph_from_dict(_injected_graph(CORPUS[5])))
    tree = ast.parse(bundle.files["workflow.py"])
    names = {node.id for node in ast.walk(tree) if isinstance(node, ast.Name)}
    synthetic = {
        n
        for n in names
        if n.split("_")[0] in {"switch", "items", "item", "branch"}
        or re.fullmatch(r"RETRY_POLICY(_[0-9]+)?", n)
    }
    fixed = {
        "ActivityError", "AnyWorkflow", "Any", "ApplicationError", "ArithmeticError",
        "AttributeError", "BaseException", "ChildWorkflowError", "DATA_ERRORS", "DEFAULTS",
        "Exception", "IndexError", "KeyError", "REQUIRED", "RetryPolicy", "TypeError",
        "ValueError", "WORKFLOW_TYPE", "_data_error", "_failure_message", "_prepare_input",
        "asyncio", "bool", "copy", "dict", "err", "field", "getattr", "isinstance", "len",
        "list", "missing", "payload", "raw", "self", "step", "str", "timedelta", "type", "values",
        "workflow", "workflow_input",
    }  # fmt: skip
    # The run-time bounds copied from core.bounds, and the names their code uses.
    bounds = {
        getattr(node, "id", None) or getattr(node, "name", None)
        for node in ast.walk(ast.parse(bounds_source()))
        if isinstance(node, (ast.Name, ast.FunctionDef))
    }
    others = {"MemoryError", "RecursionError", "_pace", "state", "detail", "loop", "paced"}
    # Signal payload checks (the injected graph declares a signal).
    others |= {"_FIELD_TYPES", "_payload_problem", "problem", "declared", "fields", "key"}
    others |= {"kind", "required", "value", "_", "float", "int"}
    assert names - synthetic <= fixed | bounds | others
