"""The fail node: what validation accepts and refuses, the code it compiles to, its form."""

from __future__ import annotations

import copy
import json
import time
from typing import Any

import pytest

from core.compiler import compile_graph
from core.graph import graph_from_dict
from tests.unit.console import in_builder, saved_draft
from tests.unit.test_validation import edge, example, node, problems_of


def saga() -> dict[str, Any]:
    return copy.deepcopy(example("order_saga"))


@pytest.mark.parametrize(
    ("message", "fragment"),
    [
        (42, "must be a text or an expression"),
        ("  ", "must be a text or an expression"),
        ("x" * 2001, "at most 2,000 characters"),
        ({"expr": "input.amount +"}, "Invalid syntax"),
        ({"expr": "refund"}, "no node defines a variable 'refund'"),
        ({"expr": "secret('card')"}, "secret() may be used only in activity arguments"),
    ],
)
def test_a_message_that_is_no_text_or_a_bad_expression_is_refused(message, fragment):
    document = saga()
    node(document, "refused")["params"]["message"] = message
    found = [(s, i, f, m) for s, i, f, m in problems_of(document) if i == "refused"]
    assert found and all(f == "message" for _, _, f, _ in found), found
    assert any(fragment in m for *_, m in found), found


def test_the_error_type_must_be_a_name():
    document = saga()
    node(document, "refused")["params"]["error_type"] = "Payment refused"
    assert [(i, f) for _, i, f, _ in problems_of(document)] == [("refused", "error_type")]


def test_it_has_no_outputs():
    document = saga()
    document["edges"].append({"id": "e7", "source": "refused", "target": "placed"})
    assert (
        "edge",
        "e7",
        "handle",
        "a fail node has no 'next' output (it has none: it ends the workflow)",
    ) in problems_of(document)


def test_a_branch_may_end_in_a_fail_node_instead_of_an_end_node():
    # The saga's false branch has no end node: the fail node closes it, and what leads to it
    # reaches an end as far as validation goes.
    document = saga()
    assert problems_of(document) == []
    edge(document, "release")["target"] = "release"
    assert ("release", "edges") in [(i, f) for _, i, f, _ in problems_of(document)]


def test_it_compiles_to_a_non_retryable_application_error():
    source = compile_graph(graph_from_dict(saga())).files["workflow.py"]
    raised = source[source.index('self.step = "refused"') :]
    raised = raised[: raised.index("\n\n")]
    # An expression's value becomes text, cut to the limit; the type is a constant.
    assert "raise ApplicationError(" in raised and "str(" in raised and "[:2000]" in raised
    assert 'type="PaymentRefused"' in raised and "non_retryable=True" in raised
    document = saga()
    node(document, "refused")["params"]["message"] = "refused"
    source = compile_graph(graph_from_dict(document)).files["workflow.py"]
    assert 'raise ApplicationError("refused", type="PaymentRefused", non_retryable=True)' in source


def test_in_a_loop_body_it_ends_the_iteration_without_a_collect_after_it():
    document = copy.deepcopy(example("foreach_loop"))
    loop = next(n for n in document["nodes"] if n["type"] == "loop")
    body = next(e for e in document["edges"] if e["source"] == loop["id"] and e["handle"] == "body")
    document["nodes"].append(
        {"id": "stop", "type": "fail", "params": {"message": "no items allowed"}}
    )
    back = [e for e in document["edges"] if e["target"] == loop["id"]]
    document["edges"] = [e for e in document["edges"] if e not in back and e is not body]
    document["edges"].append(
        {"id": "into_stop", "source": loop["id"], "target": "stop", "handle": "body"}
    )
    found = problems_of(document)
    # A body that always fails never comes back to its loop: validation says so.
    assert any(f == "edges.body" and "never comes back" in m for *_, f, m in found), found


def test_the_inspector_edits_its_message_as_text_or_expression_and_its_type(console):
    at = in_builder(console, example="order_saga", name="saga")
    (component,) = at.get("component_instance")
    shown = json.loads(component.proto.json_args)
    at.session_state["builder_canvas"] = {
        "nodes": shown["nodes"],
        "edges": shown["edges"],
        "selectedId": "refused",
        "timestamp": int(time.time() * 1000) + 60_000,
    }
    at.run()
    assert not at.exception and any(md.value == "### Fail" for md in at.markdown)
    key = f"inspector_{at.session_state['builder_editor'].generation}"
    assert at.toggle(key=f"{key}.message.is_expr").value is True
    # Off the expression toggle, the text is the message as typed (no JSON quoting).
    at.toggle(key=f"{key}.message.is_expr").set_value(False)
    at.text_input(key=f"{key}.message.text").set_value("42 items is too many")
    at.text_input(key=f"{key}.error_type").set_value("TooMany").run()
    assert not at.exception
    refused = node(saved_draft(at), "refused")
    assert refused["params"] == {"message": "42 items is too many", "error_type": "TooMany"}
