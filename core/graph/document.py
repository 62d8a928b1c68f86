"""Reading and writing ``workflow-builder/1`` JSON documents (their shape, not their meaning)."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterable, Mapping
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from core.errors import GraphFormatError
from core.graph.messages import plain_message
from core.graph.model import (
    DEFAULT_HANDLE,
    FORMAT,
    Edge,
    Graph,
    InputField,
    Node,
    Position,
    QueryDecl,
    SignalDecl,
    SignalUpdate,
    UpdateDecl,
    WorkflowMeta,
    freeze,
    thaw,
)
from core.limits import LIMITS, GraphLimitError, InputLimitError, check_value, read_json

FieldType = Literal["string", "number", "integer", "boolean", "object", "array"]


class _Strict(BaseModel):
    # Unknown keys are errors: a typo such as "taret" must not silently drop an edge end.
    model_config = ConfigDict(extra="forbid", strict=True)


class InputFieldDoc(_Strict):
    """A field of the workflow input or of a signal payload."""

    name: str
    type: FieldType = "string"
    required: bool = False
    default: Any = None
    description: str = ""


class SignalUpdateDoc(_Strict):
    """A change a signal makes to a workflow variable as it arrives."""

    variable: str = Field(description="The workflow variable to update")
    action: Literal["set", "append", "merge"] = Field(
        default="set",
        description="set: the variable takes the value; append: to a list (created when "
        "missing); merge: an object's keys into an object (created when missing)",
    )
    field: str | None = Field(
        default=None, description="The payload field whose value is used (omitted: the payload)"
    )
    value: Any = Field(
        default=None, description="A literal value to set instead (set only; not with field)"
    )


class SignalDoc(_Strict):
    """A signal the workflow accepts."""

    name: str
    description: str = ""
    fields: list[InputFieldDoc] = Field(default_factory=list)
    updates: list[SignalUpdateDoc] = Field(
        default_factory=list, description="Variables the signal updates as it arrives"
    )


class QueryDoc(_Strict):
    """A query the workflow answers with an expression over its variables."""

    name: str
    expression: str
    description: str = ""


class UpdateDoc(_Strict):
    """A workflow update the workflow accepts (expressions read its input as ``args``)."""

    name: str
    description: str = ""
    fields: list[InputFieldDoc] = Field(default_factory=list)
    validator: str | None = Field(
        default=None,
        description="An expression over variables and args; the update is refused when false",
        examples=["args.amount > 0"],
    )
    refusal: str = Field(
        default="", description="The message of a refusal (empty: one naming the validator)"
    )
    updates: list[SignalUpdateDoc] = Field(
        default_factory=list, description="Variables the update changes, as a signal's updates"
    )
    result: str | None = Field(
        default=None,
        description="An expression over variables and args, returned to the caller",
        examples=["balance"],
    )


class WorkflowDoc(_Strict):
    """Workflow metadata."""

    name: str
    description: str = ""
    task_queue: str | None = None
    run_timeout: str | None = Field(
        default=None,
        description="Longest a run may last, e.g. 30m, 4h, 7d; Temporal ends it as timed out",
        examples=["1h", "30m"],
    )
    signals: list[SignalDoc] = Field(default_factory=list)
    queries: list[QueryDoc] = Field(default_factory=list)
    updates: list[UpdateDoc] = Field(default_factory=list)


class PositionDoc(_Strict):
    """Canvas position; integers stay integers so exports match imports."""

    x: int | float = 0
    y: int | float = 0


class NodeDoc(_Strict):
    """One node; ``params`` are checked per node kind by validation, not here."""

    id: str
    type: str
    label: str = ""
    params: dict[str, Any] = Field(default_factory=dict)
    position: PositionDoc = Field(default_factory=PositionDoc)


class EdgeDoc(_Strict):
    """One edge."""

    id: str
    source: str
    target: str
    handle: str = DEFAULT_HANDLE


class GraphDoc(_Strict):
    """The whole document."""

    format: Literal["workflow-builder/1"]
    workflow: WorkflowDoc
    nodes: list[NodeDoc] = Field(default_factory=list)
    edges: list[EdgeDoc] = Field(default_factory=list)


def load_graph(text: str | bytes) -> Graph:
    """Parse a JSON document into a :class:`Graph`.

    Raises:
        GraphFormatError: malformed JSON (with line and column), a wrong or missing format
            version, or values of the wrong JSON type (with their path, e.g. ``nodes[2].id``).
        GraphLimitError: a document over an input limit (size, depth, numbers, text, node
            count), with the limit and where; it is a :class:`GraphFormatError` too.
    """
    try:
        data = read_json(text, where="")
    except InputLimitError as error:
        raise GraphLimitError(limit=error.limit, where=error.where, reason=error.reason) from None
    except json.JSONDecodeError as error:
        raise GraphFormatError(
            [(f"line {error.lineno}, column {error.colno}", f"malformed JSON: {error.msg}")]
        ) from None
    except UnicodeDecodeError as error:
        raise GraphFormatError([(f"byte {error.start}", "the file is not UTF-8 text")]) from None
    return _graph_from_data(data)


def graph_from_dict(data: Any) -> Graph:
    """Build a :class:`Graph` from already-parsed JSON (see :func:`load_graph` for errors)."""
    try:
        check_value(data, where="")
    except InputLimitError as error:
        raise GraphLimitError(limit=error.limit, where=error.where, reason=error.reason) from None
    return _graph_from_data(data)


def _graph_from_data(data: Any) -> Graph:
    """The graph of a JSON value already held to the input limits."""
    if not isinstance(data, Mapping):
        raise GraphFormatError([("document", "a workflow graph must be a JSON object")])
    version = data.get("format")
    if version != FORMAT:
        found = "no format field" if version is None else f"format {version!r}"
        raise GraphFormatError(
            [("format", f"expected format {FORMAT!r}, found {found}; is this a workflow graph?")]
        )
    for key, limit, maximum in (
        ("nodes", "node count", LIMITS.max_nodes),
        ("edges", "edge count", LIMITS.max_edges),
    ):
        items = data.get(key)
        if isinstance(items, list) and len(items) > maximum:
            reason = f"{len(items):,} {key}; a graph may have at most {maximum:,}"
            raise GraphLimitError(limit=limit, where=key, reason=reason)
    try:
        doc = GraphDoc.model_validate(data)
    except ValidationError as error:
        raise GraphFormatError(
            [(_json_path(item["loc"], data), plain_message(item)) for item in error.errors()]
        ) from None
    return _graph_from_doc(doc)


def graph_to_dict(graph: Graph) -> dict[str, Any]:
    """The canonical JSON object of a graph: every field present, in a fixed order."""
    return _graph_object(graph, thaw)


def graph_digest(graph: Graph) -> str:
    """SHA-256 of the canonical JSON object as compact UTF-8 text.

    Node params are encoded as stored (read-only mappings and tuples encode like the dicts
    and lists they were read from), which spares unpacking every node; compact separators
    keep ``json`` on its C encoder.
    """
    text = json.dumps(
        _graph_object(graph, lambda params: params),
        ensure_ascii=False,
        separators=(",", ":"),
        default=dict,  # the read-only mappings of frozen params
    )
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _graph_object(graph: Graph, params: Callable[[Any], Any]) -> dict[str, Any]:
    meta = graph.workflow
    return {
        "format": FORMAT,
        "workflow": {
            "name": meta.name,
            "description": meta.description,
            "task_queue": meta.task_queue,
            # Only when set: graphs without it export, and hash, exactly as before it existed.
            **({"run_timeout": meta.run_timeout} if meta.run_timeout is not None else {}),
            "signals": [
                {
                    "name": signal.name,
                    "description": signal.description,
                    "fields": [field_to_dict(item) for item in signal.fields],
                    # Only when there are some: other graphs export, and hash, as before.
                    **(
                        {"updates": [_update_to_dict(update) for update in signal.updates]}
                        if signal.updates
                        else {}
                    ),
                }
                for signal in meta.signals
            ],
            "queries": [
                {
                    "name": query.name,
                    "description": query.description,
                    "expression": query.expression,
                }
                for query in meta.queries
            ],
            # Only when there are some: other graphs export, and hash, as before.
            **(
                {"updates": [_update_decl_to_dict(u) for u in meta.updates]} if meta.updates else {}
            ),
        },
        "nodes": [
            {
                "id": node.id,
                "type": node.type,
                "label": node.label,
                "params": params(node.params),
                "position": {"x": node.position.x, "y": node.position.y},
            }
            for node in graph.nodes
        ],
        "edges": [
            {"id": edge.id, "source": edge.source, "target": edge.target, "handle": edge.handle}
            for edge in graph.edges
        ],
    }


def dump_graph(graph: Graph) -> str:
    """The canonical JSON text of a graph (2-space indent, UTF-8, trailing newline)."""
    return json.dumps(graph_to_dict(graph), indent=2, ensure_ascii=False) + "\n"


def field_to_dict(item: InputField) -> dict[str, Any]:
    """The JSON object of an input or payload field."""
    return {
        "name": item.name,
        "type": item.type,
        "required": item.required,
        "default": thaw(item.default),
        "description": item.description,
    }


def _update_to_dict(update: SignalUpdate) -> dict[str, Any]:
    """A signal update's JSON object, with only the keys it uses."""
    data: dict[str, Any] = {"variable": update.variable, "action": update.action}
    if update.field is not None:
        data["field"] = update.field
    if update.value is not None:
        data["value"] = thaw(update.value)
    return data


