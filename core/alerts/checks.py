"""What each kind of alert rule finds, from the same records the dashboard draws.

Every check reads the database only, except a schedule whose cron expression ``core.cron``
cannot read: its last due firing is then estimated from Temporal's upcoming firings, when
Temporal is there to ask.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from urllib.parse import urlencode

from core.alerts.rules import AlertKind, AlertRule
from core.cron import CronError, parse_cron
from core.db import (
    Database,
    DeploymentStatus,
    ExecutionFilter,
    ExecutionStatus,
    RunTrigger,
    ScheduleRecord,
    WorkerStatus,
)
from core.db.repositories import AlertFinding, Scope
from core.db.repositories.analytics import FAILED
from core.db.repositories.workers import LOST_ERROR_PREFIX
from core.errors import WorkflowBuilderError
from core.runs.listing import RunQuery, TimeRange
from core.schedules import ScheduleService, TemporalCaller

logger = logging.getLogger(__name__)

#: Where the console lists workers.
WORKERS_LINK = "./workers"
#: How much earlier than its firing time a scheduled run may be recorded as started.
CLOCK_SLACK = timedelta(seconds=1)


@dataclass(frozen=True)
class CheckContext:
    """What a check reads: the database, the time of the evaluation, Temporal if started."""

    database: Database
    now: datetime
    temporal: TemporalCaller | None = None

    def workflow_names(self) -> dict[int, str]:
        """Workflow id -> name, of workflows not deleted."""
        return {summary.id: summary.name for summary in self.database.workflows.find()}


Check = Callable[[AlertRule, CheckContext], list[AlertFinding]]


def failure_rate(rule: AlertRule, context: CheckContext) -> list[AlertFinding]:
    """Workflows whose runs started in the window failed more often than the threshold."""
    names = context.workflow_names()
    start = context.now - rule.window
    findings = []
    for counts in context.database.analytics.workflow_counts(Scope(start, context.now)):
        if counts.runs < max(rule.min_runs, 1):
            continue
        percent = 100.0 * counts.failed / counts.runs
        if percent <= rule.threshold:
            continue
        name = names.get(counts.definition_id) if counts.definition_id is not None else None
        subject = name or "runs of no workflow"
        query = RunQuery(workflow=name, statuses=FAILED, time_range=TimeRange.covering(rule.window))
        findings.append(
            _finding(
                rule,
                name or "(other)",
                title=f"{subject}: {percent:.0f}% of runs failed in the last {_span(rule.window)}",
                detail=(
                    f"{counts.failed} of {counts.runs} runs started since "
                    f"{_clock(start)} UTC failed, timed out or were terminated "
                    f"(alert above {rule.threshold:g}% of at least {rule.min_runs} runs)."
                ),
                link="./runs?" + urlencode(query.to_params()),
            )
        )
    return findings


def worker_lost(rule: AlertRule, context: CheckContext) -> list[AlertFinding]:
    """Workers marked lost (no heartbeat) within the window and not restarted since."""
    since = context.now - rule.window
    return [
        _finding(
            rule,
            worker.worker_id,
            title=f"Worker {worker.worker_id} on queue {worker.task_queue} was lost",
            detail=(
                f"It stopped sending heartbeats ({worker.error.removeprefix(LOST_ERROR_PREFIX)}) "
                f"and was marked failed at {_clock(worker.stopped_at)} UTC; host {worker.host}"
                + (f", process {worker.pid}." if worker.pid else ".")
            ),
            link=WORKERS_LINK,
        )
        for worker in context.database.workers.find(statuses=[WorkerStatus.FAILED])
        if worker.error is not None
        and worker.error.startswith(LOST_ERROR_PREFIX)
        and worker.stopped_at is not None
        and worker.stopped_at >= since
    ]


def queue_without_worker(rule: AlertRule, context: CheckContext) -> list[AlertFinding]:
    """Task queues with an active deployment and no starting or running worker."""
    names = context.workflow_names()
    served: dict[str, set[str]] = {}
    for deployment in context.database.deployments.find(statuses=[DeploymentStatus.ACTIVE]):
        workflow = names.get(deployment.workflow_id, deployment.workflow_type)
        served.setdefault(deployment.task_queue, set()).add(workflow)
    live = {
        worker.task_queue
        for worker in context.database.workers.find(
            statuses=[WorkerStatus.STARTING, WorkerStatus.RUNNING]
        )
    }
    return [
        _finding(
            rule,
            queue,
            title=f"No live worker on task queue {queue}",
            detail=(
                f"Runs of {', '.join(sorted(workflows))} wait on it until a worker polls it "
                "(start one from the Workers page, or run python -m core worker)."
            ),
            link=WORKERS_LINK,
        )
        for queue, workflows in sorted(served.items())
        if queue not in live
    ]


def schedule_stopped(rule: AlertRule, context: CheckContext) -> list[AlertFinding]:
    """Schedules not paused whose last due firing (``grace`` ago or earlier) started no run.

    A scheduled run still open, or closed after that firing, accounts for it: Temporal skips
    a firing while the previous scheduled run is open.
    """
    names = context.workflow_names()
    findings = []
    for schedule in context.database.schedules.find():
        name = names.get(schedule.workflow_id)
        if schedule.paused or name is None:
            continue
        due = _last_due_firing(schedule, name, context.now - rule.grace, context)
        if due is None or due < schedule.created_at:
            continue
        newest = context.database.executions.find(
            ExecutionFilter(definition_id=schedule.workflow_id, triggers=(RunTrigger.SCHEDULE,)),
            limit=1,
            count=False,
        ).items
        last = newest[0] if newest else None
        if last is not None and (
            last.status is ExecutionStatus.RUNNING
            or last.start_time >= due - CLOCK_SLACK
            or (last.close_time is not None and last.close_time >= due)
        ):
            continue
        query = RunQuery(workflow=name, triggers=(RunTrigger.SCHEDULE,))
        started = f"started {_clock(last.start_time)} UTC" if last else "never started"
        findings.append(
            _finding(
                rule,
                schedule.schedule_id,
                title=f"Schedule of {name} stopped firing",
                detail=(
                    f"Cron {schedule.cron} (UTC) was due at {_clock(due)} UTC, but the last "
                    f"scheduled run {started}. Check the schedule in Temporal, or pause it "
                    "from the Builder if it should not run."
                ),
                link="./runs?" + urlencode(query.to_params()),
            )
        )
    return findings


#: The check of each kind.
CHECKS: dict[AlertKind, Check] = {
    AlertKind.FAILURE_RATE: failure_rate,
    AlertKind.WORKER_LOST: worker_lost,
    AlertKind.QUEUE_WITHOUT_WORKER: queue_without_worker,
    AlertKind.SCHEDULE_STOPPED: schedule_stopped,
}


def _last_due_firing(
    schedule: ScheduleRecord, name: str, before: datetime, context: CheckContext
) -> datetime | None:
    """The schedule's latest firing time at or before ``before``, None when unknown."""
    try:
        return parse_cron(schedule.cron).previous(before)
    except CronError as error:
        unread = error
    if context.temporal is None:
        logger.debug("cannot tell when %s is due: %s", schedule.schedule_id, unread)
        return None
    try:
        status = ScheduleService(context.database, context.temporal).status(name)
    except WorkflowBuilderError as error:  # Temporal away: no verdict this time
        logger.info("cannot ask Temporal when %s is due: %s", schedule.schedule_id, error)
        return None
    if status is None or len(status.upcoming) < 2:
        return None
    # Temporal's next two firings give the period; one period before the next is the last.
    first, second = status.upcoming[0], status.upcoming[1]
    due = first - (second - first)
    return due if due <= before else None


def _finding(rule: AlertRule, subject: str, *, title: str, detail: str, link: str) -> AlertFinding:
    return AlertFinding(
        key=f"{rule.rule_name}:{subject}",
        rule=rule.rule_name,
        severity=rule.severity,
        title=title,
        detail=detail,
        link=link,
    )


def _span(span: timedelta) -> str:
    minutes = round(span.total_seconds() / 60)
    if minutes % 1440 == 0:
        return f"{minutes // 1440} d"
    if minutes % 60 == 0:
        return f"{minutes // 60} h"
    return f"{minutes} min"


def _clock(moment: datetime | None) -> str:
    return moment.strftime("%Y-%m-%d %H:%M:%S") if moment else "(unknown)"
