"""Compile every example under other Python interpreters and compare with the golden files.

The compiler must give the same bytes on every Python it supports (3.11 to 3.13), with
CPython's private fast unparser where it exists and with the public ``ast.unparse`` fallback
(what Python 3.14 gets). Each interpreter needs the compiler's dependencies, e.g.::

    python3.13 -m venv /tmp/py313
    /tmp/py313/bin/pip install -r requirements.txt   # the UI packages may be left out
    .venv/bin/python scripts/golden_under.py /tmp/py313/bin/python /tmp/py312/bin/python

Prints one line per interpreter and exits 1 if any file differs.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def _child() -> None:
    """Run in the interpreter under test: compile both ways, report as one JSON line."""
    sys.path.insert(0, str(REPO))
    from core.codegen import syntax
    from core.compiler import BUNDLE_FILES, compile_graph
    from core.compiler.formatting import clear_format_cache
    from core.graph import load_graph

    report: dict[str, object] = {
        "python": sys.version.split()[0],
        "private_unparser": syntax._FAST_UNPARSER is not None,
    }
    fast = syntax._FAST_UNPARSER
    for mode, unparser in (("fast", fast), ("public", None)):
        if mode == "fast" and fast is None:
            continue
        syntax._FAST_UNPARSER = unparser
        clear_format_cache()
        differing = []
        started = time.perf_counter()
        for example in sorted((REPO / "examples").glob("*.json")):
            bundle = compile_graph(load_graph(example.read_bytes()))
            for name in BUNDLE_FILES:
                golden = REPO / "tests" / "golden" / example.stem / name
                if bundle.files[name] != golden.read_text(encoding="utf-8"):
                    differing.append(f"{example.stem}/{name}")
        report[mode] = {"seconds": round(time.perf_counter() - started, 2), "differ": differing}
    print(json.dumps(report))


def main(pythons: list[str]) -> int:
    failed = False
    for python in pythons or [sys.executable]:
        result = subprocess.run(
            [python, __file__, "--child"], cwd=REPO, capture_output=True, text=True, timeout=600
        )
        if result.returncode != 0:
            print(f"{python}: failed\n{result.stderr.strip()}")
            failed = True
            continue
        report = json.loads(result.stdout.strip().splitlines()[-1])
        modes = [mode for mode in ("fast", "public") if mode in report]
        failed = failed or any(report[mode]["differ"] for mode in modes)
        summary = ", ".join(
            f"{mode}: {report[mode]['seconds']} s, "
            f"{'identical' if not report[mode]['differ'] else report[mode]['differ']}"
            for mode in modes
        )
        print(f"{python} (Python {report['python']}): {summary}")
    return 1 if failed else 0


if __name__ == "__main__":
    if sys.argv[1:] == ["--child"]:
        _child()
    else:
        sys.exit(main(sys.argv[1:]))
