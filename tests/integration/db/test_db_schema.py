"""The migrations build the schema the models describe, on SQLite and PostgreSQL alike."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import Column, Connection, Engine, Integer, MetaData, Table, inspect, text
from sqlalchemy.exc import StatementError

from core.db import Database, ExecutionStatus, migrate
from core.db.models import Base

TABLES = {
    "workflows",
    "workflow_versions",
    "task_queues",
    "workflow_workers",
    "worker_capabilities",
    "workflow_deployments",
    "workflow_executions",
    "schedules",
    "run_monitor",
    "run_steps",
    "alerts",
    "users",
    "sessions",
    "audit_log",
    "secrets",
    "version_bundles",
}


def _schema_diff(engine: Engine, metadata: MetaData) -> list[Any]:
    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        return list(compare_metadata(context, metadata))


def test_migrate_from_empty_creates_every_table(engine: Engine) -> None:
    migrate(engine)

    assert set(inspect(engine).get_table_names()) == TABLES | {"alembic_version"}


def test_migrated_schema_matches_the_models(engine: Engine) -> None:
    migrate(engine)

    assert _schema_diff(engine, Base.metadata) == []


def test_schema_comparison_does_see_a_difference(engine: Engine) -> None:
    # Guards the test above against comparing nothing with nothing.
    migrate(engine)
    extended = MetaData(naming_convention=Base.metadata.naming_convention)
    for table in Base.metadata.tables.values():
        table.to_metadata(extended)
    Table("not_migrated", extended, Column("id", Integer, primary_key=True))

    diff = _schema_diff(engine, extended)

    assert [entry[0] for entry in diff] == ["add_table"]


def test_migrate_twice_is_a_no_op(engine: Engine) -> None:
    migrate(engine)
    migrate(engine)

    with engine.connect() as connection:
        assert connection.execute(
            text("SELECT version_num FROM alembic_version")
        ).scalars().all() == ["0012"]


def _insert_old_version(connection: Connection, *, graph: dict, compiler_version: str) -> None:
    """Workflow 'old' and its version 1 of ``graph``, written as an older schema's app did."""
    connection.execute(
        text(
            "INSERT INTO workflows (name, title, description, created_at, updated_at) "
            "VALUES ('old', 'Old', '', CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)"
        )
    )
    connection.execute(
        text(
            "INSERT INTO workflow_versions (workflow_id, version, graph, graph_hash, "
            "bundle_hash, compiler_version, created_at) SELECT id, 1, :graph, 'g', 'b', "
            ":compiler, CURRENT_TIMESTAMP FROM workflows"
        ),
        {"graph": json.dumps(graph), "compiler": compiler_version},
    )


def test_versions_written_before_build_options_read_back_with_no_options(engine: Engine) -> None:
    migrate(engine, revision="0001")
    with engine.begin() as connection:
        _insert_old_version(connection, graph={}, compiler_version="1")

    migrate(engine)

    with Database(engine) as database:
        workflow = database.workflows.get_by_name("old")
        assert database.versions.get(workflow.id, 1).build_options == {}


def test_deployments_made_before_step_queues_get_theirs_from_their_graph(engine: Engine) -> None:
    migrate(engine, revision="0011")
    step = {"activity": "echo", "args": {}, "task_queue": "gpu"}
    graph = {"nodes": [{"id": "a", "type": "activity", "params": step}]}
    with engine.begin() as connection:
        _insert_old_version(connection, graph=graph, compiler_version="3")
        for queue in ("main", "gpu"):  # steps on a deployment's own queue are not elsewhere
            connection.execute(
                text(
                    "INSERT INTO workflow_deployments (workflow_id, version_id, task_queue, "
                    "workflow_type, status, bundle_dir, created_at) SELECT workflow_id, id, "
                    ":queue, 'old_v1', 'active', '/b', CURRENT_TIMESTAMP FROM workflow_versions"
                ),
                {"queue": queue},
            )

    migrate(engine)

    with Database(engine) as database:
        found = {d.task_queue: d.step_queues for d in database.deployments.find()}
    assert found == {"main": {"gpu": ["echo"]}, "gpu": {}}


def test_runs_recorded_before_previews_keep_their_input_and_output_as_previews(
    engine: Engine,
) -> None:
    migrate(engine, revision="0002")
    with engine.begin() as connection:
        connection.execute(
            text(
                "INSERT INTO workflow_executions (workflow_id, run_id, workflow_type, task_queue, "
                "status, input, output, start_time) VALUES ('wf', 'r1', 't', 'q', 'completed', "
                ":input, :output, CURRENT_TIMESTAMP)"
            ),
            {"input": '{"name": "Ann"}', "output": json.dumps("x" * 5000)},
        )

    migrate(engine)

    with Database(engine) as database:
        record = database.executions.get("wf", "r1")
    assert record.input_preview == '{"name": "Ann"}'
    assert record.result_preview is not None
    assert len(record.result_preview) == 2000 and record.result_preview.endswith("…")
    assert (record.trigger, record.details_synced) == (None, False)


def test_migrate_works_from_any_working_directory(
    engine: Engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)

    migrate(engine)

    assert set(inspect(engine).get_table_names()) == TABLES | {"alembic_version"}


def test_datetimes_come_back_aware_in_utc(db: Database) -> None:
    plus_two = timezone(timedelta(hours=2))
    db.workflows.create(name="clock")
    db.executions.upsert(
        workflow_id="wf",
        run_id="r1",
        workflow_type="clock",
        task_queue="q",
        status=ExecutionStatus.RUNNING,
        start_time=datetime(2026, 1, 2, 12, 0, tzinfo=plus_two),
    )

    stored = db.executions.get("wf", "r1")

    assert stored.start_time == datetime(2026, 1, 2, 10, 0, tzinfo=UTC)
    assert stored.start_time.tzinfo is UTC


def test_naive_datetimes_are_refused(db: Database) -> None:
    with pytest.raises(StatementError, match="naive datetime"):
        db.executions.upsert(
            workflow_id="wf",
            run_id="r1",
            workflow_type="t",
            task_queue="q",
            status=ExecutionStatus.RUNNING,
            start_time=datetime(2026, 1, 2, 12, 0),
        )


def test_sqlite_connections_use_wal_foreign_keys_and_busy_timeout(
    tmp_path: Path,
) -> None:
    path = tmp_path / "nested" / "folder" / "app.db"
    with Database.open(f"sqlite:///{path}") as database, database.engine.connect() as connection:
        pragmas = {
            name: connection.exec_driver_sql(f"PRAGMA {name}").scalar()
            for name in ("journal_mode", "foreign_keys", "busy_timeout")
        }
    assert pragmas == {"journal_mode": "wal", "foreign_keys": 1, "busy_timeout": 30_000}
    assert path.is_file()
