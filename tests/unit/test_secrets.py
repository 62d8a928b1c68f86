"""Secrets without a database or Temporal: the key, sealing, where secret() may stand, the
code the compiler makes of it, and the resolution of markers in the worker."""

from __future__ import annotations

import copy
import json
import stat
import threading
from pathlib import Path
from typing import Any

import pytest
from cryptography.fernet import Fernet
from temporalio.exceptions import ApplicationError

from core.activities import builtin_registry
from core.auth import Actor, Role, acting_as
from core.compiler import compile_graph
from core.config import ConfigError, load_settings
from core.deploy.export import readme
from core.graph import graph_from_dict
from core.secrets import (
    KEY_FILE,
    SecretBox,
    SecretKeyError,
    SecretService,
    SecretUnreadableError,
    SecretValue,
    UnknownSecretError,
    document_secrets,
    load_key,
)
from core.secrets.markers import (
    carries_secrets,
    input_carries_secrets,
    resolve_arguments,
    resolve_input,
)
from core.validation import validate

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "http_fetch_condition.json"
VALUE = "s3cr3t-Value-that-must-never-leak"


# ---- the key and sealing ----------------------------------------------------------------


def test_a_sealed_value_opens_again_and_holds_no_clear_text() -> None:
    box = SecretBox(Fernet.generate_key())

    token = box.seal(VALUE)

    assert VALUE not in token
    assert box.open(token, name="crm_token") == VALUE
    assert box.seal(VALUE) != token  # a fresh nonce every time: equal values look different


def test_a_value_sealed_under_another_key_fails_naming_the_secret() -> None:
    token = SecretBox(Fernet.generate_key()).seal(VALUE)

    with pytest.raises(SecretUnreadableError, match="secret 'crm_token' cannot be decrypted"):
        SecretBox(Fernet.generate_key()).open(token, name="crm_token")


def test_the_key_file_is_created_once_with_mode_0600_and_reused(tmp_path: Path) -> None:
    settings = load_settings({"WB_DATA_DIR": str(tmp_path / "data")})

    first = load_key(settings, create=True)
    path = tmp_path / "data" / KEY_FILE
    mode = stat.S_IMODE(path.stat().st_mode)
    again = load_key(settings, create=True)  # the next start
    reader = load_key(settings, create=False)  # a worker

    assert mode == 0o600
    assert first == again == reader
    assert path.read_bytes().strip() == first
    assert [p.name for p in path.parent.iterdir()] == [KEY_FILE]  # no temporary left behind
    assert SecretBox(first).open(SecretBox(again).seal(VALUE), name="x") == VALUE


