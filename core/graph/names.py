"""One set of name rules: what validation accepts, the compiler emits and Temporal starts.

Every check matches the whole text (``fullmatch``): ``re.match`` with ``$`` lets a trailing
newline through, which validation then accepted and the compiler refused.
"""

from __future__ import annotations

import re

from core.graph.model import ID_PATTERN, IDENTIFIER_PATTERN, WORKFLOW_NAME_PATTERN

#: Temporal's default ``limit.maxIDLength``: the longest task queue name (in UTF-8 bytes) the
#: server accepts.
MAX_TASK_QUEUE_BYTES = 1000
#: Prefix Temporal reserves for its own task queues.
RESERVED_QUEUE_PREFIX = "/_sys/"

_WORKFLOW_NAME = re.compile(WORKFLOW_NAME_PATTERN)
_GRAPH_ID = re.compile(ID_PATTERN)
_IDENTIFIER = re.compile(IDENTIFIER_PATTERN)
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def is_workflow_name(text: object) -> bool:
    """Whether text can name a workflow (and so a Temporal workflow type)."""
    return isinstance(text, str) and _WORKFLOW_NAME.fullmatch(text) is not None


def is_graph_id(text: object) -> bool:
    """Whether text can be a node or edge id."""
    return isinstance(text, str) and _GRAPH_ID.fullmatch(text) is not None


def is_identifier(text: object) -> bool:
    """Whether text has the form of a variable, field, signal or query name."""
    return isinstance(text, str) and _IDENTIFIER.fullmatch(text) is not None


def task_queue_problem(name: str) -> str | None:
    """Why Temporal would refuse ``name`` as a task queue (or it would mislead); None if fine."""
    if not name.strip():
        return "the task queue may not be blank; leave it out instead"
    if name != name.strip() or _CONTROL.search(name):
        return "a task queue name may not contain line breaks, tabs or leading/trailing spaces"
    size = len(name.encode("utf-8", "surrogatepass"))
    if size > MAX_TASK_QUEUE_BYTES:
        return (
            f"the task queue name is {size} bytes long; Temporal accepts at most "
            f"{MAX_TASK_QUEUE_BYTES}"
        )
    if name.startswith(RESERVED_QUEUE_PREFIX):
        return f"task queue names starting with {RESERVED_QUEUE_PREFIX!r} are reserved by Temporal"
    return None
