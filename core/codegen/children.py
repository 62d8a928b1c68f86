"""Child workflow targets: the type a child node starts, and the task queue it starts it on."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from core.codegen.errors import CompileError


@dataclass(frozen=True)
class ChildTarget:
    """Where the child workflow nodes naming one workflow send their child.

    Attributes:
        workflow_type: the Temporal type to start, e.g. a deployed ``hello_activity_v3``.
        task_queue: the queue to start it on; None starts it on the parent's own queue. A
            node's own ``task_queue`` param wins over both.
        run_timeout: the child workflow's own ``run_timeout`` (a duration), its execution
            timeout unless the node sets ``execution_timeout``; None for none.
    """

    workflow_type: str
    task_queue: str | None = None
    run_timeout: str | None = None

    def to_json(self) -> dict[str, Any]:
        """The target as a JSON object (``workflow_type``, ``task_queue``, ``run_timeout``
        when set: targets stored before it existed read back the same)."""
        data: dict[str, Any] = {"workflow_type": self.workflow_type, "task_queue": self.task_queue}
        if self.run_timeout is not None:
            data["run_timeout"] = self.run_timeout
        return data

    @classmethod
    def from_json(cls, data: Mapping[str, Any], *, child: str) -> ChildTarget:
        """The target a :meth:`to_json` object describes.

        Raises:
            CompileError: the object lacks a workflow type, or a value is not text.
        """
        workflow_type = data.get("workflow_type")
        task_queue = data.get("task_queue")
        run_timeout = data.get("run_timeout")
        if not isinstance(workflow_type, str) or not workflow_type:
            raise CompileError("the child target has no workflow_type", subject=child)
        if task_queue is not None and not isinstance(task_queue, str):
            raise CompileError("the child target's task_queue is not text", subject=child)
        if run_timeout is not None and not isinstance(run_timeout, str):
            raise CompileError("the child target's run_timeout is not text", subject=child)
        return cls(workflow_type=workflow_type, task_queue=task_queue, run_timeout=run_timeout)


def build_options(children: Mapping[str, ChildTarget]) -> dict[str, Any]:
    """What a version stores to be compiled again to the same bytes, as JSON.

    ``{"children": {name: target}}`` with names sorted; :func:`children_of` reads it back.
    """
    return {"children": {name: children[name].to_json() for name in sorted(children)}}


def children_of(options: Mapping[str, Any]) -> dict[str, ChildTarget]:
    """The child targets in stored build options (none for ``{}``, as older versions have).

    Raises:
        CompileError: the options or a target in them are malformed.
    """
    stored = options.get("children", {})
    if not isinstance(stored, Mapping):
        raise CompileError("the stored child targets are not an object", subject="children")
    targets = {}
    for name, target in stored.items():
        if not isinstance(target, Mapping):
            raise CompileError("the child target is not an object", subject=name)
        targets[name] = ChildTarget.from_json(target, child=name)
    return targets
