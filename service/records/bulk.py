"""Bulk INSERTs for the importer and the writers it shares (history, list changes): COPY on
PostgreSQL, executemany batches elsewhere. The same rows either way.

A multi-row INSERT of thousands of rows costs psycopg more to build (it parses the statement
text for its placeholders every time) than the server to run; COPY sends the rows as data.
Each value goes through its column's SQLAlchemy bind processing, as an INSERT's would, and
a column the rows leave out gets its Python-side default the same way.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Connection, Table, func, insert, select

from .common import WRITE_BATCH, chunks

# Fewer rows than this go as an ordinary INSERT (a COPY has its own round trips).
COPY_MIN_ROWS = 50


def insert_rows(conn: Connection, table: Table, rows: Sequence[dict[str, Any]]) -> None:
    """INSERT ``rows`` (mappings with the same keys) into ``table``."""
    if not rows:
        return
    if _copies(conn, rows):
        _copy(conn, table, rows)
        return
    for chunk in chunks(rows, WRITE_BATCH):
        conn.execute(insert(table), chunk)


def insert_returning_ids(conn: Connection, table: Table, rows: Sequence[dict[str, Any]]) -> list[int]:
    """INSERT ``rows`` and return their new ids, in the rows' order (ascending, as one
    INSERT of them all would number them)."""
    if not rows:
        return []
    if _copies(conn, rows):
        sequence = func.pg_get_serial_sequence(table.name, "id")
        ids = sorted(conn.scalars(select(func.nextval(sequence)).select_from(func.generate_series(1, len(rows)))))
        _copy(conn, table, [{"id": i, **row} for i, row in zip(ids, rows, strict=True)])
        return ids
    out: list[int] = []
    for chunk in chunks(rows, WRITE_BATCH):
        result = conn.execute(insert(table).returning(table.c.id, sort_by_parameter_order=True), chunk)
        out += [r[0] for r in result]
    return out


def _copies(conn: Connection, rows: Sequence[Any]) -> bool:
    return conn.dialect.name == "postgresql" and conn.dialect.driver == "psycopg" and len(rows) >= COPY_MIN_ROWS


def _copy(conn: Connection, table: Table, rows: Sequence[dict[str, Any]]) -> None:
    dialect = conn.dialect
    given = list(rows[0])
    defaults: dict[str, Any] = {}
    for column in table.columns:
        if column.key in rows[0] or column.default is None:
            continue
        if not column.default.is_scalar:  # a callable default: let INSERT evaluate it
            for chunk in chunks(rows, WRITE_BATCH):
                conn.execute(insert(table), chunk)
            return
        defaults[column.key] = column.default.arg  # type: ignore[attr-defined]
    keys = [*given, *defaults]
    processors = [table.c[k].type.dialect_impl(dialect).bind_processor(dialect) for k in keys]
    names = ", ".join(dialect.identifier_preparer.quote(table.c[k].name) for k in keys)
    cursor = conn.connection.dbapi_connection.cursor()  # type: ignore[union-attr]
    try:
        with cursor.copy(f"COPY {dialect.identifier_preparer.format_table(table)} ({names}) FROM STDIN") as copy:
            fixed = list(defaults.values())
            for row in rows:
                values = [row[k] for k in given] + fixed
                copy.write_row([p(v) if p is not None else v for p, v in zip(processors, values, strict=True)])
    finally:
        cursor.close()
