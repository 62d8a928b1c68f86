"""Workflow definitions for the pages: list, create, import, export, edit drafts, validate."""

from __future__ import annotations

import copy
import hashlib
import json
import threading
from collections import OrderedDict
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from core.activities import ActivityRegistry
from core.auth import SYSTEM, Actor, Role, action, reads
from core.compiler import ChildTarget
from core.db import (
    Database,
    DuplicateRecordError,
    ExecutionStatus,
    WorkflowOverview,
    WorkflowRecord,
    WorkflowSummary,
)
from core.deploy.children import active_child_target
from core.deploy.pipeline import behaviour_hash
from core.errors import GraphFormatError
from core.examples import copy_names, get_example
from core.graph import FORMAT, dump_graph, graph_from_dict, graph_to_dict, load_graph
from core.nodes.catalog import child_workflow
from core.validation import Problem, validate


@dataclass(frozen=True)
class DraftCheck:
    """What is wrong with a draft: a document that cannot be read, or graph problems."""

    format_error: GraphFormatError | None
    problems: tuple[Problem, ...]

    @property
    def valid(self) -> bool:
        """True when the draft is a readable graph without problems."""
        return self.format_error is None and not self.problems


@dataclass(frozen=True)
class LiveVersion:
    """Which version of a workflow serves new runs, and whether its draft behaves differently.

    ``version`` is None when nothing is deployed (then any draft is undeployed). Moving nodes
    is no change: positions do not count.
    """

    version: int | None
    undeployed: bool


@dataclass(frozen=True)
class WorkflowListing:
    """One line of the workflows page.

    Attributes:
        id: the workflow's id.
        name: its name (the Temporal type's stem).
        title: its title, or its name when it has none.
        live_version: the version new runs start, None when nothing is deployed.
        undeployed: the draft behaves differently from the live version (node positions
            aside), or nothing is live.
        draft: ``valid``, ``N problem(s)`` or ``unreadable``.
        cron: its schedule's cron expression, if it has one; ``paused`` says if it is paused.
        last_run: its newest recorded run's status and start, if any.
    """

    id: int
    name: str
    title: str
    live_version: int | None
    undeployed: bool
    draft: str
    cron: str | None
    paused: bool
    last_run: tuple[ExecutionStatus, datetime] | None


@dataclass(frozen=True)
class ChildPreview:
    """The child workflows a draft starts, as a deploy would resolve them now.

    Attributes:
        targets: deployed children: the type and queue of their active deployment.
        undeployed: children with no active deployment (a deploy would refuse the draft).
    """

    targets: dict[str, ChildTarget]
    undeployed: tuple[str, ...]


#: Draft checks kept (one per distinct draft content, least recently used dropped first).
CHECK_CACHE_SIZE = 256


def _content_digest(document: Any) -> str | None:
    """SHA-256 of a document's compact JSON text, or None when it is not JSON data."""
    try:
        text = json.dumps(document, separators=(",", ":"))
    except (TypeError, ValueError, RecursionError):
        return None  # not cached: the check itself says what is wrong with such a document
    return hashlib.sha256(text.encode("ascii")).hexdigest()


def blank_document(name: str) -> dict[str, Any]:
    """A new workflow's graph: a start node connected to an end node."""
    return {
        "format": FORMAT,
        "workflow": {
            "name": name,
            "description": "",
            "task_queue": None,
            "signals": [],
            "queries": [],
        },
        "nodes": [
            {
                "id": "start",
                "type": "start",
                "label": "Start",
                "params": {},
                "position": {"x": 0, "y": 0},
            },
            {
                "id": "end",
                "type": "end",
                "label": "End",
                "params": {},
                "position": {"x": 260, "y": 0},
            },
        ],
        "edges": [{"id": "e1", "source": "start", "target": "end", "handle": "next"}],
    }


