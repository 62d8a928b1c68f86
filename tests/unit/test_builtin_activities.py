"""The built-in activities run for real in an activity context; bundles of them stand alone."""

from __future__ import annotations

import ast
import asyncio
import dataclasses
import json
import logging
import socket
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Iterator
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from importlib import metadata
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from temporalio import activity
from temporalio.exceptions import ApplicationError
from temporalio.testing import ActivityEnvironment

from core.activities import (
    BUILTIN_NAMES,
    ActivityRegistryError,
    builtin_function,
    builtin_registry,
    builtin_requirements,
    builtin_source,
    bundle_activities_source,
)
from core.activities.builtin import http_request as http_request_module
from core.activities.builtin.echo import echo
from core.activities.builtin.fail import fail
from core.activities.builtin.http_request import HEARTBEAT_SECONDS, http_request
from core.activities.builtin.log import log
from core.graph.values import parse_duration

SLOW_SECONDS = 1.0


def run_activity(fn, *args):
    """Run an async activity in an activity context, as a worker would."""
    return asyncio.run(ActivityEnvironment().run(fn, *args))


def run_as_step(
    fn, *args, workflow_id="orders-1", run_id="run-a", activity_id="3", heartbeats=None
):
    """Run an activity as one attempt of a step (activity ``activity_id``) of one run."""
    environment = ActivityEnvironment()
    environment.info = dataclasses.replace(
        environment.info,
        workflow_id=workflow_id,
        workflow_run_id=run_id,
        activity_id=activity_id,
    )
    if heartbeats is not None:
        environment.on_heartbeat = lambda *details: heartbeats.append(time.monotonic())
    return asyncio.run(environment.run(fn, *args))


def run_failing(fn, *args) -> ApplicationError:
    with pytest.raises(ApplicationError) as info:
        run_activity(fn, *args)
    return info.value


class _Handler(BaseHTTPRequestHandler):
    """Routes: /echo (describes the request as JSON), /status/<code>, /text, /slow, /redirect."""

    def _reply(self, status: int, body: bytes, content_type: str, **headers: str) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        for name, value in headers.items():
            self.send_header(name.replace("_", "-"), value)
        self.end_headers()
        self.wfile.write(body)

    def _handle(self) -> None:
        url = urlsplit(self.path)
        length = int(self.headers.get("Content-Length") or 0)
        request_body = self.rfile.read(length).decode() if length else ""
        if url.path == "/echo":
            described = {
                "method": self.command,
                "path": url.path,
                "query": parse_qs(url.query),
                "headers": {k.lower(): v for k, v in self.headers.items()},
                "body": request_body,
            }
            self._reply(200, json.dumps(described).encode(), "application/json; charset=utf-8")
        elif url.path.startswith("/status/"):
            status = int(url.path.rsplit("/", 1)[1])
            extra = {"Retry_After": "7"} if status == 429 else {}
            body = json.dumps({"error": f"status {status}"}).encode()
            self._reply(status, body, "application/problem+json", **extra)
        elif url.path == "/text":
            self._reply(200, b"plain hello", "text/plain; charset=utf-8")
        elif url.path == "/slow":
            time.sleep(SLOW_SECONDS)
            self._reply(200, b"late", "text/plain")
        elif url.path == "/redirect":
            self._reply(302, b"", "text/plain", Location="/echo?via=redirect")
        elif url.path == "/redirect-to":
            self._reply(302, b"", "text/plain", Location=parse_qs(url.query)["to"][0])
        elif url.path == "/cookie":
            self._reply(200, b"{}", "application/json", Set_Cookie="session=abc", X_Kept="yes")
        elif url.path == "/big":
            self._reply(200, b"x" * 1000, "text/plain")
        else:
            self._reply(404, b"no such route", "text/plain")

    do_GET = do_POST = do_PUT = do_DELETE = _handle

    def log_message(self, format: str, *args: object) -> None:
        pass  # keep test output quiet


@pytest.fixture(autouse=True)
def allow_local_servers(monkeypatch: pytest.MonkeyPatch) -> None:
    """These tests' own servers listen on 127.0.0.1, which http_request refuses by default."""
    monkeypatch.setenv("WB_HTTP_ALLOW", "127.0.0.1")


