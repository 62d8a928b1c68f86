"""Built-in activities copied from Workflow Builder; generated, do not edit."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable
from collections.abc import Callable
from datetime import timedelta
import functools
import httpx
import inspect
import ipaddress
from json import loads as json_loads
import os
import socket
from temporalio import activity
from temporalio.converter import value_to_type
from temporalio.exceptions import ApplicationError
from typing import Any
from typing import Any, TypeVar
import typing
from urllib.parse import urljoin, urlsplit, urlunsplit
import uuid


# A client error that a later attempt may cure: request timeout and rate limiting.
_RETRYABLE_CLIENT_STATUSES = frozenset({408, 429})
# Response headers a step never returns (they would land in the run's history).
_SECRET_HEADERS = frozenset(
    {"set-cookie", "set-cookie2", "cookie", "authorization", "proxy-authorization"}
)
_MAX_REDIRECTS = 5
#: Longest a request may take, whatever timeout_seconds says.
MAX_SECONDS = 300.0
#: Largest response body read, in bytes (``WB_HTTP_MAX_BYTES`` overrides it).
MAX_BYTES = 10 * 1024 * 1024
#: Seconds between heartbeats while a request is under way (the SDK batches them).
HEARTBEAT_SECONDS = 1.0
# Names the idempotency keys of http_request; fixed, so a key never changes between versions.
_KEY_NAMESPACE = uuid.UUID("6f1c3e0a-57a4-4c39-9a53-0d7c2b8e4f11")
_T = TypeVar("_T")


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

    Every attempt of the step carries the same ``Idempotency-Key`` header (see
    :func:`idempotency_key`) unless ``headers`` already has one. Redirects are followed (at
    most five, each checked like the first URL). A 4xx status
    raises a non-retryable ``HttpClientError`` (408 and 429 are retryable), a 5xx status a
    retryable ``HttpServerError``, a timeout a retryable ``HttpTimeout``, a network failure a
    retryable ``HttpConnectionError``, a malformed request a non-retryable
    ``InvalidHttpRequest``, a refused address a non-retryable ``HttpAddressRefused`` and a
    body over the size limit a non-retryable ``HttpResponseTooLarge``.

    Args:
        method: The HTTP method, for example GET or POST.
        url: The absolute http or https URL.
        headers: Request headers.
        query: Query parameters added to the URL.
        json: A JSON value sent as the request body (sets the JSON content type).
        body: A text body; give either json or body, not both.
        timeout_seconds: Limit for connecting and for each read or write (at most 300).

    Returns:
        A dict with ``status`` (int), ``headers`` (dict with lower-case names, without
        cookies and credentials), ``json`` (the parsed body when the response is JSON, else
        None) and ``text`` (the body as text when it is not JSON, else None).
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
    timeout = min(max(float(timeout_seconds), 0.001), MAX_SECONDS)
    try:
        async with httpx.AsyncClient(timeout=timeout, follow_redirects=False) as client:
            request = client.build_request(
                method, url, headers=headers, params=query, json=json, content=body
            )
            request.headers.setdefault("Idempotency-Key", idempotency_key())
            response, content = await _heartbeating(
                asyncio.wait_for(_send_guarded(client, request, where), timeout=MAX_SECONDS)
            )
    except (httpx.TimeoutException, TimeoutError) as exc:
        raise ApplicationError(
            f"{where} timed out after {timeout:g} s", type="HttpTimeout"
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
        "headers": {
            name: value for name, value in response.headers.items() if name not in _SECRET_HEADERS
        },
        "json": None,
        "text": None,
    }
    text = content.decode(response.encoding or "utf-8", errors="replace")
    if _is_json(response, content):
        try:
            result["json"] = json_loads(text)
        except ValueError:
            result["text"] = text
    else:
        result["text"] = text
    if response.status_code >= 400:
        _raise_for_status(where, response, result)
    return result


def idempotency_key() -> str:
    """The key that names this step of this run: the same on each of its attempts.

    A UUID derived from the workflow id, the run id and the activity id (which Temporal keeps
    across retries of one scheduled activity). Another run, a reset or a rerun of the workflow,
    or another iteration of a loop schedules another activity, so it gets another key.
    """
    info = activity.info()
    step = f"{info.workflow_id}\n{info.workflow_run_id}\n{info.activity_id}"
    return str(uuid.uuid5(_KEY_NAMESPACE, step))


async def _heartbeating(work: Awaitable[_T]) -> _T:
    """Await ``work`` while heartbeating, so Temporal notices at once when this worker dies."""

    async def beat() -> None:
        while True:
            await asyncio.sleep(HEARTBEAT_SECONDS)
            activity.heartbeat()

    beating = asyncio.ensure_future(beat())
    try:
        return await work
    finally:
        beating.cancel()


async def _send_guarded(
    client: httpx.AsyncClient, request: httpx.Request, where: str
) -> tuple[httpx.Response, bytes]:
    """Send ``request`` to checked addresses only, following redirects; read a capped body."""
    for _ in range(_MAX_REDIRECTS + 1):
        pinned = await _pinned(request, where)
        response = await client.send(pinned, stream=True)
        try:
            if not response.is_redirect:
                return response, await _capped_body(response, where)
            location = response.headers.get("location", "")
        finally:
            await response.aclose()
        target = httpx.URL(urljoin(str(request.url), location))
        # As browsers do: 303 (and 301/302 after POST) become GET without a body.
        method = request.method
        if response.status_code == 303 or (response.status_code in (301, 302) and method == "POST"):
            method = "GET"
        keep_body = method == request.method and response.status_code in (307, 308)
        headers = httpx.Headers(request.headers)
        headers.pop("host", None)
        if target.host != request.url.host:
            headers.pop("authorization", None)  # credentials go to the host they were for
            headers.pop("cookie", None)
        if not keep_body:
            for name in ("content-length", "content-type", "transfer-encoding"):
                headers.pop(name, None)
        request = client.build_request(
            method, target, headers=headers, content=request.content if keep_body else None
        )
    raise ApplicationError(
        f"{where}: more than {_MAX_REDIRECTS} redirects",
        type="InvalidHttpRequest",
        non_retryable=True,
    )


async def _pinned(request: httpx.Request, where: str) -> httpx.Request:
    """``request`` aimed at an address its host resolves to, refused if any is internal.

    The URL's host is replaced by the checked address; the Host header and, for https, the
    TLS server name and certificate check keep the original name.
    """
    host = request.url.host
    if request.url.scheme not in ("http", "https") or not host:
        raise ApplicationError(
            f"{where}: only absolute http and https URLs are allowed",
            type="InvalidHttpRequest",
            non_retryable=True,
        )
    port = request.url.port or (443 if request.url.scheme == "https" else 80)
    try:
        found = await asyncio.get_running_loop().getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except OSError as exc:
        raise ApplicationError(
            f"{where}: cannot resolve {host} ({exc})", type="HttpConnectionError"
        ) from exc
    # The address of each result, without an IPv6 scope (fe80::1%eth0).
    addresses = [ipaddress.ip_address(str(item[4][0]).split("%")[0]) for item in found]
    allowed = _allowed()
    for address in addresses:
        if _internal(address) and not _allowed_host(host, address, allowed):
            raise ApplicationError(
                f"{where}: {host} resolves to {address}, an internal address; outbound requests "
                "there are refused unless WB_HTTP_ALLOW lists the host or its range",
                type="HttpAddressRefused",
                non_retryable=True,
            )
    chosen = addresses[0]
    headers = httpx.Headers(request.headers)
    headers["host"] = request.url.netloc.decode("ascii")
    extensions = dict(request.extensions)
    if request.url.scheme == "https":
        extensions["sni_hostname"] = host
    return httpx.Request(
        request.method,
        request.url.copy_with(host=str(chosen)),
        headers=headers,
        content=request.content,
        extensions=extensions,
    )


def _internal(address: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    return not address.is_global or address.is_multicast


def _allowed() -> list[str]:
    return [
        item.strip().lower()
        for item in os.environ.get("WB_HTTP_ALLOW", "").split(",")
        if item.strip()
    ]


def _allowed_host(
    host: str, address: ipaddress.IPv4Address | ipaddress.IPv6Address, allowed: list[str]
) -> bool:
    for entry in allowed:
        if entry == host.lower():
            return True
        try:
            if address in ipaddress.ip_network(entry, strict=False):
                return True
        except ValueError:
            continue  # a host name, not a range
    return False


async def _capped_body(response: httpx.Response, where: str) -> bytes:
    limit = int(os.environ.get("WB_HTTP_MAX_BYTES", MAX_BYTES))
    chunks: list[bytes] = []
    size = 0
    async for chunk in response.aiter_bytes():
        size += len(chunk)
        if size > limit:
            raise ApplicationError(
                f"{where}: the response is larger than {limit} bytes",
                type="HttpResponseTooLarge",
                non_retryable=True,
            )
        chunks.append(chunk)
    return b"".join(chunks)


def _without_query(url: str) -> str:
    # Query strings often carry tokens; error messages land in the event history.
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.netloc, parts.path, "", ""))


def _is_json(response: httpx.Response, content: bytes) -> bool:
    content_type = response.headers.get("content-type", "").split(";")[0].strip().lower()
    return bool(content) and (content_type == "application/json" or content_type.endswith("+json"))


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


# The field listing where secret markers stand; a Workflow Builder worker resolves and removes
# it before the activity runs (core.secrets.markers.PATHS).
_SECRET_PATHS = "$secret_paths"


def input_object_activity(name: str, function: Callable[..., Any]) -> Callable[..., Any]:
    """Activity ``name``: takes one input object, calls ``function`` with its fields by name.

    The wrapper is async when the function is, else synchronous (the worker runs it on a
    thread, as it would the function itself).
    """
    if inspect.iscoroutinefunction(function):

        async def call_async(input: dict[str, Any]) -> Any:
            return await function(**keyword_arguments(function, input))

        return activity.defn(name=name)(call_async)

    def call(input: dict[str, Any]) -> Any:
        return function(**keyword_arguments(function, input))

    return activity.defn(name=name)(call)


def keyword_arguments(function: Callable[..., Any], fields: dict[str, Any]) -> dict[str, Any]:
    """The fields of an activity's input object as keyword arguments of ``function``.

    Each value is converted to its parameter's type hint, as Temporal converts positional
    arguments. Parameters left out get the function's own defaults.

    Raises:
        ApplicationError: non-retryable, naming the field, when the input is not an object,
            a field is not a parameter of the function or its value does not fit the hint.
    """
    if not isinstance(fields, dict):
        raise _invalid(f"the input must be a JSON object, not {type(fields).__name__}")
    if _SECRET_PATHS in fields:
        raise _invalid(
            "the call reads secrets, which only a Workflow Builder worker resolves",
            error_type="MissingSecret",
        )
    hints = _parameter_hints(function)
    arguments: dict[str, Any] = {}
    for name, value in fields.items():
        if name not in hints:
            raise _invalid(f"{function.__name__}() has no parameter {name!r}")
        try:
            arguments[name] = value_to_type(hints[name], value)
        except TypeError as err:
            raise _invalid(f"field {name!r}: {err}") from None
    return arguments


@functools.cache
def _parameter_hints(function: Callable[..., Any]) -> dict[str, Any]:
    # Resolving string annotations takes tens of microseconds; a worker calls one function often.
    hints = typing.get_type_hints(function)
    return {name: hints.get(name, Any) for name in inspect.signature(function).parameters}


def _invalid(message: str, *, error_type: str = "InvalidActivityInput") -> ApplicationError:
    # The same input fails every attempt the same way: retrying cannot help.
    return ApplicationError(message, type=error_type, non_retryable=True)


ACTIVITIES = [input_object_activity("http_request", http_request)]
