"""Backup and restore of an installation: database, deployed bundles, Temporal's local state.

A backup is one ``.tar.gz`` holding ``manifest.json``, the database (``database.sqlite`` from
SQLite's online backup, or ``database.pgdump`` from ``pg_dump``), the deploy folder's bundles
under ``deployments/`` and, when the app runs the embedded Temporal server, that server's
persistence file (``temporal.db``, online backup too). Parts are taken in this order on
purpose: a deploy writes its bundle before it records the deployment, and a run is in
Temporal before the run monitor records it, so every deployment in the copied database finds
its bundle, and Temporal's copy knows every run the database names (the monitor catches up on
the rest). Schedules are rows of the database and, for the embedded server, entries in its
file; the app re-creates any Temporal lacks when it starts. The secret key is never included.
"""

from __future__ import annotations

import json
import logging
import shutil
import tarfile
import tempfile
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from core.backup.databases import (
    copy_sqlite,
    database_tables,
    dump_postgres,
    is_sqlite,
    restore_postgres,
    sqlite_path,
)
from core.backup.errors import BackupError
from core.config import Settings
from core.db import Database, WorkerStatus
from core.db.repositories.workers import LIVE_STATUSES
from core.errors import WorkflowBuilderError
from core.logs import LOG_FILE
from core.secrets.keys import KEY_FILE
from core.temporal.dev_server import PERSISTENCE_FILE

logger = logging.getLogger(__name__)

FORMAT = "workflow-builder-backup/1"
MANIFEST = "manifest.json"
SQLITE_MEMBER = "database.sqlite"
POSTGRES_MEMBER = "database.pgdump"
TEMPORAL_MEMBER = PERSISTENCE_FILE
BUNDLES_MEMBER = "deployments"
#: What a data folder may hold and still count as empty for a restore: the logs every command
#: writes, and the secret key, which the operator copies in before restoring (it is never in
#: a backup).
_IGNORED_IN_DATA = frozenset({LOG_FILE.parts[0], KEY_FILE})


@dataclass(frozen=True)
class BackupSummary:
    """What a backup holds (its manifest) and, after a restore, what was put where.

    Attributes:
        database: ``sqlite`` or ``postgresql``.
        workflows: workflows in the database.
        deployments: deployments in the database.
        bundles: bundle folders in the backup.
        schedules: schedules in the database.
        secrets: stored secrets, encrypted with a key the backup does not hold.
        temporal: whether the embedded Temporal server's persistence file is included.
        created_at: when the backup was taken (UTC, ISO 8601).
        deploy_dir: the deploy folder the bundles were taken from.
    """

    database: str
    workflows: int
    deployments: int
    bundles: int
    schedules: int
    secrets: int
    temporal: bool
    created_at: str
    deploy_dir: str

    def describe(self) -> str:
        """One readable line per part."""
        lines = [
            f"database: {self.database} ({self.workflows} workflows, {self.deployments} "
            f"deployments, {self.schedules} schedules, {self.secrets} secrets)",
            f"deployed bundles: {self.bundles}",
            "Temporal: the embedded server's persistence file"
            if self.temporal
            else "Temporal: no embedded server's file (a cluster keeps its own state, or the "
            "embedded server has not run)",
        ]
        return "\n".join(lines)


