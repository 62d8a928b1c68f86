"""Local accounts and signed-in sessions: argon2 passwords, throttled sign-in, expiring tokens."""

from __future__ import annotations

import hashlib
import logging
import math
import re
import secrets
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import NoReturn

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from core.auth.audit import AuditLog
from core.auth.roles import SYSTEM, Actor, Role, action, anyone
from core.config import ConfigError, Settings
from core.db import Database, DuplicateRecordError, UserRecord
from core.db.types import utc_now
from core.errors import WorkflowBuilderError

logger = logging.getLogger(__name__)

#: Shortest and longest password accepted (the longest bounds the work of hashing one).
MIN_PASSWORD_LENGTH = 12
MAX_PASSWORD_LENGTH = 1024
#: Failed sign-ins in a row that lock a user name, and for how long.
LOCK_AFTER = 5
LOCK_FOR = timedelta(minutes=15)
#: The wait after the n-th failure in a row is FIRST_DELAY * 2**(n-1), at most MAX_DELAY.
FIRST_DELAY_SECONDS = 0.25
MAX_DELAY_SECONDS = 4.0
#: The same words whether the user name exists or not, so they tell an attacker nothing.
WRONG_CREDENTIALS = "Wrong user name or password."
DISABLED = "This account is disabled: ask an administrator."
_USERNAME = re.compile(r"^[a-z0-9][a-z0-9._@+-]{0,99}$")
# User names tried that have no account, remembered (in this process) so they slow down and
# lock like real ones; bounded so a flood of made-up names cannot fill memory.
_UNKNOWN_NAMES_KEPT = 10_000


class AccountError(WorkflowBuilderError):
    """An account cannot be created or changed as asked.

    Attributes:
        field: what was wrong (``user name``, ``password``, ``role``, ...).
        reason: why, in a sentence a page can show.
    """

    def __init__(self, field: str, reason: str) -> None:
        self.field = field
        self.reason = reason
        super().__init__(f"{field}: {reason}")


class SignInError(WorkflowBuilderError):
    """A sign-in was refused; the message is what the person signing in should read."""


@dataclass(frozen=True)
class SessionPolicy:
    """How long a signed-in session lasts.

    Attributes:
        idle: unused this long, it ends (``WB_SESSION_IDLE_MINUTES``).
        lifetime: this long after sign-in, it ends however busy (``WB_SESSION_MAX_HOURS``).
    """

    idle: timedelta
    lifetime: timedelta

    @classmethod
    def from_settings(cls, settings: Settings) -> SessionPolicy:
        """The policy the settings give."""
        return cls(
            idle=timedelta(minutes=settings.session_idle_minutes),
            lifetime=timedelta(hours=settings.session_max_hours),
        )

    @property
    def touch_every(self) -> timedelta:
        """How stale ``last_seen`` may get before a use writes it again: a page rerun then
        costs a read, not a write, while the idle expiry stays within a quarter of itself."""
        return min(self.idle / 4, timedelta(minutes=1))


def check_password(password: str) -> None:
    """Refuse a password too short (or absurdly long) to use.

    Raises:
        AccountError: with the rule it breaks.
    """
    if len(password) < MIN_PASSWORD_LENGTH:
        raise AccountError("password", f"use at least {MIN_PASSWORD_LENGTH} characters")
    if len(password) > MAX_PASSWORD_LENGTH:
        raise AccountError("password", f"use at most {MAX_PASSWORD_LENGTH} characters")


def normalize_username(username: str) -> str:
    """A user name as stored: trimmed and lower-cased (so ``Ann`` and ``ann`` are one user)."""
    return username.strip().lower()


def token_hash(token: str) -> str:
    """What the database keeps of a session token: its SHA-256, never the token."""
    return hashlib.sha256(token.encode()).hexdigest()


def failure_delay(failures: int) -> float:
    """Seconds a sign-in waits after the ``failures``-th failure in a row."""
    return min(FIRST_DELAY_SECONDS * 2 ** (failures - 1), MAX_DELAY_SECONDS)


