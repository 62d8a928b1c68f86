"""Errors the persistence layer raises: missing records, duplicates, illegal status changes."""

from __future__ import annotations

from collections.abc import Iterable

from core.errors import WorkflowBuilderError


class DatabaseError(WorkflowBuilderError):
    """Root of the errors raised by ``core.db``."""


class RecordNotFoundError(DatabaseError):
    """A record looked up by key does not exist (or is soft-deleted).

    Attributes:
        kind: what was looked up (``workflow``, ``worker``, ...).
        key: the key that was not found, as given.
    """

    def __init__(self, kind: str, key: object) -> None:
        self.kind = kind
        self.key = key
        super().__init__(f"{kind} {key!r} not found")


class DuplicateRecordError(DatabaseError):
    """A record with the same unique key already exists.

    Attributes:
        kind: what was being created (``workflow``, ``schedule``, ...).
        key: the unique key that is taken.
    """

    def __init__(self, kind: str, key: object, *, detail: str = "") -> None:
        self.kind = kind
        self.key = key
        message = f"{kind} {key!r} already exists"
        super().__init__(f"{message}: {detail}" if detail else message)


class InvalidRecordError(DatabaseError):
    """A value cannot be stored: a bad slug, a graph that is not JSON, ...

    Attributes:
        field: the field that holds the bad value.
        reason: what is wrong, in a sentence.
    """

    def __init__(self, field: str, reason: str) -> None:
        self.field = field
        self.reason = reason
        super().__init__(f"{field}: {reason}")


class InvalidTransitionError(DatabaseError):
    """A status change that the record's life cycle does not allow.

    Attributes:
        kind: the kind of record (``worker``, ``deployment``).
        key: which record.
        current: its status now.
        target: the status that was asked for.
        allowed: the statuses reachable from ``current``.
    """

    def __init__(
        self, kind: str, key: object, *, current: str, target: str, allowed: Iterable[str]
    ) -> None:
        self.kind = kind
        self.key = key
        self.current = current
        self.target = target
        self.allowed = tuple(sorted(allowed))
        reachable = ", ".join(self.allowed) or "nothing"
        super().__init__(
            f"{kind} {key!r} cannot go from {current!r} to {target!r} "
            f"(from {current!r} it can go to: {reachable})"
        )


class WorkerNotLiveError(DatabaseError):
    """A heartbeat came from a worker recorded as stopped or failed (for instance marked lost).

    Attributes:
        worker_id: the worker.
        status: its recorded status.
    """

    def __init__(self, worker_id: str, status: str) -> None:
        self.worker_id = worker_id
        self.status = status
        super().__init__(
            f"worker {worker_id!r} is {status}; it must register again before it can heartbeat"
        )
