"""The sign-in gate (AppTest): the first admin on a new install, sign-in and its refusals,
sign-out, the admin-only Accounts and Audit log pages, and WB_AUTH=off refused off loopback."""

from __future__ import annotations

import pytest
from streamlit import config
from streamlit.testing.v1 import AppTest

from core.auth import Role
from core.auth.accounts import WRONG_CREDENTIALS
from core.db import AuditFilter
from tests.unit.console import ROOT, app_services

PASSWORD = "correct horse battery"


@pytest.fixture
def app(console: AppTest, monkeypatch: pytest.MonkeyPatch) -> AppTest:
    monkeypatch.delenv("WB_AUTH")  # sign-in is the subject here
    return console


def _fill(at: AppTest, **fields: str) -> None:
    for label, value in fields.items():
        next(w for w in at.text_input if w.label == label).input(value)


def _click(at: AppTest, label: str) -> AppTest:
    return next(b for b in at.button if b.label == label).click().run()


def _sign_in(at: AppTest, name: str, password: str = PASSWORD) -> AppTest:
    _fill(at, **{"User name": name, "Password": password})
    return _click(at, "Sign in")


def _with_user(name: str, role: Role) -> None:
    services = app_services()
    if services.accounts.needs_first_admin():
        services.accounts.create_first_admin("root", password=PASSWORD)
    if name != "root":
        _, root = services.accounts.sign_in("root", password=PASSWORD)
        services.for_actor(root).accounts.create(name, password=PASSWORD, role=role)


def _signed_in_as(at: AppTest) -> str:
    # AppTest runs the current page's file by itself (Streamlit's pages/ folder mode), so go
    # through app.py, whose sidebar says who is signed in.
    at.switch_page("app.py").run()
    assert not at.exception
    return " ".join(caption.value for caption in at.sidebar.caption)


def test_a_new_install_asks_for_the_admin_account_then_signs_it_in(app: AppTest) -> None:
    app.run()
    assert [s.value for s in app.subheader] == ["Create the admin account"]
    assert not app.sidebar.button  # nothing else is reachable

    _fill(app, **{"User name": "Root", "Password": "short", "Password again": "short"})
    _click(app, "Create the admin account")
    assert [e.value for e in app.error] == ["password: use at least 12 characters"]

    _fill(app, **{"Password": PASSWORD, "Password again": PASSWORD})
    _click(app, "Create the admin account")

    assert not app.exception
    assert "Signed in as **root** (admin)" in _signed_in_as(app)
    assert not app.subheader or app.subheader[0].value != "Sign in"
    assert not app_services().accounts.needs_first_admin()


def test_a_wrong_password_is_refused_and_the_right_one_signs_in(app: AppTest) -> None:
    _with_user("eve", Role.EDITOR)
    app.run()
    assert [s.value for s in app.subheader] == ["Sign in"]

    _sign_in(app, "eve", "not the password")
    assert [e.value for e in app.error] == [WRONG_CREDENTIALS]
    _sign_in(app, "nobody", "not the password")
    assert [e.value for e in app.error] == [WRONG_CREDENTIALS]

    _sign_in(app, "eve")
    assert not app.exception
    assert "Signed in as **eve** (editor)" in _signed_in_as(app)


def test_sign_out_ends_the_session(app: AppTest) -> None:
    from pages.widgets.services import TOKEN_KEY

    _with_user("eve", Role.EDITOR)
    app.run()
    _sign_in(app, "eve")
    assert "eve" in _signed_in_as(app)
    token = app.session_state[TOKEN_KEY]
    assert app_services().accounts.resume(token) is not None

    app.sidebar.button(key="sign_out").click().run()

    assert [s.value for s in app.subheader] == ["Sign in"]
    assert app_services().accounts.resume(token) is None
    assert TOKEN_KEY not in app.session_state


