"""The app's services as one user sees them: every action checked against that user's role."""

from __future__ import annotations

from functools import cached_property
from typing import TYPE_CHECKING

from core.activities import ActivityRegistry
from core.alerts import Alert
from core.auth import Actor, acting_as, require
from core.auth.accounts import AccountService
from core.auth.audit import AuditLog
from core.config import Settings
from core.dashboard import DashboardService
from core.db import DeploymentStatus
from core.deploy import DeployService
from core.executions import RunService
from core.fleet import FleetService
from core.health import HealthReport
from core.runs import RunsConsole
from core.schedules import ScheduleService
from core.secrets import SecretService
from core.services.workflows import WorkflowService

if TYPE_CHECKING:
    from core.services import AppServices


class UserServices:
    """What a page uses on behalf of its signed-in user (``AppServices.for_actor``).

    The same properties as :class:`~core.services.AppServices`, each an ``acting_as`` copy
    bound to the user, so the role check of every action happens in the service itself,
    whatever a page shows or hides. Made afresh for each page run: cheap (a copy per service
    used) and never stale when an admin changes the user's role.
    """

    def __init__(self, app: AppServices, actor: Actor) -> None:
        self._app = app
        self.actor = actor

    @property
    def settings(self) -> Settings:
        """The process's settings."""
        return self._app.settings

    @property
    def registry(self) -> ActivityRegistry:
        """The activities steps can call."""
        return self._app.registry

    @property
    def temporal_started(self) -> bool:
        """Whether the Temporal side has been started."""
        return self._app.temporal_started

    def start_temporal(self) -> None:
        """Start the Temporal side if it is not up (serving the deployed workflows is the
        process's own business, not an action of the user who happened to open a page).

        Raises:
            EmbeddedServerError: the embedded server could not start.
            TemporalConnectionError: the configured cluster cannot be reached.
        """
        self._app.temporal  # noqa: B018 -- the property starts the server, workers and client

    @property
    def embedded_ui_url(self) -> str | None:
        """The embedded Temporal server's Web UI (starts Temporal; None on a cluster)."""
        return self._app.temporal.endpoint.ui_url

    @cached_property
    def workflows(self) -> WorkflowService:
        """Workflows and their drafts."""
        return acting_as(self._app.workflows, self.actor)

    @cached_property
    def fleet(self) -> FleetService:
        """Workers and task queues."""
        return acting_as(self._app.fleet, self.actor)

    @cached_property
    def deploy(self) -> DeployService:
        """Versions, deploys, rollback, diff and export."""
        return acting_as(self._app.deploy, self.actor)

    @cached_property
    def runs(self) -> RunService:
        """Starting and following runs."""
        return acting_as(self._app.runs, self.actor)

    @cached_property
    def schedules(self) -> ScheduleService:
        """Cron schedules: status, pause, resume, fire now."""
        return acting_as(self._app.schedules, self.actor)

    @property
    def dashboard(self) -> DashboardService:
        """Dashboard figures (not cached: it follows whether Temporal has started)."""
        return acting_as(self._app.dashboard, self.actor)

    @cached_property
    def console(self) -> RunsConsole:
        """Runs across workflows: list, detail, cancel, terminate, reset, rerun."""
        return acting_as(self._app.console, self.actor)

    @cached_property
    def accounts(self) -> AccountService:
        """Accounts (admins manage them)."""
        return acting_as(self._app.accounts, self.actor)

    @cached_property
    def secrets(self) -> SecretService:
        """Secrets (admins create, rotate and delete them)."""
        return acting_as(self._app.secrets, self.actor)

    @cached_property
    def audit(self) -> AuditLog:
        """The audit log (admins read it)."""
        return acting_as(self._app.audit, self.actor)

    def health(self) -> HealthReport:
        """Every health check (see ``AppServices.health``)."""
        return self._app.health()

    def open_alerts(self) -> list[Alert] | None:
        """The open alerts (see ``AppServices.open_alerts``)."""
        return self._app.open_alerts()

    def delete_workflow(self, workflow_id: int) -> None:
        """Hide a workflow; its schedule, if it has one, is removed first (nobody could see or
        stop the runs it starts once the workflow is hidden), and its live version drains:
        it takes no new runs, and its workers drop the code once its open runs are done.

        Raises:
            PermissionDeniedError: the user may not delete workflows (nothing is removed).
            RecordNotFoundError: no such workflow.
            ScheduleError: Temporal refused to remove the schedule (the workflow stays).
        """
        require(self.actor, WorkflowService.delete, target=repr(workflow_id))
        workflow = self.workflows.get(workflow_id)
        if self._app.database.schedules.find(workflow_id=workflow_id):
            self.schedules.remove(workflow.name)
        self.workflows.delete(workflow_id)
        deployments = self._app.database.deployments
        for live in deployments.find(workflow_id=workflow_id, statuses=[DeploymentStatus.ACTIVE]):
            deployments.drain(live.id)
        if self._app.temporal_started:
            self.deploy.retire_drained()  # at once when no run is open (else at a later look)
