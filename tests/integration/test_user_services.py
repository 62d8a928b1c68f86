"""The services as one signed-in user sees them (AppServices.for_actor): each action checked
against their role in core, each refusal and change in the audit log, workflows owned by
whoever made them."""

from __future__ import annotations

import uuid
from pathlib import Path

import pytest

from core.auth import PermissionDeniedError, Role
from core.config import Settings
from core.db import AuditFilter
from core.services import AppServices, build_services
from tests.integration.test_services import app_settings

PASSWORD = "correct horse battery"


@pytest.fixture
def services(temporal_settings: Settings, tmp_path: Path):
    services = build_services(app_settings(temporal_settings, tmp_path))
    yield services
    services.close()


def _sign_in(services: AppServices, name: str, role: Role):
    if services.accounts.needs_first_admin():
        services.accounts.create_first_admin("root", password=PASSWORD)
    if name != "root":
        _, root = services.accounts.sign_in("root", password=PASSWORD)
        services.for_actor(root).accounts.create(name, password=PASSWORD, role=role)
    _, actor = services.accounts.sign_in(name, password=PASSWORD)
    return services.for_actor(actor)


def test_a_viewer_cannot_deploy_and_the_refusal_is_in_the_audit_log(services: AppServices):
    editor = _sign_in(services, "eve", Role.EDITOR)
    viewer = _sign_in(services, "vic", Role.VIEWER)
    workflow = editor.workflows.create_from_example("hello_activity", name="greeter")

    assert [item.name for item in viewer.workflows.list()] == ["greeter"]  # viewers read
    with pytest.raises(PermissionDeniedError, match=r"vic \(viewer\) may not deploy"):
        viewer.deploy.deploy(workflow.id)

    assert viewer.deploy.versions(workflow.id) == []
    denied = services.database.audit.find(AuditFilter(actor="vic", outcome="denied"))
    assert [(e.action, e.target) for e in denied] == [("DeployService.deploy", repr(workflow.id))]
    created = services.database.audit.find(AuditFilter(actor="eve"))
    assert [(e.action, e.outcome) for e in created][0] == (
        "WorkflowService.create_from_example",
        "ok",
    )


def test_workflows_are_owned_by_whoever_creates_imports_or_copies_them(services: AppServices):
    editor = _sign_in(services, "eve", Role.EDITOR)
    admin = _sign_in(services, "root", Role.ADMIN)

    blank = editor.workflows.create(name="blank")
    copied = admin.workflows.duplicate(blank.id, name="copied")
    imported = editor.workflows.import_document(
        admin.workflows.export_document(blank.id), name="imported"
    )
    example = admin.workflows.create_from_example("hello_activity", name="greeter")

    owners = {item.name: item.owner for item in services.workflows.list()}
    assert owners == {"blank": "eve", "copied": "root", "imported": "eve", "greeter": "root"}
    assert example.owner == "root" and imported.owner == "eve" and copied.owner == "root"


def test_deleting_needs_the_admin_role_before_anything_is_removed(services: AppServices):
    name = f"report_{uuid.uuid4().hex[:8]}"  # schedules live on the shared dev server
    editor = _sign_in(services, "eve", Role.EDITOR)
    admin = _sign_in(services, "root", Role.ADMIN)
    try:
        workflow = editor.workflows.create_from_example("scheduled_report", name=name)
        editor.deploy.deploy(workflow.id)

        with pytest.raises(PermissionDeniedError, match="needs the admin role"):
            editor.delete_workflow(workflow.id)
        assert editor.schedules.status(name) is not None  # the schedule was not touched

        admin.delete_workflow(workflow.id)
        assert services.schedules.status(name) is None
        assert services.workflows.list() == []
        outcomes = services.database.audit.find(AuditFilter(action="WorkflowService.delete"))
        assert [(e.actor, e.outcome) for e in reversed(outcomes)] == [
            ("eve", "denied"),
            ("root", "ok"),
        ]
    finally:
        services.schedules.remove(name)  # in case the test failed before deleting
