"""Export zips: fixed contents and bytes, a README that says how to run them."""

from __future__ import annotations

import io
import json
import zipfile

from core.compiler import compile_graph
from core.deploy.export import export_zip
from core.examples import EXAMPLES_DIR
from core.graph import load_graph


def bundle(example: str):
    graph = load_graph((EXAMPLES_DIR / f"{example}.json").read_text(encoding="utf-8"))
    return compile_graph(graph, version=4, default_task_queue="orders")


def test_zip_holds_the_bundle_requirements_and_readme_under_one_folder():
    built = bundle("http_fetch_condition")
    with zipfile.ZipFile(io.BytesIO(export_zip(built))) as archive:
        names = archive.namelist()
        files = {name.split("/", 1)[1]: archive.read(name).decode() for name in names}
    assert {name.split("/")[0] for name in names} == {"http_fetch_condition_v4"}
    assert list(files) == [
        "workflow.py",
        "activities.py",
        "worker.py",
        "manifest.json",
        "requirements.txt",
        "README.md",
    ]
    for name in ("workflow.py", "activities.py", "worker.py", "manifest.json"):
        assert files[name] == built.files[name]
    assert (
        files["requirements.txt"].splitlines() == json.loads(files["manifest.json"])["requirements"]
    )
    assert "--task-queue" in files["README.md"] and "`orders`" in files["README.md"]
    assert "Plugin activities" not in files["README.md"]


def test_same_bundle_same_bytes():
    assert export_zip(bundle("hello_activity")) == export_zip(bundle("hello_activity"))
