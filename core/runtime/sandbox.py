"""The workflow sandbox the managed workers run generated workflows in."""

from __future__ import annotations

from collections.abc import Iterable

from temporalio.worker.workflow_sandbox import SandboxedWorkflowRunner, SandboxRestrictions


def passthrough_sandbox(modules: Iterable[str]) -> SandboxedWorkflowRunner:
    """Temporal's default sandbox, with the workflow ``modules`` passed through instead of
    imported afresh for every run.

    Re-importing a workflow's module for each run is how the sandbox keeps one run's module
    state from leaking into the next; it costs about 6 ms of every run's first workflow task
    (bench/README.md, step latency). A generated workflow module keeps no state of its own:
    its module-level values are constants and the defaults are deep-copied for each run
    (tests/unit/test_generated_module_state.py holds the compiler to that). Its imports are the
    standard library and temporalio, which the sandbox passes through anyway, and the
    sandbox's runtime restrictions (no clock, randomness or I/O in workflow code) still apply.
    """
    return SandboxedWorkflowRunner(
        restrictions=SandboxRestrictions.default.with_passthrough_modules(*sorted(modules))
    )
