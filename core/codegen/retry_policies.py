"""Retry policies as module constants: each distinct policy is written once and named."""

from __future__ import annotations

import ast
from typing import Any

from core.codegen.syntax import assign, name, store


class RetryPolicies:
    """Names the distinct retry policies of a workflow in first-use order.

    The first is ``RETRY_POLICY``, later distinct ones ``RETRY_POLICY_2``, ``RETRY_POLICY_3``
    and so on; activities with the same settings share one constant, as a person would write.
    """

    def __init__(self) -> None:
        self._names: dict[tuple[Any, ...], str] = {}
        self._definitions: list[ast.stmt] = []

    def hoist(self, step: ast.stmt, retry: Any) -> None:
        """Replace ``retry_policy=RetryPolicy(...)`` in an activity step by its constant's name.

        Args:
            step: the statement of an activity node (its ``execute_activity`` call awaited).
            retry: the node's retry params, which the ``RetryPolicy(...)`` call was built from.
        """
        assert isinstance(step, (ast.Assign, ast.Expr)) and isinstance(step.value, ast.Await)
        call = step.value.value
        assert isinstance(call, ast.Call)
        keyword = next(k for k in call.keywords if k.arg == "retry_policy")
        key = (
            retry.max_attempts,
            retry.initial_interval,
            float(retry.backoff_coefficient),
            retry.max_interval,
            tuple(retry.non_retryable_error_types),
        )
        constant = self._names.get(key)
        if constant is None:
            count = len(self._names) + 1
            constant = "RETRY_POLICY" if count == 1 else f"RETRY_POLICY_{count}"
            self._names[key] = constant
            self._definitions.append(assign(store(constant), keyword.value))
        keyword.value = name(constant)

    def definitions(self) -> list[ast.stmt]:
        """``RETRY_POLICY = RetryPolicy(...)`` for each policy named so far, in that order."""
        return list(self._definitions)
