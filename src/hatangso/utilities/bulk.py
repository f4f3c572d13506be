"""Writing many rows at once. Django's `bulk_update` builds one CASE expression per field and
batch, which costs seconds for tens of thousands of rows; one parametrised UPDATE per row sent
with `executemany` costs milliseconds on SQLite and PostgreSQL alike. Its `bulk_create` compiles
every value of every object through the query compiler (≈ 0,1 ms an object) in statements of at
most 999 parameters on SQLite; a million imported values and their change log spent most of their
time there. `insert_rows` goes further for plain values (no model objects at all): PostgreSQL
gets COPY, SQLite one prepared statement run per row."""

import gc
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from itertools import repeat

import orjson
from django.db import DEFAULT_DB_ALIAS, connections, models, transaction
from django.db.models import AutoField
from django.utils import timezone

from hatangso.utilities.answers import Answers

# Parameters per INSERT: below SQLite's limit since 3.32 (32766) and PostgreSQL's (65535).
INSERT_PARAMETERS = 30000


def update_rows(model: type[models.Model], columns: list[str], rows: list[tuple]) -> int:
    """UPDATE model SET columns… WHERE pk = …; each row is (value per column…, pk), the values as
    the model's fields hold them (adapted for the database as `insert_rows` adapts them)."""
    if not rows:
        return 0
    db = connections[DEFAULT_DB_ALIAS]
    quote = db.ops.quote_name
    fields = [model._meta.get_field(name) for name in columns]
    adapt = [(i, a) for i, field in enumerate(fields) if (a := _adapter(field, db)) is not None]
    assignments = ", ".join(f"{quote(f.column)} = %s" for f in fields)
    sql = f"UPDATE {quote(model._meta.db_table)} SET {assignments} WHERE {quote(model._meta.pk.column)} = %s"
    with db.cursor() as cursor:
        cursor.executemany(sql, _adapted_rows(rows, adapt))
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


# Field types whose Python values the database drivers take as they are (primary and foreign keys
# as ids, text, numbers, booleans): `insert_rows` adapts only the others, through the field.
_PLAIN_TYPES = frozenset({
    "AutoField", "BigAutoField", "BigIntegerField", "BooleanField", "CharField", "DecimalField",
    "FloatField", "ForeignKey", "IntegerField", "OneToOneField", "PositiveBigIntegerField",
    "PositiveIntegerField", "PositiveSmallIntegerField", "SlugField", "SmallIntegerField", "TextField",
})  # fmt: skip
_FEW_DISTINCT_TYPES = frozenset({"DateField", "DateTimeField", "TimeField"})


def insert_rows(model: type[models.Model], columns: Sequence[str], rows: Iterable[tuple], **constants):
    """INSERT rows of plain values (one per attname in `columns`, validated as the model's fields
    require, foreign keys as ids), each with the same `constants` (attname: value), and return their
    primary keys in the rows' order. A field given neither way takes its default (`auto_now` and
    `auto_now_add` fields one timestamp for all rows); one with a callable default other than
    those must be given, since one call would serve every row. The keys are taken first, in the
    same transaction as the rows (PostgreSQL: from the table's sequence; SQLite: after the table's
    last key, under the write lock that the transaction's BEGIN IMMEDIATE holds). Returns list[int]."""
    db = connections[DEFAULT_DB_ALIAS]
    rows = list(rows)
    if not rows:
        return []
    meta = model._meta
    fields = {f.attname: f for f in meta.concrete_fields}
    now = timezone.now()
    for attname, field in fields.items():
        if field.primary_key or attname in columns or attname in constants:
            continue
        if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
            constants[attname] = now
        elif field.has_default() and not callable(field.default):
            constants[attname] = field.default
        elif not field.null:
            raise TypeError(f"insert_rows: {meta.label}.{attname} needs a value")

    adapt = [(i, a) for i, name in enumerate(columns) if (a := _adapter(fields[name], db)) is not None]
    fixed = tuple(
        value if (adapt_constant := _adapter(fields[name], db)) is None else adapt_constant(value)
        for name, value in constants.items()
    )
    quote = db.ops.quote_name
    table = quote(meta.db_table)
    names = ", ".join(quote(fields[n].column) for n in (meta.pk.attname, *columns, *constants))

    with transaction.atomic(), db.cursor() as cursor:
        ids = _take_keys(db, meta, len(rows))
        prepared = _adapted_rows(rows, adapt, first=ids, last=fixed)
        if db.vendor == "postgresql":
            # psycopg's own COPY, its errors as Django's (IntegrityError…) like the cursor's.
            with db.wrap_database_errors, cursor.cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
                for row in prepared:
                    copy.write_row(row)
        else:
            placeholders = ", ".join(["%s"] * (1 + len(columns) + len(constants)))
            cursor.executemany(f"INSERT INTO {table} ({names}) VALUES ({placeholders})", prepared)
    return ids


