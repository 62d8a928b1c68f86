"""Roles, who is acting, and the check every service action makes before it runs."""

from __future__ import annotations

import copy
import enum
import functools
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, NoReturn, ParamSpec, Protocol, TypeVar

from core.errors import WorkflowBuilderError

P = ParamSpec("P")
R = TypeVar("R")


class Role(enum.IntEnum):
    """What a user may do; each role may do everything the roles below it may."""

    VIEWER = 1  # reads everything
    OPERATOR = 2  # runs, signals, cancels, resets; schedules; workers
    EDITOR = 3  # operator, plus drafts, imports, deploys, rollbacks
    ADMIN = 4  # everything: accounts, secrets, deletion, the audit log

    @property
    def label(self) -> str:
        """The role's name as people read it."""
        return self.name.lower()


class AuditSink(Protocol):
    """Where changes are recorded (the audit log, or nowhere for the process itself)."""

    def record(
        self, *, actor: str, action: str, target: str, outcome: str, detail: str = ""
    ) -> None:
        """Append one entry."""
        ...


class _NoAudit:
    def record(
        self, *, actor: str, action: str, target: str, outcome: str, detail: str = ""
    ) -> None:
        return None


@dataclass(frozen=True)
class Actor:
    """Who a service acts for: a signed-in user, or the process itself.

    Attributes:
        name: the user name (``system`` for the process: CLI, background threads, tests).
        role: what they may do.
        audit: where their changes are recorded.
    """

    name: str
    role: Role
    audit: AuditSink = field(default_factory=_NoAudit, compare=False, repr=False)


#: The process itself: command-line tools, background threads, and tests acting directly.
SYSTEM = Actor("system", Role.ADMIN)


class PermissionDeniedError(WorkflowBuilderError):
    """The actor's role may not do this.

    Attributes:
        action: the action asked for (``Service.method``).
        needed: the least role that may.
    """

    def __init__(self, actor: Actor, action: str, needed: Role) -> None:
        self.action = action
        self.needed = needed
        super().__init__(
            f"{actor.name} ({actor.role.label}) may not {_words(action)}: that needs the "
            f"{needed.label} role"
        )


@dataclass(frozen=True)
class Rule:
    """The least role an action needs, and whether it changes something (then it is audited)."""

    role: Role
    change: bool


class Acting(Protocol):
    """A service with an actor (see :func:`action`)."""

    actor: Actor


S = TypeVar("S", bound=Acting)


def action(role: Role, *, change: bool = True) -> Callable[[Callable[P, R]], Callable[P, R]]:
    """Declare a service method an action needing ``role``: checked before it runs, and, when
    it changes something, recorded in the audit log with its outcome.

    The method's service must have an ``actor`` attribute (see :func:`acting_as`).
    """
    rule = Rule(role, change)

    def decorate(method: Callable[P, R]) -> Callable[P, R]:
        name = method.__qualname__

        @functools.wraps(method)
        def checked(*args: P.args, **kwargs: P.kwargs) -> R:
            actor: Actor = args[0].actor  # type: ignore[attr-defined]
            if actor.role < rule.role:
                _deny(actor, name, rule, _target(args, kwargs))
            if not rule.change:
                return method(*args, **kwargs)
            target = _target(args, kwargs)
            try:
                result = method(*args, **kwargs)
            except Exception as error:  # recorded, then raised unchanged
                actor.audit.record(
                    actor=actor.name,
                    action=name,
                    target=target,
                    outcome="failed",
                    detail=f"{type(error).__name__}: {error}"[:500],
                )
                raise
            actor.audit.record(actor=actor.name, action=name, target=target, outcome="ok")
            return result

        checked.__wb_rule__ = rule  # type: ignore[attr-defined]
        return checked

    return decorate


def reads(method: Callable[P, R]) -> Callable[P, R]:
    """Declare a service method a read: every role may, nothing is audited."""
    return action(Role.VIEWER, change=False)(method)


def anyone(method: Callable[P, R]) -> Callable[P, R]:
    """Declare a method anyone may call, signed in or not (signing in itself): no check; the
    method records what it changes itself."""
    return action(Role.VIEWER, change=False)(method)


def require(actor: Actor, method: Callable[..., object], *, target: str = "") -> None:
    """Refuse (recorded in the audit log) unless ``actor`` may call ``method``: for a step
    made of several actions, checked before the first so none is done half."""
    rule = rule_of(method)
    if rule is not None and actor.role < rule.role:
        _deny(actor, method.__qualname__, rule, target)


def _deny(actor: Actor, name: str, rule: Rule, target: str) -> NoReturn:
    actor.audit.record(actor=actor.name, action=name, target=target, outcome="denied")
    raise PermissionDeniedError(actor, name, rule.role)


def rule_of(method: object) -> Rule | None:
    """The rule :func:`action` gave ``method``, None for a method without one."""
    return getattr(method, "__wb_rule__", None)


def allows(role: Role, method: object) -> bool:
    """Whether ``role`` may call ``method`` (a service method, such as ``DeployService.deploy``):
    what pages ask to decide which actions to offer."""
    rule = rule_of(method)
    return rule is None or role >= rule.role


def acting_as(service: S, actor: Actor) -> S:
    """A copy of ``service`` acting for ``actor`` (services are light: this costs little)."""
    clone = copy.copy(service)
    clone.actor = actor
    return clone


#: Keyword arguments never written to the audit log (callbacks, and secrets: pass those by
#: keyword, which every service method taking one enforces).
_UNRECORDED = frozenset({"progress", "password"})


def _target(args: tuple[Any, ...], kwargs: dict[str, Any]) -> str:
    """What an action is done to, for the audit log: its arguments, briefly."""
    parts = [_brief(value) for value in args[1:]]
    parts += [f"{key}={_brief(value)}" for key, value in kwargs.items() if key not in _UNRECORDED]
    return ", ".join(parts)[:300]


def _brief(value: Any) -> str:
    if isinstance(value, enum.Enum):
        return str(value.name.lower())
    if isinstance(value, str | int | float | bool) or value is None:
        return repr(value)
    if isinstance(value, dict):
        return "{…}"
    name = getattr(value, "workflow_id", None)
    return repr(name) if isinstance(name, str) else type(value).__name__


def _words(action: str) -> str:
    service, _, method = action.rpartition(".")
    return f"{method.replace('_', ' ')} ({service})"