def test_a_viewer_gets_no_admin_pages_and_is_refused_by_them(app: AppTest) -> None:
    _with_user("vic", Role.VIEWER)
    app.run()
    _sign_in(app, "vic")
    assert "Signed in as **vic** (viewer)" in _signed_in_as(app)

    # Reached anyway (say through an old link), the page is refused by the service itself.
    from pages.widgets.services import ACTOR_KEY

    actor = app.session_state[ACTOR_KEY]
    page = AppTest.from_file(str(ROOT / "pages" / "accounts.py"), default_timeout=30)
    page.session_state[ACTOR_KEY] = actor
    page.run()
    assert page.exception  # its text is redacted in the browser: the audit log has it
    denied = app_services().database.audit.find(AuditFilter(actor="vic", outcome="denied"))
    assert [entry.action for entry in denied] == ["AccountService.list"]


def test_admins_create_accounts_and_read_the_audit_log(app: AppTest) -> None:
    _with_user("root", Role.ADMIN)
    app.run()
    _sign_in(app, "root")
    app.switch_page("pages/accounts.py").run()
    assert not app.exception
    assert list(app.dataframe[0].value["User"]) == ["root"]

    _fill(app, **{"User name": "bob"})
    next(w for w in app.text_input if w.label == "Password" and w.key is None).input(PASSWORD)
    app.selectbox[0].select("operator")
    _click(app, "Create the account")

    assert not app.exception
    assert [s.value for s in app.success] == [r"bob can sign in as operator\."]
    table = app.dataframe[0].value
    assert list(table["User"]) == ["bob", "root"]
    assert list(table["Role"]) == ["operator", "admin"]

    app.switch_page("pages/audit.py").run()
    assert not app.exception
    log = app.dataframe[0].value
    assert list(log["Action"])[:2] == ["AccountService.create", "AccountService.sign_in"]
    assert PASSWORD not in log.to_string()
    app.selectbox(key="audit_action").select("AccountService.create").run()
    assert list(app.dataframe[0].value["Target"]) == ["'bob', role=operator"]


def test_no_sign_in_mode_is_refused_unless_bound_to_loopback(
    app: AppTest, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("WB_AUTH", "off")
    previous = config.get_option("server.address")
    config.set_option("server.address", "0.0.0.0")
    try:
        app.run()
    finally:
        config.set_option("server.address", previous)
    assert "allowed only for a console that listens on this machine alone" in app.error[0].value
    assert not app.sidebar.button

    app.run()  # bound to 127.0.0.1 (.streamlit/config.toml): the system admin, no sign-in
    assert not app.exception
    assert "No sign-in" in _signed_in_as(app)


def test_pages_offer_only_what_the_role_may_do_and_say_why(app: AppTest) -> None:
    _with_user("vic", Role.VIEWER)
    app_services().workflows.create(name="orders")
    app.run()
    _sign_in(app, "vic")

    app.switch_page("pages/workflows.py").run()

    assert not app.exception
    labels = {button.label for button in app.button}
    assert labels.isdisjoint({"Create", "Create from example", "Import", "Rename", "Delete"})
    assert "orders" in set(app.dataframe[0].value["Name"])  # reading is for everyone
    captions = [caption.value for caption in app.caption]
    assert ":material/lock: Needs the editor role." in captions
    assert ":material/lock: Needs the admin role." in captions


def test_the_builder_is_read_only_for_a_viewer(app: AppTest) -> None:
    _with_user("vic", Role.VIEWER)
    workflow = app_services().workflows.create_from_example("hello_activity", name="greeter")
    app.run()
    _sign_in(app, "vic")
    app.session_state["builder_workflow_id"] = workflow.id

    app.switch_page("pages/builder.py").run()

    assert not app.exception
    captions = [caption.value for caption in app.caption]
    assert ":material/lock: Read-only: changes are not saved. Needs the editor role." in captions
    deploy = next(button for button in app.button if button.label == "Deploy")
    assert deploy.disabled
    assert deploy.help == "Needs the editor role."
    _click(app, "Auto layout")  # an edit: shown, not saved, and not even asked for
    assert not app.exception
    assert r"Not saved\: Needs the editor role\." in [error.value for error in app.error]
    assert app_services().workflows.get(workflow.id).draft_graph == workflow.draft_graph
    assert app_services().database.audit.find(AuditFilter(actor="vic", outcome="denied")) == []