def insert_selected(
    model: type[models.Model], rows: models.QuerySet, *, checks: bool = True, **columns
) -> int:
    """INSERT INTO `model` one row per row of `rows`, each column (attname) the value of an
    expression over that row (`Value` for a constant), in one INSERT … SELECT: the database copies
    and reshapes a million rows without one of them passing through Python. The rows go in the
    order the database reads them (sorting a million wide rows would cost PostgreSQL a disk sort).
    Columns not given take their database default (NULL). Returns how many rows were inserted.

    `checks=False` is for columns the statement itself builds to the table's CHECK constraints: SQLite
    then skips them for this statement (a JSON column's check parses again, per row, the JSON that
    JSON_OBJECT has just written: about a tenth of the time of a million change-log entries)."""
    names = list(columns)
    aliases = {f"selected_{name}": expression for name, expression in columns.items()}
    select = rows.order_by().annotate(**aliases).values_list(*aliases)
    sql, params = select.query.sql_with_params()
    fields = {f.attname: f for f in model._meta.concrete_fields}
    db = connections[DEFAULT_DB_ALIAS]
    quote = db.ops.quote_name
    into = ", ".join(quote(fields[name].column) for name in names)
    unchecked = not checks and db.vendor == "sqlite"
    with db.cursor() as cursor:
        if unchecked:
            cursor.execute("PRAGMA ignore_check_constraints = ON")
        try:
            cursor.execute(f"INSERT INTO {quote(model._meta.db_table)} ({into}) {sql}", params)
            return cursor.rowcount  # read before the PRAGMA below resets it
        finally:
            if unchecked:
                cursor.execute("PRAGMA ignore_check_constraints = OFF")


def _adapter(field, db):
    """How a field's Python value becomes the database's: None where the driver takes it as it is.
    An adapter is called once per value of a column, so it is a C function where it can be."""
    kind = field.get_internal_type()
    if db.vendor == "sqlite" and kind == "BooleanField":
        # sqlite3 binds a bool only after failing to find it an adapter (≈ 0,7 µs a value); the
        # stored 0 or 1 is the same.
        return _SQLITE_BOOLEANS.__getitem__
    if db.vendor == "sqlite" and kind == "DecimalField":
        # What Django's adapter for sqlite3 does, without a call back into Python per value.
        return str if not field.null else (lambda value: None if value is None else str(value))
    if kind in _PLAIN_TYPES:
        return None
    if kind == "JSONField" and field.encoder is None:
        # The same JSON as the field writes (spacing aside), 10 × faster: a million values each
        # have a change-log snapshot.
        return lambda value: None if value is None else orjson.dumps(value).decode()
    if kind in _FEW_DISTINCT_TYPES:
        # A file's dates are its periods' few: each adapted once.
        return Answers(lambda value: field.get_db_prep_save(value, db)).__getitem__
    return lambda value: field.get_db_prep_save(value, db)


_SQLITE_BOOLEANS = {False: 0, True: 1, None: None}


def _adapted_rows(rows: list[tuple], adapt: list, *, first=(), last=()) -> Iterator[tuple]:
    """The rows with the values at `adapt`'s indexes passed through their adapters, each after its
    item of `first` (when given) and before the constants `last`. Column by column: the adapters
    run over a column in C, and the rows are put together again in C (a million rows)."""
    columns = list(zip(*rows, strict=True))
    for index, prepare in adapt:
        columns[index] = map(prepare, columns[index])
    leading = [first] if first else []
    return zip(*leading, *columns, *(repeat(value, len(rows)) for value in last), strict=True)


def _take_keys(db, meta, count: int) -> list[int]:
    quote = db.ops.quote_name
    with db.cursor() as cursor:
        if db.vendor == "postgresql":
            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
                [quote(meta.db_table), meta.pk.column, count],
            )
            return [pk for (pk,) in cursor.fetchall()]
        # AUTOINCREMENT keys never come back after a delete: start after the table's sequence too.
        cursor.execute(f"SELECT MAX({quote(meta.pk.column)}) FROM {quote(meta.db_table)}")
        last = cursor.fetchone()[0] or 0
        cursor.execute("SELECT seq FROM sqlite_sequence WHERE name = %s", [meta.db_table])
        found = cursor.fetchone()
        last = max(last, found[0] if found else 0)
    return list(range(last + 1, last + count + 1))


@contextmanager
def collector_paused():
    """Pause Python's cyclic garbage collector for a bulk write. A national file makes millions of
    rows, dicts and tuples, and the collector walks all that are alive again every few thousand
    new ones: a fifth of a million values' import. Nothing a bulk write makes lives in a cycle
    that needs it; reference counting frees the rest as usual."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()
