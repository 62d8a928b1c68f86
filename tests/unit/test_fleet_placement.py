"""Placement: the task queue a workflow is deployed to, and the strategy recorded for it."""

from __future__ import annotations

import pytest

from core.config import load_settings
from core.db import QueueStrategy
from core.fleet.placement import strategy_of, task_queue_for

PER_WORKFLOW = load_settings({"WB_DEFAULT_TASK_QUEUE": "wb"})
SINGLE = load_settings({"WB_DEFAULT_TASK_QUEUE": "wb", "WB_QUEUE_STRATEGY": "single"})


def test_per_workflow_gives_each_workflow_its_own_queue() -> None:
    assert PER_WORKFLOW.queue_strategy == "per_workflow"
    assert task_queue_for(graph_task_queue=None, workflow_name="orders", settings=PER_WORKFLOW) == (
        "wb-orders"
    )
    assert task_queue_for(graph_task_queue=None, workflow_name="mail", settings=PER_WORKFLOW) == (
        "wb-mail"
    )


def test_single_puts_every_workflow_on_the_default_queue() -> None:
    for name in ("orders", "mail"):
        assert task_queue_for(graph_task_queue=None, workflow_name=name, settings=SINGLE) == "wb"


@pytest.mark.parametrize("settings", [PER_WORKFLOW, SINGLE])
def test_the_graphs_own_task_queue_wins(settings) -> None:
    assert (
        task_queue_for(graph_task_queue="billing", workflow_name="orders", settings=settings)
        == "billing"
    )


@pytest.mark.parametrize("settings", [PER_WORKFLOW, SINGLE])
def test_the_strategy_follows_the_queue_name(settings) -> None:
    # Read from the name, so a queue placed before the setting changed keeps its strategy.
    assert strategy_of("wb-orders", workflow_name="orders", settings=settings) is (
        QueueStrategy.PER_WORKFLOW
    )
    assert strategy_of("wb", workflow_name="orders", settings=settings) is QueueStrategy.SINGLE
    assert strategy_of("billing", workflow_name="orders", settings=settings) is (
        QueueStrategy.SINGLE
    )
