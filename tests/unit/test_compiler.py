"""Tests for compile_graph: determinism, loadable output, codegen details and errors."""

from __future__ import annotations

import ast
import asyncio
import json
import re
import sys
import types
from pathlib import Path
from typing import Any

import pytest
from temporalio import workflow
from temporalio.exceptions import ApplicationError

from core.activities import load_registry
from core.activities.pacing import PACE_ACTIVITY
from core.activities.spec import activity_name
from core.cli import main as cli_main
from core.codegen.literals import duration_literal, python_literal
from core.codegen.references import expression
from core.codegen.sharing import sharing_code
from core.compiler import (
    BUNDLE_FILES,
    COMPILER_VERSION,
    DEFAULT_TASK_QUEUE,
    ChildTarget,
    CompileError,
    build_options,
    children_of,
    compile_graph,
)
from core.graph import graph_from_dict, load_graph
from core.validation import GraphInvalidError
from tests.unit.graph_strategies import GraphBuilder, layout

REPO = Path(__file__).resolve().parents[2]
EXAMPLES = sorted((REPO / "examples").glob("*.json"))
DATA_ERRORS = {
    KeyError,
    IndexError,
    TypeError,
    ValueError,
    ArithmeticError,
    AttributeError,
    MemoryError,
    RecursionError,
}


def compile_example(name: str, **options: Any):
    return compile_graph(load_graph((REPO / "examples" / f"{name}.json").read_bytes()), **options)


def load_workflow(source: str) -> types.ModuleType:
    """Execute a generated workflow.py as a throwaway module (no file, no sys.path)."""
    module = types.ModuleType("generated_workflow")
    exec(compile(source, "workflow.py", "exec"), module.__dict__)
    return module


def definition(bundle) -> workflow._Definition:
    module = load_workflow(bundle.files["workflow.py"])
    cls = getattr(module, bundle.manifest["workflow_class"])
    # temporalio has no public accessor for the definition @workflow.defn attaches.
    defn = workflow._Definition.from_class(cls)
    assert defn is not None
    return defn


@pytest.mark.parametrize("example", EXAMPLES, ids=lambda path: path.stem)
def test_example_bundle_is_deterministic_and_valid_python(example: Path) -> None:
    first = compile_graph(load_graph(example.read_bytes()))
    second = compile_graph(load_graph(example.read_bytes()))
    assert tuple(first.files) == BUNDLE_FILES
    assert dict(first.files) == dict(second.files)
    assert first.digest == second.digest
    for name in ("workflow.py", "activities.py", "worker.py"):
        compile(first.files[name], name, "exec")
    assert json.loads(first.files["manifest.json"]) == dict(first.manifest)


@pytest.mark.parametrize("example", EXAMPLES, ids=lambda path: path.stem)
def test_example_workflow_class_has_the_declared_type_and_handlers(example: Path) -> None:
    graph = load_graph(example.read_bytes())
    bundle = compile_graph(graph, version=4)
    defn = definition(bundle)
    assert defn.name == f"{graph.workflow.name}_v4" == bundle.workflow_type
    assert set(defn.signals) == {signal.name for signal in graph.workflow.signals}
    built_in = {"state", "rejected-signals"} if graph.workflow.signals else {"state"}
    assert set(defn.queries) == built_in | {query.name for query in graph.workflow.queries}
    assert set(defn.failure_exception_types) == DATA_ERRORS


def test_workflow_module_imports_only_stdlib_and_temporalio() -> None:
    for example in EXAMPLES:
        tree = ast.parse(compile_example(example.stem).files["workflow.py"])
        modules = {
            alias.name if isinstance(node, ast.Import) else node.module
            for node in ast.walk(tree)
            if isinstance(node, (ast.Import, ast.ImportFrom))
            for alias in node.names
        }
        roots = {str(module).split(".")[0] for module in modules}
        assert roots <= set(sys.stdlib_module_names) | {"temporalio"}, (example.stem, roots)


