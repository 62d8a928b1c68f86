"""Sign-in in Chromium, against an app with sign-in on: a reload keeps the session (its cookie),
a wrong password then the lockout message, an idle session ends, sign-out ends the session."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import timedelta

import pytest
from playwright.sync_api import Page, expect

from core.auth import Role
from core.auth.accounts import LOCK_AFTER, WRONG_CREDENTIALS, AccountService, SessionPolicy
from core.auth.audit import AuditLog
from core.db import Database
from tests.e2e.conftest import _streamlit
from tests.e2e.layout import SCREEN_SIZES, layout_findings
from tests.e2e.steps import APP_IDLE, TIMEOUT_MS

PASSWORD = "correct horse battery"
#: The app's idle expiry: short, so one test can outwait it; long enough for the others.
IDLE_SECONDS = 20
COOKIE = "wb_session"


@dataclass(frozen=True)
class SignInApp:
    url: str
    database_url: str

    def add_user(self, name: str, role: Role) -> None:
        """Create an account straight in the app's database (as the process would)."""
        # The session policy is the app's business; creating an account does not use it.
        policy = SessionPolicy(idle=timedelta(hours=1), lifetime=timedelta(hours=1))
        with Database.open(self.database_url) as database:
            AccountService(database, AuditLog(database), policy=policy).create(
                name, password=PASSWORD, role=role
            )


@pytest.fixture(scope="module")
def signin_app(
    request: pytest.FixtureRequest,
    tmp_path_factory: pytest.TempPathFactory,
    free_port: Callable[[], int],
) -> Iterator[SignInApp]:
    """The app with sign-in on, its admin from WB_ADMIN_USER, a short idle expiry, and a
    database this test can reach."""
    database_url = f"sqlite:///{tmp_path_factory.mktemp('signin-db') / 'app.db'}"
    settings = {
        "WB_ADMIN_USER": "admin",
        "WB_ADMIN_PASSWORD": PASSWORD,
        "WB_SESSION_IDLE_MINUTES": str(IDLE_SECONDS / 60),
        "DATABASE_URL": database_url,
    }
    with _streamlit(request, tmp_path_factory, free_port(), settings) as url:
        yield SignInApp(url, database_url)


def _sign_in(page: Page, name: str, password: str = PASSWORD) -> None:
    page.get_by_label("User name").fill(name)
    page.get_by_label("Password", exact=True).fill(password)
    page.get_by_role("button", name="Sign in").click()


def _expect_signed_in(page: Page, name: str, role: str) -> None:
    sidebar = page.get_by_test_id("stSidebar")
    expect(sidebar.get_by_text(f"Signed in as {name} ({role})")).to_be_visible(timeout=TIMEOUT_MS)


def _expect_sign_in_form(page: Page) -> None:
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible(timeout=TIMEOUT_MS)
    expect(page.get_by_test_id("stSidebarNav")).to_have_count(0)


def _session_cookie(page: Page) -> dict[str, object] | None:
    found = [c for c in page.context.cookies() if c["name"] == COOKIE and c["value"]]
    return dict(found[0]) if found else None


def _wait_for_cookie(page: Page) -> dict[str, object]:
    deadline = time.monotonic() + TIMEOUT_MS / 1000
    while time.monotonic() < deadline:
        cookie = _session_cookie(page)
        if cookie is not None:
            return cookie
        page.wait_for_timeout(100)
    raise AssertionError(f"no {COOKIE} cookie was set")


def test_sign_in_then_a_reload_keeps_the_session(page: Page, signin_app: SignInApp) -> None:
    page.goto(signin_app.url)
    _expect_sign_in_form(page)
    for width, height in SCREEN_SIZES:
        page.set_viewport_size({"width": width, "height": height})
        assert layout_findings(page) == [], f"the sign-in page at {width}x{height}"

    _sign_in(page, "admin")

    _expect_signed_in(page, "admin", "admin")
    nav = page.get_by_test_id("stSidebarNav")
    expect(nav.get_by_role("link", name="Accounts")).to_be_visible()
    cookie = _wait_for_cookie(page)
    assert (cookie["path"], cookie["sameSite"]) == ("/", "Strict")
    page.reload()
    _expect_signed_in(page, "admin", "admin")
    expect(page.get_by_role("heading", name="Sign in")).to_have_count(0)


def test_a_wrong_password_then_the_lockout_message(page: Page, signin_app: SignInApp) -> None:
    signin_app.add_user("lou", Role.OPERATOR)
    page.goto(signin_app.url)
    _expect_sign_in_form(page)

    for _ in range(LOCK_AFTER - 1):
        _sign_in(page, "lou", "not the password")
        expect(page.get_by_text(WRONG_CREDENTIALS)).to_be_visible(timeout=TIMEOUT_MS)
        page.locator(APP_IDLE).wait_for(timeout=TIMEOUT_MS)
    _sign_in(page, "lou", "not the password")
    locked = page.get_by_text("Too many failed sign-ins: this user name is locked for 15")
    expect(locked).to_be_visible(timeout=TIMEOUT_MS)
    page.locator(APP_IDLE).wait_for(timeout=TIMEOUT_MS)

    _sign_in(page, "lou")  # the right password, but locked
    expect(locked).to_be_visible(timeout=TIMEOUT_MS)
    page.locator(APP_IDLE).wait_for(timeout=TIMEOUT_MS)
    expect(page.get_by_text("Signed in as")).to_have_count(0)


def test_an_idle_session_ends(page: Page, signin_app: SignInApp) -> None:
    signin_app.add_user("ida", Role.VIEWER)
    page.goto(signin_app.url)
    _expect_sign_in_form(page)
    _sign_in(page, "ida")
    _expect_signed_in(page, "ida", "viewer")
    _wait_for_cookie(page)
    # A viewer's navigation has no admin pages.
    expect(page.get_by_test_id("stSidebarNav").get_by_role("link", name="Accounts")).to_have_count(
        0
    )

    page.wait_for_timeout((IDLE_SECONDS + 2) * 1000)
    page.reload()

    _expect_sign_in_form(page)


def test_sign_out_ends_the_session(page: Page, signin_app: SignInApp) -> None:
    page.goto(signin_app.url)
    _expect_sign_in_form(page)
    _sign_in(page, "admin")
    _expect_signed_in(page, "admin", "admin")
    _wait_for_cookie(page)

    page.get_by_test_id("stSidebar").get_by_role("button", name="Sign out").click()

    _expect_sign_in_form(page)
    deadline = time.monotonic() + TIMEOUT_MS / 1000
    while _session_cookie(page) is not None and time.monotonic() < deadline:
        page.wait_for_timeout(100)
    assert _session_cookie(page) is None
    page.reload()
    _expect_sign_in_form(page)
