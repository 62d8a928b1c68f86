"""Child workflow targets: the type a child node starts, and the task queue it starts it on."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from core.compiler.errors import CompileError


@dataclass(frozen=True)
class ChildTarget:
    """Where the child workflow nodes naming one workflow send their child.

    Attributes:
        workflow_type: the Temporal type to start, e.g. a deployed ``hello_activity_v3``.
        task_queue: the queue to start it on; None starts it on the parent's own queue. A
            node's own ``task_queue`` param wins over both.
    """

    workflow_type: str
    task_queue: str | None = None

    def to_json(self) -> dict[str, Any]:
        """The target as a JSON object (``workflow_type``, ``task_queue``)."""
        return {"workflow_type": self.workflow_type, "task_queue": self.task_queue}

    @classmethod
    def from_json(cls, data: Mapping[str, Any], *, child: str) -> ChildTarget:
        """The target a :meth:`to_json` object describes.

        Raises:
            CompileError: the object lacks a workflow type, or a value is not text.
        """
        workflow_type = data.get("workflow_type")
        task_queue = data.get("task_queue")
        if not isinstance(workflow_type, str) or not workflow_type:
            raise CompileError("the child target has no workflow_type", subject=child)
        if task_queue is not None and not isinstance(task_queue, str):
            raise CompileError("the child target's task_queue is not text", subject=child)
        return cls(workflow_type=workflow_type, task_queue=task_queue)


def children_to_json(children: Mapping[str, ChildTarget]) -> dict[str, Any]:
    """``{child workflow name: target as JSON}``, sorted by name (stored with a version)."""
    return {name: children[name].to_json() for name in sorted(children)}


def children_from_json(data: Mapping[str, Any]) -> dict[str, ChildTarget]:
    """The targets :func:`children_to_json` wrote.

    Raises:
        CompileError: an entry is not a valid target.
    """
    targets = {}
    for name, target in data.items():
        if not isinstance(target, Mapping):
            raise CompileError("the child target is not an object", subject=name)
        targets[name] = ChildTarget.from_json(target, child=name)
    return targets
