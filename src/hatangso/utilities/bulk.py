"""Updating many rows at once. Django's `bulk_update` builds one CASE expression per field and
batch, which costs seconds for tens of thousands of rows; one parametrised UPDATE per row sent
with `executemany` costs milliseconds on SQLite and PostgreSQL alike."""

from django.db import connection, models


def update_rows(model: type[models.Model], columns: list[str], rows: list[tuple]) -> int:
    """UPDATE model SET columns… WHERE pk = …; each row is (value per column…, pk)."""
    if not rows:
        return 0
    quote = connection.ops.quote_name
    fields = [model._meta.get_field(name) for name in columns]
    assignments = ", ".join(f"{quote(f.column)} = %s" for f in fields)
    sql = f"UPDATE {quote(model._meta.db_table)} SET {assignments} WHERE {quote(model._meta.pk.column)} = %s"
    with connection.cursor() as cursor:
        cursor.executemany(sql, rows)
    return len(rows)
