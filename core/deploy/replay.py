"""The determinism gate: replay histories against new code and name the nodes that broke them."""

from __future__ import annotations

import logging
import re
from collections.abc import Sequence

from temporalio.client import WorkflowHistory
from temporalio.worker import Replayer

from core.deploy.errors import DeterminismError
from core.deploy.sections import changed_nodes
from core.runtime import LoadedBundle

logger = logging.getLogger(__name__)

_FAILURE_MESSAGE = re.compile(r'message: "([^"]+)"')


async def check_replay(
    loaded: LoadedBundle,
    histories: Sequence[WorkflowHistory],
    *,
    workflow: str,
    source: str,
    previous_source: str | None = None,
) -> int:
    """Replay every history against ``loaded``'s workflow class; stop at the first failure.

    Args:
        loaded: the newly generated code, imported (see ``core.runtime.load_bundle``).
        histories: runs of the same workflow type made by earlier code.
        workflow: the workflow's name, for the error.
        source: the new ``workflow.py`` (the loaded one).
        previous_source: the ``workflow.py`` the histories were made with, when known; the
            error then names the nodes whose statements changed.

    Returns:
        How many histories replayed.

    Raises:
        DeterminismError: a history does not replay; names the run, the SDK's reason and the
            nodes whose code changed.
    """
    replayer = Replayer(workflows=[loaded.workflow_class])
    for history in histories:
        result = await replayer.replay_workflow(history, raise_on_replay_failure=False)
        if result.replay_failure is None:
            continue
        nodes = changed_nodes(previous_source, source) if previous_source is not None else ()
        raise DeterminismError(
            workflow=workflow,
            workflow_type=loaded.workflow_type,
            run_id=f"{history.workflow_id} ({history.run_id})",
            nodes=nodes,
            detail=_reason(result.replay_failure),
        )
    logger.info("%d histories replay against %s", len(histories), loaded.package)
    return len(histories)


def _reason(error: BaseException) -> str:
    # The SDK wraps Core's failure in a debug dump; its message field is the readable part.
    text = str(error).strip() or type(error).__name__
    found = _FAILURE_MESSAGE.search(text)
    return found.group(1) if found else text.splitlines()[0]
