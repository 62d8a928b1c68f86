"""Built-in activities copied from Workflow Builder; generated, do not edit."""

from __future__ import annotations

from datetime import timedelta
import httpx
from temporalio import activity
from temporalio.exceptions import ApplicationError
from typing import Any
from urllib.parse import urlsplit, urlunsplit


# A client error that a later attempt may cure: request timeout and rate limiting.
_RETRYABLE_CLIENT_STATUSES = frozenset({408, 429})


@activity.defn(name="http_request")
async def http_request(
    method: str = "GET",
    url: str = "",
    headers: dict | None = None,
    query: dict | None = None,
    json: Any = None,
    body: str | None = None,
    timeout_seconds: float = 30.0,
) -> dict:
    """Send one HTTP request and return the status, headers and body.

    Redirects are followed. A 4xx status raises a non-retryable ``HttpClientError``
    (408 and 429 are retryable), a 5xx status a retryable ``HttpServerError``, a
    timeout a retryable ``HttpTimeout``, a network failure a retryable
    ``HttpConnectionError`` and a malformed request a non-retryable
    ``InvalidHttpRequest``.

    Args:
        method: The HTTP method, for example GET or POST.
        url: The absolute http or https URL.
        headers: Request headers.
        query: Query parameters added to the URL.
        json: A JSON value sent as the request body (sets the JSON content type).
        body: A text body; give either json or body, not both.
        timeout_seconds: Limit for connecting and for each read or write.

    Returns:
        A dict with ``status`` (int), ``headers`` (dict with lower-case names),
        ``json`` (the parsed body when the response is JSON, else None) and
        ``text`` (the body as text when it is not JSON, else None).
    """
    method = method.upper()
    where = f"{method} {_without_query(url)}"
    if not url:
        raise ApplicationError(
            "http_request needs a url", type="InvalidHttpRequest", non_retryable=True
        )
    if json is not None and body is not None:
        raise ApplicationError(
            f"{where}: give either json or body, not both",
            type="InvalidHttpRequest",
            non_retryable=True,
        )
    try:
        async with httpx.AsyncClient(timeout=timeout_seconds, follow_redirects=True) as client:
            response = await client.request(
                method, url, headers=headers, params=query, json=json, content=body
            )
    except httpx.TimeoutException as exc:
        raise ApplicationError(
            f"{where} timed out after {timeout_seconds:g} s", type="HttpTimeout"
        ) from exc
    except (httpx.UnsupportedProtocol, httpx.InvalidURL) as exc:
        raise ApplicationError(
            f"{where}: invalid URL ({exc})",
            type="InvalidHttpRequest",
            non_retryable=True,
        ) from exc
    except httpx.TransportError as exc:
        raise ApplicationError(f"{where} failed: {exc}", type="HttpConnectionError") from exc
    result = {
        "status": response.status_code,
        "headers": dict(response.headers),
        "json": None,
        "text": None,
    }
    if _is_json(response):
        try:
            result["json"] = response.json()
        except ValueError:
            result["text"] = response.text
    else:
        result["text"] = response.text
    if response.status_code >= 400:
        _raise_for_status(where, response, result)
    return result


def _without_query(url: str) -> str:
    # Query strings often carry tokens; error messages land in the event history.
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.netloc, parts.path, "", ""))


def _is_json(response: httpx.Response) -> bool:
    content_type = response.headers.get("content-type", "").split(";")[0].strip().lower()
    return bool(response.content) and (
        content_type == "application/json" or content_type.endswith("+json")
    )


def _raise_for_status(where: str, response: httpx.Response, result: dict) -> None:
    status = response.status_code
    server_error = status >= 500
    retry_after = response.headers.get("retry-after", "")
    raise ApplicationError(
        f"{where} returned {status} {response.reason_phrase}",
        result,
        type="HttpServerError" if server_error else "HttpClientError",
        non_retryable=not server_error and status not in _RETRYABLE_CLIENT_STATUSES,
        next_retry_delay=timedelta(seconds=int(retry_after)) if retry_after.isdigit() else None,
    )


ACTIVITIES = [http_request]