def test_manifest_describes_the_bundle() -> None:
    bundle = compile_example("http_fetch_condition", version=2, default_task_queue="fetchers")
    manifest = bundle.manifest
    assert manifest["compiler_version"] == COMPILER_VERSION
    assert manifest["workflow_name"] == "http_fetch_condition"
    assert manifest["workflow_type"] == "http_fetch_condition_v2"
    assert manifest["workflow_class"] == "HttpFetchConditionWorkflow"
    assert manifest["version"] == 2
    assert manifest["task_queue"] == bundle.task_queue == "fetchers"
    assert manifest["activities"] == [
        {"name": "http_request", "module": "core.activities.builtin.http_request", "builtin": True}
    ]
    assert manifest["requirements"] == ["httpx==0.28.1", "temporalio==1.35.0"]
    assert [field["name"] for field in manifest["input_fields"]] == ["url"]
    assert len(manifest["graph_hash"]) == 64


def test_graph_hash_changes_with_the_graph_and_nothing_else() -> None:
    doc = json.loads((REPO / "examples" / "hello_activity.json").read_text())
    same = compile_graph(graph_from_dict(doc), version=1).manifest["graph_hash"]
    assert compile_graph(graph_from_dict(doc), version=2).manifest["graph_hash"] == same
    doc["nodes"][1]["label"] = "Greet them"
    assert compile_graph(graph_from_dict(doc)).manifest["graph_hash"] != same


def test_task_queue_of_the_graph_wins_over_the_default() -> None:
    doc = json.loads((REPO / "examples" / "hello_activity.json").read_text())
    doc["workflow"]["task_queue"] = "greetings"
    bundle = compile_graph(graph_from_dict(doc), default_task_queue="other")
    assert bundle.task_queue == "greetings"
    assert 'TASK_QUEUE = "greetings"' in bundle.files["worker.py"]


def test_children_choose_the_started_type_and_queue() -> None:
    plain = compile_example("child_workflow")
    assert _child_call(plain) == ("hello_activity", None)
    assert plain.manifest["child_workflows"] == [
        {
            "workflow": "hello_activity",
            "workflow_type": "hello_activity",
            "task_queue": DEFAULT_TASK_QUEUE,
        }
    ]
    target = ChildTarget(workflow_type="hello_activity_v7", task_queue="greetings")
    mapped = compile_example("child_workflow", children={"hello_activity": target})
    assert _child_call(mapped) == ("hello_activity_v7", "greetings")
    assert mapped.manifest["child_workflows"] == [
        {
            "workflow": "hello_activity",
            "workflow_type": "hello_activity_v7",
            "task_queue": "greetings",
        }
    ]


def test_a_child_target_without_a_queue_starts_on_the_parents_queue() -> None:
    target = ChildTarget(workflow_type="hello_activity_v7")
    bundle = compile_example(
        "child_workflow", children={"hello_activity": target}, default_task_queue="parents"
    )
    assert _child_call(bundle) == ("hello_activity_v7", None)
    assert bundle.manifest["child_workflows"][0]["task_queue"] == "parents"


def test_the_child_nodes_own_task_queue_wins_over_the_target() -> None:
    doc = json.loads((REPO / "examples" / "child_workflow.json").read_text())
    next(n for n in doc["nodes"] if n["id"] == "child")["params"]["task_queue"] = "mine"
    target = ChildTarget(workflow_type="hello_activity_v7", task_queue="greetings")
    bundle = compile_graph(graph_from_dict(doc), children={"hello_activity": target})
    assert _child_call(bundle) == ("hello_activity_v7", "mine")


def test_targets_of_children_the_graph_does_not_start_change_nothing() -> None:
    unused = {"other": ChildTarget(workflow_type="other_v2", task_queue="q")}
    assert compile_example("hello_activity", children=unused).files == (
        compile_example("hello_activity").files
    )


