"""Golden files: every example graph compiles to exactly the bundle stored in tests/golden.

After an intended change to the generated code, regenerate them and review the diff:

    WB_UPDATE_GOLDEN=1 ./wb test tests/unit/test_compiler_golden.py
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from core.compiler import BUNDLE_FILES, compile_graph
from core.graph import load_graph

REPO = Path(__file__).resolve().parents[2]
EXAMPLES = sorted((REPO / "examples").glob("*.json"))
GOLDEN = REPO / "tests" / "golden"
UPDATE = os.environ.get("WB_UPDATE_GOLDEN") == "1"


def test_every_example_has_golden_files() -> None:
    assert EXAMPLES, "no example graphs found"
    assert sorted(p.name for p in GOLDEN.iterdir() if p.is_dir()) == [p.stem for p in EXAMPLES]


@pytest.mark.parametrize("example", EXAMPLES, ids=lambda path: path.stem)
def test_example_compiles_to_its_golden_bundle(example: Path) -> None:
    bundle = compile_graph(load_graph(example.read_bytes()))
    folder = GOLDEN / example.stem
    if UPDATE:
        folder.mkdir(parents=True, exist_ok=True)
        for name in BUNDLE_FILES:
            (folder / name).write_text(bundle.files[name], encoding="utf-8")
    for name in BUNDLE_FILES:
        expected = (folder / name).read_text(encoding="utf-8")
        assert bundle.files[name] == expected, (
            f"{example.stem}/{name} differs from its golden file; if the change is intended, "
            "run WB_UPDATE_GOLDEN=1 ./wb test tests/unit/test_compiler_golden.py"
        )
