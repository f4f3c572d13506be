"""Writing many rows at once. Django's `bulk_update` builds one CASE expression per field and
batch, which costs seconds for tens of thousands of rows; one parametrised UPDATE per row sent
with `executemany` costs milliseconds on SQLite and PostgreSQL alike. Its `bulk_create` compiles
every value of every object through the query compiler (≈ 0,1 ms an object) in statements of at
most 999 parameters on SQLite; a million imported values and their change log spent most of their
time there."""

from django.db import DEFAULT_DB_ALIAS, connection, connections, models
from django.db.models import AutoField

# Parameters per INSERT: below SQLite's limit since 3.32 (32766) and PostgreSQL's (65535).
INSERT_PARAMETERS = 30000


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


def insert_objects(objs: list[models.Model]) -> list[models.Model]:
    """`bulk_create` of new objects of one model without primary keys, the values prepared as
    `bulk_create` prepares them (`pre_save` stamps `auto_now` fields, `get_db_prep_save` adapts)
    but the statement written once per batch size. The objects get their primary keys where the
    database returns them from a multi-row insert (SQLite ≥ 3.35, PostgreSQL), as with `bulk_create`."""
    if not objs:
        return objs
    db = connections[DEFAULT_DB_ALIAS]  # not the proxy: its look-up per value costs a third
    meta = type(objs[0])._meta
    fields = [f for f in meta.concrete_fields if not f.generated and not isinstance(f, AutoField)]
    quote = db.ops.quote_name
    returning = db.features.can_return_rows_from_bulk_insert
    head = f"INSERT INTO {quote(meta.db_table)} ({', '.join(quote(f.column) for f in fields)}) VALUES "
    tail = f" RETURNING {quote(meta.pk.column)}" if returning else ""
    row = f"({', '.join(['%s'] * len(fields))})"
    size = max(1, INSERT_PARAMETERS // len(fields))
    if db.vendor == "postgresql":
        # psycopg parses a statement's placeholders again for every statement longer than 4096 bytes.
        size = max(1, (4096 - len(head) - len(tail)) // (len(row) + 2))
    preparers = [(f.pre_save, f.get_db_prep_save) for f in fields]
    with db.cursor() as cursor:
        for start in range(0, len(objs), size):
            batch = objs[start : start + size]
            params = [prep(pre_save(obj, True), db) for obj in batch for pre_save, prep in preparers]
            cursor.execute(head + ", ".join([row] * len(batch)) + tail, params)
            pks = [pk for (pk,) in cursor.fetchall()] if returning else [None] * len(batch)
            for obj, pk in zip(batch, pks, strict=True):
                obj.pk = pk
                obj._state.adding, obj._state.db = False, db.alias
    return objs
