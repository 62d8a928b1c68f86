"""The example workflow graphs shipped in ``examples/``: the gallery new workflows start from."""

from __future__ import annotations

import itertools
import json
from collections.abc import Iterator
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


def copy_names(example: str) -> Iterator[str]:
    """Names for a new copy of ``example``, in the order to try them: its own name, then
    ``<name>_2``, ``<name>_3``... (workflow names are unique, deleted ones included)."""
    yield example
    for number in itertools.count(2):
        yield f"{example}_{number}"
