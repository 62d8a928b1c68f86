"""The full JSON Schema of ``workflow-builder/1``: document shape plus every node kind's params.

Regenerate the committed copy with::

    .venv/bin/python -m core.nodes.schema > docs/graph-format.schema.json
"""

from __future__ import annotations

import json
from typing import Any

from pydantic.json_schema import models_json_schema

from core.errors import WorkflowBuilderError
from core.graph.document import graph_json_schema
from core.nodes.catalog import CATALOG
from core.nodes.kind import NodeKind


class SchemaDefinitionClashError(WorkflowBuilderError):
    """Two different models would share one name in the schema's ``$defs``."""


def full_graph_schema() -> dict[str, Any]:
    """JSON Schema (draft 2020-12) of a graph document, node params checked per node type.

    Each node kind adds ``if type == K then params matches K's params model`` to the node
    definition; the params models and their nested models all live in the top-level
    ``$defs``. Node types outside the catalog are rejected. The result depends only on the
    code, so the same code always gives the same schema.

    Raises:
        SchemaDefinitionClashError: a params model's definition name is already used by a
            different definition of the document schema.
    """
    schema = graph_json_schema()
    definitions: dict[str, Any] = schema["$defs"]
    # One call for all params models: pydantic names their definitions without clashes among
    # them, and a model shared by several kinds (parallel and join) is defined once.
    models = list(dict.fromkeys(kind.params_model for kind in CATALOG.values()))
    refs, params_schema = models_json_schema([(model, "validation") for model in models])
    for name, definition in params_schema.get("$defs", {}).items():
        if definitions.get(name, definition) != definition:
            raise SchemaDefinitionClashError(
                f"schema definition {name!r} is used by the document and by a params model"
            )
        definitions[name] = definition
    node = definitions["NodeDoc"]
    node["properties"]["type"]["enum"] = list(CATALOG)
    node["allOf"] = [
        _params_rule(kind, refs[(kind.params_model, "validation")]) for kind in CATALOG.values()
    ]
    return schema


def _params_rule(kind: NodeKind, params_ref: dict[str, Any]) -> dict[str, Any]:
    then: dict[str, Any] = {"properties": {"params": params_ref}}
    # Left-out params mean {}, which fails a kind with required params: so they must be there.
    if any(field.is_required() for field in kind.params_model.model_fields.values()):
        then["required"] = ["params"]
    return {
        "if": {"properties": {"type": {"const": kind.type}}, "required": ["type"]},
        "then": then,
    }


if __name__ == "__main__":
    print(json.dumps(full_graph_schema(), indent=2, sort_keys=True))
