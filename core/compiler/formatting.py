"""Formatting generated sources with the pinned ruff, isolated from any project configuration."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from core.compiler.errors import CompileError

LINE_LENGTH = 100
_TIMEOUT_SECONDS = 60


def format_source(source: str, *, filename: str) -> str:
    """``source`` as ``ruff format --isolated --line-length 100`` prints it.

    ``--isolated`` ignores every ruff configuration file, so where the compiler runs never
    changes the bytes it produces; the ruff version is pinned in requirements.txt.

    Raises:
        CompileError: ruff is not installed or rejects the source (a compiler bug).
    """
    command = [
        *_ruff_command(),
        "format",
        "--isolated",
        "--line-length",
        str(LINE_LENGTH),
        "--stdin-filename",
        filename,
        "-",
    ]
    try:
        completed = subprocess.run(
            command,
            input=source.encode("utf-8"),
            capture_output=True,
            timeout=_TIMEOUT_SECONDS,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired) as error:
        raise CompileError(
            f"cannot run ruff to format the code: {error}", subject=filename
        ) from None
    if completed.returncode != 0:
        detail = completed.stderr.decode("utf-8", "replace").strip()
        raise CompileError(f"ruff could not format the generated code: {detail}", subject=filename)
    return completed.stdout.decode("utf-8")


def _ruff_command() -> list[str]:
    """The ruff next to the running interpreter, else ``python -m ruff``."""
    beside = Path(sys.executable).parent / "ruff"
    if beside.is_file():
        return [str(beside)]
    # Not a ruff found on PATH: that one may be another version, formatting differently.
    return [sys.executable, "-m", "ruff"]
