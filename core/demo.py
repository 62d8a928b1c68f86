"""Demo data: the examples deployed under ``demo_`` names and driven through a mix of runs.

A fresh install shows an empty dashboard; this fills it within a minute or two with runs that
succeed, fail at a named step with a few different messages, retry, wait for signals that come
or time out, start children, get cancelled, and fire from a schedule; and with the workflow
language's constructs at work: a saga that compensates and fails, a while loop with break and
continue, a parallel for-each, a wait for whichever signal comes first, signals collected into a
list, and workflow updates (one of them refused). Everything it creates is named ``demo_...``,
so it can be removed again.
"""

from __future__ import annotations

import copy
import itertools
import logging
import time
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from core.db import (
    DeploymentStatus,
    ExecutionFilter,
    RecordNotFoundError,
    RunTrigger,
)
from core.errors import WorkflowBuilderError
from core.examples import get_example
from core.executions import RunRef, UpdateRefusedError
from core.nodes.catalog import CATALOG

if TYPE_CHECKING:  # core.services imports this module's users; only the type is needed
    from core.services import AppServices

logger = logging.getLogger(__name__)

#: Every demo workflow's name starts with this.
PREFIX = "demo_"
#: Examples deployed, children before the workflows that start them.
EXAMPLES = (
    "hello_activity",
    "child_workflow",
    "foreach_loop",
    "parallel_fanout",
    "retry_error_branch",
    "approval_signal",
    "scheduled_report",
    "query_variables",
    "order_saga",
    "count_evens",
    "parallel_foreach",
    "approve_or_reject",
    "collect_greetings",
    "guest_list",
)
#: The demo's own graph: a payment that fails at "Charge card" for large amounts.
PAYMENTS = "payments"
#: Seconds a run waits for its signals or updates before it times out (short, so the demo
#: ends soon).
WAIT_SECONDS = 4
#: Why a payment is declined; the dashboard groups failures by these messages.
DECLINES = ("card declined", "insufficient funds", "fraud check failed")
NAMES = ("Ada", "Grace", "Linus", "Margaret", "Barbara", "Ken")
AMOUNTS = (120, 80, 900, 45, 300, 1500, 60, 240, 700)
#: The saga's orders, one a round: the second is over its limit, so its stock is released
#: again and the run fails at the fail node.
ORDERS = (("lamp", 120), ("sofa", 650), ("desk", 300))
ORDER_LIMIT = 500

ProgressCallback = Callable[[str], None]


class DemoError(WorkflowBuilderError):
    """The demo data could not be loaded or removed."""


@dataclass(frozen=True)
class DemoReport:
    """What loading the demo data created.

    Attributes:
        workflows: the demo workflows deployed.
        started: runs started per workflow (children and scheduled runs included).
        statuses: the demo runs' records by status when loading ended.
        triggers: the same by trigger.
        signals: signals sent (decisions, greetings).
        updates: workflow updates sent, ``refused`` of them refused by their validator.
        seconds: how long loading took.
    """

    workflows: tuple[str, ...]
    started: dict[str, int] = field(default_factory=dict)
    statuses: dict[str, int] = field(default_factory=dict)
    triggers: dict[str, int] = field(default_factory=dict)
    signals: int = 0
    updates: int = 0
    refused: int = 0
    seconds: float = 0.0

    def lines(self) -> list[str]:
        """The report in a few lines of text."""
        runs = sum(self.statuses.values())
        return [
            f"{len(self.workflows)} demo workflows deployed: {', '.join(self.workflows)}",
            f"{runs} runs recorded: {_counts(self.statuses)}",
            f"by trigger: {_counts(self.triggers)}",
            f"{self.signals} signals and {self.updates} updates sent ({self.refused} refused)",
            f"took {self.seconds:.0f} s",
        ]


@dataclass(frozen=True)
class DemoRemoval:
    """What removing the demo data took away."""

    workflows: tuple[str, ...]
    schedules: int
    records: int

    def lines(self) -> list[str]:
        """The removal in a few lines of text."""
        if not self.workflows:
            return ["no demo data to remove"]
        return [
            f"{len(self.workflows)} demo workflows removed: {', '.join(self.workflows)}",
            f"{self.schedules} schedule(s) deleted, {self.records} run record(s) purged",
        ]


