"""Sums of money columns, exact on SQLite too.

SQLite's SUM adds floats: 3 x 9999999999999.99 comes back 30000000000000.0, and a period of
80,000 cent amounts drifts by a fraction of a cent per thousand lines. :class:`ExactSum` is
``Sum`` everywhere a page or the API totals amounts; on SQLite it calls an aggregate that
adds the values as Decimals (registered on every connection, see :func:`register`), on
PostgreSQL the database's own exact SUM of numeric.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.db import models
from django.db.backends.signals import connection_created
from django.db.models import Sum

FUNCTION = "TQ_EXACT_SUM"


class _DecimalSum:
    """SQLite aggregate: the Decimal sum of the column, as text (None for no values)."""

    def __init__(self) -> None:
        self.total: Decimal | None = None

    def step(self, value: object) -> None:
        if value is not None:
            # a stored amount has at most 15 significant digits (data.limits), so the
            # float's shortest repr is the amount as written
            self.total = (self.total or Decimal(0)) + Decimal(repr(value) if isinstance(
                value, float) else str(value))

    def finalize(self) -> str | None:
        return None if self.total is None else str(self.total)


class ExactSum(Sum):  # type: ignore[misc]
    """``Sum`` of a decimal column that is exact on every database; the result is a
    Decimal (None when there are no rows)."""

    def __init__(self, expression: Any, **extra: Any) -> None:
        super().__init__(expression, output_field=models.TextField(), **extra)

    def as_sqlite(self, compiler: Any, connection: Any, **extra_context: Any) -> Any:
        return self.as_sql(compiler, connection, function=FUNCTION, **extra_context)

    def convert_value(self, value: Any, expression: Any, connection: Any) -> Decimal | None:
        return None if value is None else Decimal(str(value))


def _on_connection(sender: Any, connection: Any, **kwargs: Any) -> None:
    if connection.vendor == "sqlite":
        connection.connection.create_aggregate(FUNCTION, 1, _DecimalSum)


def register() -> None:
    connection_created.connect(_on_connection, dispatch_uid="teamquota-exact-sum")