def create_backup(settings: Settings, target: Path) -> BackupSummary:
    """Write a backup of the installation ``settings`` describe to ``target`` (a new file).

    Safe while the app and workers run: each part is one consistent copy.

    Raises:
        BackupError: ``target`` exists, a part cannot be copied, or pg_dump failed.
    """
    if target.exists():
        raise BackupError(f"{target} already exists; choose a new file name")
    target.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=target.parent, prefix=".wb-backup-") as scratch:
        staging = Path(scratch)
        sqlite = is_sqlite(settings.database_url)
        if sqlite:
            copy_sqlite(sqlite_path(settings.database_url), staging / SQLITE_MEMBER)
            counted = _counts(f"sqlite:///{staging / SQLITE_MEMBER}")
        else:
            counted = _counts(settings.database_url)
            dump_postgres(settings.database_url, staging / POSTGRES_MEMBER)
        temporal_file = settings.data_dir / PERSISTENCE_FILE
        embedded = settings.temporal_address is None and temporal_file.is_file()
        if embedded:
            copy_sqlite(temporal_file, staging / TEMPORAL_MEMBER)
        bundles = _bundle_folders(settings.deploy_dir)
        summary = BackupSummary(
            database="sqlite" if sqlite else "postgresql",
            bundles=len(bundles),
            temporal=embedded,
            created_at=datetime.now(UTC).isoformat(timespec="seconds"),
            deploy_dir=str(settings.deploy_dir.resolve()),
            **counted,
        )
        (staging / MANIFEST).write_text(
            json.dumps({"format": FORMAT, **summary.__dict__}, indent=2) + "\n"
        )
        partial = target.with_name(f".{target.name}.partial")
        try:
            _archive(partial, staging, bundles)
        except BaseException:
            partial.unlink(missing_ok=True)  # a backup file is complete or absent
            raise
        partial.replace(target)
    logger.info("backup written to %s", target)
    return summary


def _archive(file: Path, staging: Path, bundles: list[Path]) -> None:
    try:
        with tarfile.open(file, "w:gz") as archive:
            archive.add(staging / MANIFEST, MANIFEST)
            for member in (SQLITE_MEMBER, POSTGRES_MEMBER, TEMPORAL_MEMBER):
                if (staging / member).exists():
                    archive.add(staging / member, member)
            for folder in bundles:
                archive.add(folder, f"{BUNDLES_MEMBER}/{folder.name}", filter=_without_caches)
    except OSError as error:
        raise BackupError(f"cannot write the backup {file}: {error}") from error


def restore_backup(settings: Settings, source: Path) -> BackupSummary:
    """Restore ``source`` into the installation ``settings`` describe, which must be empty.

    The data folder may hold only ``logs/`` and the secret key file; the database must have no
    tables (a SQLite file must not exist); the deploy folder must be empty. Bundles land in the
    deploy folder (deployments are pointed there when it differs from the backed-up one), and
    the embedded server's file in the data folder unless ``TEMPORAL_ADDRESS`` is set. The
    database is then migrated to this version of the app.

    Raises:
        BackupError: the file is not a backup, the target is not empty, the database kinds
            differ, or a part cannot be restored.
    """
    with tempfile.TemporaryDirectory(prefix="wb-restore-") as scratch:
        staging = Path(scratch)
        summary = _unpack(source, staging)
        _check_empty(settings, summary)
        settings.data_dir.mkdir(parents=True, exist_ok=True)
        if summary.database == "sqlite":
            database_file = sqlite_path(settings.database_url)
            copy_sqlite(staging / SQLITE_MEMBER, database_file)
        else:
            restore_postgres(settings.database_url, staging / POSTGRES_MEMBER)
        bundles = staging / BUNDLES_MEMBER
        if bundles.is_dir():
            settings.deploy_dir.mkdir(parents=True, exist_ok=True)
            for folder in sorted(bundles.iterdir()):
                shutil.copytree(folder, settings.deploy_dir / folder.name)
        if summary.temporal and settings.temporal_address is None:
            shutil.copyfile(staging / TEMPORAL_MEMBER, settings.data_dir / TEMPORAL_MEMBER)
        try:
            with Database.open(settings.database_url) as database:  # migrates an older backup
                new_root = str(settings.deploy_dir.resolve())
                if new_root != summary.deploy_dir:
                    database.deployments.move_bundles(summary.deploy_dir, new_root)
                _end_copied_workers(database, summary)
        except WorkflowBuilderError:
            raise
        except Exception as error:  # alembic, the driver: say what the restored database lacks
            raise BackupError(
                f"the restored database cannot be opened or migrated ({error}); was the backup "
                "made by a newer version of Workflow Builder?"
            ) from error
    logger.info("backup %s restored", source)
    return summary


