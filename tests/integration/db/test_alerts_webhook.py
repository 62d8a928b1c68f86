"""Alert rules fire and clear on records in a real database, and a local webhook receiver
hears of both, on SQLite and PostgreSQL."""

from __future__ import annotations

import json
import logging
import socket
import threading
import time
from collections.abc import Callable, Iterator
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from core.alerts import AlertService, WebhookNotifier, default_rules
from core.db import Database, ExecutionStatus, RunTrigger
from tests.alert_world import AlertWorld

E = ExecutionStatus
MINUTE = timedelta(minutes=1)


class Receiver:
    """An HTTP server on 127.0.0.1 that keeps the JSON body of every POST it gets."""

    def __init__(self, status: int = 204) -> None:
        self.posts: list[dict[str, Any]] = []
        lock = threading.Lock()
        posts = self.posts

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 - the name http.server calls
                body = self.rfile.read(int(self.headers["Content-Length"]))
                with lock:
                    posts.append(json.loads(body))
                self.send_response(status)
                self.end_headers()

            def log_message(self, format: str, *args: Any) -> None:
                pass  # keep the test output quiet

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}/hook"
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()

    def events(self) -> list[tuple[str, str]]:
        """(event, alert key) of each post so far."""
        return [(post["event"], post["alert"]["key"]) for post in list(self.posts)]

    def close(self) -> None:
        self._server.shutdown()
        self._server.server_close()


def eventually(check: Callable[[], bool], timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        assert time.monotonic() < deadline, "not within the deadline"
        time.sleep(0.02)


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    found = Receiver()
    yield found
    found.close()


@pytest.fixture
def world(db: Database) -> AlertWorld:
    return AlertWorld(db)


@pytest.fixture
def alerts(db: Database, receiver: Receiver) -> Iterator[AlertService]:
    service = AlertService(db, default_rules(), webhook=WebhookNotifier(receiver.url, timeout=2))
    yield service
    service.close()


def evaluate(alerts: AlertService, world: AlertWorld) -> list[str]:
    alerts.evaluate(now=world.now)
    return [alert.key for alert in alerts.open()]


def test_failure_rate_above_then_below_the_threshold(
    world: AlertWorld, alerts: AlertService, receiver: Receiver
) -> None:
    orders = world.workflow("orders")
    world.runs(orders, E.COMPLETED, 3)
    world.runs(orders, E.FAILED, 2)  # 40% of 5 runs

    assert evaluate(alerts, world) == ["failure_rate:orders"]
    eventually(lambda: receiver.events() == [("fired", "failure_rate:orders")])
    fired = receiver.posts[0]
    assert fired["alert"]["title"] == "orders: 40% of runs failed in the last 15 min"
    assert fired["alert"]["link"].startswith("./runs?workflow=orders&status=failed")

    world.runs(orders, E.COMPLETED, 10)  # 2 of 15: 13%
    assert evaluate(alerts, world) == []
    eventually(lambda: receiver.events()[1:] == [("cleared", "failure_rate:orders")])


def test_a_lost_worker_fires_and_clears_when_it_starts_again(
    world: AlertWorld, alerts: AlertService, receiver: Receiver
) -> None:
    world.deploy(world.workflow("orders"), "q-orders")
    world.worker("w-1", "q-orders")
    world.worker("w-2", "q-orders")
    world.db.workers.heartbeat("w-2", at=world.now + 2 * MINUTE)
    world.now += 2 * MINUTE
    world.lose_workers()  # w-1 only: w-2 still beats, so the queue keeps a live worker

    assert evaluate(alerts, world) == ["worker_lost:w-1"]
    assert alerts.open()[0].link == "./workers"

    world.worker("w-1", "q-orders")  # registered again: starting
    assert evaluate(alerts, world) == []
    eventually(
        lambda: receiver.events() == [("fired", "worker_lost:w-1"), ("cleared", "worker_lost:w-1")]
    )


def test_a_queue_without_a_live_worker_is_critical_until_a_worker_starts(
    world: AlertWorld, alerts: AlertService, receiver: Receiver
) -> None:
    world.deploy(world.workflow("orders"), "q-orders")

    assert evaluate(alerts, world) == ["queue_without_worker:q-orders"]
    eventually(lambda: len(receiver.posts) == 1)
    assert receiver.posts[0]["alert"]["severity"] == "critical"
    assert receiver.posts[0]["text"] == "[fired] critical: No live worker on task queue q-orders"

    world.worker("w-1", "q-orders")
    assert evaluate(alerts, world) == []
    eventually(lambda: receiver.events()[1:] == [("cleared", "queue_without_worker:q-orders")])


def test_a_schedule_that_stopped_firing_clears_once_a_scheduled_run_starts(
    world: AlertWorld, alerts: AlertService, receiver: Receiver
) -> None:
    nightly = world.workflow("nightly")
    sid = world.schedule(nightly, "nightly", "*/5 * * * *")
    world.now += 20 * MINUTE

    assert evaluate(alerts, world) == [f"schedule_stopped:{sid}"]
    assert alerts.open()[0].link == "./runs?workflow=nightly&trigger=schedule"

    world.runs(nightly, E.COMPLETED, ago=MINUTE, trigger=RunTrigger.SCHEDULE)
    assert evaluate(alerts, world) == []
    eventually(
        lambda: (
            receiver.events()
            == [("fired", f"schedule_stopped:{sid}"), ("cleared", f"schedule_stopped:{sid}")]
        )
    )


def test_an_alert_stays_open_without_a_second_post_while_it_holds(
    world: AlertWorld, alerts: AlertService, receiver: Receiver
) -> None:
    world.deploy(world.workflow("orders"), "q-orders")
    evaluate(alerts, world)
    first = alerts.open()[0]

    world.now += MINUTE
    evaluate(alerts, world)
    eventually(lambda: len(receiver.posts) == 1)
    alerts.close()  # every queued post is sent: none was queued for the second evaluation

    [again] = alerts.open()
    assert again.first_seen == first.first_seen and again.last_seen > first.last_seen
    assert len(receiver.posts) == 1


def test_a_webhook_that_is_down_is_logged_and_never_raised(
    world: AlertWorld, db: Database, caplog: pytest.LogCaptureFixture
) -> None:
    with socket.socket() as probe:  # a port nobody listens on once closed
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    service = AlertService(
        db, default_rules(), webhook=WebhookNotifier(f"http://127.0.0.1:{port}/t0k", timeout=1)
    )
    world.deploy(world.workflow("orders"), "q-orders")

    with caplog.at_level(logging.WARNING, logger="core.alerts.webhook"):
        changes = service.evaluate(now=world.now)
        service.close()

    assert [alert.key for alert in changes.fired] == ["queue_without_worker:q-orders"]
    [line] = [r.getMessage() for r in caplog.records if r.name == "core.alerts.webhook"]
    assert "alert webhook post failed" in line and "t0k" not in line
