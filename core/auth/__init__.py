"""Who may do what: roles, the acting user, and the check every service action makes."""

from core.auth.roles import (
    SYSTEM,
    Acting,
    Actor,
    AuditSink,
    PermissionDeniedError,
    Role,
    Rule,
    acting_as,
    action,
    allows,
    anyone,
    reads,
    require,
    rule_of,
)

__all__ = [
    "SYSTEM",
    "Acting",
    "Actor",
    "AuditSink",
    "PermissionDeniedError",
    "Role",
    "Rule",
    "acting_as",
    "action",
    "allows",
    "anyone",
    "reads",
    "require",
    "rule_of",
]
