"""Accounts and signed-in sessions: the rows behind ``core.auth.accounts``."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, func, select, text, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from core.db.errors import DuplicateRecordError, RecordNotFoundError
from core.db.models import SessionRow, UserRow
from core.db.records import SessionRecord, UserRecord
from core.db.repositories._base import Repository, dialect_of, to_record


class UserRepository(Repository):
    """Accounts. The password hash leaves this class only through :meth:`credentials`."""

    def count(self) -> int:
        """How many accounts exist, disabled ones included."""
        with self._reading() as session:
            return session.scalar(select(func.count()).select_from(UserRow)) or 0

    def create(self, *, username: str, password_hash: str | None, role: str) -> UserRecord:
        """Add an account.

        Raises:
            DuplicateRecordError: the user name is taken.
        """
        with self._writing() as session:
            return _add(session, username, password_hash, role)

    def create_first(self, *, username: str, password_hash: str, role: str) -> UserRecord | None:
        """Add an account only while none exists (the first admin); None when one does.

        Checked under a lock, so two processes starting at once cannot both add one.
        """
        with self._writing() as session:
            _lock_users(session)
            if session.scalar(select(func.count()).select_from(UserRow)):
                return None
            return _add(session, username, password_hash, role)

    def get(self, user_id: int) -> UserRecord:
        """One account.

        Raises:
            RecordNotFoundError: no such account.
        """
        with self._reading() as session:
            return _user(_load(session, user_id))

    def get_by_name(self, username: str) -> UserRecord:
        """The account with this user name.

        Raises:
            RecordNotFoundError: no such account.
        """
        found = self.find(username)
        if found is None:
            raise RecordNotFoundError("user", username)
        return found

    def find(self, username: str) -> UserRecord | None:
        """The account with this user name, None when there is none."""
        found = self.credentials(username)
        return None if found is None else found[0]

    def credentials(self, username: str) -> tuple[UserRecord, str | None] | None:
        """The account with this user name and its password hash (for checking a sign-in)."""
        with self._reading() as session:
            row = session.scalars(select(UserRow).where(UserRow.username == username)).first()
            return None if row is None else (_user(row), row.password_hash)

    def list(self) -> list[UserRecord]:
        """Every account, by user name."""
        with self._reading() as session:
            rows = session.scalars(select(UserRow).order_by(UserRow.username))
            return [_user(row) for row in rows]

    def count_admins(self, *, excluding: int | None = None) -> int:
        """How many enabled admin accounts there are (leaving out ``excluding``)."""
        query = (
            select(func.count())
            .select_from(UserRow)
            .where(UserRow.role == "admin", UserRow.disabled.is_(False))
        )
        if excluding is not None:
            query = query.where(UserRow.id != excluding)
        with self._reading() as session:
            return session.scalar(query) or 0

    def update(
        self,
        user_id: int,
        *,
        role: str | None = None,
        disabled: bool | None = None,
        password_hash: str | None = None,
    ) -> UserRecord:
        """Change an account's role, enabled state or password hash (a new password also
        lifts a lock).

        Raises:
            RecordNotFoundError: no such account.
        """
        with self._writing() as session:
            row = _load(session, user_id)
            if role is not None:
                row.role = role
            if disabled is not None:
                row.disabled = disabled
            if password_hash is not None:
                row.password_hash = password_hash
                row.failed_attempts = 0
                row.locked_until = None
            return _user(row)

    def record_failure(
        self, user_id: int, *, lock_after: int, locked_until: datetime
    ) -> UserRecord:
        """Count a failed sign-in; the ``lock_after``-th in a row locks the account until
        ``locked_until`` and starts the count again."""
        with self._writing() as session:
            row = _load(session, user_id)
            row.failed_attempts += 1
            if row.failed_attempts >= lock_after:
                row.failed_attempts = 0
                row.locked_until = locked_until
            return _user(row)

    def record_success(self, user_id: int, *, at: datetime) -> None:
        """A sign-in succeeded: failures forgotten, lock lifted, time noted."""
        with self._writing() as session:
            session.execute(
                update(UserRow)
                .where(UserRow.id == user_id)
                .values(failed_attempts=0, locked_until=None, last_sign_in=at)
            )


class SessionRepository(Repository):
    """Signed-in sessions, looked up by token hash."""

    def create(self, *, token_hash: str, user_id: int, now: datetime, expires_at: datetime) -> None:
        """Open a session for ``user_id``."""
        with self._writing() as session:
            session.add(
                SessionRow(
                    token_hash=token_hash,
                    user_id=user_id,
                    created_at=now,
                    last_seen=now,
                    expires_at=expires_at,
                )
            )

    def find(self, token_hash: str) -> SessionRecord | None:
        """The session with this token hash and its account, None when there is none."""
        query = (
            select(SessionRow, UserRow)
            .join(UserRow, UserRow.id == SessionRow.user_id)
            .where(SessionRow.token_hash == token_hash)
        )
        with self._reading() as session:
            found = session.execute(query).first()
            if found is None:
                return None
            row, user = found
            return to_record(SessionRecord, row, user=_user(user))

    def touch(self, session_id: int, *, at: datetime) -> None:
        """Note that the session was used at ``at`` (for the idle expiry)."""
        with self._writing() as session:
            session.execute(
                update(SessionRow).where(SessionRow.id == session_id).values(last_seen=at)
            )

    def delete(self, token_hash: str) -> None:
        """End one session (nothing happens when it is gone already)."""
        with self._writing() as session:
            session.execute(delete(SessionRow).where(SessionRow.token_hash == token_hash))

    def delete_for_user(self, user_id: int) -> None:
        """End every session of an account."""
        with self._writing() as session:
            session.execute(delete(SessionRow).where(SessionRow.user_id == user_id))

    def delete_expired(self, *, now: datetime, idle_since: datetime) -> int:
        """Remove sessions past their end or unused since ``idle_since``; returns how many."""
        with self._writing() as session:
            result = session.execute(
                delete(SessionRow).where(
                    (SessionRow.expires_at <= now) | (SessionRow.last_seen <= idle_since)
                )
            )
            return int(getattr(result, "rowcount", 0) or 0)


def _add(session: Session, username: str, password_hash: str | None, role: str) -> UserRecord:
    row = UserRow(username=username, password_hash=password_hash, role=role)
    session.add(row)
    try:
        session.flush()
    except IntegrityError as error:
        raise DuplicateRecordError("user", username) from error
    return _user(row)


def _user(row: UserRow) -> UserRecord:
    return to_record(UserRecord, row, has_password=row.password_hash is not None)


def _load(session: Session, user_id: int) -> UserRow:
    row = session.get(UserRow, user_id)
    if row is None:
        raise RecordNotFoundError("user", user_id)
    return row


def _lock_users(session: Session) -> None:
    # SQLite's BEGIN IMMEDIATE already serialises writers; PostgreSQL needs the table lock for
    # "only while no account exists" to hold against a second process starting at once.
    if dialect_of(session) == "postgresql":
        session.execute(text("LOCK TABLE users IN SHARE ROW EXCLUSIVE MODE"))