class WorkflowService:
    """Drafts live in the database exactly as edited, valid or not, so nothing typed is lost."""

    actor: Actor = SYSTEM

    def __init__(self, database: Database, registry: ActivityRegistry) -> None:
        self._db = database
        self._registry = registry
        #: Draft checks by content digest, newest last; shared by the pages' threads.
        self._checks: OrderedDict[str, DraftCheck] = OrderedDict()
        self._checks_lock = threading.Lock()

    @reads
    def list(self) -> list[WorkflowSummary]:
        """Every workflow, by name, with its latest version and deployment status."""
        return self._db.workflows.find()

    @reads
    def listing(self) -> tuple[WorkflowListing, ...]:
        """Every workflow, by name, as the workflows page lists it (one database query)."""
        return tuple(self._listed(item) for item in self._db.workflows.overview())

    def _listed(self, item: WorkflowOverview) -> WorkflowListing:
        check = self.check(item.draft_graph)
        if check.format_error is not None:
            draft = "unreadable"
        else:
            draft = "valid" if check.valid else f"{len(check.problems)} problem(s)"
        last_run = None
        if item.last_run_status is not None and item.last_run_start is not None:
            last_run = (item.last_run_status, item.last_run_start)
        return WorkflowListing(
            id=item.id,
            name=item.name,
            title=item.title or item.name,
            live_version=item.live_version,
            undeployed=_undeployed(item.draft_graph, item.live_graph),
            draft=draft,
            cron=item.cron,
            paused=bool(item.schedule_paused),
            last_run=last_run,
        )

    @reads
    def live(self, workflow_id: int, draft: Any) -> LiveVersion:
        """The version serving new runs and whether ``draft`` differs from it (from the
        database alone: showing it must not wait for Temporal)."""
        active = self._db.deployments.active_for_workflow(workflow_id)
        if active is None:
            return LiveVersion(version=None, undeployed=True)
        version = self._db.versions.get_by_id(active.version_id)
        return LiveVersion(version=version.version, undeployed=_undeployed(draft, version.graph))

    @reads
    def get(self, workflow_id: int) -> WorkflowRecord:
        """One workflow with its draft."""
        return self._db.workflows.get(workflow_id)

    @action(Role.EDITOR)
    def create(self, *, name: str, title: str = "", description: str = "") -> WorkflowRecord:
        """A new workflow whose draft is a blank graph."""
        document = blank_document(name)
        document["workflow"]["description"] = description
        return self._db.workflows.create(
            name=name, title=title, description=description, graph=document, owner=self.actor.name
        )

    @action(Role.EDITOR)
    def create_from_example(self, example: str, *, name: str) -> WorkflowRecord:
        """A new workflow whose draft is a copy of an example graph, renamed to ``name``."""
        return self._from_example(example, name)

    @action(Role.EDITOR)
    def copy_example(self, example: str) -> WorkflowRecord:
        """A new workflow from an example, named after it (``<example>_2`` and so on when that
        name is taken): what a new user trying an example gets, without naming anything."""
        names = copy_names(example)
        while True:
            try:
                return self._from_example(example, next(names))
            except DuplicateRecordError:
                continue

    def _from_example(self, example: str, name: str) -> WorkflowRecord:
        source = get_example(example)
        document = copy.deepcopy(source.document)
        document["workflow"]["name"] = name
        return self._db.workflows.create(
            name=name,
            title=source.name,
            description=source.description,
            graph=document,
            owner=self.actor.name,
        )

    @action(Role.EDITOR)
    def import_document(self, text: str | bytes, *, name: str | None = None) -> WorkflowRecord:
        """A new workflow from an exported graph file.

        The file must be a readable ``workflow-builder/1`` document (nothing is saved
        otherwise); graph problems do not stop the import, they show in the builder.

        Raises:
            GraphFormatError: the file is not a readable graph (with positions), or is over an
                input limit (a ``GraphLimitError``: size, depth, numbers, text, node count).
        """
        # Parsed once: the canonical object comes from the graph, not from printing and
        # reading it back (which took most of a large import).
        document = graph_to_dict(load_graph(text))
        if name is not None:
            document["workflow"]["name"] = name
        workflow_name = document["workflow"]["name"]
        return self._db.workflows.create(
            name=workflow_name,
            description=document["workflow"]["description"],
            graph=document,
            owner=self.actor.name,
        )

    @reads
    def export_document(self, workflow_id: int) -> str:
        """The draft as canonical ``workflow-builder/1`` JSON text.

        Raises:
            GraphFormatError: the stored draft is not a readable graph.
        """
        return dump_graph(graph_from_dict(self.get(workflow_id).draft_graph))

    @action(Role.EDITOR)
    def save_draft(self, workflow_id: int, document: dict[str, Any]) -> DraftCheck:
        """Store the draft as it is, then say what is wrong with it."""
        self._db.workflows.save_draft(workflow_id, document)
        return self.check(document)

    @reads
    def check(self, document: dict[str, Any] | None) -> DraftCheck:
        """Validate a draft document without saving it.

        The outcome is kept by the document's content digest: pages check every draft on
        every rerun, and an unchanged draft (a large one takes most of a second) is not
        validated again.
        """
        digest = _content_digest(document)
        if digest is not None:
            with self._checks_lock:
                known = self._checks.get(digest)
                if known is not None:
                    self._checks.move_to_end(digest)
                    return known
        outcome = self._validate(document)
        if digest is not None:
            with self._checks_lock:
                self._checks[digest] = outcome
                while len(self._checks) > CHECK_CACHE_SIZE:
                    self._checks.popitem(last=False)
        return outcome

    def _validate(self, document: dict[str, Any] | None) -> DraftCheck:
        try:
            graph = graph_from_dict(document)
        except GraphFormatError as error:
            # Kept in the cache: without its traceback and context, whose frames hold the
            # whole document.
            error.__traceback__, error.__context__, error.__cause__ = None, None, None
            return DraftCheck(format_error=error, problems=())
        return DraftCheck(
            format_error=None, problems=tuple(validate(graph, registry=self._registry))
        )

    @reads
    def preview_children(self, document: dict[str, Any]) -> ChildPreview:
        """What a deploy of the draft would start for each child workflow it names."""
        names = set()
        for node in document.get("nodes", []):
            child = child_workflow(node.get("type"), node.get("params") or {})
            if child is not None:
                names.add(child)
        targets = {name: active_child_target(self._db, name) for name in sorted(names)}
        return ChildPreview(
            targets={name: target for name, target in targets.items() if target is not None},
            undeployed=tuple(name for name, target in targets.items() if target is None),
        )

    @action(Role.EDITOR)
    def rename(self, workflow_id: int, *, name: str, title: str | None = None) -> WorkflowRecord:
        """Give a workflow a new name; its draft's workflow name follows."""
        return self._db.workflows.rename(workflow_id, name=name, title=title)

    @action(Role.EDITOR)
    def duplicate(self, workflow_id: int, *, name: str) -> WorkflowRecord:
        """Copy a workflow's draft under a new name, owned by whoever copies it (versions and
        runs are not copied)."""
        return self._db.workflows.duplicate(workflow_id, name=name, owner=self.actor.name)

    @action(Role.ADMIN)
    def delete(self, workflow_id: int) -> None:
        """Hide a workflow; its versions, deployments and runs are kept."""
        self._db.workflows.delete(workflow_id)


def _undeployed(draft: Any, live_graph: dict[str, Any] | None) -> bool:
    """Whether a draft behaves differently from the live version's graph (node positions
    aside); True when nothing is live or the draft is not a readable graph. The draft is
    compared in canonical form, as a deploy would store it."""
    if live_graph is None:
        return True
    try:
        canonical = graph_to_dict(graph_from_dict(draft))
    except GraphFormatError:
        return True
    return behaviour_hash(canonical) != behaviour_hash(live_graph)
