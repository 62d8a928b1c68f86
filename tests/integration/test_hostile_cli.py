"""A sample of the hostile corpus through ``python -m core run``, as a user at a shell would:
a graph or input refused exits 2 saying why, a run that fails exits 1 naming its step, a good
one exits 0; never a traceback."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tests.hostile_corpus import ECHO_GRAPH, corpus
from tests.integration.cli import core_cli

ITEMS = {item.id: item for item in corpus()}

#: (corpus item, exit code, what stderr must say): 2 unreadable, 1 refused by validation or
#: failed at run time, 0 completed.
GRAPH_CASES = [
    ("expr_refused_0", 1, "node calc: expression"),
    ("name_workflow_0", 1, "is not a valid workflow name"),
    ("queue_workflow_2", 1, "task_queue"),
    ("graph_ladder_40", 1, "join earlier"),
    ("text_surrogate_label", 2, "surrogate"),
    ("expr_repeat_huge_n", 1, "step 'calc'"),
    ("expr_div_zero", 1, "step 'calc'"),
    ("graph_timer_negative", 1, "step 'wait'"),
    ("expr_sum_lists_small", 0, ""),
    ("text_code_label", 0, ""),
]

#: Input files refused before anything runs (exit 2), written as a user's file would be
#: (Python's json module itself refuses to write the first two).
INPUT_FILES = {
    "deep_10000": '{"s": ' + '{"a": ' * 10_000 + "1" + "}" * 10_000 + "}",
    "int_5001_digits": '{"n": ' + "9" * 5001 + "}",
    "text_3mb": json.dumps({"s": "x" * 3_000_000}),
    "list_not_object": "[1, 2, 3]",
    "surrogate_key": '{"\\udfff": 1}',
    "not_json": "{'s': 'single quotes'}",
}


def _write(path: Path, value: Any) -> Path:
    # JSON escapes unpaired surrogates, as a file would carry them.
    path.write_text(json.dumps(value), encoding="utf-8")
    return path


@pytest.mark.parametrize(("item_id", "code", "says"), GRAPH_CASES)
def test_run_on_hostile_graphs_exits_with_a_clear_message(
    item_id: str, code: int, says: str, cli_env: dict[str, str], tmp_path: Path, task_queue: str
) -> None:
    item = ITEMS[item_id]
    graph = _write(tmp_path / "graph.json", item.document)
    run_input = _write(tmp_path / "input.json", item.run_input or {})
    done = core_cli(
        "run", str(graph), "--input", f"@{run_input}", "--task-queue", task_queue, env=cli_env
    )
    assert "Traceback" not in done.stdout + done.stderr
    assert done.returncode == code, done.stderr
    assert says in done.stderr


@pytest.mark.parametrize("case_id", sorted(INPUT_FILES))
def test_run_refuses_hostile_input_files_with_exit_2(
    case_id: str, cli_env: dict[str, str], tmp_path: Path, task_queue: str
) -> None:
    graph = _write(tmp_path / "graph.json", ECHO_GRAPH)
    run_input = tmp_path / "input.json"
    run_input.write_text(INPUT_FILES[case_id], encoding="utf-8")
    done = core_cli(
        "run", str(graph), "--input", f"@{run_input}", "--task-queue", task_queue, env=cli_env
    )
    assert "Traceback" not in done.stdout + done.stderr
    assert done.returncode == 2, done.stderr
    assert "--input" in done.stderr or "input" in done.stderr
