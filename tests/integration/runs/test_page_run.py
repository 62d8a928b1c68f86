"""The run page (AppTest) on a real dev server: a failed run drawn on its graph, and rerun."""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import parse_qs

from streamlit.testing.v1 import AppTest

from core.runs import NodeState, RunNotFoundError
from core.text import markdown_unliteral
from tests.integration.runs.helpers import (
    deploy,
    eventually,
    example,
    failing_graph,
    looping_graph,
)


def _services():
    from pages.widgets.services import get_services

    return get_services()


def _open_run(at: AppTest, workflow_id: str, run_id: str | None = None) -> AppTest:
    at.query_params["workflow_id"] = workflow_id
    if run_id:
        at.query_params["run_id"] = run_id
    at.switch_page("pages/run.py").run()
    assert not at.exception
    return at


def _canvas(at: AppTest) -> dict[str, Any]:
    (component,) = at.get("component_instance")
    return json.loads(component.proto.json_args)


def _node_texts(at: AppTest) -> dict[str, tuple[str, str]]:
    return {
        node["id"]: (node["data"]["label"], node["data"]["title"]) for node in _canvas(at)["nodes"]
    }


def _failed_run(name: str) -> tuple[int, str, str]:
    services = _services()
    definition = deploy(services, failing_graph(name))
    ref = services.runs.start(definition, {})

    def closed():
        try:
            return services.console.find(ref.workflow_id, ref.run_id).closed
        except RunNotFoundError:
            return False

    eventually(closed, what="the run failed")
    return definition, ref.workflow_id, ref.run_id


def test_a_failed_run_names_its_step_and_colours_its_nodes(app: AppTest):
    _, workflow_id, run_id = _failed_run("charge_page")
    _open_run(app, workflow_id, run_id)

    assert ":red-badge[failed]" in "\n".join(md.value for md in app.markdown)
    assert markdown_unliteral(app.error[0].value) == "The run failed at step Charge card (charge)"
    assert any("card declined" in code.value for code in app.code)
    texts = _node_texts(app)
    assert texts == {
        "start": ("Start", "completed"),
        "greet": ("Greet", "completed"),
        "charge": ("Charge card", "failed"),
        "end": ("End", "not reached"),
    }
    styles = {node["id"]: node["style"] for node in _canvas(app)["nodes"]}
    assert styles["charge"]["border"] == "2px solid #DC2626"
    assert styles["greet"]["border"] == "2px solid #16A34A"
    assert styles["end"]["opacity"] < 1
    assert not any(node["draggable"] or node["deletable"] for node in _canvas(app)["nodes"])
    # Without a click the failed node's details show: its activity call and failure.
    assert "**Charge card** · `charge` · activity" in [md.value for md in app.markdown]
    assert app.get("plotly_chart"), "the timeline chart is drawn"


def test_a_click_on_a_node_shows_its_call(app: AppTest):
    _, workflow_id, run_id = _failed_run("charge_click")
    _open_run(app, workflow_id, run_id)
    drawn = _canvas(app)
    key = f"run_canvas_{workflow_id}_{run_id}"
    app.session_state[key] = {
        "nodes": drawn["nodes"],
        "edges": drawn["edges"],
        "selectedId": "greet",
        "timestamp": drawn["timestamp"] + 1,
    }
    app.run()
    assert not app.exception
    assert "**Greet** · `greet` · activity" in [md.value for md in app.markdown]
    (calls,) = [frame.value for frame in app.dataframe if "Call" in frame.value.columns]
    assert list(calls["Name"]) == ["echo"] and list(calls["Outcome"]) == ["completed"]
    assert any(code.value == '"hi"' for code in app.code)  # echo's output


def test_rerun_starts_a_new_run_and_links_to_it(app: AppTest):
    definition, workflow_id, run_id = _failed_run("charge_rerun")
    _open_run(app, workflow_id, run_id)
    next(b for b in app.button if b.label == "Rerun with the same input").click().run()
    assert not app.exception
    runs = _services().runs.recent(definition)
    assert len(runs) == 2
    new = next(run for run in runs if run.workflow_id != workflow_id)
    assert markdown_unliteral(app.success[0].value).startswith(
        f"Started {new.workflow_id} (charge_rerun_v1)"
    )
    (link,) = [link for link in app.get("page_link") if "new run" in link.proto.label]
    assert f"workflow_id={new.workflow_id}" in link.proto.query_string


