"""Time arithmetic in SQL that reads the same on SQLite and PostgreSQL: epoch seconds, spans."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Float
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.functions import FunctionElement


class epoch_seconds(FunctionElement[float]):  # noqa: N801 - used like a SQL function
    """Seconds since 1970-01-01 UTC of a timestamp column (stored as UTC on both databases)."""

    type = Float()
    inherit_cache = True
    name = "epoch_seconds"


class seconds_between(FunctionElement[float]):  # noqa: N801 - used like a SQL function
    """``end - start`` in seconds, for two timestamp columns."""

    type = Float()
    inherit_cache = True
    name = "seconds_between"


@compiles(epoch_seconds, "sqlite")
def _epoch_sqlite(element: epoch_seconds, compiler: SQLCompiler, **kw: Any) -> str:
    # SQLite keeps naive UTC text; unixepoch() reads it to the second, julianday keeps fractions.
    (column,) = element.clauses
    return f"((julianday({compiler.process(column, **kw)}) - 2440587.5) * 86400.0)"


@compiles(epoch_seconds, "postgresql")
def _epoch_postgresql(element: epoch_seconds, compiler: SQLCompiler, **kw: Any) -> str:
    (column,) = element.clauses
    return f"EXTRACT(EPOCH FROM {compiler.process(column, **kw)})"


@compiles(seconds_between, "sqlite")
def _between_sqlite(element: seconds_between, compiler: SQLCompiler, **kw: Any) -> str:
    start, end = (compiler.process(clause, **kw) for clause in element.clauses)
    return f"((julianday({end}) - julianday({start})) * 86400.0)"


@compiles(seconds_between, "postgresql")
def _between_postgresql(element: seconds_between, compiler: SQLCompiler, **kw: Any) -> str:
    start, end = (compiler.process(clause, **kw) for clause in element.clauses)
    return f"EXTRACT(EPOCH FROM ({end} - {start}))"
