"""``compile_graph``: validate a graph, then generate, format and describe its bundle."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from types import MappingProxyType

from core.activities import ActivityRegistry, ActivitySpec, builtin_registry
from core.codegen.children import ChildTarget
from core.codegen.errors import CompileError
from core.codegen.naming import class_name
from core.codegen.naming import workflow_type as type_name
from core.compiler.activities_module import generate_activities_source
from core.compiler.bundle import Bundle, manifest_text
from core.compiler.formatting import Formatter
from core.compiler.manifest import generate_manifest
from core.compiler.worker_module import generate_worker_source
from core.compiler.workflow_module import generate_workflow_source
from core.expressions import run_time_bounds
from core.gc_pause import collector_paused
from core.graph.model import Graph
from core.nodes.catalog import CATALOG
from core.nodes.kinds.activity import ActivityParams
from core.nodes.kinds.child_workflow import ChildWorkflowParams
from core.validation import CheckedGraph, check

logger = logging.getLogger(__name__)

#: Changes whenever the same graph would compile to different bytes.
COMPILER_VERSION = "4"
DEFAULT_TASK_QUEUE = "workflow-builder"


def compile_graph(
    graph: Graph,
    *,
    registry: ActivityRegistry | None = None,
    version: int | None = None,
    default_task_queue: str = DEFAULT_TASK_QUEUE,
    children: Mapping[str, ChildTarget] = MappingProxyType({}),
) -> Bundle:
    """Compile a graph into a bundle: ``workflow.py``, ``activities.py``, ``worker.py``, manifest.

    A pure function: the same arguments always give byte-identical files.

    Args:
        graph: the workflow graph.
        registry: the activities graphs may call (default: the built-ins only).
        version: the deployment version; the workflow type becomes ``<name>_v<version>``.
        default_task_queue: the task queue when the graph sets none.
        children: child workflow name -> the type to start (e.g. a deployed ``hello_v2``)
            and the task queue to start it on; names not listed are started by their own
            name on the parent's queue. A child node's own ``task_queue`` param wins.

    Returns:
        The bundle.

    Raises:
        GraphInvalidError: the graph has problems (all of them are listed).
        CompileError: the graph is valid but code cannot be generated for it (for example
            branches that never merge would repeat steps too often), or ruff is missing.
    """
    with collector_paused(), Formatter() as formatter:
        # ruff loads during validation and formats workflow.py while the manifest is written.
        # The small files start theirs once generated: they are usually formatted already.
        formatter.prepare("workflow.py")
        registry = registry or builtin_registry()
        checked = check(graph, registry=registry)
        meta = graph.workflow
        wf_type = type_name(meta.name, version)
        wf_class = class_name(meta.name)
        task_queue = meta.task_queue or default_task_queue
        if not task_queue.strip():
            raise CompileError("the task queue may not be blank", subject="default_task_queue")
        specs = _used_activities(checked, registry)
        # Loops pause through a local activity the bundle brings along (core.activities.pacing).
        paces = run_time_bounds() and any(CATALOG[n.type].role == "loop" for n in graph.nodes)
        formatter.submit("activities.py", generate_activities_source(specs, pacing=paces))
        formatter.submit(
            "worker.py", generate_worker_source(task_queue=task_queue, workflow_class=wf_class)
        )
        targets = {
            name: children.get(name, ChildTarget(workflow_type=name))
            for name in _used_children(checked)
        }
        formatter.submit(
            "workflow.py",
            generate_workflow_source(
                checked, workflow_type=wf_type, registry=registry, children=targets
            ),
        )
        manifest = generate_manifest(
            checked,
            compiler_version=COMPILER_VERSION,
            workflow_type=wf_type,
            workflow_class=wf_class,
            version=version,
            task_queue=task_queue,
            activities=specs,
            child_workflows=targets,
        )
        formatted = formatter.results()
        files = {name: formatted[name] for name in ("workflow.py", "activities.py", "worker.py")}
        files["manifest.json"] = manifest_text(manifest)
        logger.debug("compiled %s (%d nodes) as %s", meta.name, len(graph.nodes), wf_type)
        return Bundle(files=MappingProxyType(files), manifest=MappingProxyType(manifest))


def _used_activities(checked: CheckedGraph, registry: ActivityRegistry) -> list[ActivitySpec]:
    names = {
        params.activity for params in checked.params.values() if isinstance(params, ActivityParams)
    }
    specs = []
    for activity_name in sorted(names):
        spec = registry.get(activity_name)
        if spec is None:
            raise CompileError(f"unknown activity {activity_name!r}")
        specs.append(spec)
    return specs


def _used_children(checked: CheckedGraph) -> set[str]:
    return {
        params.workflow
        for params in checked.params.values()
        if isinstance(params, ChildWorkflowParams)
    }
