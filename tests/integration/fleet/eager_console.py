"""A console process for the fault tests: it serves the deployed queues, starts one run from
its own worker (an eager start, as the console's Start run does), prints the run, then waits
to be killed.

Usage: ``python tests/integration/fleet/eager_console.py WORKFLOW_ID INPUT_JSON`` with the app's
environment (``DATABASE_URL``, ``TEMPORAL_ADDRESS``, ``WB_DATA_DIR``, ...).
"""

from __future__ import annotations

import json
import sys
import threading

from core.config import load_settings
from core.services import build_services


def main() -> None:
    workflow_id, values = int(sys.argv[1]), json.loads(sys.argv[2])
    services = build_services(load_settings())
    ref = services.runs.start(workflow_id, values)
    print(json.dumps({"workflow_id": ref.workflow_id, "run_id": ref.run_id}), flush=True)
    threading.Event().wait()  # until the test kills the process


if __name__ == "__main__":
    main()