@pytest.fixture(scope="module")
def server_url() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)


# --- echo, fail, log ---------------------------------------------------------------------


@pytest.mark.parametrize("value", [None, 0, "text", [1, "a", None], {"nested": {"k": [1.5]}}])
def test_echo_returns_its_argument(value):
    assert run_activity(echo, value) == value


def test_fail_raises_the_requested_error():
    error = run_failing(fail, "card declined", "PaymentError", True)
    assert (error.message, error.type, error.non_retryable) == (
        "card declined",
        "PaymentError",
        True,
    )


def test_fail_defaults_to_a_retryable_failure():
    error = run_failing(fail)
    assert (error.message, error.type, error.non_retryable) == ("failed", "Failure", False)


def test_log_writes_a_structured_line(caplog):
    caplog.set_level(logging.DEBUG, logger="temporalio.activity")
    assert run_activity(log, "order placed", "warning", {"order": 7, "amount": 9.5}) is None
    [record] = [r for r in caplog.records if r.name == "temporalio.activity"]
    assert record.levelno == logging.WARNING
    assert record.getMessage().startswith('order placed {"amount": 9.5, "order": 7}')
    assert record.fields == {"order": 7, "amount": 9.5}
    # The activity context is attached too, so the line can be traced to its run.
    assert record.temporal_activity["activity_type"] == "unknown"


def test_log_defaults_to_info_without_fields(caplog):
    caplog.set_level(logging.DEBUG, logger="temporalio.activity")
    run_activity(log, "hello")
    [record] = [r for r in caplog.records if r.name == "temporalio.activity"]
    assert record.levelno == logging.INFO
    # temporalio may append the activity's details to the text, unless core.logs (set up by
    # an earlier test in this process) turned that off: only the start is the activity's.
    assert record.getMessage().startswith("hello")
    assert record.fields == {}


def test_log_rejects_an_unknown_level():
    error = run_failing(log, "x", "loud")
    assert error.type == "InvalidLogLevel" and error.non_retryable
    assert "'loud'" in error.message


# --- http_request ------------------------------------------------------------------------


def test_http_get_sends_query_and_headers(server_url):
    result = run_activity(
        http_request, "get", f"{server_url}/echo", {"X-Trace": "abc"}, {"q": "cats", "n": 2}
    )
    assert result["status"] == 200
    assert result["text"] is None
    assert result["headers"]["content-type"].startswith("application/json")
    sent = result["json"]
    assert sent["method"] == "GET"
    assert sent["query"] == {"q": ["cats"], "n": ["2"]}
    assert sent["headers"]["x-trace"] == "abc"


def test_http_post_sends_json(server_url):
    result = run_activity(http_request, "POST", f"{server_url}/echo", None, None, {"a": [1, 2]})
    sent = result["json"]
    assert sent["method"] == "POST"
    assert json.loads(sent["body"]) == {"a": [1, 2]}
    assert sent["headers"]["content-type"] == "application/json"


def test_http_put_sends_a_text_body(server_url):
    result = run_activity(
        http_request, "PUT", f"{server_url}/echo", {"Content-Type": "text/csv"}, None, None, "a,b"
    )
    assert result["json"]["body"] == "a,b"
    assert result["json"]["headers"]["content-type"] == "text/csv"


def test_http_text_response_is_returned_as_text(server_url):
    result = run_activity(http_request, "GET", f"{server_url}/text")
    assert result == {
        "status": 200,
        "headers": result["headers"],
        "json": None,
        "text": "plain hello",
    }


def test_http_redirects_are_followed(server_url):
    result = run_activity(http_request, "GET", f"{server_url}/redirect")
    assert result["status"] == 200
    assert result["json"]["query"] == {"via": ["redirect"]}


def test_http_404_is_a_non_retryable_client_error(server_url):
    error = run_failing(http_request, "GET", f"{server_url}/status/404?token=secret")
    assert error.type == "HttpClientError"
    assert error.non_retryable
    assert error.message == f"GET {server_url}/status/404 returned 404 Not Found"
    assert "secret" not in error.message
    [details] = error.details
    assert details["status"] == 404
    assert details["json"] == {"error": "status 404"}


