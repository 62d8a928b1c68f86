"""The example workflow graphs shipped in ``examples/``: the gallery new workflows start from."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from core.config import REPO_ROOT

EXAMPLES_DIR = REPO_ROOT / "examples"


@dataclass(frozen=True)
class Example:
    """One example graph file."""

    name: str
    description: str
    path: Path
    document: dict[str, Any]


def list_examples(directory: Path = EXAMPLES_DIR) -> list[Example]:
    """Every ``*.json`` example in ``directory``, sorted by file name."""
    examples = []
    for path in sorted(directory.glob("*.json")):
        document = json.loads(path.read_text(encoding="utf-8"))
        workflow = document.get("workflow", {})
        examples.append(
            Example(
                name=str(workflow.get("name", path.stem)),
                description=str(workflow.get("description", "")),
                path=path,
                document=document,
            )
        )
    return examples


def get_example(name: str, directory: Path = EXAMPLES_DIR) -> Example:
    """The example whose workflow name is ``name``.

    Raises:
        KeyError: there is no such example.
    """
    for example in list_examples(directory):
        if example.name == name:
            return example
    raise KeyError(name)
