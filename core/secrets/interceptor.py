"""The activity interceptor every worker installs: secret markers become values just in time."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

from temporalio.worker import (
    ActivityInboundInterceptor,
    ExecuteActivityInput,
    Interceptor,
)

from core.secrets.markers import (
    SecretLookup,
    carries_secrets,
    input_carries_secrets,
    resolve_arguments,
    resolve_input,
)

#: The function a call of a registered activity runs, and whether the call passes one input
#: object (else positional arguments); asked inside the running activity.
CalleeOf = Callable[[Callable[..., Any]], tuple[Callable[..., Any], bool]]


class SecretsInterceptor(Interceptor):
    """Resolves the secrets of an activity call after Temporal handed it over, before it runs.

    The values exist only in the worker's memory for the call: the history keeps the
    activity's input as the workflow sent it, with names only.

    Args:
        lookup: gives a secret's value by name (the database, decrypted); None fails every
            call that uses a secret, naming it.
        callee: what a call of a registered function runs and how it passes its arguments
            (``core.runtime.activity_calls``), known from the code that made the call, never
            read from its data.
    """

    def __init__(self, lookup: SecretLookup | None, *, callee: CalleeOf) -> None:
        self._lookup = lookup
        self._callee = callee

    def intercept_activity(self, next: ActivityInboundInterceptor) -> ActivityInboundInterceptor:
        return _Resolving(next, self._lookup, self._callee)


class _Resolving(ActivityInboundInterceptor):
    def __init__(
        self, next: ActivityInboundInterceptor, lookup: SecretLookup | None, callee: CalleeOf
    ) -> None:
        super().__init__(next)
        self._lookup = lookup
        self._callee = callee

    async def execute_activity(self, input: ExecuteActivityInput) -> Any:
        fn, input_object = self._callee(input.fn)
        loop = asyncio.get_running_loop()
        # A database read: off the worker's loop, which runs every workflow task too.
        if input_object:
            if input_carries_secrets(input.args):
                input.args = await loop.run_in_executor(
                    None, resolve_input, input.args, self._lookup
                )
        elif carries_secrets(fn, input.args):
            input.args = await loop.run_in_executor(
                None, resolve_arguments, fn, input.args, self._lookup
            )
        return await self.next.execute_activity(input)
