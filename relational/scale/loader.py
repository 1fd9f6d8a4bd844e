"""Fast loading for the scale data: rows buffered per table and written with PostgreSQL's COPY
(psycopg 3's ``cursor.copy()``), table by table in the order given, inside the caller's
transaction; :func:`bulk_load` sets foreign keys and secondary indexes aside meanwhile.

Primary keys are given here, not by the database: :meth:`Loader.new_id` counts on from each
table's sequence, and :meth:`Loader.finish` moves the sequences past what was written, so the
app's own inserts carry on from there. A row names its columns by attribute name
(``place_id``); any field left out takes the model's default, and a field with no default must
be given.
"""

from __future__ import annotations

import contextlib
import json
import operator
import re
from collections.abc import Callable, Iterator, Sequence
from typing import Any

from django.contrib.postgres.fields import ArrayField
from django.db import connection, models
from django.db.models.fields import AutoFieldMixin

_REQUIRED = object()


_PLAIN_ARRAY = re.compile(r"\{([\w.-]+(,[\w.-]+)*)?\}")


def _array(items: Sequence[Any]) -> str:
    """A PostgreSQL array literal of plain words or numbers (nothing that needs quoting)."""
    text = "{" + ",".join(map(str, items)) + "}"
    if not _PLAIN_ARRAY.fullmatch(text):
        raise ValueError(f"cannot write {items!r} as a plain array literal")
    return text


class _Table:
    def __init__(self, model: type[models.Model]) -> None:
        self.model = model
        self.name = model._meta.db_table
        fields = [
            f for f in model._meta.concrete_fields if not isinstance(f, models.GeneratedField)
        ]
        self.columns = [f.attname for f in fields]
        self.defaults: dict[str, Any] = {}
        self.json = {f.attname for f in fields if isinstance(f, models.JSONField)}
        self.arrays = {f.attname for f in fields if isinstance(f, ArrayField)}
        self.getter = operator.itemgetter(*self.columns)
        for f in fields:
            if f.primary_key:
                self.defaults[f.attname] = _REQUIRED
            elif f.has_default():
                default = f.default
                if default in (list, dict):
                    self.defaults[f.attname] = default()
                elif callable(default):
                    self.defaults[f.attname] = _REQUIRED
                else:
                    self.defaults[f.attname] = default
            elif f.null:
                self.defaults[f.attname] = None
            elif f.blank and isinstance(f, (models.CharField, models.TextField)):
                self.defaults[f.attname] = ""
            else:
                self.defaults[f.attname] = _REQUIRED
        pk = model._meta.pk
        assert pk is not None
        self.pk = pk.attname
        self.sequenced = isinstance(pk, AutoFieldMixin)
        self.rows: list[tuple[Any, ...]] = []
        self.next_id = 0
        self.written = 0


