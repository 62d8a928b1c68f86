"""One-shot runs of a graph file: compile it and its child graphs, host a worker, run, wait."""

from __future__ import annotations

import concurrent.futures
import contextlib
import logging
import os
import shutil
import tempfile
import threading
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from temporalio.client import Client, WorkflowFailureError
from temporalio.exceptions import ApplicationError, FailureError
from temporalio.service import RPCError

from core.activities import ActivityRegistry, load_registry
from core.compiler import ChildTarget, compile_graph
from core.compiler.bundle import Bundle
from core.config import Settings
from core.errors import GraphFormatError, WorkflowBuilderError, causes
from core.executions import check_input, start_input_fields
from core.graph.document import load_graph
from core.graph.model import Graph
from core.limits import read_file
from core.nodes.catalog import child_workflow
from core.processes import process_alive
from core.runtime.bundle_store import BundleStore
from core.runtime.loader import LoadedBundle, load_bundle
from core.runtime.worker_host import WorkerHost
from core.temporal import ensure_temporal

logger = logging.getLogger(__name__)

#: Temporary bundle folders of ``run`` are ``wb-run-<pid>-<random>`` in the temp folder.
RUN_FOLDER_PREFIX = "wb-run-"


class GraphFamilyError(WorkflowBuilderError):
    """A graph starts a child workflow whose graph cannot be found or that starts it back.

    Attributes:
        path: the graph file whose node is at fault.
        node_id: the child workflow node.
        reason: what is wrong.
    """

    def __init__(self, reason: str, *, path: Path, node_id: str) -> None:
        self.path = path
        self.node_id = node_id
        self.reason = reason
        super().__init__(f"{path}: node {node_id!r}: {reason}")


class RunFailedError(WorkflowBuilderError):
    """A workflow run ended without a result: failed, timed out, cancelled or terminated.

    Attributes:
        workflow_id: the run's workflow id.
        causes: the failure and its causes, outermost first, each as ``Type: message``.
        node_id: the graph node the run failed at, when its history tells.
        node_label: that node's label.
        reason: the innermost cause's message (what went wrong, without the wrapping).
    """

    def __init__(
        self,
        *,
        workflow_id: str,
        causes: tuple[str, ...],
        node_id: str | None = None,
        node_label: str | None = None,
        reason: str | None = None,
    ) -> None:
        self.workflow_id = workflow_id
        self.causes = causes
        self.node_id = node_id
        self.node_label = node_label
        self.reason = reason
        if node_id is None:
            lines = [f"workflow {workflow_id} failed: {causes[0]}"]
        else:
            step = f"step {node_id!r}" + (f" ({node_label})" if node_label else "")
            lines = [f"workflow {workflow_id} failed at {step}: {reason or causes[-1]}"]
            lines += [f"  {causes[0]}"]
        lines += [f"  caused by {cause}" for cause in causes[1:]]
        super().__init__("\n".join(lines))


@dataclass(frozen=True)
class GraphFamily:
    """A compiled graph and the graphs it starts as child workflows, compiled too.

    Attributes:
        main: the bundle of the graph that was asked for.
        graph: that graph.
        children: bundles of every graph it starts, directly or through other children.
        child_task_queues: task queues child workflow nodes name explicitly (sorted).
    """

    main: Bundle
    graph: Graph
    children: tuple[Bundle, ...] = ()
    child_task_queues: tuple[str, ...] = ()

    @property
    def bundles(self) -> tuple[Bundle, ...]:
        """The main bundle first, then the children."""
        return (self.main, *self.children)


@dataclass(frozen=True)
class RunResult:
    """A finished run.

    Attributes:
        workflow_id: the workflow id it ran under.
        task_queue: the task queue it ran on.
        result: what the workflow returned (JSON).
    """

    workflow_id: str
    task_queue: str
    result: Any


