# ruff: noqa: E501  (expected diagnostics are compared whole, one line each)
"""Parquet files are held to the CSV bounds, checked on the file's footer before any row is
read: at most 1,000 columns (D025), names of at most 10,000 characters (D025), no repeated
names (D018), flat columns only (D014), and a footer that fits the file (D000: a footer
claiming 10^15 rows made pyarrow ask for a 2 PB allocation). A value longer than its column
holds is D026 on its row, as in a CSV. The same diagnostics come from a plain load, a load
through a column map (which reads the file with pyarrow) and ``teamquota calc``.
"""

from __future__ import annotations

from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from typer.testing import CliRunner

from teamquota.data.loader import load_table
from teamquota.data.readers import ReadError, read_raw
from tests.data import parquet_footer as footer

DEAL = {"deal_id": "D1", "owner_id": "p1", "account": "Acme", "product": "GTX",
        "amount": "10.00", "currency": "USD", "stage": "Won", "close_date": "2017-02-01"}
COLUMNS_HINT = "hint: split the file, or drop the columns the table does not use"


def _deals(path: Path, extra: dict[str, pa.Array] | None = None, **values: object) -> Path:
    row = {**DEAL, **values}
    arrays = {k: pa.array([v]) for k, v in row.items()}
    names, columns = list(arrays), list(arrays.values())
    for name, array in (extra or {}).items():
        names.append(name)
        columns.append(array)
    pq.write_table(pa.Table.from_arrays(columns, names=names), path)
    return path


def _errors(path: Path) -> str:
    _, _, diagnostics = load_table("deals", path)
    return "\n".join(d.render() for d in diagnostics if d.severity == "error")


def _wide(path: Path, columns: int) -> Path:
    # the 8 deal columns and (columns - 8) more text columns
    return _deals(path, {f"c{i}": pa.array(["x"]) for i in range(columns - len(DEAL))})


def test_parquet__1000_columns_load(tmp_path: Path) -> None:
    assert _errors(_wide(tmp_path / "deals.parquet", 1_000)) == ""


@pytest.mark.parametrize("columns", [1_001, 40_000])
def test_parquet__more_than_1000_columns_are_d025_from_the_footer(tmp_path: Path,
                                                                 columns: int) -> None:
    path = _wide(tmp_path / "deals.parquet", columns)
    assert _errors(path) == (f"{path}: error[D025]: the file has {columns:,} columns; a "
                             f"file has at most 1,000\n{COLUMNS_HINT}")


def test_parquet__a_10000_character_name_loads_and_10001_is_d025(tmp_path: Path) -> None:
    ok = _deals(tmp_path / "ok.parquet", {"n" * 10_000: pa.array(["x"])})
    assert _errors(ok) == ""
    path = _deals(tmp_path / "deals.parquet", {"n" * 10_001: pa.array(["x"])})
    assert _errors(path) == (f"{path}: error[D025]: column name 9 is 10,001 characters "
                             f"long; a value has at most 10,000\n{COLUMNS_HINT}")


def test_parquet__a_repeated_name_is_d018(tmp_path: Path) -> None:
    path = _deals(tmp_path / "deals.parquet", {"stage": pa.array(["Lost"])})
    assert _errors(path) == (f"{path}: error[D018]: column 'stage' appears 2 times in the "
                             "file (columns 7, 9)\nhint: rename or remove one of them")


@pytest.mark.parametrize(("name", "array", "shown"), [
    ("meta", pa.array([{"a": 1}]), "struct<a: int64>"),
    ("tags", pa.array([["x", "y"]]), "list<element: string>"),
    ("amount", pa.array([[1, 2]]), "list<element: int64>"),
])
def test_parquet__a_nested_column_is_d014_from_the_footer(tmp_path: Path, name: str,
                                                         array: pa.Array, shown: str) -> None:
    row = {k: pa.array([v]) for k, v in DEAL.items()}
    row[name] = array
    path = tmp_path / "deals.parquet"
    pq.write_table(pa.table(row), path)
    assert _errors(path) == (
        f"{path}: error[D014]: column '{name}' is a nested column ({shown}); a table's "
        "columns hold one value per row (text, a number or a date)\nhint: flatten it into "
        "columns of their own before loading")


def test_parquet__a_1_mb_value_is_d026_on_its_row(tmp_path: Path) -> None:
    path = _deals(tmp_path / "deals.parquet", account="a" * 1_048_576)
    assert _errors(path) == (
        f"{path}:1: error[D026]: column 'account': a value of 1048576 characters is longer "
        f"than the 200 the column holds: '{'a' * 40}...'\nhint: shorten the value in the "
        "source system")


def _claiming(tmp_path: Path, change: str) -> Path:
    path = _deals(tmp_path / "deals.parquet")
    body, fields = footer.read_footer(path)
    if change == "rows":  # 10^15 rows, consistently in every count of the footer
        footer.get(fields, 3).value = 10 ** 15
        footer.get(footer.get(fields, 4).value[1][0], 3).value = 10 ** 15
        for column in range(len(DEAL)):
            footer.get(footer.column_meta(fields, 0, column), 5).value = 10 ** 15
    else:  # the amount column's data claims a petabyte
        meta = footer.column_meta(fields, 0, 4)
        footer.get(meta, 6).value = footer.get(meta, 7).value = 10 ** 15
    footer.write_footer(path, body, fields)
    return path


def test_parquet__a_footer_claiming_10_15_rows_is_d000_before_any_row_is_read(
        tmp_path: Path) -> None:
    path = _claiming(tmp_path, "rows")
    size = path.stat().st_size
    assert _errors(path) == (
        f"{path}: error[D000]: the file's footer claims 1,000,000,000,000,000 rows, more "
        f"than a file of {size:,} bytes holds (at most 1,000 rows per byte); the file is "
        "damaged")
    with pytest.raises(ReadError) as raised:  # the web preview's reader: was ArrowMemoryError
        read_raw(path)
    assert raised.value.code == "D000"


def test_parquet__a_footer_claiming_a_petabyte_column_is_d000(tmp_path: Path) -> None:
    path = _claiming(tmp_path, "size")
    size = path.stat().st_size
    assert _errors(path) == (
        f"{path}: error[D000]: the file's footer claims 1,000,000,000,000,000 bytes for "
        f"column 'amount', more than the file's {size:,}; the file is damaged")


def test_parquet__the_checks_hold_through_a_column_map(tmp_path: Path) -> None:
    # a column map reads the file with pyarrow (read_raw): the footer is checked first
    path = _claiming(tmp_path, "rows")
    from teamquota.data.columnmap import TableMap
    _, _, diagnostics = load_table("deals", path, TableMap(source=path.name))
    assert [d.code for d in diagnostics if d.severity == "error"] == ["D000"]


def test_calc__a_40000_column_parquet_is_a_located_d025(tmp_path: Path) -> None:
    from teamquota.cli.app import app
    from tests.cli.test_cli_calc import FILES, PLAN
    data = tmp_path / "data"
    data.mkdir()
    for name, text in FILES.items():
        if name != "deals.csv":
            (data / name).write_text(text, encoding="utf-8")
    path = _wide(data / "deals.parquet", 40_000)
    result = CliRunner().invoke(app, ["calc", PLAN, "--data", str(data), "--out",
                                      str(tmp_path / "out"), "--period", "2017-Q1"])
    assert result.exit_code == 1
    assert (f"{path}: error[D025]: the file has 40,000 columns; a file has at most 1,000\n"
            f"{COLUMNS_HINT}") in result.stderr
    assert "Traceback" not in result.output