def _child_timeout(bundle) -> str | None:
    """The source of the child call's ``execution_timeout`` keyword (None when absent)."""
    call = next(
        node
        for node in ast.walk(ast.parse(bundle.files["workflow.py"]))
        if isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and node.func.attr == "execute_child_workflow"
    )
    timeout = next((kw.value for kw in call.keywords if kw.arg == "execution_timeout"), None)
    return None if timeout is None else ast.unparse(timeout)


def test_a_child_runs_with_its_workflows_run_timeout_unless_the_node_sets_one() -> None:
    target = ChildTarget(workflow_type="hello_activity_v7", run_timeout="1h")
    assert _child_timeout(compile_example("child_workflow")) is None
    bundle = compile_example("child_workflow", children={"hello_activity": target})
    assert _child_timeout(bundle) == "timedelta(hours=1)"
    doc = json.loads((REPO / "examples" / "child_workflow.json").read_text())
    next(n for n in doc["nodes"] if n["id"] == "child")["params"]["execution_timeout"] = "5m"
    own = compile_graph(graph_from_dict(doc), children={"hello_activity": target})
    assert _child_timeout(own) == "timedelta(minutes=5)"


def test_child_targets_round_trip_through_build_options() -> None:
    children = {
        "b": ChildTarget(workflow_type="b_v2", task_queue="q-b"),
        "a": ChildTarget(workflow_type="a_v1"),
        "c": ChildTarget(workflow_type="c_v3", run_timeout="30m"),
    }
    stored = build_options(children)
    assert list(stored["children"]) == ["a", "b", "c"]
    # Targets without a run timeout are stored as before it existed.
    assert stored["children"]["a"] == {"workflow_type": "a_v1", "task_queue": None}
    assert json.loads(json.dumps(stored)) == stored
    assert children_of(stored) == children
    assert children_of({}) == {}


@pytest.mark.parametrize(
    "stored",
    [{"a": "a_v1"}, {"a": {"task_queue": "q"}}, {"a": {"workflow_type": "a_v1", "task_queue": 3}}],
)
def test_a_malformed_child_target_is_a_compile_error_naming_the_child(stored) -> None:
    with pytest.raises(CompileError) as caught:
        children_of({"children": stored})
    assert caught.value.subject == "a"


def _child_call(bundle) -> tuple[str, str | None]:
    """The started type and the ``task_queue`` keyword (None when absent) of the child call."""
    tree = ast.parse(bundle.files["workflow.py"])
    call = next(
        node
        for node in ast.walk(tree)
        if isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and node.func.attr == "execute_child_workflow"
    )
    queue = next((kw.value for kw in call.keywords if kw.arg == "task_queue"), None)
    return call.args[0].value, None if queue is None else queue.value


#: A step's call: local for the built-ins that run locally by default (``echo``, ``fail``).
ACTIVITY_CALLS = ("workflow.execute_activity", "workflow.execute_local_activity")


def _module_constants(bundle) -> dict[str, str]:
    """Module-level ``NAME = value`` assignments of workflow.py, as name -> source of value."""
    tree = ast.parse(bundle.files["workflow.py"])
    return {
        stmt.targets[0].id: ast.unparse(stmt.value)
        for stmt in tree.body
        if isinstance(stmt, ast.Assign) and isinstance(stmt.targets[0], ast.Name)
    }


def test_identical_retry_policies_share_one_constant_in_first_use_order() -> None:
    doc = layout([("activity", "a", "x"), ("activity", "b", "y"), ("activity", "c", "z")])
    doc["nodes"][1]["params"] = {"activity": "echo", "args": {"value": 1}}
    doc["nodes"][2]["params"] = {
        "activity": "echo",
        "args": {"value": 2},
        "retry": {"max_attempts": 5},
    }
    doc["nodes"][3]["params"] = {"activity": "echo", "args": {"value": 3}}
    bundle = compile_graph(graph_from_dict(doc))
    tree = ast.parse(bundle.files["workflow.py"])
    used = [
        ast.unparse(keyword.value)
        for node in ast.walk(tree)
        if isinstance(node, ast.Call) and ast.unparse(node.func) in ACTIVITY_CALLS
        for keyword in node.keywords
        if keyword.arg == "retry_policy"
    ]
    assert used == ["RETRY_POLICY", "RETRY_POLICY_2", "RETRY_POLICY"]
    constants = _module_constants(bundle)
    assert "maximum_attempts=3" in constants["RETRY_POLICY"]
    assert "maximum_attempts=5" in constants["RETRY_POLICY_2"]
    assert "RETRY_POLICY_3" not in constants


