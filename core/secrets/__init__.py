"""Secrets: encrypted at rest, named in graphs with ``secret("name")``, resolved in activities."""

from core.secrets.keys import KEY_FILE, SecretBox, SecretKeyError, key_file, load_key
from core.secrets.markers import (
    SecretLookup,
    SecretUnreadableError,
    UnknownSecretError,
)
from core.secrets.references import SecretPlacementError, document_secrets, placement_problem
from core.secrets.service import (
    InvalidSecretError,
    SecretInfo,
    SecretService,
    SecretValue,
    StoredSecrets,
)

__all__ = [
    "KEY_FILE",
    "InvalidSecretError",
    "SecretBox",
    "SecretInfo",
    "SecretKeyError",
    "SecretLookup",
    "SecretPlacementError",
    "SecretService",
    "SecretUnreadableError",
    "SecretValue",
    "StoredSecrets",
    "UnknownSecretError",
    "document_secrets",
    "key_file",
    "load_key",
    "placement_problem",
]