def _update_decl_to_dict(update: UpdateDecl) -> dict[str, Any]:
    """A workflow update's JSON object; optional keys only when set."""
    data: dict[str, Any] = {
        "name": update.name,
        "description": update.description,
        "fields": [field_to_dict(item) for item in update.fields],
    }
    if update.validator is not None:
        data["validator"] = update.validator
    if update.refusal:
        data["refusal"] = update.refusal
    if update.updates:
        data["updates"] = [_update_to_dict(change) for change in update.updates]
    if update.result is not None:
        data["result"] = update.result
    return data


def input_fields_from_json(items: Iterable[Mapping[str, Any]]) -> tuple[InputField, ...]:
    """Input or signal payload fields from their JSON declarations (as in params or a
    signal's ``fields``), with the format's defaults; frozen values come back as plain JSON."""
    return tuple(
        InputField(
            name=item["name"],
            type=item.get("type", "string"),
            required=bool(item.get("required", False)),
            default=thaw(item.get("default")),
            description=item.get("description", ""),
        )
        for item in items
    )


def graph_json_schema() -> dict[str, Any]:
    """JSON Schema of the document shape (node params are described per kind in the docs)."""
    schema = GraphDoc.model_json_schema()
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["title"] = "Workflow Builder graph (workflow-builder/1)"
    return schema


