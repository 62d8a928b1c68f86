"""Runs this workflow bundle's Temporal worker until Ctrl-C: python worker.py [--help]."""

import argparse
import asyncio
import gc
import os
from concurrent.futures import ThreadPoolExecutor

from temporalio.client import Client
from temporalio.envconfig import ClientConfig
from temporalio.worker import Worker
from temporalio.worker.workflow_sandbox import SandboxedWorkflowRunner, SandboxRestrictions

# Run as `python worker.py`, the bundle's folder is sys.path[0], so its files import by name.
import activities
import workflow

TASK_QUEUE = "workflow-builder"
# Workflow Builder's other names for some of temporalio's variables, as the app reads them.
VARIABLE_ALIASES = {
    "TEMPORAL_TLS_ENABLED": "TEMPORAL_TLS",
    "TEMPORAL_CLIENT_CERT_PATH": "TEMPORAL_TLS_CLIENT_CERT_PATH",
    "TEMPORAL_CLIENT_KEY_PATH": "TEMPORAL_TLS_CLIENT_KEY_PATH",
    "TEMPORAL_SERVER_ROOT_CA_PATH": "TEMPORAL_TLS_SERVER_CA_CERT_PATH",
}


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    """Command line options; the environment gives the defaults Temporal tools use."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument(
        "--address",
        help="Temporal frontend host:port (default: $TEMPORAL_ADDRESS or localhost:7233)",
    )
    parser.add_argument(
        "--namespace", help="Temporal namespace (default: $TEMPORAL_NAMESPACE or default)"
    )
    parser.add_argument(
        "--task-queue", default=TASK_QUEUE, help="task queue to poll (default: %(default)s)"
    )
    return parser.parse_args(argv)


def connect_config(args: argparse.Namespace) -> dict:
    """The arguments of Client.connect, from the environment as the Workflow Builder app reads it.

    temporalio's environment configuration: TEMPORAL_ADDRESS, TEMPORAL_NAMESPACE,
    TEMPORAL_API_KEY, TEMPORAL_TLS*, TEMPORAL_GRPC_META_*, and the profile TEMPORAL_PROFILE of
    the file TEMPORAL_CONFIG_FILE when that is set. Empty values count as unset; --address and
    --namespace win over the environment.
    """
    env = {name: value for name, value in os.environ.items() if value.strip()}
    for alias, name in VARIABLE_ALIASES.items():
        if alias in env and env.setdefault(name, env[alias]) != env[alias]:
            raise SystemExit(f"{name} and {alias} are set to different values")
    config_file = env.get("TEMPORAL_CONFIG_FILE")
    config = dict(
        ClientConfig.load_client_connect_config(
            env.get("TEMPORAL_PROFILE"),
            config_file=config_file,
            disable_file=config_file is None,
            override_env_vars=env,
        )
    )
    config["target_host"] = args.address or config.get("target_host") or "localhost:7233"
    config["namespace"] = args.namespace or config.get("namespace") or "default"
    return config


async def run_worker(args: argparse.Namespace) -> None:
    """Connect, then poll the task queue until cancelled."""
    config = connect_config(args)
    client = await Client.connect(**config)
    # Synchronous (plain def) activities run in this pool; async ones ignore it.
    with ThreadPoolExecutor(max_workers=16) as executor:
        worker = Worker(
            client,
            task_queue=args.task_queue,
            workflows=[workflow.ApproveOrRejectWorkflow],
            activities=activities.ACTIVITIES,
            activity_executor=executor,
            # The generated workflow module keeps no state, so the sandbox may load it once
            # rather than afresh for every run (as the Workflow Builder app's workers do).
            workflow_runner=SandboxedWorkflowRunner(
                restrictions=SandboxRestrictions.default.with_passthrough_modules(workflow.__name__)
            ),
        )
        print(
            f"worker for {workflow.WORKFLOW_TYPE} polling {args.task_queue!r} at "
            f"{config['target_host']}",
            flush=True,
        )
        try:
            await worker.run()
        finally:
            # Free the SDK's native handles while the event loop still runs: a process that
            # exits straight after its worker stops can crash while the interpreter finalises.
            del worker, client
            gc.collect()
            await asyncio.sleep(0.2)


def main() -> None:
    """Run until Ctrl-C."""
    try:
        asyncio.run(run_worker(parse_args()))
    except KeyboardInterrupt:
        pass


# Temporal's sandbox re-imports the main module; only a direct run may start the worker.
if __name__ == "__main__":
    main()
