"""A worker serving bundles that call activities differently: one input object or positional."""

from __future__ import annotations

import asyncio
import dataclasses
from typing import Any

import pytest
from temporalio import activity
from temporalio.testing import ActivityEnvironment
from temporalio.worker import ActivityInboundInterceptor, ExecuteActivityInput

from core.activities.input_object import input_object_activity
from core.compiler.bundle import INPUT_OBJECT, Bundle
from core.runtime.activity_calls import ActivityRoutingError, Callee, ServedActivities
from core.runtime.loader import LoadedBundle
from core.secrets.interceptor import SecretsInterceptor


async def greet(name: str, punctuation: str = ".") -> str:
    return f"Hello, {name}{punctuation}"


@activity.defn(name="greet")
async def positional_greet(name: str, punctuation: str = ".") -> str:
    """A copy from a bundle of compiler version 3: positional arguments."""
    return await greet(name, punctuation)


@activity.defn(name="greet")
def synchronous_greet(name: str) -> str:
    return f"Hello, {name}."


def loaded(workflow_type: str, activities: list[Any], *, input_objects: bool) -> LoadedBundle:
    manifest: dict[str, Any] = {"workflow_type": workflow_type, "task_queue": "q"}
    if input_objects:
        manifest["activity_input"] = INPUT_OBJECT
    return LoadedBundle(
        package=f"wf_{workflow_type}",
        workflow_class=object,
        activities=tuple(activities),
        bundle=Bundle(files={}, manifest=manifest),
    )


def run_for(workflow_type: str, fn: Any, *args: Any) -> Any:
    """Run ``fn`` as if a run of ``workflow_type`` had scheduled it."""
    environment = ActivityEnvironment()
    environment.info = dataclasses.replace(environment.info, workflow_type=workflow_type)
    return asyncio.run(environment.run(fn, *args))


def test_copies_that_agree_are_served_by_the_first_without_a_router() -> None:
    first, second = input_object_activity("greet", greet), input_object_activity("greet", greet)
    served = ServedActivities(
        [
            (loaded("hello_v3", [first], input_objects=True), [first]),
            (loaded("hello_v2", [second], input_objects=True), [second]),
        ]
    )

    assert served.functions == (first,)
    assert served.callee(first) == Callee(first, True)


def test_each_run_gets_its_own_bundles_copy_where_they_pass_arguments_differently() -> None:
    new = input_object_activity("greet", greet)
    served = ServedActivities(
        [
            (loaded("hello_v2", [new], input_objects=True), [new]),
            (loaded("hello_v1", [positional_greet], input_objects=False), [positional_greet]),
        ]
    )
    (router,) = served.functions

    # The same activity name, called the way each version's workflow calls it.
    assert run_for("hello_v2", router, {"punctuation": "!", "name": "Ann"}) == "Hello, Ann!"
    assert run_for("hello_v1", router, "Bo") == "Hello, Bo."
    # A type this worker has no code of gets the first (newest) copy.
    assert run_for("other_v1", router, {"name": "Cy"}) == "Hello, Cy."

    def callee_for(workflow_type: str) -> Callee:
        environment = ActivityEnvironment()
        environment.info = dataclasses.replace(environment.info, workflow_type=workflow_type)
        return environment.run(served.callee, router)

    assert callee_for("hello_v1") == Callee(positional_greet, False)
    assert callee_for("hello_v2") == Callee(new, True)


def test_copies_needing_a_router_must_all_be_async_or_all_synchronous() -> None:
    new = input_object_activity("greet", greet)
    with pytest.raises(ActivityRoutingError, match="'greet' is async in some of the bundles"):
        ServedActivities(
            [
                (loaded("hello_v2", [new], input_objects=True), [new]),
                (loaded("hello_v1", [synchronous_greet], input_objects=False), [synchronous_greet]),
            ]
        )


class _Activity(ActivityInboundInterceptor):
    """The end of the interceptor chain: what the activity would be called with."""

    def __init__(self) -> None:
        pass  # no next interceptor: nothing to delegate to

    async def execute_activity(self, input: ExecuteActivityInput) -> Any:
        return input.args


def test_secrets_are_resolved_in_the_form_the_calling_code_uses_never_the_datas() -> None:
    new = input_object_activity("greet", greet)
    served = ServedActivities(
        [
            (loaded("hello_v2", [new], input_objects=True), [new]),
            (loaded("hello_v1", [positional_greet], input_objects=False), [positional_greet]),
        ]
    )
    (router,) = served.functions
    chain = SecretsInterceptor(lambda name: "s3cret", callee=served.callee)

    async def intercepted(*args: Any) -> Any:
        given = ExecuteActivityInput(fn=router, args=list(args), executor=None, headers={})
        return await chain.intercept_activity(_Activity()).execute_activity(given)

    marker = {"$secret": "token", "before": "Bearer "}
    sent = {"name": marker, "$secret_paths": [[["name"], "token"]]}
    assert run_for("hello_v2", intercepted, dict(sent)) == [{"name": "Bearer s3cret"}]
    paths = {"$secret_paths": [[[0], "token"]]}
    assert run_for("hello_v1", intercepted, dict(marker), ".", paths) == ["Bearer s3cret", "."]
    # A version-1 run passes positional arguments: an object with paths in it is its data.
    assert run_for("hello_v1", intercepted, dict(sent)) == [sent]
