"""Secrets for admins (create, rotate, delete, where used) and for workers (values by name)."""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass, field
from datetime import datetime

from core.auth import SYSTEM, Actor, Role, action
from core.config import Settings
from core.db import Database
from core.db.types import utc_now
from core.errors import WorkflowBuilderError
from core.expressions import SECRET_NAME_PATTERN
from core.secrets.keys import SecretBox, SecretKeyError, load_key
from core.secrets.markers import SecretUnreadableError, UnknownSecretError
from core.secrets.references import document_secrets

_NAME = re.compile(SECRET_NAME_PATTERN)


class InvalidSecretError(WorkflowBuilderError):
    """A secret cannot be stored: a bad name or an empty value."""


@dataclass(frozen=True)
class SecretValue:
    """A secret's value on its way in; its repr hides it, so no audit entry, log line or
    traceback that shows the arguments of a call can show the value.

    Attributes:
        text: the value.
    """

    text: str = field(repr=False)


@dataclass(frozen=True)
class SecretInfo:
    """What the Secrets page lists: a secret's name, dates and users, never its value.

    Attributes:
        name: how graphs refer to it.
        created_at: when it was created.
        rotated_at: when its value last changed, None if never.
        created_by: who created it.
        used_by: workflows whose draft or active version reads it, by name.
    """

    name: str
    created_at: datetime
    rotated_at: datetime | None
    created_by: str
    used_by: tuple[str, ...]


class SecretService:
    """The admin actions on secrets; values are sealed before they reach the database.

    Args:
        database: where the sealed secrets are.
        box: seals values under the process's key.
    """

    actor: Actor = SYSTEM

    def __init__(self, database: Database, box: SecretBox) -> None:
        self._db = database
        self._box = box

    @action(Role.ADMIN, change=False)
    def list(self) -> list[SecretInfo]:
        """Every secret with the workflows that use it (only admins see even the names)."""
        users: dict[str, list[str]] = {}
        for workflow, draft, active in self._db.secrets.graphs_in_use():
            for name in document_secrets(draft) | document_secrets(active):
                users.setdefault(name, []).append(workflow)
        return [
            SecretInfo(
                name=record.name,
                created_at=record.created_at,
                rotated_at=record.rotated_at,
                created_by=record.created_by,
                used_by=tuple(users.get(record.name, ())),
            )
            for record in self._db.secrets.find()
        ]

    @action(Role.ADMIN)
    def create(self, name: str, value: SecretValue) -> None:
        """Store a new secret.

        Raises:
            InvalidSecretError: the name is not a secret name, or the value is empty.
            DuplicateRecordError: a secret of that name exists (rotate it instead).
        """
        if not _NAME.fullmatch(name):
            raise InvalidSecretError(
                f"{name!r} is not a secret name: use lower-case letters, digits and "
                "underscores, starting with a letter (at most 64 characters)"
            )
        self._db.secrets.create(
            name, ciphertext=self._sealed(value), created_by=self.actor.name, now=utc_now()
        )

    @action(Role.ADMIN)
    def rotate(self, name: str, value: SecretValue) -> None:
        """Replace a secret's value; steps that start from now on get the new one.

        Raises:
            InvalidSecretError: the value is empty.
            RecordNotFoundError: no secret of that name.
        """
        self._db.secrets.rotate(name, ciphertext=self._sealed(value), now=utc_now())

    @action(Role.ADMIN)
    def delete(self, name: str) -> None:
        """Remove a secret; steps that use it fail from now on, and deploys naming it too.

        Raises:
            RecordNotFoundError: no secret of that name.
        """
        self._db.secrets.delete(name)

    def _sealed(self, value: SecretValue) -> str:
        if not value.text:
            raise InvalidSecretError("a secret's value may not be empty")
        return self._box.seal(value.text)


class StoredSecrets:
    """A worker's view of the secrets: each value read from the database and decrypted when a
    step needs it (nothing kept, so a rotation applies to the next step).

    The key is read at the first use, so a worker that runs no step with a secret needs none.

    Args:
        settings: where the key is (``WB_SECRET_KEY`` or the key file).
        database: where the sealed secrets are.
    """

    def __init__(self, settings: Settings, database: Database) -> None:
        self._settings = settings
        self._db = database
        self._box: SecretBox | None = None
        self._lock = threading.Lock()

    def __call__(self, name: str) -> str:
        """The value of secret ``name``.

        Raises:
            UnknownSecretError: there is no such secret.
            SecretUnreadableError: this process has no key, or not the right one.
        """
        token = self._db.secrets.ciphertext(name)
        if token is None:
            raise UnknownSecretError(name)
        return self._opener().open(token, name=name)

    def _opener(self) -> SecretBox:
        with self._lock:
            if self._box is None:
                try:
                    self._box = SecretBox(load_key(self._settings, create=False))
                except SecretKeyError as error:
                    raise SecretUnreadableError(str(error)) from None
            return self._box
