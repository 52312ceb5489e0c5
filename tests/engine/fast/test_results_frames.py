"""Results in a notebook (issue 14): ``Results.to_pandas()`` keeps Arrow's decimal types
(``decimal128(p, s)[pyarrow]``), so a money column adds up to an exact Decimal, and
``Results.to_polars()`` gives polars Decimals. Plain ``pyarrow.Table.to_pandas()`` makes
them ``object`` columns whose mean is a float."""

from __future__ import annotations

from decimal import Decimal

import pandas as pd
import pyarrow as pa
import pytest

from teamquota.engine.results import ATTAINMENT_SCHEMA, CREDITS, PAYOUTS, Results

AMOUNTS = ["0.10", "0.20", "9999999999999999.99"]  # 0.1 + 0.2 is not 0.3 in floats


def results() -> Results:
    lines = [dict.fromkeys(PAYOUTS.names) | {
        "period": "2017-Q1", "payee_id": f"p{i}", "component_id": "sales",
        "line_type": "commission", "amount": Decimal(amount), "currency": "USD",
        "attainment": Decimal("1.5"), "rule": "r"} for i, amount in enumerate(AMOUNTS)]
    return Results(CREDITS.empty_table(), ATTAINMENT_SCHEMA.empty_table(),
                   pa.Table.from_pylist(lines, schema=PAYOUTS))


def test_to_pandas__decimal_columns_keep_their_arrow_type() -> None:
    frame = results().to_pandas()
    assert str(frame["amount"].dtype) == "decimal128(18, 2)[pyarrow]"
    assert str(frame["attainment"].dtype) == "decimal128(38, 12)[pyarrow]"
    assert str(frame["payee_id"].dtype) == "string[pyarrow]"


def test_to_pandas__a_money_column_sums_to_the_exact_decimal() -> None:
    # 0.10 + 0.20 + 9,999,999,999,999,999.99 = 10,000,000,000,000,000.29 (a float has
    # about 16 significant digits: 1e16 exactly)
    total = results().to_pandas()["amount"].sum()
    assert isinstance(total, Decimal)
    assert total == sum(map(Decimal, AMOUNTS)) == Decimal("10000000000000000.29")
    assert float(results().payouts.to_pandas()["amount"].astype(float).sum()) == 1e16


def test_to_pandas__other_tables_by_name() -> None:
    assert list(results().to_pandas("credits").columns) == CREDITS.names
    assert str(results().to_pandas("credits")["amount"].dtype) == \
        "decimal128(38, 10)[pyarrow]"


def test_to_polars__money_is_a_polars_decimal() -> None:
    pl = pytest.importorskip("polars")
    frame = results().to_polars()
    assert frame.schema["amount"] == pl.Decimal(18, 2)
    total = frame["amount"].sum()
    assert isinstance(total, Decimal) and total == Decimal("10000000000000000.29")


def test_to_pandas__without_pandas_arrow_types_is_object() -> None:
    # why to_pandas() exists: pyarrow's own conversion gives object columns of Decimal
    assert results().payouts.to_pandas()["amount"].dtype == pd.api.types.pandas_dtype("O")


def test_to_pandas__a_mean_stays_a_decimal() -> None:
    # 1,000,000,000,000,000,029 cents / 3 = 333,333,333,333,333,343 cents exactly; the object
    # column's mean is the float 3333333333333333.5
    mean = results().to_pandas()["amount"].mean()
    assert isinstance(mean, Decimal) and mean == Decimal("3333333333333333.43")
