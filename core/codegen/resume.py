"""A workflow class that continues as new: its ``__init__`` and ``run`` take what the run
before carried (``resume``), restored before any signal handler runs."""

from __future__ import annotations

import ast

from core.codegen.syntax import call, const, expr_stmt, name

_RESUME = "resume"


def take_resume(workflow_class: ast.ClassDef) -> None:
    """Give ``run`` a ``resume`` argument, and ``__init__`` (as ``@workflow.init``, which
    Temporal calls with the run's arguments) the same ones, restoring from ``resume``."""
    methods = {
        statement.name: statement
        for statement in workflow_class.body
        if isinstance(statement, (ast.FunctionDef, ast.AsyncFunctionDef))
    }
    init, run = methods["__init__"], methods["run"]
    annotation = ast.parse("dict[str, Any] | None", mode="eval").body
    run.args.args.append(ast.arg(arg=_RESUME, annotation=annotation))
    run.args.defaults.append(const(None))
    # Temporal requires __init__ under @workflow.init to take exactly the run's arguments.
    init.args = run.args
    init.decorator_list = [name("workflow.init")]
    init.body.append(expr_stmt(call("_restore", [name("self"), name(_RESUME)])))
