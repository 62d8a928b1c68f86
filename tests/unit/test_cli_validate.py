"""``python -m core validate``: output lines and exit codes, run as a real subprocess."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = sorted((ROOT / "examples").glob("*.json"))


def validate(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "core", "validate", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_every_example_prints_ok():
    for path in EXAMPLES:
        result = validate(str(path))
        assert (result.returncode, result.stdout) == (0, "OK\n"), result.stderr


def test_invalid_graph_prints_one_line_per_problem_and_exits_1(tmp_path: Path):
    document = json.loads((ROOT / "examples" / "hello_activity.json").read_text())
    document["nodes"][1]["params"]["activity"] = "send_fax"
    document["nodes"][2]["params"]["result"] = "lambda: 1"
    path = tmp_path / "broken.json"
    path.write_text(json.dumps(document))
    result = validate(str(path))
    assert result.returncode == 1
    lines = result.stdout.splitlines()
    assert len(lines) == 2
    assert lines[0].startswith("node greet: activity: unknown activity 'send_fax'")
    assert lines[1].startswith("node end: result: lambda")


def test_json_output(tmp_path: Path):
    document = json.loads((ROOT / "examples" / "hello_activity.json").read_text())
    document["edges"].pop()
    path = tmp_path / "broken.json"
    path.write_text(json.dumps(document))
    result = validate(str(path), "--json")
    assert result.returncode == 1
    payload = json.loads(result.stdout)
    assert payload["valid"] is False
    assert {
        "scope": "node",
        "id": "greet",
        "field": "edges.next",
        "message": "connect the 'next' output",
    } in payload["problems"]
    ok = json.loads(validate(str(EXAMPLES[0]), "--json").stdout)
    assert ok == {"valid": True, "problems": []}


@pytest.mark.parametrize(
    ("content", "fragment"),
    [
        ('{"format": "workflow-builder/1",', "line 1, column 33: malformed JSON"),
        ('{"format": "workflow-builder/9", "workflow": {"name": "x"}}', "expected format"),
        ('{"format": "workflow-builder/1", "workflow": {}}', "workflow.name: is required"),
        (
            '{"format": "workflow-builder/1", "workflow": {"name": "x", "description": '
            + "[" * 10_000
            + "]" * 10_000
            + "}}",
            "workflow.description[0][0].<56 levels>[0][0][0][0] (line 1, column 137): "
            "nested more than 64 objects or arrays deep",
        ),
        (
            '{"format": "workflow-builder/1", "workflow": {"name": "x", "description": '
            + "1" * 5_001
            + "}}",
            "line 1, column 75: an integer of 5,001 digits; at most 1,000",
        ),
        (
            '{"format": "workflow-builder/1", "workflow": {"name": "x\\udfff"}}',
            "workflow.name: holds a lone surrogate",
        ),
    ],
)
def test_unreadable_input_exits_2_with_position(tmp_path: Path, content: str, fragment: str):
    path = tmp_path / "graph.json"
    path.write_text(content)
    result = validate(str(path))
    assert result.returncode == 2
    assert fragment in result.stderr
    assert "Traceback" not in result.stderr


def test_missing_file_exits_2(tmp_path: Path):
    result = validate(str(tmp_path / "nope.json"))
    assert result.returncode == 2
    assert "No such file" in result.stderr
