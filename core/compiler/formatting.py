"""Formatting generated sources with the pinned ruff, isolated from any project configuration."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
from pathlib import Path
from types import TracebackType

from core.codegen.errors import CompileError

LINE_LENGTH = 100
_TIMEOUT_SECONDS = 60


class Formatter:
    """One compile's sources formatted by ``ruff format --isolated --line-length 100``.

    ``--isolated`` ignores every ruff configuration file, so where the compiler runs never
    changes the bytes it produces; the ruff version is pinned in requirements.txt.

    Each file gets its own ruff process, run beside the compiler rather than after it: one
    started with :meth:`prepare` before its source exists loads while the code is generated,
    and one given its source with :meth:`submit` formats on another core while the compiler
    goes on (a 1,000-node workflow.py takes ruff about 7 ms). :meth:`results` collects them.
    Use it as a context manager: leaving it kills any process still running.
    """

    def __init__(self) -> None:
        self._started: dict[str, _RuffProcess] = {}
        self._submitted: dict[str, str] = {}
        self._done: dict[str, str] = {}

    def __enter__(self) -> Formatter:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        for ruff in self._started.values():
            ruff.stop()

    def prepare(self, filename: str) -> None:
        """Start the ruff process for a file whose source is still to be generated."""
        if filename not in self._started:
            self._started[filename] = _RuffProcess(filename)

    def submit(self, filename: str, source: str) -> None:
        """Have ``source`` formatted (at once when it was formatted recently)."""
        cached = _recalled((filename, source))
        if cached is not None:
            self._done[filename] = cached
            return
        self.prepare(filename)
        self._started[filename].feed(source)
        self._submitted[filename] = source

    def results(self) -> dict[str, str]:
        """Every submitted file's formatted text, by file name.

        Raises:
            CompileError: ruff is not installed, rejects a source (a compiler bug) or hangs.
        """
        for filename, source in self._submitted.items():
            self._done[filename] = self._started[filename].formatted()
            _remember((filename, source), self._done[filename])
        self._submitted.clear()
        return dict(self._done)


class _RuffProcess:
    """``ruff format`` reading one source from a pipe that is written once the source exists.

    The source is written from the calling thread, all at once: a thread feeding the pipe
    piecemeal would wait for the GIL at every piece while the compiler runs.
    """

    def __init__(self, filename: str) -> None:
        self.filename = filename
        read_end, self._write_end = os.pipe()
        try:
            self.process = subprocess.Popen(
                _command(filename), stdin=read_end, stdout=subprocess.PIPE, stderr=subprocess.PIPE
            )
        except OSError as error:
            os.close(self._write_end)
            raise CompileError(
                f"cannot run ruff to format the code: {error}", subject=filename
            ) from None
        finally:
            os.close(read_end)
        self._fed = False

    def feed(self, source: str) -> None:
        """Write the source and close the pipe; ruff starts formatting."""
        self._fed = True
        try:
            with open(self._write_end, "wb") as pipe:
                pipe.write(source.encode("utf-8"))
        except BrokenPipeError:
            pass  # ruff ended early; its exit status and message say why

    def formatted(self) -> str:
        """The formatted source, once ruff is done."""
        try:
            out, err = self.process.communicate(timeout=_TIMEOUT_SECONDS)
        except subprocess.TimeoutExpired:
            raise CompileError(
                "ruff took too long to format the code", subject=self.filename
            ) from None
        if self.process.returncode != 0:
            detail = err.decode("utf-8", "replace").strip()
            raise CompileError(
                f"ruff could not format the generated code: {detail}", subject=self.filename
            )
        return out.decode("utf-8")

    def stop(self) -> None:
        """Kill the process if it still runs and release its pipes."""
        if not self._fed:
            os.close(self._write_end)
        if self.process.poll() is None:
            self.process.kill()
        self.process.communicate()


#: Recent (file name, source) -> formatted text. ruff's output depends on nothing else, and
#: the small files (activities.py, worker.py) and a re-compiled unchanged graph repeat often:
#: each hit saves a ruff process.
_FORMATTED: dict[tuple[str, str], str] = {}
_FORMATTED_LIMIT = 64
_FORMATTED_LOCK = threading.Lock()  # the app compiles on several script threads at once


def _recalled(key: tuple[str, str]) -> str | None:
    with _FORMATTED_LOCK:
        return _FORMATTED.get(key)


def _remember(key: tuple[str, str], text: str) -> None:
    with _FORMATTED_LOCK:
        if len(_FORMATTED) >= _FORMATTED_LIMIT:
            del _FORMATTED[next(iter(_FORMATTED))]  # the oldest entry
        _FORMATTED[key] = text


def clear_format_cache() -> None:
    """Forget every formatted source (benchmarks measure cold compiles with it)."""
    with _FORMATTED_LOCK:
        _FORMATTED.clear()


def _command(filename: str) -> list[str]:
    return [
        *_ruff_command(),
        "format",
        "--isolated",
        "--line-length",
        str(LINE_LENGTH),
        "--stdin-filename",
        filename,
        "-",
    ]


def _ruff_command() -> list[str]:
    """The ruff next to the running interpreter, else ``python -m ruff``."""
    beside = Path(sys.executable).parent / "ruff"
    if beside.is_file():
        return [str(beside)]
    # Not a ruff found on PATH: that one may be another version, formatting differently.
    return [sys.executable, "-m", "ruff"]