class Loader:
    """Buffers rows and COPYs them, a table at a time, in the order the models were given."""

    def __init__(
        self,
        models_in_order: Sequence[type[models.Model]],
        *,
        batch: int = 50_000,
        on_flush: Callable[[], None] | None = None,
    ) -> None:
        self.tables = {m: _Table(m) for m in models_in_order}
        self.batch = batch
        self.buffered = 0
        self.on_flush = on_flush
        with connection.cursor() as cursor:
            for table in self.tables.values():
                if not table.sequenced:
                    continue
                cursor.execute(f"SELECT COALESCE(MAX({table.pk}), 0) FROM {table.name}")
                (top,) = cursor.fetchone()
                cursor.execute("SELECT pg_get_serial_sequence(%s, %s)", [table.name, table.pk])
                (sequence,) = cursor.fetchone()
                cursor.execute(f"SELECT last_value, is_called FROM {sequence}")
                value, called = cursor.fetchone()
                last = value if called else value - 1
                table.next_id = max(top, last) + 1

    def new_id(self, model: type[models.Model]) -> int:
        table = self.tables[model]
        table.next_id += 1
        return table.next_id - 1

    def add(self, model: type[models.Model], **values: Any) -> int:
        """Buffer one row; returns its primary key (given, or a new one)."""
        table = self.tables[model]
        if table.pk not in values:
            values[table.pk] = self.new_id(model)
        # Arrays and JSON go as the text PostgreSQL reads them (psycopg's own adapters for
        # them are written in Python, and slow at this volume).
        for name in table.json:
            if name in values:
                values[name] = json.dumps(values[name], ensure_ascii=False)
        for name in table.arrays:
            if name in values:
                values[name] = _array(values[name])
        merged = table.defaults | values
        if len(merged) != len(table.columns):
            unknown = set(values) - set(table.columns)
            raise TypeError(f"{table.name} has no column {', '.join(sorted(unknown))}")
        row = table.getter(merged)
        if _REQUIRED in row:
            absent = [c for c, v in zip(table.columns, row, strict=True) if v is _REQUIRED]
            raise TypeError(f"{table.name} needs {', '.join(absent)}")
        table.rows.append(row)
        self.buffered += 1
        if self.buffered >= self.batch:
            self.flush()
        return values[table.pk]

    def flush(self) -> None:
        with connection.cursor() as wrapper:
            cursor = wrapper.cursor
            for table in self.tables.values():
                if not table.rows:
                    continue
                columns = ", ".join(f'"{c}"' for c in table.columns)
                with cursor.copy(f"COPY {table.name} ({columns}) FROM STDIN") as copy:
                    for row in table.rows:
                        copy.write_row(row)
                table.written += len(table.rows)
                table.rows = []
        self.buffered = 0
        if self.on_flush is not None:
            self.on_flush()

    def finish(self) -> dict[str, int]:
        """Write what is left, move the sequences on, and say how many rows each table got."""
        self.flush()
        with connection.cursor() as cursor:
            for table in self.tables.values():
                if table.written and table.sequenced:
                    cursor.execute(
                        "SELECT setval(pg_get_serial_sequence(%s, %s), %s)",
                        [table.name, table.pk, table.next_id - 1],
                    )
        return {t.name: t.written for t in self.tables.values()}

    def written(self, model: type[models.Model]) -> int:
        table = self.tables[model]
        return table.written + len(table.rows)


@contextlib.contextmanager
def bulk_load(
    tables: Sequence[type[models.Model]], *, quiet: Sequence[tuple[str, str]] = ()
) -> Iterator[None]:
    """Load the way ``pg_restore`` does, inside the caller's transaction: the tables' foreign
    keys and secondary indexes are dropped, then built again (and so checked) in one pass each
    when the block ends; ``quiet`` triggers (table, trigger name) are disabled
    meanwhile. Unique constraints and check constraints stay on throughout. Everything is
    transactional: a failure leaves the schema as it was."""
    names = [m._meta.db_table for m in tables]
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid) "
            "FROM pg_constraint WHERE contype = 'f' AND conrelid = ANY(%s::regclass[]) "
            "ORDER BY 1, 2",
            [names],
        )
        keys = cursor.fetchall()
        cursor.execute(
            "SELECT indexrelid::regclass::text, pg_get_indexdef(indexrelid) FROM pg_index i "
            "WHERE indrelid = ANY(%s::regclass[]) AND NOT indisprimary AND NOT EXISTS "
            "(SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid) ORDER BY 1",
            [names],
        )
        indexes = cursor.fetchall()
        for table, name, _ in keys:
            cursor.execute(f'ALTER TABLE {table} DROP CONSTRAINT "{name}"')
        for name, _ in indexes:
            cursor.execute(f"DROP INDEX {name}")
        for table, trigger in quiet:
            cursor.execute(f'ALTER TABLE {table} DISABLE TRIGGER "{trigger}"')
    yield
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL maintenance_work_mem = '512MB'")
        for table, trigger in quiet:
            cursor.execute(f'ALTER TABLE {table} ENABLE TRIGGER "{trigger}"')
        for _, definition in indexes:
            cursor.execute(definition)
        for table, name, definition in keys:
            cursor.execute(f'ALTER TABLE {table} ADD CONSTRAINT "{name}" {definition}')