def _activity_call(bundle) -> ast.Call:
    """The first activity call a step makes (not a loop's pause)."""
    tree = ast.parse(bundle.files["workflow.py"])
    return next(
        node
        for node in ast.walk(tree)
        if isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and ast.unparse(node.func) in ACTIVITY_CALLS
        and ast.unparse(node.args[0]) != repr(PACE_ACTIVITY)
    )


def _input(call: ast.Call) -> Any:
    """The call's one input object (its second argument), as a value."""
    assert not any(k.arg in ("arg", "args") for k in call.keywords)
    sent = call.args[1]
    # The object goes through _payload, which refuses data too large for Temporal.
    assert isinstance(sent, ast.Call) and ast.unparse(sent.func) == "_payload"
    return ast.literal_eval(sent.args[0])


def test_an_activity_gets_one_input_object_with_the_given_arguments_by_name() -> None:
    # log(message, level="info", fields=None): the registry's order; level is left out, so
    # the activity applies its own default.
    block = [("activity", "x", "unused")]
    doc = layout(block)
    doc["nodes"][1]["params"] = {"activity": "log", "args": {"fields": {"k": 1}, "message": "m"}}
    sent = _input(_activity_call(compile_graph(graph_from_dict(doc))))
    assert list(sent.items()) == [("message", "m"), ("fields", {"k": 1})]
    doc["nodes"][1]["params"] = {"activity": "log", "args": {"message": "m"}}
    assert _input(_activity_call(compile_graph(graph_from_dict(doc)))) == {"message": "m"}


def test_activity_options_come_from_params() -> None:
    bundle = compile_example("retry_error_branch")
    keywords = {k.arg: ast.unparse(k.value) for k in _activity_call(bundle).keywords}
    assert keywords["start_to_close_timeout"] == "timedelta(seconds=10)"
    assert keywords["retry_policy"] == "RETRY_POLICY"
    assert _module_constants(bundle)["RETRY_POLICY"] == (
        "RetryPolicy(initial_interval=timedelta(milliseconds=100), backoff_coefficient=2.0, "
        "maximum_attempts=3, maximum_interval=timedelta(seconds=1))"
    )
    assert keywords["summary"] == "'Flaky call'"


def test_plugin_activities_are_imported_under_synthetic_names_behind_wrappers() -> None:
    registry = load_registry(["tests.fixtures.plugin_activities"])
    doc = layout([("activity", "a", "x"), ("activity", "b", "y")])
    doc["nodes"][1]["params"] = {"activity": "greet", "args": {"name": "Ann"}}
    doc["nodes"][2]["params"] = {"activity": "plugin.sum_numbers", "args": {"values": [1, 2]}}
    bundle = compile_graph(graph_from_dict(doc), registry=registry)
    source = bundle.files["activities.py"]
    assert "from tests.fixtures.plugin_activities import greet as plugin_activity_1" in source
    assert "from tests.fixtures.plugin_activities import sum_numbers as plugin_activity_2" in source
    assert _registered(source) == [
        "input_object_activity('greet', plugin_activity_1)",
        "input_object_activity('plugin.sum_numbers', plugin_activity_2)",
    ]
    namespace: dict[str, Any] = {}
    exec(compile(source, "activities.py", "exec"), namespace)
    greet, sum_numbers = namespace["ACTIVITIES"]
    assert [activity_name(fn) for fn in (greet, sum_numbers)] == ["greet", "plugin.sum_numbers"]
    # Each takes one input object and calls the function with its fields by name; a
    # synchronous function gets a synchronous wrapper (Temporal runs it on a thread).
    assert asyncio.run(greet({"excited": True, "name": "Ann"})) == "Hello, Ann!"
    assert sum_numbers({"values": [1, 2], "start": 3}) == 6
    assert bundle.manifest["activity_input"] == "object"
    assert {a["name"]: a["builtin"] for a in bundle.manifest["activities"]} == {
        "greet": False,
        "plugin.sum_numbers": False,
    }


