"""Splitting generated workflow code per node, and naming the nodes whose code changed."""

from __future__ import annotations

from core.deploy.sections import SHARED, changed_nodes, node_sections

SOURCE = """import asyncio


class W:
    @workflow.run
    async def run(self, x):
        self.input = x
        self.step = "greet"
        self.vars["g"] = await workflow.execute_activity("echo", args=[1])
        self.step = "decide"
        if self.vars["g"]:
            self.step = "yes"
            self.vars["s"] = "yes"
        self.step = "end"
        return self.vars["s"]

    @workflow.query(name="state")
    def query_state(self):
        return dict(self.vars)
"""


def test_lines_go_to_the_node_whose_marker_precedes_them():
    sections = node_sections(SOURCE)
    assert set(sections) == {SHARED, "greet", "decide", "yes", "end"}
    assert any("execute_activity" in line for line in sections["greet"])
    assert any('"yes"' in line for line in sections["yes"])
    assert "        self.input = x" in sections[SHARED]
    assert any("query_state" in line for line in sections[SHARED])


def test_changed_nodes_lists_only_nodes_whose_statements_differ():
    new = SOURCE.replace('"echo", args=[1]', '"shout", args=[1]')
    assert changed_nodes(SOURCE, new) == ("greet",)
    assert changed_nodes(SOURCE, SOURCE) == ()


def test_added_and_removed_nodes_count_as_changed():
    new = SOURCE.replace('self.step = "yes"', 'self.step = "approve"')
    assert changed_nodes(SOURCE, new) == ("approve", "yes")


def test_changes_outside_run_name_no_node():
    new = SOURCE.replace("return dict(self.vars)", "return {}")
    assert changed_nodes(SOURCE, new) == ()
