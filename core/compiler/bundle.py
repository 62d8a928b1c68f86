"""A compiled workflow: the files of one version, ready to be written, loaded or exported."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

#: The files every bundle holds, in the order they are hashed and written.
BUNDLE_FILES = ("workflow.py", "activities.py", "worker.py", "manifest.json")
#: The manifest's ``activity_input`` of bundles whose workflow calls each activity with one
#: input object (compiler version 4 on); older manifests lack it: positional arguments.
INPUT_OBJECT = "object"


@dataclass(frozen=True)
class Bundle:
    """The output of :func:`core.compiler.compile_graph`.

    Attributes:
        files: file name -> text, exactly the names in :data:`BUNDLE_FILES`.
        manifest: the parsed ``manifest.json`` (workflow type, task queue, graph hash, compiler
            version, signals, queries, activities, requirements, workflow class name).
    """

    files: Mapping[str, str]
    manifest: Mapping[str, Any]

    @classmethod
    def from_files(cls, files: Mapping[str, str]) -> Bundle:
        """The bundle of these files (``manifest.json`` parsed).

        Raises:
            ValueError: a bundle file is missing, or the manifest is not a JSON object.
        """
        missing = [name for name in BUNDLE_FILES if name not in files]
        if missing:
            raise ValueError(f"no {', '.join(missing)}: a bundle holds {', '.join(BUNDLE_FILES)}")
        try:
            manifest = json.loads(files["manifest.json"])
        except json.JSONDecodeError as exc:
            raise ValueError(f"manifest.json is not JSON: {exc}") from None
        if not isinstance(manifest, dict):
            raise ValueError("manifest.json must hold a JSON object")
        return cls(files={name: files[name] for name in BUNDLE_FILES}, manifest=manifest)

    @property
    def workflow_type(self) -> str:
        """The Temporal workflow type name, e.g. ``order_approval_v3``."""
        return str(self.manifest["workflow_type"])

    @property
    def task_queue(self) -> str:
        """The task queue the workflow is meant to run on."""
        return str(self.manifest["task_queue"])

    @property
    def input_objects(self) -> bool:
        """Whether the workflow calls each activity with one input object (the parameters by
        name), not with positional arguments (bundles of compiler versions before 4)."""
        return self.manifest.get("activity_input") == INPUT_OBJECT

    @property
    def digest(self) -> str:
        """SHA-256 over every file, identifying the bundle's exact bytes."""
        sha = hashlib.sha256()
        for name in BUNDLE_FILES:
            sha.update(name.encode() + b"\0" + self.files[name].encode() + b"\0")
        return sha.hexdigest()


def manifest_text(manifest: Mapping[str, Any]) -> str:
    """``manifest.json`` bytes: sorted keys, 2-space indent, trailing newline (deterministic)."""
    return json.dumps(manifest, indent=2, sort_keys=True, ensure_ascii=False) + "\n"