def read_manifest(source: Path) -> BackupSummary:
    """The summary stored in a backup file, without restoring it.

    Raises:
        BackupError: the file is missing or is not a Workflow Builder backup.
    """
    try:
        with tarfile.open(source, "r:gz") as archive:
            member = archive.extractfile(MANIFEST)
            if member is None:
                raise KeyError(MANIFEST)
            manifest: dict[str, Any] = json.loads(member.read())
    except FileNotFoundError as error:
        raise BackupError(f"{source} does not exist") from error
    except (tarfile.TarError, KeyError, ValueError, OSError) as error:
        raise BackupError(f"{source} is not a Workflow Builder backup ({error})") from error
    if manifest.pop("format", None) != FORMAT:
        raise BackupError(f"{source} is not a Workflow Builder backup of format {FORMAT}")
    try:
        return BackupSummary(**manifest)
    except TypeError as error:
        raise BackupError(f"{source}: its manifest is not one this version reads") from error


def _unpack(source: Path, staging: Path) -> BackupSummary:
    summary = read_manifest(source)
    with tarfile.open(source, "r:gz") as archive:
        # The "data" filter refuses absolute paths, links out of the folder and device files.
        archive.extractall(staging, filter="data")
    expected = SQLITE_MEMBER if summary.database == "sqlite" else POSTGRES_MEMBER
    if not (staging / expected).is_file():
        raise BackupError(f"{source} lacks its database ({expected})")
    return summary


def _check_empty(settings: Settings, summary: BackupSummary) -> None:
    problems: list[str] = []
    if settings.data_dir.exists():
        extra = sorted(
            p.name for p in settings.data_dir.iterdir() if p.name not in _IGNORED_IN_DATA
        )
        if extra:
            problems.append(
                f"the data folder {settings.data_dir} is not empty (it holds {', '.join(extra)})"
            )
    if settings.deploy_dir.exists() and any(settings.deploy_dir.iterdir()):
        problems.append(f"the deploy folder {settings.deploy_dir} is not empty")
    target_sqlite = is_sqlite(settings.database_url)
    if (summary.database == "sqlite") != target_sqlite:
        problems.append(
            f"the backup holds a {summary.database} database but DATABASE_URL names a "
            f"{'sqlite' if target_sqlite else 'postgresql'} one; restore into the same kind"
        )
    elif target_sqlite:
        database_file = sqlite_path(settings.database_url)
        if database_file.exists():
            problems.append(f"the database file {database_file} already exists")
    elif tables := database_tables(settings.database_url):
        problems.append(f"the database already has tables ({', '.join(tables[:5])}, ...)")
    if problems:
        raise BackupError(
            "restore needs an empty installation: "
            + "; ".join(problems)
            + ". Move it aside (or point WB_DATA_DIR, DATABASE_URL and DEPLOY_DIR elsewhere) "
            "and try again"
        )


def _end_copied_workers(database: Database, summary: BackupSummary) -> None:
    # Rows of the workers that ran when the backup was taken: none of them runs now, and a new
    # worker with the same id (same host and pid) could not register while its row looks live.
    for worker in database.workers.find(statuses=LIVE_STATUSES):
        database.workers.set_status(
            worker.worker_id,
            WorkerStatus.FAILED,
            error=f"not running: restored from a backup taken {summary.created_at}",
        )


def _counts(url: str) -> dict[str, int]:
    with Database.open(url, run_migrations=False) as database:
        return {
            "workflows": len(database.workflows.find()),
            "deployments": len(database.deployments.find()),
            "schedules": len(database.schedules.find()),
            "secrets": len(database.secrets.find()),
        }


def _bundle_folders(deploy_dir: Path) -> list[Path]:
    if not deploy_dir.is_dir():
        return []
    return sorted(p for p in deploy_dir.iterdir() if p.is_dir() and p.name != "__pycache__")


def _without_caches(member: tarfile.TarInfo) -> tarfile.TarInfo | None:
    # Byte code is rebuilt on import; it differs per Python and only makes the backup bigger.
    return None if "__pycache__" in Path(member.name).parts else member


def key_missing(settings: Settings) -> bool:
    """Whether no secret key is at hand for the restored secrets (neither WB_SECRET_KEY nor
    the key file in the data folder)."""
    return settings.secret_key is None and not (settings.data_dir / KEY_FILE).is_file()