class DemoData:
    """Loads and removes the demo workflows and their runs through the app's services."""

    def __init__(self, services: AppServices) -> None:
        self._services = services

    def names(self) -> list[str]:
        """The demo workflows there now (not deleted)."""
        return [w.name for w in self._services.workflows.list() if w.name.startswith(PREFIX)]

    def load(
        self,
        *,
        size: int = 6,
        spread: float = 45.0,
        timeout: float = 100.0,
        progress: ProgressCallback | None = None,
    ) -> DemoReport:
        """Deploy the demo workflows and drive ``size`` rounds of 21 runs, spread over
        ``spread`` seconds (so the charts show them over time); wait for them to close.

        Waiting is bounded by ``timeout`` seconds from the start; runs still open then are left
        running and reported as such.

        Raises:
            DemoError: demo workflows are already there (remove them first), or ``size`` < 1.
            WorkflowBuilderError: a deploy or Temporal call failed.
        """
        if size < 1:
            raise DemoError("the demo size must be at least 1")
        if self.names():
            raise DemoError("demo data is already loaded: remove it first")
        say = progress or (lambda message: logger.info("%s", message))
        began = time.monotonic()
        deadline = began + timeout
        prefix = self._free_prefix()
        ids = self._deploy(prefix, say)
        driver = _Driver(self._services, ids, prefix)
        for number in range(size):
            say(f"Starting runs: round {number + 1} of {size}")
            began_round = time.monotonic()
            driver.round(number, deadline)
            if number + 1 < size:  # rounds spread over ``spread`` seconds, for the charts
                time.sleep(max(0.0, spread / size - (time.monotonic() - began_round)))
        say("Waiting for the runs to finish")
        driver.wait(deadline)
        say("Waiting for the run monitor to record them")
        records = self._settled(list(ids.values()), deadline)
        return DemoReport(
            workflows=tuple(ids),
            started=dict(driver.started),
            statuses=dict(Counter(r.status.value for r in records)),
            triggers=dict(Counter(r.trigger.value if r.trigger else "unknown" for r in records)),
            signals=driver.signals,
            updates=driver.updates,
            refused=driver.refused,
            seconds=time.monotonic() - began,
        )

    def remove(self, *, purge: bool = True) -> DemoRemoval:
        """Delete every demo workflow and its schedule, unload its code from the workers, and
        (``purge``) delete its run records; Temporal keeps the histories.

        Raises:
            WorkflowBuilderError: Temporal refused to remove a schedule.
        """
        services = self._services
        demo = [w for w in services.workflows.list() if w.name.startswith(PREFIX)]
        schedules = sum(1 for w in demo if services.database.schedules.find(workflow_id=w.id))
        queues: set[str] = set()
        for workflow in demo:
            services.delete_workflow(workflow.id)
            for deployment in services.database.deployments.find(workflow_id=workflow.id):
                if deployment.status in (DeploymentStatus.ACTIVE, DeploymentStatus.DRAINING):
                    services.database.deployments.retire(deployment.id)
                    queues.update(deployment.queues)
        if queues and services.temporal_started:
            for queue in sorted(queues):  # workers drop the code; a queue left empty stops
                services.temporal.manager.apply_queue(queue)
        records = services.database.executions.purge_workflows([w.id for w in demo]) if purge else 0
        return DemoRemoval(tuple(w.name for w in demo), schedules, records)

    def _free_prefix(self) -> str:
        """``demo_``, or ``demo_2_`` and so on when an earlier (deleted) demo kept the names."""
        for round_ in itertools.count(1):
            prefix = PREFIX if round_ == 1 else f"{PREFIX}{round_}_"
            if not any(self._taken(prefix + name) for name in (*EXAMPLES, PAYMENTS)):
                return prefix
        raise AssertionError("unreachable")  # pragma: no cover - count() never ends

    def _taken(self, name: str) -> bool:
        try:
            self._services.database.workflows.get_by_name(name, include_deleted=True)
        except RecordNotFoundError:
            return False
        return True

    def _deploy(self, prefix: str, say: ProgressCallback) -> dict[str, int]:
        """Create and deploy each demo workflow; return demo name -> workflow id."""
        services = self._services
        documents = {prefix + name: _example(name, prefix) for name in EXAMPLES}
        documents[prefix + PAYMENTS] = payments_graph(prefix + PAYMENTS)
        ids = {}
        for number, (name, document) in enumerate(documents.items(), start=1):
            say(f"Deploying {name} ({number} of {len(documents)})")
            record = services.workflows.create(
                name=name, description=document["workflow"]["description"]
            )
            services.workflows.save_draft(record.id, document)
            services.deploy.deploy(record.id)
            ids[name] = record.id
        return ids

    def _settled(self, definition_ids: list[int], deadline: float) -> list[Any]:
        """The demo's records once each is closed with its details read (or at the deadline)."""
        console = self._services.database.executions
        while True:
            records = [
                record
                for definition_id in definition_ids
                for record in console.find(
                    ExecutionFilter(definition_id=definition_id), limit=1000, count=False
                ).items
            ]
            done = all(r.closed and r.details_synced for r in records)
            if done or time.monotonic() > deadline:
                return records
            time.sleep(0.5)  # the run monitor records closed runs about once a second