def test_processes_starting_together_agree_on_one_key(tmp_path: Path) -> None:
    settings = load_settings({"WB_DATA_DIR": str(tmp_path)})
    keys: list[bytes] = []
    threads = [
        threading.Thread(target=lambda: keys.append(load_key(settings, create=True)))
        for _ in range(8)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert len(keys) == 8 and len(set(keys)) == 1


def test_a_worker_without_key_or_key_file_is_told_what_to_do(tmp_path: Path) -> None:
    settings = load_settings({"WB_DATA_DIR": str(tmp_path)})

    with pytest.raises(SecretKeyError, match="set WB_SECRET_KEY, or copy secret.key"):
        load_key(settings, create=False)
    assert not (tmp_path / KEY_FILE).exists()


def test_wb_secret_key_wins_over_the_key_file_and_is_hidden_from_repr(tmp_path: Path) -> None:
    key = Fernet.generate_key().decode()
    settings = load_settings({"WB_DATA_DIR": str(tmp_path), "WB_SECRET_KEY": key})

    assert load_key(settings, create=True) == key.encode()
    assert not (tmp_path / KEY_FILE).exists()
    assert key not in repr(settings)


def test_a_malformed_wb_secret_key_is_refused_without_repeating_it() -> None:
    with pytest.raises(ConfigError, match="WB_SECRET_KEY: expected a Fernet key") as error:
        load_settings({"WB_SECRET_KEY": "not-a-key"})
    assert "not-a-key" not in str(error.value)


def test_a_key_file_that_holds_no_key_is_reported(tmp_path: Path) -> None:
    (tmp_path / KEY_FILE).write_text("garbage\n")
    settings = load_settings({"WB_DATA_DIR": str(tmp_path)})

    with pytest.raises(SecretKeyError, match="does not hold a Fernet key"):
        load_key(settings, create=True)
    assert (tmp_path / KEY_FILE).read_text() == "garbage\n"  # never overwritten


def test_the_audit_entry_of_a_create_never_holds_the_value() -> None:
    entries: list[dict[str, str]] = []

    class Sink:
        def record(self, **entry: str) -> None:
            entries.append(entry)

    class Secrets:
        def create(self, name: str, *, ciphertext: str, created_by: str, now: Any) -> None:
            entries.append({"stored": ciphertext})

    class Database:
        secrets = Secrets()

    service = SecretService(Database(), SecretBox(Fernet.generate_key()))  # type: ignore[arg-type]
    acting_as(service, Actor("ann", Role.ADMIN, Sink())).create("crm_token", SecretValue(VALUE))

    assert entries[-1] == {
        "actor": "ann",
        "action": "SecretService.create",
        "target": "'crm_token', SecretValue",
        "outcome": "ok",
    }
    assert VALUE not in json.dumps(entries) and VALUE not in repr(SecretValue(VALUE))


# ---- where secret() may stand -----------------------------------------------------------


def graph_with(headers: str | None = None, **node_changes: Any) -> dict[str, Any]:
    document = json.loads(EXAMPLE.read_text())
    fetch = next(n for n in document["nodes"] if n["id"] == "fetch")
    if headers is not None:
        fetch["params"]["args"]["headers"] = {"expr": headers}
    for node_id, (field, value) in node_changes.items():
        next(n for n in document["nodes"] if n["id"] == node_id)["params"][field] = value
    return document


def problems(document: dict[str, Any]) -> list[str]:
    return [str(p) for p in validate(graph_from_dict(document), registry=builtin_registry())]


@pytest.mark.parametrize(
    "headers",
    [
        'secret("crm_token")',
        '{"Authorization": secret("crm_token")}',
        '{"Authorization": "Bearer " + secret("crm_token"), "X-Url": input.url}',
        '{"Authorization": f"Bearer {secret(\'crm_token\')}"}',
        '{"X": "a" + input.url + secret("crm_token") + "!" + input.url}',
        '{"X": [1, {"deep": secret("crm_token")}]}',
    ],
)
def test_secret_as_a_whole_value_an_item_or_joined_text_is_valid(headers: str) -> None:
    assert problems(graph_with(headers)) == []


@pytest.mark.parametrize(
    ("headers", "fragment"),
    [
        ('{"X": len(secret("crm_token"))}', "here it is inside a call to 'len'"),
        ('{"X": secret("crm_token").upper()}', "inside a call to the method 'upper'"),
        ('{"X": secret("a") if input.url else "b"}', "inside a conditional"),
        ('{"X": secret("a") == "b"}', "inside a comparison"),
        ('{"X": secret("a")[0:3]}', "inside an item access"),
        ('{"X": f"{secret(\'a\')!r}"}', "an f-string field with a conversion or format"),
        ('{"X": secret("a") + secret("b")}', "one text may hold one secret() only"),
        ('{input.url: secret("a")}', "whose key is not text written literally"),
        ('{secret("a"): 1}', "used as an object key"),
        ('{"X": secret("a"), "X": input.url}', "which is given twice"),
        ('{"X": secret("a") * 2}', "arithmetic other than joining text with +"),
    ],
)
def test_secret_elsewhere_in_an_argument_is_refused_naming_node_and_field(
    headers: str, fragment: str
) -> None:
    found = problems(graph_with(headers))

    assert len(found) == 1 and found[0].startswith("node fetch: args.headers: "), found
    assert fragment in found[0]


@pytest.mark.parametrize(
    ("headers", "construct"),
    [
        ("secret(input.url)", "secret() without a literal name"),
        ('secret("CRM")', "secret name 'CRM'"),
        ('secret(name="x")', "secret() without a literal name"),
        ("{'X': secret}", "function 'secret' used as a value"),
    ],
)
def test_the_name_must_be_a_literal_secret_name(headers: str, construct: str) -> None:
    found = problems(graph_with(headers))

    assert any(p.startswith(f"node fetch: args.headers: {construct}") for p in found), found


def test_secret_outside_activity_arguments_is_refused() -> None:
    document = graph_with(ok=("expression", 'secret("crm_token") == "x"'))
    document["workflow"]["queries"] = [{"name": "token", "expression": 'secret("crm_token")'}]

    found = problems(document)

    assert len(found) == 2
    assert found[0].startswith(
        "workflow http_fetch_condition: queries[0].expression: secret() may be used only"
    )
    assert "node ok: expression: secret() may be used only in activity arguments" in found[1]


def test_a_variable_cannot_be_called_secret() -> None:
    document = graph_with()
    next(n for n in document["nodes"] if n["id"] == "fetch")["params"]["result_variable"] = "secret"

    assert "node fetch: params: the name 'secret' is reserved; choose another" in problems(document)


def test_the_secrets_a_document_names_are_found_even_in_drafts_with_errors() -> None:
    document = graph_with('{"A": secret("crm_token"), "B": "x " + secret("other")}')
    document["nodes"].append({"id": "bad", "type": "set_variable", "params": {"expr": "(("}})

    assert document_secrets(document) == {"crm_token", "other"}
    assert document_secrets(None) == frozenset()


# ---- what the compiler makes of it ------------------------------------------------------

# The input object goes through _payload, which refuses data too large for one Temporal payload.
EXPECTED_CALL = """\
                self.vars["response"] = await workflow.execute_activity(
                    "http_request",
                    _payload(
                        {
                            "method": "GET",
                            "url": self.input["url"],
                            "headers": {
                                "Authorization": {"$secret": "crm_token", "before": "Bearer "},
                                "X-Url": self.input["url"],
                            },
                            "$secret_paths": [[["headers", "Authorization"], "crm_token"]],
                        }
                    ),
"""


def test_the_compiler_emits_the_name_a_marker_and_its_path_never_a_value() -> None:
    headers = '{"Authorization": "Bearer " + secret("crm_token"), "X-Url": input.url}'
    graph = graph_from_dict(graph_with(headers))

    bundle = compile_graph(graph, registry=builtin_registry(), version=1, default_task_queue="q")
    again = compile_graph(graph, registry=builtin_registry(), version=1, default_task_queue="q")

    assert EXPECTED_CALL in bundle.files["workflow.py"]
    assert "secret(" not in bundle.files["workflow.py"]
    assert bundle.files == again.files


def test_an_f_string_keeps_its_computed_parts_in_the_workflow() -> None:
    headers = '{"X": f"{input.url}/{secret(\'crm_token\')}?v=1"}'
    graph = graph_from_dict(graph_with(headers))

    code = compile_graph(graph, registry=builtin_registry(), version=1).files["workflow.py"]

    # The text before the secret is computed in the workflow, through the sized f-string helper.
    assert (
        """"$secret": "crm_token",
                                    "before": _fstring((self.input["url"], "", ""), "/"),
                                    "after": "?v=1",
"""
    ) in code


# ---- resolution in the worker -----------------------------------------------------------


def http(method, url, headers=None, query=None, json=None, body=None, timeout_seconds=30.0):
    """Stands in for http_request: only its seven parameters matter here."""


def lookup(name: str) -> str:
    if name == "crm_token":
        return VALUE
    raise UnknownSecretError(name)


def call_args(headers: Any, paths: list[Any]) -> list[Any]:
    return ["GET", "https://x.example", headers, None, None, None, 30.0, {"$secret_paths": paths}]


def test_markers_at_the_listed_paths_become_values_with_their_text_around() -> None:
    args = call_args(
        {"A": {"$secret": "crm_token", "before": "Bearer "}, "B": [{"$secret": "crm_token"}]},
        [[[2, "A"], "crm_token"], [[2, "B", 0], "crm_token"]],
    )

    assert carries_secrets(http, args)
    assert resolve_arguments(http, args, lookup) == [
        "GET",
        "https://x.example",
        {"A": f"Bearer {VALUE}", "B": [VALUE]},
        None,
        None,
        None,
        30.0,
    ]


def test_a_marker_forged_by_run_input_is_never_resolved() -> None:
    # The input put a marker where the compiled code has data: not in the listed paths.
    forged = {"$secret": "crm_token"}
    listed = call_args({"A": {"$secret": "crm_token"}, "B": forged}, [[[2, "A"], "crm_token"]])
    # A call without secrets whose last value comes from data cannot pass the paths either:
    # it has at most as many arguments as the activity has parameters.
    plain = ["GET", "https://x.example", None, None, None, None, {"$secret_paths": [[[2], "x"]]}]

    assert resolve_arguments(http, listed, lookup)[2] == {"A": VALUE, "B": forged}
    assert not carries_secrets(http, plain)
    assert not carries_secrets(http, ["GET", {"$secret_paths": []}])


def test_markers_in_an_input_object_become_values_and_the_paths_field_goes() -> None:
    forged = {"$secret": "crm_token"}
    sent = {
        "url": "https://x.example",
        "headers": {"A": {"$secret": "crm_token", "before": "Bearer "}, "B": [forged]},
        "$secret_paths": [[["headers", "A"], "crm_token"]],
    }

    assert input_carries_secrets([sent])
    # Only the listed place is resolved: a marker that came with the data stays one.
    assert resolve_input([sent], lookup) == [
        {"url": "https://x.example", "headers": {"A": f"Bearer {VALUE}", "B": [forged]}}
    ]
    assert not input_carries_secrets([{"url": "https://x.example"}])
    assert not input_carries_secrets(["GET", {"$secret_paths": []}])


@pytest.mark.parametrize(
    ("headers", "paths", "source", "message"),
    [
        ({"$secret": "nope"}, [[[2], "nope"]], lookup, "secret 'nope' does not exist"),
        ({"$secret": "x"}, [[[2], "x"]], None, "this worker has no secret store"),
        ({"$secret": "x"}, [[[2], "other"]], lookup, "is not where its code put it"),
        ({"$secret": "crm_token", "before": 1}, [[[2], "crm_token"]], lookup, "must be text"),
    ],
)
def test_a_secret_that_cannot_be_resolved_fails_the_step_for_good(
    headers: Any, paths: list[Any], source: Any, message: str
) -> None:
    with pytest.raises(ApplicationError, match=message) as error:
        resolve_arguments(http, call_args(copy.deepcopy(headers), paths), source)

    assert error.value.non_retryable


def test_the_manifest_and_the_export_readme_name_the_secrets_a_bundle_needs() -> None:
    headers = '{"A": secret("crm_token"), "B": "x" + secret("another")}'
    with_secrets = compile_graph(graph_from_dict(graph_with(headers)), registry=builtin_registry())
    without = compile_graph(graph_from_dict(graph_with()), registry=builtin_registry())

    assert with_secrets.manifest["secrets"] == ["another", "crm_token"]
    assert "secrets" not in without.manifest
    assert "read the secrets `another`, `crm_token`" in readme(with_secrets)
    assert "## Secrets" not in readme(without)


def test_a_data_folder_where_no_key_file_can_be_made_says_so(tmp_path: Path) -> None:
    (tmp_path / "file").write_text("not a folder")
    settings = load_settings({"WB_DATA_DIR": str(tmp_path / "file" / "data")})

    with pytest.raises(SecretKeyError, match="cannot create the key file .*; set WB_SECRET_KEY"):
        load_key(settings, create=True)
