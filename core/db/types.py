"""Column types that behave the same on SQLite and PostgreSQL: UTC datetimes and JSON."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import JSON, DateTime, Dialect
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.types import TypeDecorator, TypeEngine


def utc_now() -> datetime:
    """The current time, timezone-aware in UTC (the only kind of datetime the database stores)."""
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator[datetime]):
    """A timezone-aware UTC datetime on every dialect.

    PostgreSQL stores ``timestamptz``; SQLite has no time zones, so the value is stored as naive
    UTC and given its ``UTC`` zone back on read. Naive datetimes are refused on write because
    their zone is a guess.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def load_dialect_impl(self, dialect: Dialect) -> TypeEngine[Any]:
        if dialect.name == "sqlite":
            return dialect.type_descriptor(DateTime())
        return dialect.type_descriptor(DateTime(timezone=True))

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError(f"naive datetime {value.isoformat()} given; pass a timezone-aware one")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


# Graph documents keep their key order (PostgreSQL's json type stores the text as given, jsonb
# would reorder keys), so a stored graph exports byte-for-byte as it was imported.
JSONDocument = JSON(none_as_null=True)

# Data values (run input/output, worker metadata) use jsonb on PostgreSQL: compact, comparable.
JSONValue = JSON(none_as_null=True).with_variant(JSONB(none_as_null=True), "postgresql")
