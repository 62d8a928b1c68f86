"""Workflow updates: the ``args`` root of their expressions, what validation accepts and refuses,
the JSON round trip, and the handlers they compile to (run here on plain dicts;
tests/integration/test_workflow_updates.py runs them on a server)."""

from __future__ import annotations

import ast
import copy
import json
from typing import Any

import pytest
from temporalio.exceptions import ApplicationError

from core.compiler import compile_graph
from core.examples import EXAMPLES_DIR
from core.expressions import evaluate, parse_expression
from core.graph import dump_graph, graph_from_dict, load_graph
from tests.unit.test_signal_updates import workflow_namespace
from tests.unit.test_validation import problems_of


def guests() -> dict[str, Any]:
    """The guest_list example: ``invite`` appends a name (refused twice or over capacity) and
    returns the count; ``close`` sets ``closed`` and returns the list."""
    document = json.loads((EXAMPLES_DIR / "guest_list.json").read_text(encoding="utf-8"))
    assert isinstance(document, dict)
    return document


def workflow(document: dict[str, Any], **variables: Any) -> Any:
    """An instance of the compiled workflow class with these variables (nothing runs)."""
    namespace = workflow_namespace(document)
    cls = next(v for k, v in namespace.items() if k.endswith("Workflow") and isinstance(v, type))
    instance = cls.__new__(cls)
    instance.vars = {"guests": None, "closed": None, **variables}
    instance.input = {"capacity": 2, "timeout_seconds": 60}
    return instance


def test_args_is_the_root_of_an_updates_input_fields():
    expression = parse_expression('args.name + args["b"] + args.get("c", "") + input.x + total')
    assert expression.arg_fields == {"name", "b", "c"}
    assert expression.input_fields == {"x"}
    # Outside an update's expressions args is a variable like any other.
    assert expression.variables == {"args", "total"}
    assert parse_expression("args[key]").arg_fields == frozenset()
    assert evaluate(parse_expression("args.n + 1"), input={}, variables={"args": {"n": 1}}) == 2


def test_the_example_round_trips_and_graphs_without_updates_export_without_the_key():
    graph = graph_from_dict(guests())
    assert dump_graph(graph) == (EXAMPLES_DIR / "guest_list.json").read_text(encoding="utf-8")
    assert load_graph(dump_graph(graph)) == graph
    document = guests()
    del document["workflow"]["updates"]
    assert '"updates"' not in dump_graph(graph_from_dict(document))
    assert problems_of(guests()) == []


@pytest.mark.parametrize(
    ("change", "field", "fragment"),
    [
        ({"validator": "args.nme != ''"}, "validator", "has no field 'nme' in args (it has name)"),
        ({"result": "count + 1"}, "result", "no node defines a variable 'count'"),
        ({"result": "input.size"}, "result", "the input has no field 'size'"),
        ({"validator": "args.name ="}, "validator", "syntax"),
        ({"result": 'secret("key")'}, "result", "only in activity arguments"),
        ({"name": "guests"}, "name", "declared twice"),  # as a query,
        ({"name": "state"}, "name", "is built in"),
        ({"name": "two words"}, "name", "is not allowed"),
        (
            {"updates": [{"variable": "guests", "action": "append", "field": "who"}]},
            "updates[0].field",
            "update 'invite' has no payload field 'who'",
        ),
        ({"fields": [{"name": "n", "type": "integer", "default": "x"}]}, "fields[0].default", ""),
    ],
)
def test_a_bad_update_is_reported_where_it_is(change, field, fragment):
    document = guests()
    document["workflow"]["updates"][0].update(change)
    found = problems_of(document)
    where = f"updates[0].{field}"
    assert any(s == "workflow" and f == where and fragment in m for s, _, f, m in found), found


def test_a_variable_named_args_cannot_be_read_in_an_updates_expressions():
    document = guests()
    document["workflow"]["updates"][1]["updates"].append({"variable": "args", "value": 1})
    found = problems_of(document)
    assert any(f == "updates[0].validator" and "rename the variable" in m for _, _, f, m in found)
    assert not [f for _, _, f, _ in found if f == "updates[1].result"], found


def test_handlers_are_a_named_update_and_its_validator_with_user_text_as_constants():
    document = guests()
    hostile = 'x"""\nimport os\nos.system("boom")\n"""'
    document["workflow"]["updates"][0]["description"] = hostile
    document["workflow"]["updates"][0]["refusal"] = hostile
    source = compile_graph(graph_from_dict(document)).files["workflow.py"]
    assert '@workflow.update(name="invite", description=' in source
    assert (
        "@update_invite.validator\n    def validate_invite(self, payload: Any = None) -> None:"
        in (source)
    )
    module = ast.parse(source)
    assert not [
        n for n in ast.walk(module) if isinstance(n, ast.Call) and "system" in ast.unparse(n.func)
    ]
    strings = [n.value for n in ast.walk(module) if isinstance(n, ast.Constant)]
    assert hostile in strings


def test_the_validator_refuses_and_leaves_the_state_as_it_was():
    instance = workflow(guests(), guests=["Ann", "Bob"])
    before = copy.deepcopy(instance.vars)
    with pytest.raises(ApplicationError, match=r"update 'invite' refused: the guest is invited"):
        instance.validate_invite({"name": "Cid"})  # the list is full (capacity 2)
    with pytest.raises(ApplicationError, match="field 'name' must be of type string"):
        instance.validate_invite({"name": 5})
    with pytest.raises(ApplicationError, match="field 'name' is required") as refused:
        instance.validate_invite({})
    assert refused.value.type == "UpdateRefused"
    assert instance.vars == before


def test_an_accepted_update_changes_the_variables_and_returns_its_result():
    instance = workflow(guests())
    instance.validate_invite({"name": "Ann"})
    assert instance.update_invite({"name": "Ann"}) == 1
    with pytest.raises(ApplicationError, match="invited already"):
        instance.validate_invite({"name": "Ann"})
    instance.validate_close(None)
    assert instance.update_close(None) == ["Ann"]
    assert instance.vars == {"guests": ["Ann"], "closed": True}


def test_data_errors_refuse_or_fail_the_update_naming_it():
    document = guests()
    invite = document["workflow"]["updates"][0]
    invite["validator"] = "len(guests) < 2"  # None before the first guest
    invite["result"] = "guests[5]"
    instance = workflow(document)
    with pytest.raises(ApplicationError, match=r"update 'invite' refused: its validator failed"):
        instance.validate_invite({"name": "Ann"})
    instance.vars["guests"] = []
    with pytest.raises(ApplicationError, match=r"update 'invite' failed: its result failed: Ind"):
        instance.update_invite({"name": "Ann"})


def test_an_update_whose_change_cannot_apply_fails_without_changing_anything():
    instance = workflow(guests(), guests="Ann")
    with pytest.raises(ApplicationError, match="holds a str; append needs a list") as failed:
        instance.update_invite({"name": "Bob"})
    assert failed.value.type == "UpdateFailed"
    assert instance.vars["guests"] == "Ann"


def test_an_update_without_validator_changes_or_result_returns_none():
    document = guests()
    document["workflow"]["updates"].append({"name": "ping"})
    instance = workflow(document)
    instance.validate_ping(None)
    assert instance.update_ping(None) is None
    with pytest.raises(ApplicationError, match="refused: the update has no field .x."):
        instance.validate_ping({"x": 1})
