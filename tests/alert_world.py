"""Records the alert rules read (runs, workers, deployments, schedules), written straight to a
database, with a clock tests move by hand."""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from core.db import Database, ExecutionStatus, RunTrigger, WorkerStatus
from core.db.types import utc_now
from core.schedules import schedule_id


@dataclass
class AlertWorld:
    """A database seeded run by run; ``now`` starts at the real time (records such as a
    schedule's creation are stamped with it) and moves only when a test moves it."""

    db: Database
    now: datetime = field(default_factory=utc_now)
    _ids: itertools.count[int] = field(default_factory=itertools.count)

    def workflow(self, name: str) -> int:
        return self.db.workflows.create(name=name).id

    def runs(
        self,
        definition_id: int,
        status: ExecutionStatus,
        count: int = 1,
        *,
        ago: timedelta = timedelta(minutes=1),
        trigger: RunTrigger = RunTrigger.MANUAL,
        closed: bool = True,
    ) -> None:
        for _ in range(count):
            n = next(self._ids)
            start = self.now - ago
            self.db.executions.upsert(
                workflow_id=f"wf-{n}",
                run_id=f"run-{n}",
                workflow_type=f"type_{definition_id}",
                task_queue="q",
                status=status,
                start_time=start,
                close_time=start + timedelta(seconds=1) if closed else None,
                definition_id=definition_id,
                trigger=trigger,
            )

    def deploy(self, definition_id: int, task_queue: str) -> None:
        version = self.db.versions.create_next(
            definition_id, graph={}, graph_hash="g", bundle_hash="b", compiler_version="1"
        )
        pending = self.db.deployments.create(
            workflow_id=definition_id,
            version_id=version.id,
            task_queue=task_queue,
            workflow_type=f"type_{definition_id}_v{version.version}",
            bundle_dir="/nowhere",
        )
        self.db.deployments.activate(pending.id)

    def worker(self, worker_id: str, task_queue: str) -> None:
        self.db.workers.register(worker_id=worker_id, task_queue=task_queue, host="box", pid=42)
        self.db.workers.set_status(worker_id, WorkerStatus.RUNNING)

    def lose_workers(self) -> None:
        """Mark lost every worker that has not sent a heartbeat (as of ``now``)."""
        self.db.workers.mark_lost(older_than=timedelta(seconds=30), now=self.now)

    def schedule(self, definition_id: int, name: str, cron: str) -> str:
        sid = schedule_id(name)
        self.db.schedules.create(schedule_id=sid, workflow_id=definition_id, cron=cron)
        return sid