def test_an_input_object_that_does_not_fit_fails_for_good_naming_the_field() -> None:
    registry = load_registry(["tests.fixtures.plugin_activities"])
    doc = layout([("activity", "a", "x")])
    doc["nodes"][1]["params"] = {"activity": "greet", "args": {"name": "Ann"}}
    source = compile_graph(graph_from_dict(doc), registry=registry).files["activities.py"]
    namespace: dict[str, Any] = {}
    exec(compile(source, "activities.py", "exec"), namespace)
    (greet,) = namespace["ACTIVITIES"]
    for sent, message in [
        ({"name": 1}, "field 'name': Expected value to be str"),
        ({"name": "Ann", "shout": True}, "greet() has no parameter 'shout'"),
        (["Ann"], "the input must be a JSON object, not list"),
        ({"name": {"$secret": "x"}, "$secret_paths": []}, "only a Workflow Builder worker"),
    ]:
        with pytest.raises(ApplicationError, match=re.escape(message)) as caught:
            asyncio.run(greet(sent))
        assert caught.value.non_retryable


def _registered(source: str) -> list[str]:
    """The entries of ``ACTIVITIES`` in an ``activities.py``, as source."""
    (listing,) = [
        node.value
        for node in ast.parse(source).body
        if isinstance(node, ast.Assign) and ast.unparse(node.targets[0]) == "ACTIVITIES"
    ]
    assert isinstance(listing, ast.List)
    return [ast.unparse(entry) for entry in listing.elts]


def test_builtin_activities_are_sorted_by_name() -> None:
    doc = layout([("activity", "a", "x"), ("activity", "b", "y")])
    doc["nodes"][1]["params"] = {"activity": "log", "args": {"message": "m"}}
    source = compile_graph(graph_from_dict(doc)).files["activities.py"]
    assert _registered(source) == [
        "input_object_activity('echo', echo)",
        "input_object_activity('log', log)",
    ]


def test_invalid_graph_raises_with_every_problem() -> None:
    doc = layout([("activity", "a", "x")])
    doc["workflow"]["name"] = "Bad Name"
    doc["nodes"][1]["params"] = {"activity": "nope"}
    with pytest.raises(GraphInvalidError) as caught:
        compile_graph(graph_from_dict(doc))
    fields = {problem.field for problem in caught.value.problems}
    assert {"name", "activity"} <= fields


def test_bad_version_is_refused() -> None:
    with pytest.raises(CompileError, match="positive integer"):
        compile_example("hello_activity", version=0)


def _unmerged_conditions(depth: int) -> tuple[dict, str]:
    """Conditions whose arms meet only at the end (one arm may leave early): 2**depth paths.

    Returns the document and the id of the tail node every path reaches.
    """
    builder = GraphBuilder(name="blowup")
    start = builder.node("start", {"input_fields": [{"name": "flag", "type": "boolean"}]})
    end = builder.node("end", {})
    dangling = [(start, "next")]
    for _ in range(depth):
        node = builder.node("condition", {"expression": "input.flag"})
        builder.connect(dangling, node)
        left = builder.node("set_variable", {"name": "x", "expression": "1"})
        right = builder.node("condition", {"expression": "not input.flag"})
        builder.connect([(node, "true")], left)
        builder.connect([(node, "false")], right)
        builder.connect([(right, "false")], end)
        dangling = [(left, "next"), (right, "true")]
    tail = builder.node("set_variable", {"name": "x", "expression": "2"})
    builder.connect(dangling, tail)
    builder.connect([(tail, "next")], end)
    return builder.document(), tail


