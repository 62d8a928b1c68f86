"""``manifest.json``: what a bundle is (types, queue, handlers, activities, requirements)."""

from __future__ import annotations

import functools
from collections.abc import Iterable, Mapping
from importlib import metadata
from typing import Any

from core.activities import ActivitySpec
from core.codegen.children import ChildTarget
from core.compiler.bundle import INPUT_OBJECT
from core.expressions import parse_expression
from core.graph.document import graph_digest
from core.nodes.catalog import CATALOG
from core.nodes.kinds.start import StartParams
from core.validation import CheckedGraph

#: Version of the manifest layout.
MANIFEST_FORMAT = "workflow-builder-bundle/1"


def generate_manifest(
    checked: CheckedGraph,
    *,
    compiler_version: str,
    workflow_type: str,
    workflow_class: str,
    version: int | None,
    task_queue: str,
    activities: Iterable[ActivitySpec],
    child_workflows: Mapping[str, ChildTarget],
) -> dict[str, Any]:
    """The manifest as a JSON-ready dict (written with ``manifest_text``)."""
    meta = checked.graph.workflow
    start_params = checked.params_of(checked.start, StartParams)
    specs = sorted({spec.name: spec for spec in activities}.values(), key=lambda s: s.name)
    requirements = {f"temporalio=={_temporalio_version()}"}
    for spec in specs:
        requirements.update(spec.requirements)
    manifest: dict[str, Any] = {
        "format": MANIFEST_FORMAT,
        "compiler_version": compiler_version,
        "graph_hash": graph_digest(checked.graph),
        "workflow_name": meta.name,
        "workflow_type": workflow_type,
        "workflow_class": workflow_class,
        "version": version,
        "task_queue": task_queue,
        "input_fields": [field.model_dump(mode="json") for field in start_params.input_fields],
        "trigger": start_params.trigger.model_dump(mode="json"),
        "signals": [signal.name for signal in meta.signals],
        "queries": [query.name for query in meta.queries],
        "activities": [
            {"name": spec.name, "module": spec.module, "builtin": spec.builtin} for spec in specs
        ],
        "activity_input": INPUT_OBJECT,
        "requirements": sorted(requirements),
        # The queue a child starts on unless its node names one (then the node's wins).
        "child_workflows": [
            {
                "workflow": child,
                "workflow_type": target.workflow_type,
                "task_queue": target.task_queue or task_queue,
            }
            for child, target in sorted(child_workflows.items())
        ],
    }
    secrets = _secrets(checked)
    if secrets:  # only then: the manifests of graphs without secrets stay as they were
        manifest["secrets"] = secrets
    return manifest


def _secrets(checked: CheckedGraph) -> list[str]:
    """The names of the secrets the graph's steps read (the worker must be able to resolve)."""
    names = {
        name
        for node in checked.graph.nodes
        for _, source in CATALOG[node.type].expressions(checked.params[node.id])
        for name in parse_expression(source).secrets
    }
    return sorted(names)


@functools.cache
def _temporalio_version() -> str:
    """The installed temporalio's version (reading package metadata takes over a millisecond)."""
    return metadata.version("temporalio")
