"""Database functions that spell a stored value as Python would: the change log's snapshots and
texts written by the database itself (`core.changelog.record_inserted`) read like those written
from model objects."""

from django.db.models import CharField, Func


class IsoMoment(Func):
    """A stored moment as `snapshot` writes it: ISO 8601 in UTC, microseconds only when
    there are some (Python's `isoformat`; PostgreSQL's own JSON spelling drops their trailing zeros).
    SQLite holds the naive UTC text."""

    output_field = CharField()

    def as_sqlite(self, compiler, connection, **extra_context):
        return self.as_sql(compiler, connection, template="REPLACE(%(expressions)s, ' ', 'T') || '+00:00'")

    def as_postgresql(self, compiler, connection, **extra_context):
        iso = "TO_CHAR(%(expressions)s AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US')"
        template = f"REPLACE({iso}, '.000000', '') || '+00:00'"
        return self.as_sql(compiler, connection, template=template)


class NumberText(Func):
    """A stored decimal as text without trailing zeros: `snapshot`'s string of the number."""

    output_field = CharField()

    def as_sqlite(self, compiler, connection, **extra_context):
        return self.as_sql(compiler, connection, template="CAST(%(expressions)s AS TEXT)")

    def as_postgresql(self, compiler, connection, **extra_context):
        return self.as_sql(compiler, connection, template="TRIM_SCALE(%(expressions)s)::text")


class JsonBoolean(Func):
    """A stored boolean as JSON true/false (SQLite keeps 0 and 1)."""

    def as_sqlite(self, compiler, connection, **extra_context):
        return self.as_sql(
            compiler, connection, template="JSON(CASE WHEN %(expressions)s THEN 'true' ELSE 'false' END)"
        )

    def as_postgresql(self, compiler, connection, **extra_context):
        return self.as_sql(compiler, connection, template="%(expressions)s")


class JsonValue(Func):
    """A stored JSON column embedded as JSON, not as its text (SQLite keeps the text)."""

    def as_sqlite(self, compiler, connection, **extra_context):
        return self.as_sql(compiler, connection, template="JSON(%(expressions)s)")

    def as_postgresql(self, compiler, connection, **extra_context):
        return self.as_sql(compiler, connection, template="%(expressions)s")