def test_http_429_is_retryable_after_the_servers_delay(server_url):
    error = run_failing(http_request, "GET", f"{server_url}/status/429")
    assert error.type == "HttpClientError"
    assert not error.non_retryable
    assert error.next_retry_delay == timedelta(seconds=7)


def test_http_500_is_a_retryable_server_error(server_url):
    error = run_failing(http_request, "POST", f"{server_url}/status/500", None, None, {"x": 1})
    assert error.type == "HttpServerError"
    assert not error.non_retryable
    assert error.message == f"POST {server_url}/status/500 returned 500 Internal Server Error"
    assert error.details[0]["status"] == 500


def test_http_timeout_is_retryable(server_url):
    started = time.monotonic()
    error = run_failing(http_request, "GET", f"{server_url}/slow", None, None, None, None, 0.2)
    assert time.monotonic() - started < SLOW_SECONDS
    assert error.type == "HttpTimeout"
    assert not error.non_retryable
    assert error.message == f"GET {server_url}/slow timed out after 0.2 s"


def test_http_refused_connection_is_retryable():
    with socket.socket() as probe:  # a port that was free a moment ago has no listener
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    error = run_failing(http_request, "GET", f"http://127.0.0.1:{port}/")
    assert error.type == "HttpConnectionError"
    assert not error.non_retryable


@pytest.mark.parametrize(
    ("args", "fragment"),
    [
        (("GET", ""), "needs a url"),
        (("GET", "ftp://example.invalid/x"), "only absolute http and https URLs"),
        (("GET", "/relative/path"), "only absolute http and https URLs"),
        (("POST", "http://127.0.0.1:9/", None, None, {"a": 1}, "text"), "either json or body"),
    ],
)
def test_http_malformed_requests_are_non_retryable(args, fragment):
    error = run_failing(http_request, *args)
    assert error.type == "InvalidHttpRequest"
    assert error.non_retryable
    assert fragment in error.message


# --- sources, requirements and bundles ---------------------------------------------------

ALLOWED_TOP_LEVEL_IMPORTS = set(sys.stdlib_module_names) | {"temporalio", "httpx"}


@pytest.mark.parametrize("name", BUILTIN_NAMES)
def test_builtin_modules_are_self_contained(name):
    tree = ast.parse(builtin_source(name))
    imported = {
        alias.name.split(".")[0]
        for node in ast.walk(tree)
        if isinstance(node, ast.Import)
        for alias in node.names
    } | {
        node.module.split(".")[0]
        for node in ast.walk(tree)
        if isinstance(node, ast.ImportFrom) and node.module
    }
    assert imported <= ALLOWED_TOP_LEVEL_IMPORTS, (
        f"{name} imports {imported - ALLOWED_TOP_LEVEL_IMPORTS}"
    )
    # One import style everywhere, so merged sources agree on the name `activity`.
    assert "from temporalio import activity" in builtin_source(name)


@pytest.mark.parametrize("name", BUILTIN_NAMES)
def test_builtin_source_is_the_module_that_defines_the_activity(name):
    fn = builtin_function(name)
    assert builtin_source(name) == Path(sys.modules[fn.__module__].__file__).read_text()
    assert activity._Definition.from_callable(fn).name == name


def test_http_request_requirement_pins_the_installed_httpx():
    assert builtin_requirements("http_request") == (f"httpx=={metadata.version('httpx')}",)
    assert [builtin_requirements(n) for n in ("echo", "fail", "log")] == [(), (), ()]


def test_unknown_builtin_name_is_an_error():
    with pytest.raises(ActivityRegistryError, match="'nope' is not a built-in activity"):
        builtin_source("nope")
    with pytest.raises(ActivityRegistryError, match="'nope' is not a built-in activity"):
        bundle_activities_source(["echo", "nope"])


def _exec_bundle(source: str) -> dict:
    namespace: dict = {"__name__": "bundle_under_test"}
    exec(compile(source, "activities.py", "exec"), namespace)
    return namespace


