"""Alert notifications posted as JSON to a webhook URL, off the caller's thread."""

from __future__ import annotations

import logging
import queue
import threading
from collections.abc import Mapping
from datetime import datetime
from typing import Any

import httpx

from core.db import AlertRecord

logger = logging.getLogger(__name__)

#: Seconds a post may take before it is given up (a slow receiver must not pile posts up).
TIMEOUT = 5.0
#: Posts waiting to be sent at most; more are dropped (and logged) while the receiver is away.
BACKLOG = 100


def payload(event: str, alert: AlertRecord, *, at: datetime) -> dict[str, Any]:
    """The JSON body of one notification.

    ``text`` is a one-line summary, so chat webhooks (Slack, Mattermost) show it as is.
    """
    return {
        "event": event,
        "at": at.isoformat(),
        "text": f"[{event}] {alert.severity.value}: {alert.title}",
        "alert": {
            "key": alert.key,
            "rule": alert.rule,
            "severity": alert.severity.value,
            "title": alert.title,
            "detail": alert.detail,
            "link": alert.link,
            "first_seen": alert.first_seen.isoformat(),
            "last_seen": alert.last_seen.isoformat(),
        },
    }


class WebhookNotifier:
    """Posts notifications one at a time on a daemon thread; never raises into the caller.

    Each notification is posted once: a failure (refused, timed out, an error status) is
    logged and dropped, so a receiver that is down costs one short timeout per alert change,
    never a storm of retries.

    Args:
        url: where to post.
        timeout: seconds per post.
    """

    def __init__(self, url: str, *, timeout: float = TIMEOUT) -> None:
        self.url = url
        self._timeout = timeout
        self._queue: queue.Queue[Mapping[str, Any] | None] = queue.Queue(maxsize=BACKLOG)
        self._thread = threading.Thread(target=self._send_all, name="alert-webhook", daemon=True)
        self._thread.start()

    def notify(self, body: Mapping[str, Any]) -> None:
        """Queue ``body`` to be posted."""
        try:
            self._queue.put_nowait(body)
        except queue.Full:
            logger.warning("alert webhook backlog is full; dropped: %s", body.get("text"))

    def close(self, timeout: float = 10.0) -> None:
        """Post what is queued (within ``timeout``), then stop the thread."""
        try:
            self._queue.put(None, timeout=timeout)
        except queue.Full:
            logger.warning("alert webhook backlog did not drain; unsent posts are dropped")
            return
        self._thread.join(timeout)

    def _send_all(self) -> None:
        with httpx.Client(timeout=self._timeout) as client:
            while (body := self._queue.get()) is not None:
                try:
                    client.post(self.url, json=body).raise_for_status()
                except httpx.HTTPError as error:
                    logger.warning(
                        "alert webhook post failed (%s): %s", body.get("text"), _reason(error)
                    )


def _reason(error: httpx.HTTPError) -> str:
    # Never the URL (httpx puts it in status errors): webhook URLs often carry a secret token.
    if isinstance(error, httpx.HTTPStatusError):
        return f"the receiver answered {error.response.status_code}"
    return f"{type(error).__name__}: {error}"