def locked_message(until: datetime, now: datetime) -> str:
    """What a locked user name reads (the same for names without an account)."""
    minutes = max(1, math.ceil((until - now).total_seconds() / 60))
    return (
        f"Too many failed sign-ins: this user name is locked for {minutes} more "
        f"minute{'s' if minutes != 1 else ''}. Try again later, or ask an administrator."
    )


class AccountService:
    """Accounts, sign-in and sessions.

    Signing in, resuming a session and signing out are open to anyone (they come before a
    role is known); managing accounts is for admins. Each failed sign-in makes the next one
    wait longer, and :data:`LOCK_AFTER` in a row lock the user name for :data:`LOCK_FOR`,
    whether or not it has an account, with the same message either way.

    Args:
        audit: where sign-ins are recorded, and the audit sink of every actor made here.
        clock: the current time (tests pass their own).
        sleep: how a failed sign-in waits (tests pass their own).
    """

    actor: Actor = SYSTEM

    def __init__(
        self,
        database: Database,
        audit: AuditLog,
        *,
        policy: SessionPolicy,
        hasher: PasswordHasher | None = None,
        clock: Callable[[], datetime] = utc_now,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self._db = database
        self._audit = audit
        self._policy = policy
        self._hasher = hasher or PasswordHasher()
        self._clock = clock
        self._sleep = sleep
        self._unknown: OrderedDict[str, tuple[int, datetime | None]] = OrderedDict()
        self._unknown_lock = threading.Lock()
        self._dummy_hash: str | None = None

    @property
    def policy(self) -> SessionPolicy:
        """How long sessions last (the cookie's lifetime follows it)."""
        return self._policy

    def _actor_for(self, user: UserRecord) -> Actor:
        """The actor a signed-in user acts as, recorded in this service's audit log."""
        return Actor(user.username, Role[user.role.upper()], self._audit)

    @anyone
    def needs_first_admin(self) -> bool:
        """Whether no account exists yet (the console then asks for the first admin)."""
        return self._db.users.count() == 0

    @anyone
    def create_first_admin(self, username: str, *, password: str) -> UserRecord:
        """Create the first account, an admin; only while no account exists.

        Raises:
            AccountError: an account exists already, or the name or password is unusable.
        """
        name = _checked_username(username)
        check_password(password)
        created = self._db.users.create_first(
            username=name, password_hash=self._hasher.hash(password), role=Role.ADMIN.label
        )
        if created is None:
            raise AccountError("user name", "an account exists already: sign in instead")
        self._record(name, "AccountService.create_first_admin", repr(name), "ok")
        return created

    @anyone
    def bootstrap(self, settings: Settings) -> UserRecord | None:
        """Create the ``WB_ADMIN_USER`` admin at start when no account exists (unattended
        installs); None when nothing was created.

        Raises:
            ConfigError: ``WB_ADMIN_USER`` without a usable ``WB_ADMIN_PASSWORD``, or the reverse.
        """
        user, password = settings.admin_user, settings.admin_password
        if user is None and password is None:
            return None
        if user is None or password is None:
            raise ConfigError(
                "WB_ADMIN_USER and WB_ADMIN_PASSWORD", "set both, or neither, of them"
            )
        if not self.needs_first_admin():
            return None
        try:
            created = self.create_first_admin(user, password=password)
        except AccountError as error:
            variable = "WB_ADMIN_PASSWORD" if error.field == "password" else "WB_ADMIN_USER"
            if "exists already" in error.reason:  # another process created one meanwhile
                return None
            raise ConfigError(variable, error.reason) from None
        logger.info("created the admin account %r from WB_ADMIN_USER", created.username)
        return created

    @anyone
    def sign_in(self, username: str, *, password: str) -> tuple[str, Actor]:
        """Check a user name and password; open a session.

        Returns:
            The session's token (for the browser's cookie: it is not stored anywhere else)
            and the actor it signs in.

        Raises:
            SignInError: wrong name or password, locked, or disabled (the message says which,
                the first two alike for names with and without an account).
        """
        name = normalize_username(username)
        now = self._clock()
        found = self._db.users.credentials(name)
        if found is None:
            self._refuse_unknown(name, password, now)
        user, hashed = found
        if user.locked_until is not None and user.locked_until > now:
            self._record(name, "sign_in", "", "denied", "locked")
            raise SignInError(locked_message(user.locked_until, now))
        if not self._verify(hashed, password):
            updated = self._db.users.record_failure(
                user.id, lock_after=LOCK_AFTER, locked_until=now + LOCK_FOR
            )
            locked = updated.locked_until is not None and updated.locked_until > now
            self._failed(
                name,
                updated.failed_attempts,
                locked_until=updated.locked_until if locked else None,
                now=now,
            )
        if user.disabled:
            self._record(name, "sign_in", "", "denied", "disabled")
            raise SignInError(DISABLED)
        if hashed is not None and self._hasher.check_needs_rehash(hashed):
            self._db.users.update(user.id, password_hash=self._hasher.hash(password))
        return self._open_session(user, now)

    @anyone
    def sign_in_external(self, email: str) -> Actor:
        """The actor of someone signed in by single sign-on (Streamlit's ``st.user``): the
        account named by their e-mail address, created as a viewer on first sign-in (admins
        promote).

        Raises:
            SignInError: the account is disabled, or the address is not a usable user name.
        """
        name = normalize_username(email)
        if not _USERNAME.match(name):
            raise SignInError(f"The address {email!r} cannot be used as a user name.")
        user = self._db.users.find(name) or self._first_external(name)
        if user.disabled:
            self._record(name, "sign_in_external", "", "denied", "disabled")
            raise SignInError(DISABLED)
        self._db.users.record_success(user.id, at=self._clock())
        return self._actor_for(user)

    @anyone
    def resume(self, token: str | None) -> Actor | None:
        """The actor of a session token, None when it is unknown, expired (idle or past its
        lifetime) or its account is disabled."""
        if not token:
            return None
        hashed = token_hash(token)
        found = self._db.sessions.find(hashed)
        if found is None:
            return None
        now = self._clock()
        if (
            found.expires_at <= now
            or found.last_seen + self._policy.idle <= now
            or found.user.disabled
        ):
            self._db.sessions.delete(hashed)
            return None
        if now - found.last_seen >= self._policy.touch_every:
            self._db.sessions.touch(found.id, at=now)
        return self._actor_for(found.user)

    @anyone
    def sign_out(self, token: str | None) -> None:
        """End the session of ``token`` (nothing happens when there is none)."""
        if not token:
            return
        found = self._db.sessions.find(token_hash(token))
        self._db.sessions.delete(token_hash(token))
        if found is not None:
            self._record(found.user.username, "sign_out", "", "ok")

    @action(Role.ADMIN, change=False)
    def list(self) -> list[UserRecord]:
        """Every account, by user name (no password hashes)."""
        return self._db.users.list()

    @action(Role.ADMIN)
    def create(self, username: str, *, password: str, role: Role) -> UserRecord:
        """Add a local account.

        Raises:
            AccountError: the name is taken or unusable, or the password is too short.
        """
        name = _checked_username(username)
        check_password(password)
        try:
            return self._db.users.create(
                username=name, password_hash=self._hasher.hash(password), role=role.label
            )
        except DuplicateRecordError:
            raise AccountError("user name", f"{name!r} is taken") from None

    @action(Role.ADMIN)
    def set_role(self, user_id: int, role: Role) -> UserRecord:
        """Give an account another role (it applies from the user's next page).

        Raises:
            AccountError: it would leave no enabled admin.
        """
        if role is not Role.ADMIN:
            self._keep_an_admin(user_id, "role")
        return self._db.users.update(user_id, role=role.label)

    @action(Role.ADMIN)
    def set_disabled(self, user_id: int, disabled: bool) -> UserRecord:
        """Disable an account (its sessions end at once) or enable it again.

        Raises:
            AccountError: it would leave no enabled admin.
        """
        if disabled:
            self._keep_an_admin(user_id, "disabled")
        user = self._db.users.update(user_id, disabled=disabled)
        if disabled:
            self._db.sessions.delete_for_user(user_id)
        return user

    @action(Role.ADMIN)
    def reset_password(self, user_id: int, *, password: str) -> UserRecord:
        """Give an account a new password: its lock is lifted and its sessions end.

        Raises:
            AccountError: the password is too short.
        """
        check_password(password)
        user = self._db.users.update(user_id, password_hash=self._hasher.hash(password))
        self._db.sessions.delete_for_user(user_id)
        return user

    def _first_external(self, name: str) -> UserRecord:
        try:
            user = self._db.users.create(username=name, password_hash=None, role=Role.VIEWER.label)
        except DuplicateRecordError:  # the same person signed in twice at once
            return self._db.users.get_by_name(name)
        self._record(name, "sign_in_external", repr(name), "ok", "account created as viewer")
        return user

    def _open_session(self, user: UserRecord, now: datetime) -> tuple[str, Actor]:
        self._db.users.record_success(user.id, at=now)
        self._db.sessions.delete_expired(now=now, idle_since=now - self._policy.idle)
        token = secrets.token_urlsafe(32)
        self._db.sessions.create(
            token_hash=token_hash(token),
            user_id=user.id,
            now=now,
            expires_at=now + self._policy.lifetime,
        )
        self._record(user.username, "sign_in", "", "ok")
        return token, self._actor_for(user)

    def _verify(self, hashed: str | None, password: str) -> bool:
        if hashed is None:  # a single sign-on account without a password
            self._verify(self._dummy(), password)
            return False
        try:
            return self._hasher.verify(hashed, password)
        except (VerificationError, InvalidHashError):
            return False

    def _dummy(self) -> str:
        # Checked against when a name has no password, so a sign-in takes as long either way.
        if self._dummy_hash is None:
            self._dummy_hash = self._hasher.hash(secrets.token_urlsafe(16))
        return self._dummy_hash

    def _refuse_unknown(self, name: str, password: str, now: datetime) -> NoReturn:
        with self._unknown_lock:
            failures, locked_until = self._unknown.get(name, (0, None))
        if locked_until is not None and locked_until > now:
            self._record(name, "sign_in", "", "denied", "locked")
            raise SignInError(locked_message(locked_until, now))
        self._verify(None, password)
        failures += 1
        locked_until = now + LOCK_FOR if failures >= LOCK_AFTER else None
        with self._unknown_lock:
            self._unknown.pop(name, None)
            self._unknown[name] = (0, locked_until) if locked_until else (failures, None)
            while len(self._unknown) > _UNKNOWN_NAMES_KEPT:
                self._unknown.popitem(last=False)
        self._failed(name, failures, locked_until=locked_until, now=now)

    def _failed(
        self, name: str, failures: int, *, locked_until: datetime | None, now: datetime
    ) -> NoReturn:
        if locked_until is not None:
            self._record(name, "sign_in", "", "failed", "wrong password; locked")
            raise SignInError(locked_message(locked_until, now))
        self._record(name, "sign_in", "", "failed", "wrong password")
        self._sleep(failure_delay(failures))
        raise SignInError(WRONG_CREDENTIALS)

    def _keep_an_admin(self, user_id: int, field: str) -> None:
        user = self._db.users.get(user_id)
        last = self._db.users.count_admins(excluding=user_id) == 0
        if user.role == Role.ADMIN.label and not user.disabled and last:
            raise AccountError(
                field, "this is the last enabled admin account: make another admin first"
            )

    def _record(self, actor: str, what: str, target: str, outcome: str, detail: str = "") -> None:
        action_name = what if "." in what else f"AccountService.{what}"
        self._audit.record(
            actor=actor, action=action_name, target=target, outcome=outcome, detail=detail
        )


def _checked_username(username: str) -> str:
    name = normalize_username(username)
    if not _USERNAME.match(name):
        raise AccountError(
            "user name",
            "use 1 to 100 letters, digits and . _ @ + - (starting with a letter or digit)",
        )
    return name