def test_bundle_of_all_builtins_defines_exactly_the_activities():
    namespace = _exec_bundle(bundle_activities_source(BUILTIN_NAMES))
    found = {
        defn.name: value
        for value in namespace.values()
        if (defn := activity._Definition.from_callable(value) if callable(value) else None)
    }
    assert sorted(found) == sorted(BUILTIN_NAMES)
    assert all(found[name].__name__ == name for name in BUILTIN_NAMES)
    # The copies are working activities, not just names.
    assert run_activity(found["echo"], {"k": 1}) == {"k": 1}
    assert run_failing(found["fail"], "boom").message == "boom"


def test_bundle_is_deterministic_and_ordered():
    source = bundle_activities_source(["log", "echo", "http_request"])
    assert source == bundle_activities_source(["http_request", "echo", "log", "echo"])
    tree = ast.parse(source)
    activities = [
        n.name for n in tree.body if isinstance(n, ast.AsyncFunctionDef) and n.decorator_list
    ]
    assert activities == ["echo", "http_request", "log"]
    imports = [ast.unparse(n) for n in tree.body if isinstance(n, ast.Import | ast.ImportFrom)]
    assert imports[0] == "from __future__ import annotations"
    assert len(imports) == len(set(imports))
    # Every import is hoisted above the first definition.
    first_def = next(i for i, n in enumerate(tree.body) if isinstance(n, ast.AsyncFunctionDef))
    assert not [n for n in tree.body[first_def:] if isinstance(n, ast.Import | ast.ImportFrom)]


def test_bundle_contains_only_what_is_asked():
    source = bundle_activities_source(["echo"])
    assert "httpx" not in source and "def log" not in source
    assert [n.name for n in _tree_functions(source)] == ["echo"]
    assert bundle_activities_source([]).strip().startswith('"""')
    assert _tree_functions(bundle_activities_source([])) == []


def _tree_functions(source: str) -> list[ast.AsyncFunctionDef]:
    return [n for n in ast.parse(source).body if isinstance(n, ast.AsyncFunctionDef)]


def test_bundle_runs_standalone_without_core(tmp_path):
    (tmp_path / "activities.py").write_text(bundle_activities_source(BUILTIN_NAMES))
    script = (
        "import sys; sys.path.insert(0, sys.argv[1]); import activities\n"
        "assert 'core' not in sys.modules, 'the bundle imported core'\n"
        "print(sorted(n for n in ('echo', 'fail', 'http_request', 'log')"
        " if hasattr(getattr(activities, n), '__temporal_activity_definition')))\n"
    )
    # -I: isolated mode, so neither the repo nor PYTHONPATH is importable.
    done = subprocess.run(
        [sys.executable, "-I", "-c", script, str(tmp_path)],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=tmp_path,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "['echo', 'fail', 'http_request', 'log']"


# --- the outbound guard ------------------------------------------------------------------


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:9/",
        "http://localhost:9/",
        "http://169.254.169.254/latest/meta-data/",
        "http://10.0.0.1/",
        "http://192.168.1.1/",
        "http://[::1]:9/",
        "http://[::ffff:127.0.0.1]:9/",
        "http://0.0.0.0:9/",
        "http://100.64.0.1/",
    ],
)
def test_internal_addresses_are_refused_without_being_contacted(
    url: str, monkeypatch: pytest.MonkeyPatch
):
    monkeypatch.delenv("WB_HTTP_ALLOW")
    error = run_failing(http_request, "GET", url)

    assert error.type == "HttpAddressRefused" and error.non_retryable
    assert "internal address" in error.message


