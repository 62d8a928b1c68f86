"""Pure parts of core.db: URL normalisation, transition tables and their error messages."""

from __future__ import annotations

import pytest

from core.db import DeploymentStatus, InvalidTransitionError, WorkerStatus, normalize_url
from core.db.repositories import DEPLOYMENT_TRANSITIONS, WORKER_TRANSITIONS
from core.db.repositories._base import check_transition
from core.graph.names import is_workflow_name


@pytest.mark.parametrize(
    ("url", "driver"),
    [
        ("postgresql://u@h/db", "postgresql+psycopg"),
        ("postgres://u@h/db", "postgresql+psycopg"),
        ("postgresql+psycopg://u@h/db", "postgresql+psycopg"),
        ("sqlite:///data/app.db", "sqlite"),
    ],
)
def test_normalize_url_picks_psycopg_for_bare_postgres_urls(url: str, driver: str) -> None:
    assert normalize_url(url).drivername == driver


def test_every_status_has_a_transition_entry() -> None:
    assert set(WORKER_TRANSITIONS) == set(WorkerStatus)
    assert set(DEPLOYMENT_TRANSITIONS) == set(DeploymentStatus)


def test_any_worker_status_can_fail() -> None:
    assert all(WorkerStatus.FAILED in allowed for allowed in WORKER_TRANSITIONS.values())


def test_illegal_transition_error_names_record_statuses_and_choices() -> None:
    with pytest.raises(InvalidTransitionError) as caught:
        check_transition(
            kind="worker",
            key="w-1",
            current=WorkerStatus.RUNNING,
            target=WorkerStatus.STARTING,
            transitions=WORKER_TRANSITIONS,
        )

    assert str(caught.value) == (
        "worker 'w-1' cannot go from 'running' to 'starting' "
        "(from 'running' it can go to: failed, stopping)"
    )
    assert caught.value.allowed == ("failed", "stopping")


@pytest.mark.parametrize("name", ["a", "order_approval", "x" + "1" * 62])
def test_workflow_names_accepted(name: str) -> None:
    assert is_workflow_name(name)


@pytest.mark.parametrize("name", ["", "Order", "1abc", "a-b", "a" * 64, "a b", "order\n"])
def test_workflow_names_refused(name: str) -> None:
    assert not is_workflow_name(name)
