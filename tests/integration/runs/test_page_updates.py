"""The run page (AppTest) on a real dev server: a form per workflow update, its result shown, a
refusal said as the run gave it and the run's state left as it was."""

from __future__ import annotations

from streamlit.testing.v1 import AppTest

from core.runs import NodeState
from core.text import markdown_unliteral
from tests.integration.runs.helpers import deploy, eventually, example


def _send(at: AppTest, update: str, **fields: str) -> AppTest:
    for name, value in fields.items():
        at.text_input(key=f"update_{update}.{name}").set_value(value)
    next(b for b in at.button if b.label == f"Send {update}").click().run()
    assert not at.exception
    return at


def test_an_update_form_shows_the_result_or_the_refusal(app: AppTest):
    from pages.widgets.services import get_services

    services = get_services()
    definition = deploy(services, example("guest_list"))
    ref = services.runs.start(definition, {"capacity": 1})

    def waiting():
        detail = services.console.detail(ref.workflow_id, ref.run_id)
        return detail.trace.nodes["wait"].state is NodeState.WAITING

    eventually(waiting, what="the run waits for its list to close")
    app.query_params["workflow_id"] = ref.workflow_id
    app.query_params["run_id"] = ref.run_id
    app.switch_page("pages/run.py").run()
    assert "Signals, updates and queries" in [h.value for h in app.subheader]

    _send(app, "invite", name="Ann")
    assert [markdown_unliteral(s.value) for s in app.success] == ["invite returned:"]
    assert any(code.value == "1" for code in app.code)

    _send(app, "invite", name="Bob")
    assert [markdown_unliteral(w.value) for w in app.warning] == [
        "update 'invite' refused: the guest is invited already, or the list is full"
    ]
    assert services.runs.query(ref, "guests") == ["Ann"]

    _send(app, "close")
    assert any(code.value == '["Ann"]' for code in app.code)
    assert services.runs.wait(ref, timeout=30).result == ["Ann"]
