"""Running ``python -m core`` as a subprocess, as a user at a shell would."""

from __future__ import annotations

import subprocess
import sys

from core.config import REPO_ROOT


def core_cli(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    """Run ``python -m core ARGS`` from the repository with ``env``; at most two minutes."""
    return subprocess.run(
        [sys.executable, "-m", "core", *args],
        cwd=REPO_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
