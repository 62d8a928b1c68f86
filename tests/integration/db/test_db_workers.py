"""The worker registry: life cycle, heartbeats, lost workers and capabilities."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from core.db import (
    Capability,
    Database,
    DuplicateRecordError,
    InvalidTransitionError,
    RecordNotFoundError,
    WorkerNotLiveError,
    WorkerRecord,
    WorkerStatus,
)

S = WorkerStatus


def register(
    db: Database,
    worker_id: str = "w1",
    task_queue: str = "orders",
    *,
    port: int | None = None,
    metadata: dict[str, str] | None = None,
    capabilities: list[Capability] | None = None,
) -> WorkerRecord:
    return db.workers.register(
        worker_id=worker_id,
        task_queue=task_queue,
        host="box",
        pid=42,
        port=port,
        metadata=metadata,
        capabilities=capabilities or [],
    )


def test_register_records_a_starting_worker(db: Database) -> None:
    worker = register(db, port=7000, metadata={"version": "1"})

    assert worker.status is S.STARTING
    assert (worker.host, worker.pid, worker.port, worker.metadata) == (
        "box",
        42,
        7000,
        {"version": "1"},
    )
    assert worker.started_at.tzinfo is not None
    assert db.workers.get("w1") == worker


def test_full_life_cycle(db: Database) -> None:
    register(db)

    statuses = [db.workers.set_status("w1", s).status for s in (S.RUNNING, S.STOPPING, S.STOPPED)]

    assert statuses == [S.RUNNING, S.STOPPING, S.STOPPED]
    assert db.workers.get("w1").stopped_at is not None


@pytest.mark.parametrize(
    ("path", "illegal"),
    [
        ((), S.STOPPING),
        ((), S.STOPPED),
        ((S.RUNNING,), S.STARTING),
        ((S.RUNNING,), S.STOPPED),
        ((S.RUNNING, S.STOPPING), S.RUNNING),
        ((S.RUNNING, S.STOPPING, S.STOPPED), S.RUNNING),
    ],
)
def test_illegal_transitions_are_refused(
    db: Database, path: tuple[WorkerStatus, ...], illegal: WorkerStatus
) -> None:
    register(db)
    for status in path:
        db.workers.set_status("w1", status)
    current = path[-1] if path else S.STARTING

    with pytest.raises(InvalidTransitionError, match=f"from '{current}' to '{illegal}'"):
        db.workers.set_status("w1", illegal)
    assert db.workers.get("w1").status is current


@pytest.mark.parametrize("path", [(), (S.RUNNING,), (S.RUNNING, S.STOPPING)])
def test_any_status_can_fail_with_an_error(db: Database, path: tuple[WorkerStatus, ...]) -> None:
    register(db)
    for status in path:
        db.workers.set_status("w1", status)

    failed = db.workers.set_status("w1", S.FAILED, error="boom")

    assert (failed.status, failed.error) == (S.FAILED, "boom")
    assert failed.stopped_at is not None


def test_restart_from_failed_clears_the_error(db: Database) -> None:
    register(db)
    db.workers.set_status("w1", S.FAILED, error="boom")

    restarted = db.workers.set_status("w1", S.STARTING)

    assert (restarted.status, restarted.error, restarted.stopped_at) == (S.STARTING, None, None)


def test_register_again_restarts_a_stopped_worker_but_not_a_live_one(db: Database) -> None:
    register(db)
    with pytest.raises(DuplicateRecordError, match="worker 'w1' already exists: it is starting"):
        register(db)

    db.workers.set_status("w1", S.FAILED, error="crash")
    again = register(db, task_queue="other", capabilities=[Capability("t_v2")])

    assert (again.status, again.task_queue, again.error) == (S.STARTING, "other", None)
    assert db.workers.capabilities("w1") == [Capability("t_v2")]


def test_unknown_worker(db: Database) -> None:
    with pytest.raises(RecordNotFoundError, match="worker 'nobody' not found"):
        db.workers.set_status("nobody", S.RUNNING)


def test_heartbeat_updates_live_workers_only(db: Database) -> None:
    register(db)
    at = datetime(2026, 5, 1, 12, 0, tzinfo=UTC)

    assert db.workers.heartbeat("w1", at=at).last_heartbeat == at

    db.workers.set_status("w1", S.FAILED)
    with pytest.raises(WorkerNotLiveError, match="'w1' is failed"):
        db.workers.heartbeat("w1")


def test_a_heartbeat_keeps_the_process_figures_beside_the_other_metadata(db: Database) -> None:
    register(db)
    before = db.workers.get("w1").metadata

    db.workers.heartbeat("w1", resources={"cpu_percent": 12.5, "rss_bytes": 1000})
    after = db.workers.heartbeat("w1", resources={"cpu_percent": 3.0, "rss_bytes": 2000})

    assert after.metadata == {**before, "resources": {"cpu_percent": 3.0, "rss_bytes": 2000}}
    assert db.workers.get("w1").metadata == after.metadata


def test_mark_lost_counts_a_starting_worker_without_heartbeat_from_its_start(db: Database) -> None:
    started = register(db).started_at

    early = db.workers.mark_lost(
        older_than=timedelta(minutes=1), now=started + timedelta(seconds=30)
    )
    late = db.workers.mark_lost(older_than=timedelta(minutes=1), now=started + timedelta(minutes=2))

    assert early == []
    assert [(w.worker_id, w.error) for w in late] == [
        ("w1", f"lost: no heartbeat since {started.isoformat()}")
    ]


def test_mark_lost_reports_when_the_worker_was_last_seen(db: Database) -> None:
    now = datetime.now(UTC)
    beat = now - timedelta(minutes=5)
    register(db, worker_id="stale")
    db.workers.set_status("stale", S.RUNNING)
    db.workers.heartbeat("stale", at=beat)
    register(db, worker_id="fresh")
    db.workers.set_status("fresh", S.RUNNING)
    db.workers.heartbeat("fresh", at=now - timedelta(seconds=10))
    register(db, worker_id="stopping")
    db.workers.set_status("stopping", S.RUNNING)
    db.workers.heartbeat("stopping", at=beat)
    db.workers.set_status("stopping", S.STOPPING)

    lost = db.workers.mark_lost(older_than=timedelta(minutes=1), now=now)

    assert [w.worker_id for w in lost] == ["stale"]
    assert lost[0].status is S.FAILED
    assert lost[0].error == f"lost: no heartbeat since {beat.isoformat()}"
    assert lost[0].stopped_at == now
    assert db.workers.get("stale").status is S.FAILED
    assert db.workers.get("fresh").status is S.RUNNING
    assert db.workers.get("stopping").status is S.STOPPING
    assert db.workers.mark_lost(older_than=timedelta(minutes=1), now=now) == []


def test_find_filters_by_queue_status_and_capability(db: Database) -> None:
    register(db, worker_id="a", task_queue="q1", capabilities=[Capability("flow_v1")])
    register(db, worker_id="b", task_queue="q1", capabilities=[Capability("other_v1")])
    register(db, worker_id="c", task_queue="q2", capabilities=[Capability("flow_v1")])
    db.workers.set_status("b", S.RUNNING)

    assert [w.worker_id for w in db.workers.find()] == ["a", "b", "c"]
    assert [w.worker_id for w in db.workers.find(task_queue="q1")] == ["a", "b"]
    assert [w.worker_id for w in db.workers.find(statuses=[S.RUNNING])] == ["b"]
    assert [w.worker_id for w in db.workers.find(workflow_type="flow_v1")] == ["a", "c"]
    assert [w.worker_id for w in db.workers.find(task_queue="q1", workflow_type="flow_v1")] == ["a"]


def test_capabilities_are_replaced_as_a_set(db: Database) -> None:
    register(db, capabilities=[Capability("flow_v1")])

    db.workers.set_capabilities(
        "w1",
        [Capability("flow_v2", "http_request"), Capability("flow_v2"), Capability("flow_v2")],
    )

    assert db.workers.capabilities("w1") == [
        Capability("flow_v2"),
        Capability("flow_v2", "http_request"),
    ]
    with pytest.raises(RecordNotFoundError):
        db.workers.set_capabilities("nobody", [])