class _Driver:
    """Starts the demo's runs and waits for them; counts what it did."""

    def __init__(self, services: AppServices, ids: dict[str, int], prefix: str):
        self._services = services
        self._ids = ids
        self._prefix = prefix
        self._refs: list[RunRef] = []
        self.started: Counter[str] = Counter()
        self.signals = 0
        self.updates = 0
        self.refused = 0

    def round(self, number: int, deadline: float) -> None:
        """One round of the mix: 3 greetings, a child, a loop, a fan-out, a retried call, 3
        payments (some declined), 2 approvals (approved, rejected or left to time out), a
        paused count (the first one cancelled), a scheduled report, and the newer constructs:
        an order saga (every third compensated and failed), a while loop counting evens, a
        parallel for-each, a decision by whichever signal comes, greetings collected until an
        exit signal, and a guest list filled through updates."""
        names = itertools.cycle(NAMES[number % len(NAMES) :] + NAMES[: number % len(NAMES)])
        for _ in range(3):
            self._start("hello_activity", {"name": next(names)})
        self._start("child_workflow", {"name": next(names)})
        self.started[self._prefix + "hello_activity"] += 1  # its child
        self._start("foreach_loop", {"items": [next(names) for _ in range(3)]})
        self._start("parallel_fanout", {"word": next(names).lower()})
        self._start("retry_error_branch", {"message": "the inventory service is down"})
        for n in range(3 * number, 3 * number + 3):
            amount = AMOUNTS[n % len(AMOUNTS)]
            # Every third amount is too large: each of those gets the next reason.
            reason = DECLINES[(n // 3) % len(DECLINES)]
            self._start(PAYMENTS, {"amount": amount, "reason": reason})
        for n in range(2 * number, 2 * number + 2):
            values = {"request": f"expense #{100 + n}", "timeout_seconds": WAIT_SECONDS}
            ref = self._start("approval_signal", values)
            if n % 3 != 1:  # every third gets no answer and times out
                self._signal(ref, "approve", {"approved": n % 3 == 0, "by": next(names)})
        slow = self._start("query_variables", {"items": [1, 2, 3], "pause": 1})
        if number == 0:  # cancelled while it pauses: the dashboard shows every kind of ending
            self._services.console.cancel(slow.workflow_id, slow.run_id)
        self._fire_schedule(number + 1, deadline)
        self._constructs(number, names)

    def _constructs(self, number: int, names: Iterator[str]) -> None:
        """The round's runs of the examples of signals, updates, loops, sagas and fan-outs."""
        item, amount = ORDERS[number % len(ORDERS)]
        self._start("order_saga", {"item": item, "amount": amount, "limit": ORDER_LIMIT})
        # Every other round stops early at the cap: the loop's break.
        cap = 50 if number % 2 else 1000
        self._start("count_evens", {"target": 10 + 10 * number, "cap": cap})
        self._start("parallel_foreach", {"items": [next(names) for _ in range(5)]})
        decide = self._start(
            "approve_or_reject",
            {"request": f"purchase #{200 + number}", "timeout_seconds": WAIT_SECONDS},
        )
        self._signal(decide, "reject" if number % 2 else "approve", {"by": next(names)})
        greetings = self._start("collect_greetings", {"timeout_seconds": WAIT_SECONDS})
        for _ in range(3):
            self._signal(greetings, "greet", {"name": next(names)})
        self._signal(greetings, "exit", {})
        guests = self._start("guest_list", {"capacity": 3, "timeout_seconds": WAIT_SECONDS})
        first = next(names)
        # The first guest twice: the validator refuses the second invitation.
        for guest in (first, next(names), first):
            self._update(guests, "invite", {"name": guest})
        self._update(guests, "close", {})

    def _signal(self, ref: RunRef, name: str, payload: dict[str, Any]) -> None:
        self._services.runs.signal(ref, name, payload)
        self.signals += 1

    def _update(self, ref: RunRef, name: str, payload: dict[str, Any]) -> None:
        self.updates += 1
        try:
            self._services.runs.update(ref, name, payload)
        except UpdateRefusedError:
            self.refused += 1

    def _fire_schedule(self, fired: int, deadline: float) -> None:
        """Fire the report's schedule and wait for that run to close (a schedule names its runs
        by the second they fired, so two firings in one second would clash)."""
        name = self._prefix + "scheduled_report"
        scheduled = ExecutionFilter(definition_id=self._ids[name], triggers=(RunTrigger.SCHEDULE,))
        self._services.schedules.fire_now(name)
        self.started[name] += 1
        while time.monotonic() < deadline:
            page = self._services.database.executions.find(scheduled, limit=fired, count=True)
            if page.total >= fired and all(r.closed for r in page.items):
                return
            time.sleep(0.3)  # the run monitor records it within about a second

    def wait(self, deadline: float) -> None:
        """Wait for every run started here to close, until ``deadline``."""
        for ref in self._refs:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return
            self._services.runs.wait(ref, timeout=remaining)

    def _start(self, example: str, values: dict[str, Any]) -> RunRef:
        name = self._prefix + example
        ref = self._services.runs.start(self._ids[name], values)
        self._refs.append(ref)
        self.started[name] += 1
        return ref


def payments_graph(name: str) -> dict[str, Any]:
    """A payment: reserve stock, check the amount, then capture it; amounts over 500 fail at
    "Charge card" (retried once) with the declined reason given as input."""

    def node(node_id: str, kind: str, label: str, params: dict[str, Any], x: int, y: int = 0):
        return {
            "id": node_id,
            "type": kind,
            "label": label,
            "params": params,
            "position": {"x": x, "y": y},
        }

    def edge(number: int, source: str, target: str, handle: str = "next") -> dict[str, Any]:
        return {"id": f"e{number}", "source": source, "target": target, "handle": handle}

    amount = {"name": "amount", "type": "number", "required": True, "default": None}
    reason = {"name": "reason", "type": "string", "required": False, "default": DECLINES[0]}
    return {
        "format": "workflow-builder/1",
        "workflow": {
            "name": name,
            "description": "Demo: a payment that is declined at 'Charge card' over 500.",
            "task_queue": None,
            "signals": [],
            "queries": [],
        },
        "nodes": [
            node(
                "start",
                "start",
                "Start",
                {"input_fields": [amount | {"description": ""}, reason | {"description": ""}]},
                0,
            ),
            node(
                "reserve",
                "activity",
                "Reserve stock",
                {"activity": "echo", "args": {"value": {"expr": "input.amount"}}},
                220,
            ),
            node("check", "condition", "Small amount?", {"expression": "input.amount <= 500"}, 440),
            node(
                "capture",
                "activity",
                "Capture payment",
                {"activity": "echo", "args": {"value": "captured"}, "result_variable": "outcome"},
                660,
                -80,
            ),
            node(
                "charge",
                "activity",
                "Charge card",
                {
                    "activity": "fail",
                    "args": {"message": {"expr": "input.reason"}, "error_type": "PaymentDeclined"},
                    "retry": {"max_attempts": 2, "initial_interval": "200ms"},
                    "result_variable": "outcome",
                },
                660,
                80,
            ),
            node("end", "end", "Done", {"result": "outcome"}, 880),
        ],
        "edges": [
            edge(1, "start", "reserve"),
            edge(2, "reserve", "check"),
            edge(3, "check", "capture", "true"),
            edge(4, "check", "charge", "false"),
            edge(5, "capture", "end"),
            edge(6, "charge", "end"),
        ],
    }


def _example(example: str, prefix: str) -> dict[str, Any]:
    """An example graph renamed with ``prefix``, its children renamed the same way."""
    document = copy.deepcopy(get_example(example).document)
    document["workflow"]["name"] = prefix + example
    for node in document["nodes"]:
        param = CATALOG[node["type"]].child_workflow_param
        if param is not None:
            node["params"][param] = prefix + node["params"][param]
    return document


def _counts(counts: dict[str, int]) -> str:
    return ", ".join(f"{n} {key.replace('_', ' ')}" for key, n in sorted(counts.items())) or "none"
