"""The one exception root of Workflow Builder, its specific subclasses, and cause chains."""

from __future__ import annotations

from collections.abc import Iterator


class WorkflowBuilderError(Exception):
    """Root of every error Workflow Builder raises on purpose; pages catch this and show it."""


class GraphFormatError(WorkflowBuilderError):
    """A graph document cannot be read: malformed JSON, wrong format version or wrong shape.

    Attributes:
        problems: every ``(where, reason)`` found, ``where`` being a position such as
            ``line 3, column 7`` or a path such as ``nodes[2].id``.
    """

    def __init__(self, problems: list[tuple[str, str]]) -> None:
        self.problems = tuple(problems)
        super().__init__("\n".join(f"{where}: {reason}" for where, reason in self.problems))


class ExpressionError(WorkflowBuilderError):
    """An expression is not valid: bad syntax or a construct outside the allowed subset.

    Attributes:
        construct: the rejected construct as a user would name it (``lambda``, ``import``,
            ``call to 'open'``), or ``syntax`` for a parse error.
        reason: a sentence saying what is wrong.
    """

    def __init__(self, construct: str, reason: str) -> None:
        self.construct = construct
        self.reason = reason
        super().__init__(reason)


def causes(error: BaseException) -> Iterator[BaseException]:
    """The error, then what caused it, and so on, outermost first.

    Follows ``__cause__`` and, where that is unset, a Temporal failure's ``cause`` (an
    activity error's cause is the application error its activity raised).
    """
    current: BaseException | None = error
    seen: set[int] = set()
    while current is not None and id(current) not in seen:  # a cycle would never end
        seen.add(id(current))
        yield current
        current = current.__cause__ or getattr(current, "cause", None)
