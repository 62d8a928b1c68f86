"""Every service action against every role: allowed from its rule's role up, refused below.

A public service method without a role rule fails here, so a new action cannot ship unchecked.
"""

from __future__ import annotations

import inspect
from dataclasses import dataclass, field
from typing import Any
from unittest.mock import MagicMock

import pytest

from core.auth import Actor, PermissionDeniedError, Role, acting_as, rule_of
from core.auth.accounts import AccountService
from core.auth.audit import AuditLog
from core.dashboard import DashboardService
from core.deploy import DeployService
from core.executions import RunService
from core.fleet import FleetService
from core.runs import RunsConsole
from core.schedules import ScheduleService
from core.secrets import SecretService
from core.services import WorkflowService

SERVICES = [
    WorkflowService,
    DeployService,
    RunService,
    RunsConsole,
    FleetService,
    ScheduleService,
    DashboardService,
    AccountService,
    AuditLog,
    SecretService,
]
#: Public methods without a rule, and why.
UNCHECKED = {
    (AuditLog, "record"): "the audit sink the check itself writes through, for every actor",
}


@dataclass
class Recorder:
    entries: list[dict[str, str]] = field(default_factory=list)

    def record(self, **entry: str) -> None:
        self.entries.append(entry)


def actions(service: type) -> list[str]:
    return sorted(
        name
        for name, member in inspect.getmembers(service, inspect.isfunction)
        if not name.startswith("_")
    )


SURFACE = [
    (service, name)
    for service in SERVICES
    for name in actions(service)
    if (service, name) not in UNCHECKED
]


@pytest.mark.parametrize(("service", "name"), SURFACE, ids=lambda v: getattr(v, "__name__", v))
def test_every_action_has_a_role_rule(service: type, name: str) -> None:
    assert rule_of(getattr(service, name)) is not None, (
        f"{service.__name__}.{name} has no role rule: decorate it with @reads or @action(...)"
    )


@pytest.mark.filterwarnings("ignore:coroutine .* was never awaited:RuntimeWarning")
@pytest.mark.parametrize("role", list(Role), ids=lambda r: r.label)
@pytest.mark.parametrize(("service", "name"), SURFACE, ids=lambda v: getattr(v, "__name__", v))
def test_each_role_may_do_exactly_what_its_rule_allows(service: type, name: str, role: Role):
    rule = rule_of(getattr(service, name))
    assert rule is not None
    audit = Recorder()
    # The service's dependencies are mocks: an allowed call runs into them, a refused one
    # never gets that far.
    instance = object.__new__(service)
    instance.__dict__.update({key: MagicMock() for key in ("_db", "_gateway", "_temporal")})
    bound = acting_as(instance, Actor("ann", role, audit))
    arguments = _arguments(getattr(service, name))

    if role < rule.role:
        with pytest.raises(PermissionDeniedError, match=f"needs the {rule.role.label} role"):
            getattr(bound, name)(**arguments)
        assert audit.entries[-1]["outcome"] == "denied"
    else:
        try:
            getattr(bound, name)(**arguments)
        except PermissionDeniedError:  # pragma: no cover - the failure this test looks for
            pytest.fail(f"{role.label} was refused {service.__name__}.{name}")
        except Exception:  # noqa: BLE001 - mocks may make the body fail; only the check counts
            pass
        outcomes = [entry["outcome"] for entry in audit.entries]
        assert outcomes == ([] if not rule.change else outcomes[:1])
        assert not rule.change or outcomes in (["ok"], ["failed"])


def test_reads_need_no_role_and_changes_are_recorded_with_who_and_what() -> None:
    audit = Recorder()
    service = object.__new__(WorkflowService)
    service.__dict__["_db"] = MagicMock()
    viewer = acting_as(service, Actor("vic", Role.VIEWER, audit))
    editor = acting_as(service, Actor("eve", Role.EDITOR, audit))

    viewer.list()
    editor.rename(7, name="orders")
    with pytest.raises(PermissionDeniedError, match=r"vic \(viewer\) may not rename"):
        viewer.rename(7, name="orders")

    assert audit.entries == [
        {
            "actor": "eve",
            "action": "WorkflowService.rename",
            "target": "7, name='orders'",
            "outcome": "ok",
        },
        {
            "actor": "vic",
            "action": "WorkflowService.rename",
            "target": "7, name='orders'",
            "outcome": "denied",
        },
    ]


def _arguments(method: Any) -> dict[str, Any]:
    signature = inspect.signature(inspect.unwrap(method))
    return {
        name: MagicMock()
        for name, parameter in list(signature.parameters.items())[1:]
        if parameter.default is inspect.Parameter.empty
        and parameter.kind not in (parameter.VAR_POSITIONAL, parameter.VAR_KEYWORD)
    }
