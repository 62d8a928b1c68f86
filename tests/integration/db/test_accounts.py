"""Accounts, sign-in and sessions (core.auth.accounts) on SQLite and PostgreSQL: argon2 hashes,
throttled and locked sign-in with one message for every user name, idle and absolute session
expiry, sign-out, the first admin, and accounts managed by admins only."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from argon2 import PasswordHasher
from sqlalchemy import text

from core.auth import Actor, PermissionDeniedError, Role, acting_as
from core.auth.accounts import (
    DISABLED,
    LOCK_AFTER,
    LOCK_FOR,
    WRONG_CREDENTIALS,
    AccountError,
    AccountService,
    SessionPolicy,
    SignInError,
)
from core.auth.audit import AuditLog
from core.config import ConfigError, load_settings
from core.db import AuditFilter, Database
from core.services import build_services

PASSWORD = "correct horse battery"
IDLE = timedelta(minutes=30)
LIFETIME = timedelta(hours=4)
# Cheap parameters: these tests hash often; the product's defaults are checked once below.
FAST = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)


@dataclass
class Clock:
    now: datetime = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, delta: timedelta) -> None:
        self.now += delta


@dataclass
class Sleeps:
    seconds: list[float] = field(default_factory=list)

    def __call__(self, seconds: float) -> None:
        self.seconds.append(seconds)


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def sleeps() -> Sleeps:
    return Sleeps()


@pytest.fixture
def accounts(db: Database, clock: Clock, sleeps: Sleeps) -> AccountService:
    return AccountService(
        db,
        AuditLog(db, clock=clock),
        policy=SessionPolicy(idle=IDLE, lifetime=LIFETIME),
        hasher=FAST,
        clock=clock,
        sleep=sleeps,
    )


@pytest.fixture
def admin(accounts: AccountService) -> AccountService:
    """The service acting as the first admin, ``root``."""
    accounts.create_first_admin("root", password=PASSWORD)
    _, actor = accounts.sign_in("root", password=PASSWORD)
    return acting_as(accounts, actor)


def _audit(db: Database, **where: str) -> list[tuple[str, str, str, str]]:
    entries = db.audit.find(AuditFilter(**where))
    return [(e.actor, e.action, e.outcome, e.detail) for e in reversed(entries)]


def test_passwords_are_stored_as_argon2_hashes_and_never_shown(db: Database) -> None:
    accounts = AccountService(db, AuditLog(db), policy=SessionPolicy(idle=IDLE, lifetime=LIFETIME))
    accounts.create_first_admin("Root", password=PASSWORD)

    with db.engine.connect() as connection:
        stored = connection.execute(text("SELECT username, password_hash FROM users")).one()
    assert stored.username == "root"  # user names are case-insensitive
    assert stored.password_hash.startswith("$argon2id$v=19$m=65536,t=3,p=4$")
    assert PASSWORD not in stored.password_hash
    token, actor = accounts.sign_in("ROOT", password=PASSWORD)
    assert actor == Actor("root", Role.ADMIN)
    listed = acting_as(accounts, actor).list()
    assert [user.username for user in listed] == ["root"]
    assert "hash" not in repr(listed) and "argon2" not in repr(listed)


def test_the_first_admin_is_created_once_only(accounts: AccountService, db: Database) -> None:
    assert accounts.needs_first_admin()

    accounts.create_first_admin("root", password=PASSWORD)

    assert not accounts.needs_first_admin()
    with pytest.raises(AccountError, match="an account exists already"):
        accounts.create_first_admin("mallory", password=PASSWORD)
    assert [user.username for user in db.users.list()] == ["root"]
    assert db.users.list()[0].role == "admin"
    assert _audit(db) == [("root", "AccountService.create_first_admin", "ok", "")]


def test_a_short_password_is_refused_with_the_rule(accounts: AccountService) -> None:
    with pytest.raises(AccountError, match="password: use at least 12 characters"):
        accounts.create_first_admin("root", password="short")
    with pytest.raises(AccountError, match="user name: use 1 to 100 letters"):
        accounts.create_first_admin("no spaces", password=PASSWORD)
    assert accounts.needs_first_admin()


def test_the_admin_from_the_environment_is_created_at_start(
    database_url: str, tmp_path: Path
) -> None:
    base = {"DATABASE_URL": database_url, "WB_DATA_DIR": str(tmp_path)}
    settings = load_settings({**base, "WB_ADMIN_USER": "ops", "WB_ADMIN_PASSWORD": PASSWORD})

    services = build_services(settings)
    try:
        assert not services.accounts.needs_first_admin()
        _, actor = services.accounts.sign_in("ops", password=PASSWORD)
        assert actor.role is Role.ADMIN
        # Once an account exists the variables are ignored (the password may have changed).
        other = load_settings({**base, "WB_ADMIN_USER": "other", "WB_ADMIN_PASSWORD": PASSWORD})
        assert services.accounts.bootstrap(other) is None
        assert [u.username for u in services.database.users.list()] == ["ops"]
    finally:
        services.close()


@pytest.mark.parametrize(
    ("variables", "message"),
    [
        ({"WB_ADMIN_USER": "ops"}, "WB_ADMIN_USER and WB_ADMIN_PASSWORD: set both"),
        ({"WB_ADMIN_PASSWORD": PASSWORD}, "WB_ADMIN_USER and WB_ADMIN_PASSWORD: set both"),
        (
            {"WB_ADMIN_USER": "ops", "WB_ADMIN_PASSWORD": "short"},
            "WB_ADMIN_PASSWORD: use at least 12 characters",
        ),
    ],
)
def test_unusable_admin_variables_name_the_variable(
    accounts: AccountService, variables: dict[str, str], message: str
) -> None:
    with pytest.raises(ConfigError, match=message):
        accounts.bootstrap(load_settings(variables))
    assert accounts.needs_first_admin()


def test_failures_slow_down_then_lock_with_one_message_for_every_user_name(
    accounts: AccountService, clock: Clock, sleeps: Sleeps, db: Database
) -> None:
    accounts.create_first_admin("root", password=PASSWORD)

    def attempts(name: str) -> list[str]:
        messages = []
        for _ in range(LOCK_AFTER + 1):
            with pytest.raises(SignInError) as refused:
                accounts.sign_in(name, password="wrong password!")
            messages.append(str(refused.value))
        return messages

    real, made_up = attempts("root"), attempts("nobody")

    assert real == made_up
    assert real[: LOCK_AFTER - 1] == [WRONG_CREDENTIALS] * (LOCK_AFTER - 1)
    assert (
        real[LOCK_AFTER - 1 :]
        == [
            "Too many failed sign-ins: this user name is locked for 15 more minutes. "
            "Try again later, or ask an administrator."
        ]
        * 2
    )
    # Each failure before the lock waits twice as long as the one before, for both names.
    assert sleeps.seconds == [0.25, 0.5, 1.0, 2.0] * 2
    # The right password does not open a locked account.
    with pytest.raises(SignInError, match="locked for 15 more minutes"):
        accounts.sign_in("root", password=PASSWORD)
    assert db.users.find("root").locked_until == clock.now + LOCK_FOR

    clock.advance(LOCK_FOR)
    token, actor = accounts.sign_in("root", password=PASSWORD)
    assert actor.name == "root"
    assert db.users.find("root").failed_attempts == 0
    outcomes = [(outcome, detail) for _, _, outcome, detail in _audit(db, actor="root")]
    assert outcomes[1:] == [
        *[("failed", "wrong password")] * (LOCK_AFTER - 1),
        ("failed", "wrong password; locked"),
        ("denied", "locked"),
        ("denied", "locked"),
        ("ok", ""),
    ]


def test_a_success_forgets_earlier_failures(
    accounts: AccountService, sleeps: Sleeps, db: Database
) -> None:
    accounts.create_first_admin("root", password=PASSWORD)
    for _ in range(LOCK_AFTER - 1):
        with pytest.raises(SignInError):
            accounts.sign_in("root", password="wrong password!")
    accounts.sign_in("root", password=PASSWORD)
    with pytest.raises(SignInError, match=WRONG_CREDENTIALS):
        accounts.sign_in("root", password="wrong password!")
    assert sleeps.seconds[-1] == 0.25


def test_a_session_ends_when_left_idle(accounts: AccountService, clock: Clock) -> None:
    accounts.create_first_admin("root", password=PASSWORD)
    token, _ = accounts.sign_in("root", password=PASSWORD)

    clock.advance(IDLE - timedelta(seconds=1))
    assert accounts.resume(token) == Actor("root", Role.ADMIN)  # in use: the idle time restarts
    clock.advance(IDLE - timedelta(seconds=1))
    assert accounts.resume(token) is not None
    clock.advance(IDLE)
    assert accounts.resume(token) is None
    clock.advance(-IDLE)  # gone for good, not just expired
    assert accounts.resume(token) is None


def test_a_session_ends_at_its_lifetime_however_busy(
    accounts: AccountService, clock: Clock
) -> None:
    accounts.create_first_admin("root", password=PASSWORD)
    token, _ = accounts.sign_in("root", password=PASSWORD)
    end = clock.now + LIFETIME

    while clock.now < end:
        assert accounts.resume(token) is not None  # used every quarter hour
        clock.advance(IDLE / 2)

    assert clock.now == end
    assert accounts.resume(token) is None


def test_only_the_hash_of_a_session_token_is_stored(accounts: AccountService, db: Database) -> None:
    accounts.create_first_admin("root", password=PASSWORD)
    token, _ = accounts.sign_in("root", password=PASSWORD)

    with db.engine.connect() as connection:
        stored = connection.execute(text("SELECT * FROM sessions")).one()
    assert stored.token_hash == hashlib.sha256(token.encode()).hexdigest()
    assert token not in repr(tuple(stored))
    assert len(token) >= 40  # 32 random bytes


def test_sign_out_ends_the_session(accounts: AccountService, db: Database) -> None:
    accounts.create_first_admin("root", password=PASSWORD)
    token, _ = accounts.sign_in("root", password=PASSWORD)
    other, _ = accounts.sign_in("root", password=PASSWORD)

    accounts.sign_out(token)

    assert accounts.resume(token) is None
    assert accounts.resume(other) is not None  # another browser stays signed in
    assert accounts.resume("made-up") is None
    assert _audit(db, action="AccountService.sign_out") == [
        ("root", "AccountService.sign_out", "ok", "")
    ]


def test_only_admins_manage_accounts_and_refusals_are_recorded(
    admin: AccountService, accounts: AccountService, db: Database
) -> None:
    bob = admin.create("bob", password=PASSWORD, role=Role.VIEWER)
    _, bob_actor = accounts.sign_in("bob", password=PASSWORD)
    as_bob = acting_as(accounts, bob_actor)

    with pytest.raises(PermissionDeniedError, match="needs the admin role"):
        as_bob.set_role(bob.id, Role.ADMIN)
    with pytest.raises(PermissionDeniedError):
        as_bob.list()

    assert db.users.get(bob.id).role == "viewer"
    assert _audit(db, actor="bob", outcome="denied") == [
        ("bob", "AccountService.set_role", "denied", ""),
        ("bob", "AccountService.list", "denied", ""),
    ]
    created = _audit(db, action="AccountService.create")
    assert created == [("root", "AccountService.create", "ok", "")]
    assert PASSWORD not in repr(db.audit.find(AuditFilter()))


def test_role_changes_apply_to_open_sessions(admin: AccountService, accounts: AccountService):
    bob = admin.create("bob", password=PASSWORD, role=Role.VIEWER)
    token, _ = accounts.sign_in("bob", password=PASSWORD)

    admin.set_role(bob.id, Role.EDITOR)

    assert accounts.resume(token) == Actor("bob", Role.EDITOR)


def test_disabling_an_account_ends_its_sessions_and_refuses_sign_in(
    admin: AccountService, accounts: AccountService
) -> None:
    bob = admin.create("bob", password=PASSWORD, role=Role.OPERATOR)
    token, _ = accounts.sign_in("bob", password=PASSWORD)

    admin.set_disabled(bob.id, True)

    assert accounts.resume(token) is None
    with pytest.raises(SignInError, match=DISABLED):
        accounts.sign_in("bob", password=PASSWORD)
    with pytest.raises(SignInError, match=WRONG_CREDENTIALS):  # no hint without the password
        accounts.sign_in("bob", password="wrong password!")
    admin.set_disabled(bob.id, False)
    assert accounts.sign_in("bob", password=PASSWORD)[1].role is Role.OPERATOR


def test_a_password_reset_unlocks_and_ends_sessions(
    admin: AccountService, accounts: AccountService
) -> None:
    bob = admin.create("bob", password=PASSWORD, role=Role.VIEWER)
    token, _ = accounts.sign_in("bob", password=PASSWORD)
    for _ in range(LOCK_AFTER):
        with pytest.raises(SignInError):
            accounts.sign_in("bob", password="wrong password!")

    with pytest.raises(AccountError, match="at least 12"):
        admin.reset_password(bob.id, password="short")
    admin.reset_password(bob.id, password="a new long password")

    assert accounts.resume(token) is None
    assert accounts.sign_in("bob", password="a new long password")[1].name == "bob"


def test_the_last_enabled_admin_cannot_be_demoted_or_disabled(
    admin: AccountService, db: Database
) -> None:
    root = db.users.find("root")
    with pytest.raises(AccountError, match="last enabled admin"):
        admin.set_role(root.id, Role.EDITOR)
    with pytest.raises(AccountError, match="last enabled admin"):
        admin.set_disabled(root.id, True)

    other = admin.create("second", password=PASSWORD, role=Role.ADMIN)
    admin.set_role(root.id, Role.EDITOR)
    with pytest.raises(AccountError, match="last enabled admin"):
        admin.set_disabled(other.id, True)


def test_a_taken_user_name_is_refused(admin: AccountService) -> None:
    admin.create("bob", password=PASSWORD, role=Role.VIEWER)
    with pytest.raises(AccountError, match="'bob' is taken"):
        admin.create("Bob", password=PASSWORD, role=Role.EDITOR)


def test_single_sign_on_maps_an_address_to_a_viewer_that_admins_promote(
    admin: AccountService, accounts: AccountService, db: Database
) -> None:
    first = accounts.sign_in_external("Ann@Example.com")

    assert first == Actor("ann@example.com", Role.VIEWER)
    ann = db.users.find("ann@example.com")
    assert not ann.has_password
    admin.set_role(ann.id, Role.EDITOR)
    assert accounts.sign_in_external("ann@example.com").role is Role.EDITOR
    # An account made by single sign-on has no password to guess.
    with pytest.raises(SignInError, match=WRONG_CREDENTIALS):
        accounts.sign_in("ann@example.com", password="")
    admin.set_disabled(ann.id, True)
    with pytest.raises(SignInError, match=DISABLED):
        accounts.sign_in_external("ann@example.com")
    assert len(db.users.list()) == 2


def test_the_audit_log_filters_and_is_for_admins_only(
    admin: AccountService, accounts: AccountService, db: Database, clock: Clock
) -> None:
    audit = AuditLog(db, clock=clock)
    start = clock.now
    clock.advance(timedelta(minutes=5))
    with pytest.raises(SignInError):
        accounts.sign_in("root", password="wrong password!")
    viewer = admin.create("vic", password=PASSWORD, role=Role.VIEWER)
    as_admin = acting_as(audit, admin.actor)

    failed = as_admin.entries(AuditFilter(outcome="failed"))
    assert [(e.actor, e.action) for e in failed] == [("root", "AccountService.sign_in")]
    later = as_admin.entries(AuditFilter(since=start + timedelta(minutes=1)))
    assert [e.action for e in later] == ["AccountService.create", "AccountService.sign_in"]
    assert [e.action for e in as_admin.entries(AuditFilter(until=start + timedelta(1)))] == [
        "AccountService.create",
        "AccountService.sign_in",
        "AccountService.sign_in",
        "AccountService.create_first_admin",
    ]
    actors, actions = as_admin.choices()
    assert actors == ["root"]
    assert "AccountService.create" in actions
    with pytest.raises(PermissionDeniedError):
        acting_as(audit, Actor("vic", Role.VIEWER, audit)).entries()
    assert viewer.username == "vic"
    assert db.audit.find(AuditFilter(actor="vic"))[0].outcome == "denied"


def test_the_audit_repository_can_only_append_and_read(db: Database) -> None:
    public = {name for name in vars(type(db.audit)) if not name.startswith("_")}
    assert public == {"append", "find", "actors", "actions"}