def test_a_name_resolving_to_an_internal_address_is_refused(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.delenv("WB_HTTP_ALLOW")
    resolved: list[str] = []

    def fake_getaddrinfo(host, port, *args, **kwargs):  # a resolver stub: nothing leaves
        resolved.append(host)
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", ("10.1.2.3", port))]

    monkeypatch.setattr(socket, "getaddrinfo", fake_getaddrinfo)
    error = run_failing(http_request, "GET", "https://intranet.example/secrets")

    assert resolved == ["intranet.example"]
    assert error.type == "HttpAddressRefused"
    assert "intranet.example resolves to 10.1.2.3" in error.message


def test_a_redirect_to_an_internal_address_is_refused(server_url, monkeypatch):
    # The test server itself is allowed by name; where it redirects to is checked again.
    monkeypatch.setenv("WB_HTTP_ALLOW", "127.0.0.1")
    error = run_failing(http_request, "GET", f"{server_url}/redirect-to?to=http://10.0.0.1/")

    assert error.type == "HttpAddressRefused"
    assert "10.0.0.1" in error.message


def test_allow_list_takes_ranges_and_names(server_url, monkeypatch):
    monkeypatch.setenv("WB_HTTP_ALLOW", "10.0.0.0/8, 127.0.0.0/8")
    assert run_activity(http_request, "GET", f"{server_url}/text")["text"] == "plain hello"
    monkeypatch.setenv("WB_HTTP_ALLOW", "localhost")
    port = server_url.rsplit(":", 1)[1]
    assert run_activity(http_request, "GET", f"http://localhost:{port}/text")["status"] == 200


def test_cookies_and_credentials_are_not_returned(server_url):
    result = run_activity(http_request, "GET", f"{server_url}/cookie")

    assert "set-cookie" not in result["headers"]
    assert result["headers"]["x-kept"] == "yes"


def test_a_response_over_the_size_limit_is_refused(server_url, monkeypatch):
    monkeypatch.setenv("WB_HTTP_MAX_BYTES", "100")
    error = run_failing(http_request, "GET", f"{server_url}/big")

    assert error.type == "HttpResponseTooLarge" and error.non_retryable


def test_credentials_are_not_sent_to_another_host_on_redirect(server_url, monkeypatch):
    port = server_url.rsplit(":", 1)[1]
    # 127.0.0.1 and localhost are different hosts to a browser, and to this guard.
    target = f"http://localhost:{port}/echo"
    monkeypatch.setenv("WB_HTTP_ALLOW", "127.0.0.1,localhost")
    result = run_activity(
        http_request,
        "GET",
        f"{server_url}/redirect-to?to={target}",
        {"Authorization": "Bearer s3cret", "X-Trace": "t"},
    )

    assert "authorization" not in result["json"]["headers"]
    assert result["json"]["headers"]["x-trace"] == "t"


# --- at least once: idempotency keys and heartbeats --------------------------------------


def sent_key(server_url: str, headers: dict | None = None, **step: str) -> str:
    result = run_as_step(http_request, "POST", f"{server_url}/echo", headers, **step)
    return result["json"]["headers"]["idempotency-key"]


def test_every_attempt_of_a_step_sends_the_same_idempotency_key(server_url):
    first = sent_key(server_url)
    assert first == sent_key(server_url)  # a retry: same workflow, run and activity id
    assert str(uuid.UUID(first)) == first
    others = {
        sent_key(server_url, activity_id="4"),  # the next step, or the next loop iteration
        sent_key(server_url, run_id="run-b"),  # a rerun, a reset, the next scheduled run
        sent_key(server_url, workflow_id="orders-2"),
    }
    assert first not in others and len(others) == 3


def test_an_idempotency_key_given_by_the_graph_is_kept(server_url):
    assert sent_key(server_url, {"idempotency-key": "order-7"}) == "order-7"


def test_a_request_under_way_heartbeats(server_url, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setattr(http_request_module, "HEARTBEAT_SECONDS", SLOW_SECONDS / 10)
    beats: list[float] = []
    started = time.monotonic()
    result = run_as_step(http_request, "GET", f"{server_url}/slow", heartbeats=beats)
    took = time.monotonic() - started
    assert result["text"] == "late"
    # One a tenth of a second while the slow route takes its time (fewer on a busy machine).
    assert 3 <= len(beats) <= took / (SLOW_SECONDS / 10)


def test_only_activities_that_heartbeat_declare_a_heartbeat_timeout():
    timeouts = {spec.name: spec.heartbeat_timeout for spec in builtin_registry().specs()}
    assert timeouts == {"echo": None, "fail": None, "http_request": "10s", "log": None}
    # Several heartbeats fit in the timeout, so one late beat does not cost a retry.
    assert parse_duration("10s").total_seconds() >= 5 * HEARTBEAT_SECONDS
