"""The key that encrypts stored secrets: ``WB_SECRET_KEY``, or a 0600 key file made once."""

from __future__ import annotations

import contextlib
import os
import tempfile
from pathlib import Path

from cryptography.fernet import Fernet, InvalidToken

from core.config import Settings
from core.errors import WorkflowBuilderError
from core.secrets.markers import SecretUnreadableError

#: The key file's name in the data folder.
KEY_FILE = "secret.key"


class SecretKeyError(WorkflowBuilderError):
    """No usable key: none configured and no key file, or the file holds no Fernet key."""


def key_file(settings: Settings) -> Path:
    """Where the key file is (or would be created)."""
    return settings.data_dir / KEY_FILE


def load_key(settings: Settings, *, create: bool) -> bytes:
    """``WB_SECRET_KEY``, else the key file's key; with ``create``, a new key file if none.

    The file is created atomically with mode 0600 and never overwritten: when two processes
    start at once, both end up with the one that was linked into place first.

    Raises:
        SecretKeyError: no key is configured and there is no key file (and ``create`` is
            False), the key file cannot be made or read, or it does not hold a Fernet key.
    """
    if settings.secret_key is not None:
        return settings.secret_key.encode("ascii")
    path = key_file(settings)
    if not path.exists():
        if not create:
            raise SecretKeyError(
                f"no secret key: set WB_SECRET_KEY, or copy {KEY_FILE} from the app's data "
                f"folder to {path}"
            )
        try:
            _create_key_file(path)
        except OSError as error:
            raise SecretKeyError(
                f"cannot create the key file {path} ({error.strerror}); set WB_SECRET_KEY"
            ) from error
    try:
        key = path.read_bytes().strip()
    except OSError as error:
        raise SecretKeyError(f"cannot read the key file {path} ({error.strerror})") from error
    try:
        Fernet(key)
    except ValueError:
        raise SecretKeyError(f"{path} does not hold a Fernet key") from None
    return key


def _create_key_file(path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    # Written in full under a temporary name, then linked: a reader never sees half a key,
    # and link() fails rather than replace a key another process made meanwhile.
    descriptor, temporary = tempfile.mkstemp(dir=path.parent, prefix=".secret-key-")
    try:
        try:
            os.fchmod(descriptor, 0o600)
            os.write(descriptor, Fernet.generate_key() + b"\n")
            os.fsync(descriptor)
        finally:
            os.close(descriptor)
        # If another process made it first, theirs is the key.
        with contextlib.suppress(FileExistsError):
            os.link(temporary, path)
    finally:
        os.unlink(temporary)


class SecretBox:
    """Seals values into Fernet tokens and opens them again, under one key.

    Args:
        key: a Fernet key (see :func:`load_key`).
    """

    def __init__(self, key: bytes) -> None:
        self._fernet = Fernet(key)

    def seal(self, value: str) -> str:
        """The token that stores ``value`` (encrypted and authenticated)."""
        return self._fernet.encrypt(value.encode("utf-8")).decode("ascii")

    def open(self, token: str, *, name: str) -> str:
        """The value in ``token``.

        Raises:
            SecretUnreadableError: the token was sealed under another key, or altered.
        """
        try:
            return self._fernet.decrypt(token.encode("ascii")).decode("utf-8")
        except InvalidToken:
            raise SecretUnreadableError(
                f"secret {name!r} cannot be decrypted: this process's key (WB_SECRET_KEY or "
                f"{KEY_FILE}) is not the one it was stored with"
            ) from None

    def __repr__(self) -> str:
        return "SecretBox(<key hidden>)"
