"""Whether a process on this machine still runs (for what dead processes leave behind)."""

from __future__ import annotations

import os
from pathlib import Path


def process_alive(pid: int) -> bool:
    """Whether process ``pid`` runs here (a zombie, dead but not reaped, counts as gone)."""
    try:
        os.kill(pid, 0)  # signal 0 only checks that the process exists
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # another user's process: it runs
    try:
        # A zombie is dead too (where nobody reaps orphans, it stays in the table).
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return True  # no /proc (not Linux): the signal check above is all there is
    return state != "Z"
