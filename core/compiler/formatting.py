"""Formatting generated sources with the pinned ruff, isolated from any project configuration."""

from __future__ import annotations

import subprocess
import sys
import threading
from collections.abc import Mapping
from pathlib import Path

from core.compiler.errors import CompileError

LINE_LENGTH = 100
_TIMEOUT_SECONDS = 60


def format_sources(sources: Mapping[str, str]) -> dict[str, str]:
    """Each source as ``ruff format --isolated --line-length 100`` prints it, by file name.

    ``--isolated`` ignores every ruff configuration file, so where the compiler runs never
    changes the bytes it produces; the ruff version is pinned in requirements.txt. The files
    are formatted by concurrent ruff processes (each takes about 10 ms, mostly start-up).

    Raises:
        CompileError: ruff is not installed or rejects a source (a compiler bug).
    """
    with _FORMATTED_LOCK:
        formatted = {
            filename: _FORMATTED[(filename, source)]
            for filename, source in sources.items()
            if (filename, source) in _FORMATTED
        }
    running: dict[str, subprocess.Popen[bytes]] = {}
    try:
        for filename in sources.keys() - formatted.keys():
            running[filename] = _start(filename)
        for filename, process in running.items():
            formatted[filename] = _finish(filename, process, sources[filename])
            _remember((filename, sources[filename]), formatted[filename])
        return {filename: formatted[filename] for filename in sources}
    finally:
        for process in running.values():
            if process.poll() is None:
                process.kill()
                process.wait()


#: Recent (file name, source) -> formatted text. ruff's output depends on nothing else, and
#: the small files (activities.py, worker.py) and a re-compiled unchanged graph repeat often:
#: each hit saves a ruff process start (about 10 ms).
_FORMATTED: dict[tuple[str, str], str] = {}
_FORMATTED_LIMIT = 64
_FORMATTED_LOCK = threading.Lock()  # the app compiles on several script threads at once


def _remember(key: tuple[str, str], text: str) -> None:
    with _FORMATTED_LOCK:
        if len(_FORMATTED) >= _FORMATTED_LIMIT:
            del _FORMATTED[next(iter(_FORMATTED))]  # the oldest entry
        _FORMATTED[key] = text


def clear_format_cache() -> None:
    """Forget every formatted source (benchmarks measure cold compiles with it)."""
    with _FORMATTED_LOCK:
        _FORMATTED.clear()


def _start(filename: str) -> subprocess.Popen[bytes]:
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
        return subprocess.Popen(
            command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE
        )
    except OSError as error:
        raise CompileError(
            f"cannot run ruff to format the code: {error}", subject=filename
        ) from None


def _finish(filename: str, process: subprocess.Popen[bytes], source: str) -> str:
    try:
        out, err = process.communicate(source.encode("utf-8"), timeout=_TIMEOUT_SECONDS)
    except subprocess.TimeoutExpired:
        raise CompileError("ruff took too long to format the code", subject=filename) from None
    if process.returncode != 0:
        detail = err.decode("utf-8", "replace").strip()
        raise CompileError(f"ruff could not format the generated code: {detail}", subject=filename)
    return out.decode("utf-8")


def _ruff_command() -> list[str]:
    """The ruff next to the running interpreter, else ``python -m ruff``."""
    beside = Path(sys.executable).parent / "ruff"
    if beside.is_file():
        return [str(beside)]
    # Not a ruff found on PATH: that one may be another version, formatting differently.
    return [sys.executable, "-m", "ruff"]
