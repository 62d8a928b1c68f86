"""``python -m core run`` before any server: bad input exits 2 with a message, siblings are
read only when a child names them, and run folders of dead processes are removed."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections.abc import Callable

import pytest

from core.activities import builtin_registry
from core.config import REPO_ROOT
from core.graph import Graph
from core.runtime.runner import (
    RUN_FOLDER_PREFIX,
    compile_family,
    remove_leftover_run_folders,
    run_folder,
)
from core.validation import GraphInvalidError

EXAMPLES = REPO_ROOT / "examples"
HELLO = EXAMPLES / "hello_activity.json"


def run_cli(*args: str) -> subprocess.CompletedProcess[str]:
    # No Temporal address: were the input accepted, the embedded server would start; every
    # case here is refused before that.
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TEMPORAL_", "WB_"))}
    return subprocess.run(
        [sys.executable, "-m", "core", "run", *args],
        cwd=REPO_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )


@pytest.mark.parametrize(
    ("given", "message"),
    [
        ("[1]", "--input JSON: input: must be a JSON object of input fields, not an array"),
        ('{"name": ', "--input JSON: input, line 1, column 10: malformed JSON: Expecting value"),
        (
            '{"name": ' + "9" * 5_001 + "}",
            "--input JSON: input, line 1, column 10: an integer of 5,001 digits; at most 1,000",
        ),
        (
            '{"a":' * 10_000 + "1" + "}" * 10_000,
            "--input JSON: input.a.a.a.a.<56 levels>.a.a.a.a (line 1, column 321): nested more "
            "than 64 objects or arrays deep",
        ),
        ('{"name": NaN}', "--input JSON: input: NaN is not a JSON number"),
        ('{"name": "\\udfff"}', "--input JSON: input.name: holds a lone surrogate"),
        ('{"nope": 1}', "input field 'nope': the workflow has no such input field (it takes name)"),
        ('{"name": 5}', "input field 'name': expected a value of type string"),
        ("{}", "input field 'name': is required"),
    ],
)
def test_bad_input_exits_2_with_a_message(given, message):
    done = run_cli(str(HELLO), "--input", given)
    assert (done.returncode, done.stdout) == (2, ""), done.stderr
    assert done.stderr.startswith(f"error: {message}")
    assert "Traceback" not in done.stderr


def test_a_task_queue_temporal_would_refuse_exits_2():
    done = run_cli(str(HELLO), "--input", '{"name": "a"}', "--task-queue", "q" * 10_000)
    assert done.returncode == 2
    assert done.stderr == (
        "error: --task-queue: the task queue name is 10000 bytes long; Temporal accepts at "
        "most 1000\n"
    )


def test_input_from_a_file(tmp_path):
    too_big = tmp_path / "big.json"
    too_big.write_text(json.dumps({"name": "é" * 300_000}))
    done = run_cli(str(HELLO), "--input", f"@{too_big}")
    assert done.returncode == 2
    assert done.stderr.startswith(f"error: --input @{too_big}: input: ")
    assert "bytes as JSON; at most 1,572,864 may be sent" in done.stderr
    missing = run_cli(str(HELLO), "--input", f"@{tmp_path / 'nope.json'}")
    assert missing.returncode == 2
    assert "cannot read the file (No such file or directory)" in missing.stderr
    assert "Traceback" not in missing.stderr + done.stderr


def test_an_unreadable_graph_exits_2(tmp_path):
    graph = tmp_path / "deep.json"
    graph.write_text('{"format": "workflow-builder/1", "workflow": ' + "[" * 9_000 + "]" * 9_000)
    done = run_cli(str(graph))
    assert done.returncode == 2
    assert "nested more than 64 objects or arrays deep" in done.stderr
    assert "Traceback" not in done.stderr


def test_children_are_found_among_broken_neighbours(tmp_path):
    shutil.copy(EXAMPLES / "child_workflow.json", tmp_path / "parent.json")
    # The child under another file name, between neighbours no reader could parse.
    shutil.copy(HELLO, tmp_path / "greeter.json")
    (tmp_path / "a_broken.json").write_text('{"format": ')
    (tmp_path / "b_deep.json").write_text("[" * 100_000 + "]" * 100_000)
    (tmp_path / "c_not_utf8.json").write_bytes(b"\xff\xfe hello_activity")
    (tmp_path / "d_unreadable.json").mkdir()  # a folder named like a file: reading fails
    family = compile_family(
        tmp_path / "parent.json", registry=builtin_registry(), default_task_queue="q"
    )
    assert [bundle.workflow_type for bundle in family.children] == ["hello_activity"]


def test_a_child_node_naming_no_workflow_is_left_to_validation(tmp_path):
    document = json.loads((EXAMPLES / "child_workflow.json").read_text())
    (child,) = [node for node in document["nodes"] if node["type"] == "child_workflow"]
    child["params"]["workflow"] = 7
    (tmp_path / "parent.json").write_text(json.dumps(document))
    with pytest.raises(GraphInvalidError) as raised:
        compile_family(
            tmp_path / "parent.json", registry=builtin_registry(), default_task_queue="q"
        )
    assert [(p.subject, p.field) for p in raised.value.problems] == [(child["id"], "workflow")]


def test_neighbours_are_parsed_only_when_they_name_the_child(tmp_path, monkeypatch):
    from core.runtime import runner

    shutil.copy(EXAMPLES / "child_workflow.json", tmp_path / "parent.json")
    shutil.copy(HELLO, tmp_path / "hello_activity.json")
    for index in range(5):
        shutil.copy(EXAMPLES / "foreach_loop.json", tmp_path / f"other_{index}.json")
    parsed: list[bytes] = []
    monkeypatch.setattr(runner, "load_graph", _recording(runner.load_graph, parsed))
    compile_family(tmp_path / "parent.json", registry=builtin_registry(), default_task_queue="q")
    assert parsed == [(tmp_path / "parent.json").read_bytes(), HELLO.read_bytes()]


def test_a_graph_without_children_reads_no_neighbour(tmp_path, monkeypatch):
    from core.runtime import runner

    shutil.copy(HELLO, tmp_path / "hello_activity.json")
    (tmp_path / "broken.json").write_text("{")
    opened: list[bytes] = []
    monkeypatch.setattr(runner, "load_graph", _recording(runner.load_graph, opened))
    family = compile_family(
        tmp_path / "hello_activity.json", registry=builtin_registry(), default_task_queue="q"
    )
    assert family.children == () and len(opened) == 1


def _recording(load: Callable[[bytes], Graph], texts: list[bytes]) -> Callable[[bytes], Graph]:
    def record(text: bytes) -> Graph:
        texts.append(text)
        return load(text)

    return record


def test_run_folders_of_dead_processes_are_removed(tmp_path):
    gone = subprocess.Popen([sys.executable, "-c", "pass"])
    gone.wait()
    dead = tmp_path / f"{RUN_FOLDER_PREFIX}{gone.pid}-abc"
    alive = tmp_path / f"{RUN_FOLDER_PREFIX}{os.getpid()}-def"
    other = tmp_path / f"{RUN_FOLDER_PREFIX}xyz"  # an older name without a pid: left alone
    for folder in (dead, alive, other):
        (folder / "bundle").mkdir(parents=True)
    assert remove_leftover_run_folders(tmp_path) == [dead]
    assert not dead.exists() and alive.exists() and other.exists()


def test_run_folder_is_named_for_the_process_and_removed(tmp_path, monkeypatch):
    monkeypatch.setattr("tempfile.tempdir", str(tmp_path))
    with pytest.raises(KeyboardInterrupt), run_folder() as root:
        assert root.name.startswith(f"{RUN_FOLDER_PREFIX}{os.getpid()}-")
        (root / "workflow.py").write_text("")
        raise KeyboardInterrupt
    assert list(tmp_path.iterdir()) == []
