"""Backup files of a SQLite installation: what they hold, and what a restore refuses."""

from __future__ import annotations

import tarfile
from pathlib import Path

import pytest

from core.backup import BackupError, create_backup, read_manifest, restore_backup
from core.config import Settings, load_settings
from core.db import Database


def installation(folder: Path, **environ: str) -> Settings:
    return load_settings({"WB_DATA_DIR": str(folder), **environ})


@pytest.fixture
def backup(tmp_path: Path) -> Path:
    """A backup of an installation with one workflow and one (fake) deployed bundle."""
    settings = installation(tmp_path / "source")
    with Database.open(settings.database_url) as database:
        database.workflows.create(name="greeter", graph={"nodes": []})
    bundle = settings.deploy_dir / "wf_greeter_v1_abc"
    (bundle / "__pycache__").mkdir(parents=True)
    (bundle / "workflow.py").write_text("# generated\n")
    (bundle / "__pycache__" / "workflow.cpython-311.pyc").write_bytes(b"\0")
    target = tmp_path / "wb.tar.gz"
    summary = create_backup(settings, target)
    assert (summary.database, summary.workflows, summary.bundles) == ("sqlite", 1, 1)
    assert not summary.temporal  # the embedded server never ran here
    return target


def test_a_backup_holds_the_database_and_bundles_without_byte_code(backup: Path):
    with tarfile.open(backup) as archive:
        names = sorted(archive.getnames())
    assert names == [
        "database.sqlite",
        "deployments/wf_greeter_v1_abc",
        "deployments/wf_greeter_v1_abc/workflow.py",
        "manifest.json",
    ]


def test_a_restore_into_an_empty_folder_brings_everything_back(backup: Path, tmp_path: Path):
    target = installation(tmp_path / "target")
    (target.data_dir / "logs").mkdir(parents=True)  # what any command writes first
    summary = restore_backup(target, backup)
    assert summary == read_manifest(backup)
    with Database.open(target.database_url) as database:
        assert [w.name for w in database.workflows.find()] == ["greeter"]
    assert (target.deploy_dir / "wf_greeter_v1_abc" / "workflow.py").read_text() == "# generated\n"


def test_a_restore_refuses_a_folder_with_state_and_names_it(backup: Path, tmp_path: Path):
    target = installation(tmp_path / "target")
    target.deploy_dir.mkdir(parents=True)
    (target.deploy_dir / "old").mkdir()
    (target.data_dir / "notes.txt").write_text("mine")
    with pytest.raises(BackupError) as refused:
        restore_backup(target, backup)
    message = str(refused.value)
    assert message.startswith("restore needs an empty installation")
    assert f"the data folder {target.data_dir} is not empty (it holds deployments, notes.txt)" in (
        message
    )
    assert f"the deploy folder {target.deploy_dir} is not empty" in message
    assert (target.data_dir / "notes.txt").read_text() == "mine"  # nothing touched


def test_a_restore_refuses_another_kind_of_database(backup: Path, tmp_path: Path):
    target = installation(tmp_path / "target", DATABASE_URL="postgresql://nobody@127.0.0.1:1/x")
    with pytest.raises(BackupError, match="holds a sqlite database but DATABASE_URL names a post"):
        restore_backup(target, backup)


def test_a_file_that_is_not_a_backup_is_refused(tmp_path: Path):
    junk = tmp_path / "junk.tar.gz"
    junk.write_bytes(b"not a tar file")
    with pytest.raises(BackupError, match="is not a Workflow Builder backup"):
        read_manifest(junk)
    with pytest.raises(BackupError, match="does not exist"):
        read_manifest(tmp_path / "missing.tar.gz")


def test_a_backup_never_overwrites_a_file(backup: Path, tmp_path: Path):
    with pytest.raises(BackupError, match="already exists"):
        create_backup(installation(tmp_path / "source"), backup)
