"""How long ``python -m core health`` takes against a healthy system.

Sets one up: an in-memory Temporal dev server, a SQLite database, and this process as the app
(its services deploy ``hello_activity`` and ``scheduled_report``, so two queues with live
workers, a schedule and the run monitor). Then runs the command N times in fresh processes,
as an operator or a probe would, checks each exits 0, and prints the wall times; ends with
one JSON line.

    .venv/bin/python bench/health.py [--runs 20]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from core.config import load_settings  # noqa: E402 -- after the path is set
from core.health import Status, check_health  # noqa: E402
from core.services import build_services  # noqa: E402
from core.temporal import EmbeddedTemporalServer  # noqa: E402

# The baseline: what the command imports, then nothing (argv "--json" is ignored).
_IMPORTS_ONLY = ("-c", "import core.cli, core.logs, core.config, core.health")
#: The command must answer within this for a healthy system (issue 11).
LIMIT_S = 1.0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=20, help="runs of the command (default 20)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="wb-bench-health-") as folder:
        data = Path(folder)
        with EmbeddedTemporalServer(log_file=data / "temporal.log") as server:
            env = {
                **os.environ,
                "WB_DATA_DIR": str(data),
                "TEMPORAL_ADDRESS": server.address,
                "TEMPORAL_NAMESPACE": server.namespace,
            }
            settings = load_settings(env)
            services = build_services(settings)
            try:
                for example in ("hello_activity", "scheduled_report"):
                    workflow = services.workflows.create_from_example(example, name=example)
                    services.deploy.deploy(workflow.id)
                _wait_healthy(services.settings, services.database)
                # As installed: Python caches compiled modules (one warm-up run writes them).
                cached = {k: v for k, v in env.items() if k != "PYTHONDONTWRITEBYTECODE"}
                _time_command(cached)
                times = [_time_command(cached) for _ in range(args.runs)]
                # And with no bytecode cache (PYTHONDONTWRITEBYTECODE=1, a read-only tree).
                uncached = {**env, "PYTHONDONTWRITEBYTECODE": "1"}
                cold = [_time_command(uncached) for _ in range(max(args.runs // 4, 3))]
                # Baseline: starting Python and importing what the command needs, no check.
                imports = [
                    _time_command(cached, _IMPORTS_ONLY) for _ in range(max(args.runs // 4, 3))
                ]
            finally:
                services.close()
    figures = {
        "bench": "health",
        "runs": len(times),
        "min_s": round(min(times), 3),
        "p50_s": round(statistics.median(times), 3),
        "p95_s": round(_percentile(times, 0.95), 3),
        "max_s": round(max(times), 3),
        "limit_s": LIMIT_S,
        "within_limit": _percentile(times, 0.95) <= LIMIT_S,
        "no_bytecode_cache_p50_s": round(statistics.median(cold), 3),
        "imports_only_p50_s": round(statistics.median(imports), 3),
        "load_1min": round(os.getloadavg()[0], 2),
    }
    print(f"python -m core health, healthy system, {len(times)} runs in fresh processes:")
    print(
        f"  min {figures['min_s']:.3f} s  p50 {figures['p50_s']:.3f} s  "
        f"p95 {figures['p95_s']:.3f} s  max {figures['max_s']:.3f} s  (limit {LIMIT_S:g} s)"
    )
    print(
        f"  without a bytecode cache: p50 {figures['no_bytecode_cache_p50_s']:.3f} s "
        f"({len(cold)} runs)"
    )
    print(f"  baseline, Python start and imports only: p50 {figures['imports_only_p50_s']:.3f} s")
    print(json.dumps(figures))
    return 0 if figures["within_limit"] else 1


def _wait_healthy(settings, database) -> None:  # type: ignore[no-untyped-def]
    """Until every check is ok (workers heartbeat, the monitor made a pass), 60 s at most."""
    deadline = time.monotonic() + 60
    while True:
        report = check_health(settings, database=database)
        if report.status is Status.OK:
            return
        if time.monotonic() > deadline:
            raise SystemExit(f"the system did not become healthy: {report.checks}")
        time.sleep(0.5)


def _time_command(
    env: dict[str, str], command: tuple[str, ...] = ("-m", "core", "health")
) -> float:
    started = time.perf_counter()
    done = subprocess.run(
        [sys.executable, *command, "--json"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    took = time.perf_counter() - started
    if done.returncode != 0:
        raise SystemExit(f"health exited {done.returncode}:\n{done.stdout}{done.stderr}")
    return took


def _percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


if __name__ == "__main__":
    sys.exit(main())