def test_reset_to_the_failed_step_asks_first_then_starts_a_run(app: AppTest):
    _, workflow_id, run_id = _failed_run("charge_reset")
    _open_run(app, workflow_id, run_id)
    step = app.selectbox(key=f"run_reset_node_{run_id}")
    assert step.value == "charge"
    next(b for b in app.button if b.label == "Reset the run").click().run()
    assert (
        markdown_unliteral(app.warning[0].value)
        == f"Reset run {workflow_id} to step Charge card (charge)?"
    )
    next(b for b in app.button if b.label == "Confirm reset").click().run()
    assert not app.exception
    assert markdown_unliteral(app.success[0].value).startswith(
        f"Reset run {workflow_id} to step charge"
    )
    # The reset run keeps the workflow id with a new run id, and runs Charge card again.
    (link,) = [link for link in app.get("page_link") if "new run" in link.proto.label]
    params = parse_qs(link.proto.query_string)
    assert params["workflow_id"] == [workflow_id] and params["run_id"] != [run_id]
    reset = _services().console.detail(workflow_id, params["run_id"][0])
    assert reset.trace.failed_node_id == "charge"


def test_without_a_run_the_page_asks_for_one_and_an_unknown_run_is_said_so(app: AppTest):
    app.switch_page("pages/run.py").run()
    assert not app.exception
    assert app.text_input(key="run_search_workflow").value == ""
    _services().temporal  # noqa: B018 -- start Temporal, as the page would behind its spinner
    _open_run(app, "no-such-run")
    assert markdown_unliteral(app.error[0].value).startswith("No such run:")


def test_an_open_run_waits_on_its_graph_answers_queries_and_can_be_cancelled(app: AppTest):
    services = _services()
    definition = deploy(services, example("approval_signal"))
    ref = services.runs.start(definition, {"request": "laptop", "timeout_seconds": 3600})

    def waiting():
        detail = services.console.detail(ref.workflow_id, ref.run_id)
        return detail.trace.nodes["wait"].state is NodeState.WAITING

    eventually(waiting, what="the run waits for its signal")
    _open_run(app, ref.workflow_id, ref.run_id)
    assert ":blue-badge[running]" in "\n".join(md.value for md in app.markdown)
    texts = _node_texts(app)
    assert texts["wait"][0] == "Wait for approval" and texts["wait"][1].startswith("waiting")
    assert texts["end"] == ("Done", "not reached")
    assert "No activity is in flight." in [caption.value for caption in app.caption]
    next(b for b in app.button if b.label == "Ask status").click().run()
    assert any(code.value == '"waiting"' for code in app.code)

    next(b for b in app.button if b.label == "Cancel the run").click().run()
    assert markdown_unliteral(app.warning[0].value) == f"Cancel run {ref.workflow_id}?"
    next(b for b in app.button if b.label == "Confirm cancel").click().run()
    assert not app.exception
    assert markdown_unliteral(app.success[0].value) == f"Asked run {ref.workflow_id} to cancel."
    state = services.runs.wait(ref, timeout=30)
    assert state.status.value == "canceled"

    def shown_cancelled() -> bool:
        # The page keeps what it read for a second, so it may take one more rerun to see it.
        app.run()
        return ":orange-badge[canceled]" in "\n".join(md.value for md in app.markdown)

    eventually(shown_cancelled, what="the page showing the run cancelled")
    assert not [b for b in app.button if b.label in ("Cancel the run", "Send approve")]


def _links(at: AppTest) -> dict[str, str]:
    return {
        markdown_unliteral(link.proto.label): parse_qs(link.proto.query_string)["run_id"][0]
        for link in at.get("page_link")
        if "run_id=" in link.proto.query_string
    }


def test_a_run_that_continued_as_new_links_to_the_runs_before_and_after_it(app: AppTest):
    services = _services()
    definition = deploy(services, looping_graph("loop_chain"))
    ref = services.runs.start(definition, {})
    # Waiting on the first run follows the chain to its last run, which the state names.
    state = services.runs.wait(ref, timeout=60)
    assert state.result == 6
    first = _open_run(app, ref.workflow_id, ref.run_id)
    after = _links(first)
    assert list(after) == ["Continued as new: the next run"]
    # Along the chain: each later run links back to the one before it; the last, to none after.
    chain = [ref.run_id]
    while (following := _links(_open_run(app, ref.workflow_id, chain[-1]))).get(
        "Continued as new: the next run"
    ):
        chain.append(following["Continued as new: the next run"])
        assert (
            _links(_open_run(app, ref.workflow_id, chain[-1]))["Continued from the run before it"]
            == chain[-2]
        )
    assert len(chain) >= 2
    assert state.ref.run_id == chain[-1]
    assert services.console.detail(ref.workflow_id, chain[-1]).record.status.value == "completed"