def compile_family(
    path: Path, *, registry: ActivityRegistry, default_task_queue: str
) -> GraphFamily:
    """Compile the graph at ``path`` and, for its child workflow nodes, the graphs they start.

    A child node's ``workflow`` param names another workflow; its graph is the ``*.json`` file
    in the same folder whose workflow has that name (``NAME.json`` first). Only files that
    name it are read, so other files in the folder, graphs or not, readable or not, play no
    part.

    Raises:
        GraphFormatError: a graph file cannot be read.
        GraphFamilyError: a child's graph is missing, or graphs start each other in a cycle.
        WorkflowBuilderError: a graph is invalid or cannot be compiled.
    """
    main_graph = _read_graph(path)
    siblings = _SiblingGraphs(path)
    compiled: dict[str, Bundle] = {}
    queues: set[str] = set()

    def build(graph: Graph, graph_path: Path, chain: tuple[str, ...]) -> Bundle:
        children: dict[str, ChildTarget] = {}
        for node in graph.nodes:
            name = child_workflow(node.type, node.params)
            if name is None:
                continue
            if node.params.get("task_queue"):
                queues.add(str(node.params["task_queue"]))
            if name in chain:
                cycle = " -> ".join([*chain, name])
                raise GraphFamilyError(
                    f"workflows start each other in a cycle ({cycle})",
                    path=graph_path,
                    node_id=node.id,
                )
            found = siblings.find(name)
            if found is None:
                raise GraphFamilyError(
                    f"starts workflow {name!r}, but no graph in {path.parent} has that name",
                    path=graph_path,
                    node_id=node.id,
                )
            child_path, child_graph = found
            if name not in compiled:
                compiled[name] = build(child_graph, child_path, (*chain, name))
            # No queue: serve_family serves every bundle on each queue the family uses.
            children[name] = ChildTarget(
                workflow_type=compiled[name].workflow_type,
                run_timeout=child_graph.workflow.run_timeout,
            )
        return compile_graph(
            graph,
            registry=registry,
            default_task_queue=default_task_queue,
            children=children,
        )

    main = build(main_graph, path, (main_graph.workflow.name,))
    return GraphFamily(
        main=main,
        graph=main_graph,
        children=tuple(compiled[name] for name in sorted(compiled)),
        child_task_queues=tuple(sorted(queues)),
    )


def serve_family(
    host: WorkerHost, family: GraphFamily, *, store: BundleStore, task_queue: str
) -> tuple[LoadedBundle, ...]:
    """Write, load and serve a compiled family on ``task_queue`` and its children's queues.

    Every bundle of the family is served on each of those queues, so a child runs wherever
    its node sends it.

    Returns:
        The loaded bundles, main first.

    Raises:
        WorkflowBuilderError: a bundle cannot be stored or loaded, or a worker cannot start.
    """
    loaded = tuple(load_bundle(store.write(bundle)) for bundle in family.bundles)
    for queue in sorted({task_queue, *family.child_task_queues}):
        host.add_worker(queue, loaded)
    return loaded


def run_graph_file(
    path: Path,
    *,
    input: Any,
    settings: Settings,
    task_queue: str | None = None,
    stop: threading.Event | None = None,
) -> RunResult:
    """Compile a graph file, run it once on an in-process worker and wait for its result.

    Temporal is the configured cluster, or the embedded dev server when ``TEMPORAL_ADDRESS`` is
    unset (started and stopped here). The bundles are written to a temporary bundle store; the
    worker and its client are shut down before this returns.

    Args:
        path: the graph file (``workflow-builder/1`` JSON).
        input: the workflow input (the start node's fields), held to them.
        settings: where Temporal is, plugin activity modules, default task queue.
        task_queue: the queue to run on; default: the graph's own, else the settings' default.
        stop: set (by a signal handler) to give up: checked once the worker serves and while
            the run goes on; KeyboardInterrupt is then raised there, and everything is cleaned up.

    Returns:
        The finished run.

    Raises:
        KeyboardInterrupt: ``stop`` was set.
        RunFailedError: the run failed; the error holds the failure's cause chain.
        RunInputError: the input does not fit the start node's input fields.
        WorkflowBuilderError: the graph cannot be compiled or Temporal cannot be reached.
    """
    registry = load_registry(settings.activity_modules)
    family = compile_family(
        path, registry=registry, default_task_queue=task_queue or settings.default_task_queue
    )
    # Before any server starts: an input the graph does not take is the caller's to fix.
    input = check_input(start_input_fields(family.graph), input)
    queue = task_queue or family.main.task_queue
    endpoint = ensure_temporal(settings)
    try:
        with run_folder() as root, WorkerHost(endpoint.settings) as host:
            loaded = serve_family(host, family, store=BundleStore(root), task_queue=queue)
            workflow_id = f"{family.main.workflow_type}-{uuid.uuid4().hex[:12]}"
            logger.info("starting %s on task queue %s", workflow_id, queue)
            # No timeout: a run may wait for signals or timers as long as its graph says.
            running = host.submit(
                _execute(host.client, family.graph, loaded[0], input, workflow_id, queue)
            )
            result = _result_unless_stopped(running, stop)
            return RunResult(workflow_id=workflow_id, task_queue=queue, result=result)
    finally:
        endpoint.stop()


def _result_unless_stopped(
    running: concurrent.futures.Future[Any], stop: threading.Event | None
) -> Any:
    """The run's result; KeyboardInterrupt (the run's coroutine cancelled) once ``stop`` is set."""
    while True:
        if stop is not None and stop.is_set():
            running.cancel()
            raise KeyboardInterrupt("stopped by a signal")
        try:
            return running.result(timeout=0.1)
        except concurrent.futures.TimeoutError:
            continue


