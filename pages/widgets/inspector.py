"""The inspector: a form for the selected node (from the node catalog) or edge (its handle)."""

from __future__ import annotations

from typing import Any

import streamlit as st

from core.activities import ActivityRegistry, ActivitySpec
from core.editing import node_handles, remove_edges, remove_nodes, set_edge_handle, update_node
from core.nodes.catalog import CATALOG
from core.nodes.kind import NodeKind
from core.text import markdown_code, markdown_literal
from core.validation import Problem
from pages.widgets.fields import object_form, value_widget

#: How registry parameter types are typed in as literals.
_LITERAL_OF_TYPE = {
    "string": "string",
    "number": "number",
    "integer": "integer",
    "boolean": "boolean",
}


def inspect(
    document: dict[str, Any],
    item_id: str | None,
    *,
    problems: tuple[Problem, ...],
    registry: ActivityRegistry,
    key: str,
) -> dict[str, Any] | None:
    """Show the inspector of a node or edge; return the edited document, or None if unchanged."""
    node = next((n for n in document.get("nodes", []) if n.get("id") == item_id), None)
    edge = next((e for e in document.get("edges", []) if e.get("id") == item_id), None)
    if node is not None:
        edited = _node_form(document, node, registry=registry, key=key)
    elif edge is not None:
        edited = _edge_form(document, edge, key=key)
    else:
        st.info("Click a node or an edge on the canvas to edit it, or add one from the palette.")
        return None
    own = [problem for problem in problems if problem.subject == item_id]
    for problem in own:
        text = f"{problem.field}: {problem.message}" if problem.field else problem.message
        st.error(markdown_literal(text))
    return edited


def _node_form(
    document: dict[str, Any], node: dict[str, Any], *, registry: ActivityRegistry, key: str
) -> dict[str, Any] | None:
    kind = CATALOG.get(node.get("type", ""))
    node_id = node["id"]
    st.markdown(f"### {markdown_literal(kind.title if kind else str(node.get('type')))}")
    about = kind.description if kind else "Unknown node kind."
    st.caption(f"{markdown_literal(about)} · id {markdown_code(node_id)}")
    label = st.text_input("Label", value=node.get("label", ""), key=f"{key}.label")
    params = dict(node.get("params") or {})
    if kind is None:
        new_params = params
    elif kind.hints.picks_activity:
        new_params = _activity_form(params, kind, registry=registry, key=key)
    else:
        schema = kind.params_model.model_json_schema()
        new_params = object_form(params, schema, defs=schema.get("$defs", {}), key=key)
    if st.button("Delete node", key=f"{key}.delete", icon=":material/delete:"):
        return remove_nodes(document, [node_id])
    if label != node.get("label", "") or new_params != params:
        return update_node(document, node_id, label=label, params=new_params)
    return None


def _activity_form(
    params: dict[str, Any], kind: NodeKind, *, registry: ActivityRegistry, key: str
) -> dict[str, Any]:
    schema = kind.params_model.model_json_schema()
    defs = schema.get("$defs", {})
    properties = schema["properties"]
    names = list(registry.names())
    current = params.get("activity", "")
    if current and current not in names:
        names.append(current)  # keep an unknown name visible; validation reports it
    activity = st.selectbox(
        "Activity",
        names,
        index=names.index(current) if current in names else None,
        key=f"{key}.activity",
        help=properties["activity"].get("description"),
    )
    result = dict(params)
    if activity and activity != current:
        result["activity"] = activity
        result["args"] = {}  # another activity takes other arguments
    spec = registry.get(activity) if activity else None
    if spec is not None:
        st.caption(spec.description)
        args = _args_form(result.get("args") or {}, spec, key=f"{key}.args.{activity}")
        if args != (result.get("args") or {}):
            result["args"] = args
    main = {"properties": {"result_variable": properties["result_variable"]}}
    result = object_form(result, main, defs=defs, key=key)
    with st.expander("Retries and timeouts"):
        advanced = {"properties": {name: properties[name] for name in kind.hints.advanced}}
        result = object_form(result, advanced, defs=defs, key=key)
    return result


def _args_form(args: dict[str, Any], spec: ActivitySpec, *, key: str) -> dict[str, Any]:
    result = dict(args)
    for param in spec.params:
        suffix = "" if param.required else f" (default {param.default!r})"
        current = args.get(param.name)
        value = value_widget(
            f"{param.name}{' *' if param.required else ''}",
            current,
            literal=_LITERAL_OF_TYPE.get(param.type, "json"),
            key=f"{key}.{param.name}",
            help_text=f"{param.type}{suffix}. {param.description}".strip(),
        )
        if value != current:
            if value is None:
                result.pop(param.name, None)
            else:
                result[param.name] = value
    return result


def _edge_form(
    document: dict[str, Any], edge: dict[str, Any], *, key: str
) -> dict[str, Any] | None:
    st.markdown("### Edge")
    source, target, edge_id = (markdown_code(edge[end]) for end in ("source", "target", "id"))
    st.caption(f"{source} → {target} · id {edge_id}")
    try:
        handles = list(node_handles(document, edge["source"]))
    except ValueError:
        handles = []
    current = edge.get("handle", "next")
    if current not in handles:
        handles.append(current)
    handle = st.selectbox(
        "Leaves from output",
        handles,
        index=handles.index(current),
        key=f"{key}.handle",
        help="Which outcome of the source node this edge follows (true/false, a case, error...)",
    )
    if st.button("Delete edge", key=f"{key}.delete", icon=":material/delete:"):
        return remove_edges(document, [edge["id"]])
    if handle != current:
        return set_edge_handle(document, edge["id"], handle)
    return None
