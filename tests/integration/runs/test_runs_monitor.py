"""The run monitor and runs console against a real dev server, on SQLite and PostgreSQL."""

from __future__ import annotations

from core.db import ExecutionFilter, ExecutionStatus, RunTrigger
from core.runs import NodeState
from core.services import AppServices
from tests.integration.runs.helpers import deploy, eventually, failing_graph


def test_a_failed_run_is_recorded_with_its_step(services: AppServices) -> None:
    workflow_id = deploy(services, failing_graph("charge_flow"))
    ref = services.runs.start(workflow_id, {})

    def recorded():
        record = services.console.find(ref.workflow_id, ref.run_id)
        return record if record.details_synced and record.closed else None

    record = eventually(recorded, what="the failed run recorded with its details")
    assert record.status is ExecutionStatus.FAILED
    assert record.trigger is RunTrigger.MANUAL
    assert (record.failed_node_id, record.failed_node_label) == ("charge", "Charge card")
    assert "card declined" in (record.error or "")
    assert record.version == 1 and record.definition_id == workflow_id

    detail = services.console.detail(ref.workflow_id, ref.run_id)
    states = {node_id: run.state for node_id, run in detail.trace.nodes.items()}
    assert states == {
        "start": NodeState.COMPLETED,
        "greet": NodeState.COMPLETED,
        "charge": NodeState.FAILED,
        "end": NodeState.NOT_REACHED,
    }
    assert detail.trace.exact
    greet = detail.trace.nodes["greet"].calls[-1]
    assert (greet.input, greet.output) == ("hi", "hi")
    page = services.console.page(ExecutionFilter(statuses=(ExecutionStatus.FAILED,)))
    assert [item.run_id for item in page.items] == [ref.run_id]
