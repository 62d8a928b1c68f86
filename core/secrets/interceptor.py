"""The activity interceptor every worker installs: secret markers become values just in time."""

from __future__ import annotations

import asyncio
from typing import Any

from temporalio.worker import (
    ActivityInboundInterceptor,
    ExecuteActivityInput,
    Interceptor,
)

from core.secrets.markers import SecretLookup, carries_secrets, resolve_arguments


class SecretsInterceptor(Interceptor):
    """Resolves the secrets of an activity call after Temporal handed it over, before it runs.

    The values exist only in the worker's memory for the call: the history keeps the
    activity's input as the workflow sent it, with names only.

    Args:
        lookup: gives a secret's value by name (the database, decrypted); None fails every
            call that uses a secret, naming it.
    """

    def __init__(self, lookup: SecretLookup | None) -> None:
        self._lookup = lookup

    def intercept_activity(self, next: ActivityInboundInterceptor) -> ActivityInboundInterceptor:
        return _Resolving(next, self._lookup)


class _Resolving(ActivityInboundInterceptor):
    def __init__(self, next: ActivityInboundInterceptor, lookup: SecretLookup | None) -> None:
        super().__init__(next)
        self._lookup = lookup

    async def execute_activity(self, input: ExecuteActivityInput) -> Any:
        if carries_secrets(input.fn, input.args):
            # A database read: off the worker's loop, which runs every workflow task too.
            input.args = await asyncio.get_running_loop().run_in_executor(
                None, resolve_arguments, input.fn, input.args, self._lookup
            )
        return await self.next.execute_activity(input)