def test_a_merge_point_is_emitted_once_after_the_branches() -> None:
    doc = layout(
        [
            ("if", "c", [("set", "t", "a", "1")], [("set", "f", "a", "2")]),
            ("set", "tail", "b", "3"),
        ],
        input_fields=[{"name": "flag", "type": "boolean"}],
    )
    tail = next(node["id"] for node in doc["nodes"] if node["label"] == "tail")
    source = compile_graph(graph_from_dict(doc)).files["workflow.py"]
    assert source.count(f'self.step = "{tail}"') == 1


def test_steps_reached_by_unmerged_branches_are_emitted_in_each() -> None:
    doc, tail = _unmerged_conditions(2)
    source = compile_graph(graph_from_dict(doc)).files["workflow.py"]
    assert source.count(f'self.step = "{tail}"') == 4


def test_exponential_expansion_is_refused() -> None:
    doc, _ = _unmerged_conditions(12)
    with pytest.raises(GraphInvalidError, match="join earlier"):
        compile_graph(graph_from_dict(doc))


def test_branch_to_the_loop_from_inside_its_body_becomes_continue() -> None:
    # The body either goes on to the next item or leaves the loop for the step after it.
    builder = GraphBuilder(name="find_big")
    start = builder.node("start", {"input_fields": [{"name": "items", "type": "array"}]})
    loop = builder.node(
        "loop", {"items": "input.items", "collect": "item", "result_variable": "seen"}
    )
    check = builder.node("condition", {"expression": "item > 1"})
    end = builder.node("end", {"result": "'finished'"})
    builder.connect([(start, "next")], loop)
    builder.connect([(loop, "body")], check)
    builder.connect([(check, "false")], loop)
    builder.connect([(check, "true")], end)
    builder.connect([(loop, "done")], end)
    bundle = compile_graph(graph_from_dict(builder.document()))
    module = ast.parse(bundle.files["workflow.py"])
    run = next(n for n in ast.walk(module) if getattr(n, "name", None) == "run")
    loop_node = next(node for node in ast.walk(run) if isinstance(node, ast.For))
    body = ast.unparse(loop_node)
    # Collect runs before the early continue; the step after the loop is emitted inside it too.
    assert "collected_1.append(self.vars['item'])\n        continue" in body
    assert body.endswith("return 'finished'")


def test_python_literal_accepts_json_and_refuses_everything_else() -> None:
    value = {"a": [1, 2.5, None, True, "x"], "b": {}}
    assert ast.literal_eval(python_literal(value)) == value
    for bad in ({1, 2}, b"bytes", float("nan"), object(), {1: "non-text key"}):
        with pytest.raises(CompileError):
            python_literal(bad)


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("500ms", "timedelta(milliseconds=500)"),
        ("30s", "timedelta(seconds=30)"),
        ("1h30m", "timedelta(hours=1, minutes=30)"),
        ("2d", "timedelta(days=2)"),
    ],
)
def test_durations_become_readable_timedeltas(text: str, code: str) -> None:
    assert ast.unparse(duration_literal(text)) == code


