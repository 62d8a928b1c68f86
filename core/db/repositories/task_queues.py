"""Task queues the app manages and how each spreads its deployments."""

from __future__ import annotations

from sqlalchemy import select

from core.db.errors import InvalidRecordError, RecordNotFoundError
from core.db.models import TaskQueueRow
from core.db.records import QueueStrategy, TaskQueueRecord
from core.db.repositories._base import Repository, dialect_insert, dialect_of, to_record
from core.db.types import utc_now

#: Most workers one queue's pool may have in one process (each has its own client and thread).
MAX_POOL_SIZE = 16


class TaskQueueRepository(Repository):
    """Known task queues, one row per name."""

    def ensure(
        self, name: str, *, strategy: QueueStrategy = QueueStrategy.SINGLE, pool_size: int = 1
    ) -> TaskQueueRecord:
        """The queue called ``name``, created with these settings if it does not exist yet.

        An existing queue is returned unchanged; concurrent calls create it once.
        """
        with self._writing() as session:
            session.execute(
                dialect_insert(dialect_of(session), TaskQueueRow)
                .values(name=name, strategy=strategy, pool_size=pool_size, created_at=utc_now())
                .on_conflict_do_nothing(index_elements=["name"])
            )
            row = session.scalars(select(TaskQueueRow).where(TaskQueueRow.name == name)).one()
            return to_record(TaskQueueRecord, row)

    def configure(self, name: str, *, strategy: QueueStrategy, pool_size: int) -> TaskQueueRecord:
        """Set the strategy and pool size of the queue called ``name``, creating it if needed.

        Every process serving the queue reads these, so a pool size set here holds on other
        machines and after a restart.

        Args:
            name: the task queue.
            strategy: how deployments use it.
            pool_size: workers per process under the pool strategy, 1 to ``MAX_POOL_SIZE``.

        Returns:
            The queue as stored now.

        Raises:
            InvalidRecordError: ``pool_size`` is out of range.
        """
        if not 1 <= pool_size <= MAX_POOL_SIZE:
            raise InvalidRecordError(
                "pool_size",
                f"task queue {name!r}: {pool_size} is out of range (1 to {MAX_POOL_SIZE})",
            )
        with self._writing() as session:
            session.execute(
                dialect_insert(dialect_of(session), TaskQueueRow)
                .values(name=name, strategy=strategy, pool_size=pool_size, created_at=utc_now())
                .on_conflict_do_update(
                    index_elements=["name"], set_={"strategy": strategy, "pool_size": pool_size}
                )
            )
            row = session.scalars(select(TaskQueueRow).where(TaskQueueRow.name == name)).one()
            return to_record(TaskQueueRecord, row)

    def get(self, name: str) -> TaskQueueRecord:
        """A queue by name.

        Raises:
            RecordNotFoundError: no such queue.
        """
        with self._reading() as session:
            row = session.scalars(
                select(TaskQueueRow).where(TaskQueueRow.name == name)
            ).one_or_none()
            if row is None:
                raise RecordNotFoundError("task queue", name)
            return to_record(TaskQueueRecord, row)

    def find(self) -> list[TaskQueueRecord]:
        """All queues by name."""
        with self._reading() as session:
            rows = session.scalars(select(TaskQueueRow).order_by(TaskQueueRow.name))
            return [to_record(TaskQueueRecord, row) for row in rows]
