"""Fast inserts of result rows (a run on 1M deals writes millions of credit rows).

Django's ``bulk_create`` builds a model instance per row; here rows go straight to
``executemany`` with the model's own table and column names, inside the caller's
transaction. Values must already have the field's Python type (Decimal, date, str).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from itertools import islice
from typing import Any

from django.db import connection, models


def insert_rows(model: type[models.Model], fields: Sequence[str],
                rows: Iterable[Sequence[Any]], batch: int = 20000) -> int:
    """Insert ``rows`` (tuples in ``fields`` order); returns how many were written."""
    columns = [model._meta.get_field(f).column for f in fields]
    table = connection.ops.quote_name(model._meta.db_table)
    sql = (f"INSERT INTO {table} ({', '.join(connection.ops.quote_name(c) for c in columns)})"
           f" VALUES ({', '.join(['%s'] * len(columns))})")
    written = 0
    iterator = iter(rows)
    with connection.cursor() as cursor:
        while chunk := list(islice(iterator, batch)):
            cursor.executemany(sql, chunk)
            written += len(chunk)
    return written