async def _execute(
    client: Client,
    graph: Graph,
    main: LoadedBundle,
    input: Any,
    workflow_id: str,
    task_queue: str,
) -> Any:
    try:
        return await client.execute_workflow(
            main.workflow_type, input, id=workflow_id, task_queue=task_queue
        )
    except WorkflowFailureError as exc:
        chain = failure_chain(exc)
        node_id = await _failed_step(client, graph, main, workflow_id)
        node = graph.node(node_id) if node_id else None
        raise RunFailedError(
            workflow_id=workflow_id,
            causes=chain,
            node_id=node_id,
            node_label=node.label if node else None,
            reason=_innermost_message(exc),
        ) from exc


async def _failed_step(
    client: Client, graph: Graph, main: LoadedBundle, workflow_id: str
) -> str | None:
    """The node a failed run failed at, from its history replayed against its own code."""
    # Imported here: core.runs reaches back into core.runtime (its tracer loads bundles).
    from core.runs.replay import replay_trail
    from core.runs.trace import build_trace

    try:
        history = await client.get_workflow_handle(workflow_id).fetch_history()
    except RPCError as error:  # the failure itself is still worth reporting without its step
        logger.warning("cannot read the history of %s: %s", workflow_id, error.message)
        return None
    trail = await replay_trail(main.workflow_class, history)
    return build_trace(history.events, graph, trail).failed_node_id


def _innermost_message(error: BaseException) -> str:
    *_, last = causes(error)
    return last.message if isinstance(last, FailureError) else str(last)


def failure_chain(error: BaseException) -> tuple[str, ...]:
    """Describe a Temporal failure and its causes, outermost first, as ``Type: message``."""
    lines = []
    for cause in causes(error):
        kind = type(cause).__name__
        if isinstance(cause, ApplicationError) and cause.type:
            kind = f"{kind}({cause.type})"
        message = cause.message if isinstance(cause, FailureError) else str(cause)
        lines.append(f"{kind}: {message}")
    return tuple(lines)


def _read_graph(path: Path) -> Graph:
    try:
        text = read_file(path)
    except OSError as exc:
        raise GraphFormatError([(str(path), f"cannot read the file ({exc.strerror})")]) from exc
    try:
        return load_graph(text)
    except GraphFormatError as exc:
        raise GraphFormatError([(f"{path}: {where}", why) for where, why in exc.problems]) from exc


class _SiblingGraphs:
    """The graphs beside a graph file, looked up by workflow name as children name them."""

    def __init__(self, main: Path) -> None:
        self._main = main
        self._found: dict[str, tuple[Path, Graph] | None] = {}

    def find(self, name: str) -> tuple[Path, Graph] | None:
        """The file and graph of workflow ``name`` (``NAME.json`` first), or None."""
        if name not in self._found:
            self._found[name] = self._search(name)
        return self._found[name]

    def _search(self, name: str) -> tuple[Path, Graph] | None:
        folder = self._main.parent
        first = folder / f"{name}.json"
        others = sorted(p for p in folder.glob("*.json") if p not in (first, self._main))
        needle = name.encode("utf-8", errors="replace")
        for candidate in [first, *others] if first != self._main else others:
            graph = _sibling(candidate, needle)
            if graph is not None and graph.workflow.name == name:
                return candidate, graph
        return None


def _sibling(path: Path, needle: bytes) -> Graph | None:
    """The graph in ``path`` if the file names ``needle`` and is a readable graph, else None."""
    try:
        text = read_file(path)
    except OSError:
        return None  # a missing or unreadable neighbour: only a missing child is an error
    if needle not in text:
        return None  # cannot be that workflow's graph: not worth parsing
    try:
        return load_graph(text)
    except GraphFormatError:
        # Other JSON files may sit next to graphs; only a missing child is an error.
        logger.debug("skipping %s: not a workflow graph", path)
        return None


@contextlib.contextmanager
def run_folder() -> Iterator[Path]:
    """A temporary folder for one run's bundles, named for this process and removed after it.

    Folders left by processes that are gone (killed before they could clean up) are removed
    first.
    """
    remove_leftover_run_folders()
    root = Path(tempfile.mkdtemp(prefix=f"{RUN_FOLDER_PREFIX}{os.getpid()}-"))
    try:
        yield root
    finally:
        shutil.rmtree(root, ignore_errors=True)


def remove_leftover_run_folders(temp_dir: Path | None = None) -> list[Path]:
    """Remove run folders whose process no longer runs; returns those removed."""
    removed = []
    for folder in Path(temp_dir or tempfile.gettempdir()).glob(f"{RUN_FOLDER_PREFIX}*-*"):
        pid = folder.name[len(RUN_FOLDER_PREFIX) :].split("-", 1)[0]
        if pid.isdigit() and not process_alive(int(pid)):
            shutil.rmtree(folder, ignore_errors=True)
            removed.append(folder)
    return removed