def test_cli_compile_writes_the_bundle(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    out = tmp_path / "bundle"
    code = cli_main(["compile", str(REPO / "examples" / "hello_activity.json"), "--out", str(out)])
    assert code == 0
    assert sorted(p.name for p in out.iterdir()) == sorted(BUNDLE_FILES)
    assert (out / "workflow.py").read_text() == compile_example("hello_activity").files[
        "workflow.py"
    ]
    assert "hello_activity" in capsys.readouterr().out


def test_cli_compile_reports_an_invalid_graph(tmp_path: Path, capsys) -> None:
    doc = layout([("activity", "a", "x")])
    doc["nodes"][1]["params"] = {"activity": "nope"}
    graph = tmp_path / "bad.json"
    graph.write_text(json.dumps(doc))
    assert cli_main(["compile", str(graph), "--out", str(tmp_path / "out")]) == 1
    assert "unknown activity 'nope'" in capsys.readouterr().err
    assert not (tmp_path / "out").exists()


def test_expressions_and_durations_are_shared_only_within_one_generation() -> None:
    with sharing_code():
        first = expression("total + 1", where="a")
        assert expression("total + 1", where="b") is first
        assert expression("total + 1", where="q", in_query=True) is not first
        minute = duration_literal("1m")
        assert duration_literal("1m") is minute
        assert duration_literal("60s") is not minute
    assert expression("total + 1", where="c") is not first
    assert duration_literal("1m") is not minute
    assert ast.unparse(first) == "self.vars['total'] + 1"
    assert ast.unparse(minute) == "timedelta(minutes=1)"
    with sharing_code(), pytest.raises(CompileError, match="not a duration"):
        duration_literal(["1m"], where="node 'x' duration")  # type: ignore[arg-type]


def _greeting(**params: Any) -> ast.Call:
    doc = json.loads((REPO / "examples" / "hello_activity.json").read_text())
    [greet] = [node for node in doc["nodes"] if node["id"] == "greet"]
    greet["params"].update(params)
    return _activity_call(compile_graph(graph_from_dict(doc)))


def test_steps_run_locally_as_the_graph_says_else_by_the_activitys_default() -> None:
    # echo finishes at once and changes nothing: local unless the graph says otherwise.
    assert ast.unparse(_greeting().func) == "workflow.execute_local_activity"
    assert ast.unparse(_greeting(local=False).func) == "workflow.execute_activity"
    # Its default holds only on the workflow's own queue (a local activity has none).
    elsewhere = _greeting(task_queue="elsewhere")
    assert ast.unparse(elsewhere.func) == "workflow.execute_activity"
    assert "task_queue" in {keyword.arg for keyword in elsewhere.keywords}
    # log writes to the worker's log: regular unless asked.
    assert ast.unparse(_greeting(activity="log", args={"message": "hi"}).func) == (
        "workflow.execute_activity"
    )
    asked = _greeting(activity="log", args={"message": "hi"}, local=True)
    assert ast.unparse(asked.func) == "workflow.execute_local_activity"


def test_a_local_steps_error_branch_catches_what_a_local_activity_raises() -> None:
    doc = json.loads((REPO / "examples" / "retry_error_branch.json").read_text())
    regular = compile_graph(graph_from_dict(doc)).files["workflow.py"]
    assert "except ActivityError as err:" in regular  # fail stays a regular activity
    [call] = [node for node in doc["nodes"] if node["id"] == "call"]
    call["params"]["local"] = True
    local = compile_graph(graph_from_dict(doc)).files["workflow.py"]
    # A failed local activity raises its ApplicationError unwrapped; a timed-out one raises
    # ActivityError (temporalio 1.35, tried on the dev server).
    assert "except (ActivityError, ApplicationError) as err:" in local


def test_a_steps_heartbeat_timeout_overrides_the_activitys_own() -> None:
    doc = json.loads((REPO / "examples" / "http_fetch_condition.json").read_text())
    [fetch] = [node for node in doc["nodes"] if node["id"] == "fetch"]

    def heartbeat() -> str:
        [call] = [
            node
            for node in ast.walk(
                ast.parse(compile_graph(graph_from_dict(doc)).files["workflow.py"])
            )
            if isinstance(node, ast.Call) and ast.unparse(node.func) == "workflow.execute_activity"
        ]
        [keyword] = [k for k in call.keywords if k.arg == "heartbeat_timeout"]
        return ast.unparse(keyword.value)

    own = heartbeat()
    fetch["params"]["heartbeat_timeout"] = "45s"
    assert heartbeat() == "timedelta(seconds=45)" != own
