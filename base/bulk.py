"""Many new rows at once, at the speed of the database's bulk loader.

bulk_create spends most of its time in Python, compiling each value of each row
through the field and the SQL compiler. Here each field's value is prepared only where
the database driver could not take it as it is, and written:
- on PostgreSQL with `COPY ... FROM STDIN`, which parses no statement at all; the ids
  are drawn from the table's sequence first, so that the objects know them;
- on SQLite with multi-row INSERTs returning the ids, as bulk_create's, built once;
- elsewhere with bulk_create.
Inside the caller's transaction. For plain new rows only: like bulk_create, no signal is
sent and no save() is called.
"""

from collections.abc import Callable

from django.db import connection
from django.db.models import Field, Model

from .encrypted import EncryptedTextField

# The fields whose Python values the drivers take as they are (psycopg adapts dates,
# times and intervals itself; sqlite3 does not).
_PLAIN = {
    "AutoField", "BigAutoField", "BigIntegerField", "BooleanField", "CharField",
    "ForeignKey", "IntegerField", "OneToOneField", "PositiveBigIntegerField",
    "PositiveIntegerField", "PositiveSmallIntegerField", "SmallIntegerField", "TextField",
}  # fmt: skip
_PLAIN_FOR = {
    "postgresql": frozenset(_PLAIN | {"DateField", "DateTimeField", "DurationField"}),
    "sqlite": frozenset(_PLAIN),
}

_ADAPTED = {"DateTimeField": "adapt_datetimefield_value", "DateField": "adapt_datefield_value"}


def insert_many(model: type[Model], rows: list[Model], batch_size: int = 2000) -> list[Model]:
    """Insert `rows`, new objects of `model`, and give each its id."""
    if not rows:
        return rows
    if connection.vendor == "postgresql":
        _copy(model, rows)
    elif connection.vendor == "sqlite" and connection.features.can_return_rows_from_bulk_insert:
        _insert_returning(model, rows)
    else:
        return model.objects.bulk_create(rows, batch_size=batch_size)
    for row in rows:
        row._state.adding, row._state.db = False, connection.alias
    return rows


def _copy(model: type[Model], rows: list[Model]) -> None:
    meta, quote = model._meta, connection.ops.quote_name
    with connection.cursor() as cursor:
        without_id = [row for row in rows if row.pk is None]
        if without_id:
            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
                [meta.db_table, meta.pk.column, len(without_id)],
            )
            for row, (new_id,) in zip(without_id, cursor.fetchall(), strict=True):
                row.pk = new_id
        fields = meta.concrete_fields
        values = _values_of(fields)
        columns = ", ".join(quote(f.column) for f in fields)
        with cursor.cursor.copy(f"COPY {quote(meta.db_table)} ({columns}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(values(row))


def _insert_returning(model: type[Model], rows: list[Model]) -> None:
    meta, quote = model._meta, connection.ops.quote_name
    with_id = [row for row in rows if row.pk is not None]
    without_id = [row for row in rows if row.pk is None]
    with connection.cursor() as cursor:
        for group, fields in (
            (with_id, meta.concrete_fields),
            (without_id, [f for f in meta.concrete_fields if f is not meta.pk]),
        ):
            values = _values_of(fields)
            per_statement = connection.ops.bulk_batch_size(fields, group)
            head = (
                f"INSERT INTO {quote(meta.db_table)} ({', '.join(quote(f.column) for f in fields)})"
                " VALUES "
            )
            one = "(" + ", ".join(["%s"] * len(fields)) + ")"
            for start in range(0, len(group), per_statement):
                batch = group[start : start + per_statement]
                # The driver's cursor: with DEBUG, Django's would log each statement with
                # its values quoted, one more query as long as the INSERT.
                cursor.cursor.execute(
                    head + ", ".join([one] * len(batch)) + f" RETURNING {quote(meta.pk.column)}",
                    [value for row in batch for value in values(row)],
                )
                # SQLite returns the ids of a multi-row INSERT in the rows' order (as
                # bulk_create relies on too).
                for row, (new_id,) in zip(batch, cursor.cursor.fetchall(), strict=True):
                    row.pk = new_id


def _values_of(fields: list[Field]) -> Callable[[Model], list]:
    """How to read a row's values for the database, field by field."""
    plain = _PLAIN_FOR[connection.vendor]
    readers = [_reader(field, plain) for field in fields]
    return lambda row: [read(row) for read in readers]


def _reader(field: Field, plain: frozenset[str]) -> Callable[[Model], object]:
    if (
        getattr(field, "auto_now", False)
        or getattr(field, "auto_now_add", False)
        or isinstance(field, EncryptedTextField)
    ):
        # Stamps the row with the time, or encrypts the value and stamps its hash (the
        # hash field's reader comes after), as an INSERT by save() or bulk_create would.
        return lambda row: field.get_db_prep_save(field.pre_save(row, add=True), connection)
    kind = field.get_internal_type()
    if kind in plain:
        return lambda row: getattr(row, field.attname)
    if kind in _ADAPTED:  # the backend's own adapter, without the field's checks
        adapt = getattr(connection.ops, _ADAPTED[kind])
        return lambda row: adapt(getattr(row, field.attname))
    return lambda row: field.get_db_prep_save(getattr(row, field.attname), connection)