def _graph_from_doc(doc: GraphDoc) -> Graph:
    meta = doc.workflow
    return Graph(
        workflow=WorkflowMeta(
            name=meta.name,
            description=meta.description,
            task_queue=meta.task_queue,
            run_timeout=meta.run_timeout,
            signals=tuple(
                SignalDecl(
                    name=signal.name,
                    description=signal.description,
                    fields=tuple(_field(item) for item in signal.fields),
                    updates=_signal_updates(signal.updates),
                )
                for signal in meta.signals
            ),
            queries=tuple(
                QueryDecl(
                    name=query.name, expression=query.expression, description=query.description
                )
                for query in meta.queries
            ),
            updates=tuple(
                UpdateDecl(
                    name=update.name,
                    description=update.description,
                    fields=tuple(_field(item) for item in update.fields),
                    validator=update.validator,
                    refusal=update.refusal,
                    updates=_signal_updates(update.updates),
                    result=update.result,
                )
                for update in meta.updates
            ),
        ),
        nodes=tuple(
            Node(
                id=node.id,
                type=node.type,
                label=node.label,
                params=freeze(node.params),
                position=Position(x=node.position.x, y=node.position.y),
            )
            for node in doc.nodes
        ),
        edges=tuple(
            Edge(id=edge.id, source=edge.source, target=edge.target, handle=edge.handle)
            for edge in doc.edges
        ),
    )


def _field(doc: InputFieldDoc) -> InputField:
    return InputField(
        name=doc.name,
        type=doc.type,
        required=doc.required,
        default=freeze(doc.default),
        description=doc.description,
    )


def _json_path(loc: tuple[Any, ...], data: Mapping[str, Any]) -> str:
    """``nodes[2].params`` becomes ``node 'greet' (nodes[2]).params`` when the node has an id."""
    path = ""
    for depth, part in enumerate(loc):
        path += f"[{part}]" if isinstance(part, int) else (f".{part}" if path else str(part))
        if depth == 1 and loc[0] in ("nodes", "edges") and isinstance(part, int):
            item = data[loc[0]][part]
            item_id = item.get("id") if isinstance(item, Mapping) else None
            if isinstance(item_id, str):
                path = f"{loc[0][:-1]} {item_id!r} ({path})"
    return path or "document"


def _signal_updates(updates: list[SignalUpdateDoc]) -> tuple[SignalUpdate, ...]:
    return tuple(
        SignalUpdate(
            variable=update.variable,
            action=update.action,
            field=update.field,
            value=freeze(update.value),
        )
        for update in updates
    )
