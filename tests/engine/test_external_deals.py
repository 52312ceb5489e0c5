"""Deals read by the engine's backend where they live (data/external.py): the same payouts
to the cent as deals loaded from files, on every backend."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
import pytest

import teamquota
from teamquota.backends import Backend
from teamquota.core.diagnostics import Diagnostics
from teamquota.data.external import ExternalTable, canonical
from teamquota.data.loader import LoadOptions, load
from teamquota.synthetic import SyntheticSpec, write_dataset

PLAN = Path(__file__).parents[2] / "bench" / "ae-hybrid.yaml"


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    directory = tmp_path_factory.mktemp("org")
    write_dataset(SyntheticSpec.tiny(deals=3_000), directory, formats=("parquet",))
    return directory


def _source(backend: Backend, deals: Path) -> tuple[ExternalTable, object]:
    """A source of the deals each backend reads natively, and how to drop it afterwards."""
    if backend.name == "spark":
        backend.session.read.parquet(str(deals)).createOrReplaceTempView("crm_deals")
        return ExternalTable("table", "crm_deals"), None
    if backend.name == "postgres":
        backend.con.create_table("tq_test_crm_deals", pq.read_table(deals), overwrite=True)
        return ExternalTable("table", "tq_test_crm_deals"), "tq_test_crm_deals"
    return ExternalTable("parquet", str(deals)), None


def test_external_deals_pay_exactly_what_loaded_deals_pay(backend: Backend,
                                                           folder: Path) -> None:
    plan = teamquota.load_plan(str(PLAN))
    loaded = load(folder, options=LoadOptions(currency="USD"))
    assert loaded.dataset is not None, list(loaded.diagnostics)
    # on DuckDB: the engine suite already shows every backend pays what DuckDB pays
    expected = teamquota.calculate(plan, loaded.dataset)

    source, drop = _source(backend, folder / "deals.parquet")
    try:
        result = load(folder, options=LoadOptions(currency="USD", external={"deals": source},
                                                  backend=backend))
        assert result.dataset is not None, list(result.diagnostics)
        assert "deals" not in result.dataset.tables  # never read into Python
        got = teamquota.calculate(plan, result.dataset, backend=backend)
        # the credits (per deal, for statements) are read from the source when asked for
        credits = got.credits
    finally:
        if drop:
            backend.con.drop_table(drop, force=True)
    assert got.payouts.num_rows == expected.payouts.num_rows > 0
    assert got.payouts.equals(expected.payouts)
    assert got.attainment.equals(expected.attainment)
    assert credits.num_rows == expected.credits.num_rows > 0
    assert credits.equals(expected.credits)


def test_a_folder_of_parquet_parts_reads_as_one_table(folder: Path, tmp_path: Path) -> None:
    deals = pq.read_table(folder / "deals.parquet")
    parts = tmp_path / "deals"
    parts.mkdir()
    half = deals.num_rows // 2
    pq.write_table(deals.slice(0, half), parts / "part-0.parquet")
    pq.write_table(deals.slice(half), parts / "part-1.parquet")
    plan = teamquota.load_plan(str(PLAN))
    whole = load(folder, options=LoadOptions(external={"deals": ExternalTable(
        "parquet", str(folder / "deals.parquet"))}))
    split = load(folder, options=LoadOptions(external={"deals": ExternalTable(
        "parquet", str(parts))}))
    assert whole.dataset is not None and split.dataset is not None
    a = teamquota.calculate(plan, whole.dataset).payouts
    b = teamquota.calculate(plan, split.dataset).payouts
    assert a.num_rows > 0 and a.equals(b)


def test_incremental_recalculation_needs_loaded_deals(folder: Path) -> None:
    from teamquota.engine.incremental import recalculate

    plan = teamquota.load_plan(str(PLAN))
    result = load(folder, options=LoadOptions(external={"deals": ExternalTable(
        "parquet", str(folder / "deals.parquet"))}))
    assert result.dataset is not None
    first = teamquota.calculate(plan, result.dataset)
    with pytest.raises(ValueError, match="run a full calculation"):
        recalculate(first, plan, result.dataset, {"D1"})


def test_the_engine_reports_a_source_it_cannot_read(folder: Path) -> None:
    from teamquota.core.diagnostics import InputError
    from teamquota.data.dataset import Dataset

    loaded = load(folder)
    assert loaded.dataset is not None
    data = Dataset({k: v for k, v in loaded.dataset.tables.items() if k != "deals"},
                   external={"deals": ExternalTable("table", "crm.deals")})
    with pytest.raises(InputError) as caught:
        teamquota.calculate(teamquota.load_plan(str(PLAN)), data)
    (problem,) = list(caught.value.diagnostics)
    assert problem.code == "E051"
    assert "DuckDB reads parquet: and delta: sources; table:crm.deals needs" in problem.message


def test_delta_reads_the_current_version_only(backend: Backend, folder: Path,
                                              tmp_path: Path) -> None:
    # version 0 holds every deal at twice its amount; version 1 overwrites it with the real
    # deals. The folder holds both versions' files: only the log says which one is current.
    deltalake = pytest.importorskip("deltalake")
    if backend.name == "postgres":
        pytest.skip("PostgreSQL reads tables, not files")
    deals = pq.read_table(folder / "deals.parquet")
    doubled = deals.set_column(deals.schema.get_field_index("amount"), "amount",
                               pc.multiply(deals["amount"], 2).cast(deals["amount"].type))
    lake = tmp_path / "deals_delta"
    deltalake.write_deltalake(lake, doubled)
    deltalake.write_deltalake(lake, deals, mode="overwrite")
    assert len(list(lake.glob("*.parquet"))) == 2  # both versions' files are there

    got = load(folder, options=LoadOptions(external={"deals": ExternalTable(
        "delta", str(lake))}, backend=backend))
    assert got.dataset is not None, list(got.diagnostics)
    read = backend.collect(canonical(backend.read(got.dataset.external["deals"]), "delta",
                                     Diagnostics()).order_by("deal_id"))
    expected = deals.sort_by("deal_id")
    assert read.num_rows == expected.num_rows > 0
    for column in ("deal_id", "owner_id", "amount", "stage", "close_date"):
        assert read[column].to_pylist() == expected[column].to_pylist(), column
    # the same folder read as plain Parquet sees both versions: every deal id twice
    as_parquet = load(folder, options=LoadOptions(external={"deals": ExternalTable(
        "parquet", str(lake))}, backend=backend))
    assert as_parquet.dataset is None
    assert [d.code for d in as_parquet.diagnostics if d.severity == "error"] == ["D006"]


@pytest.mark.spark
def test_spark_without_delta_lake_refuses_a_partitioned_delta_table(
        spark_backend: Backend, folder: Path, tmp_path: Path) -> None:
    deltalake = pytest.importorskip("deltalake")
    lake = tmp_path / "partitioned"
    deltalake.write_deltalake(lake, pq.read_table(folder / "deals.parquet"),
                              partition_by=["stage"])
    result = load(folder, options=LoadOptions(external={"deals": ExternalTable(
        "delta", str(lake))}, backend=spark_backend))
    assert result.dataset is None
    (problem,) = [d for d in result.diagnostics if d.severity == "error"]
    assert problem.code == "D000"
    assert "needs a Delta reader (partition column stage): enable Delta Lake" in problem.message


def test_wide_decimal_amounts_are_checked_on_every_backend(backend: Backend,
                                                           tmp_path: Path) -> None:
    # NUMERIC / DECIMAL(38,18) as warehouses store money: 1.5 fits in cents, 1.005 does not
    from decimal import Decimal

    from teamquota.core.diagnostics import Diagnostics
    from teamquota.data.external import canonical, check_deals

    table = pa.table({
        "deal_id": ["D1", "D2"], "owner_id": ["ann", "ann"],
        "amount": pa.array([Decimal("1.5"), Decimal("1.005")], pa.decimal128(38, 18)),
        "currency": ["USD", "USD"], "stage": ["Won", "Won"],
        "close_date": pa.array([date(2017, 1, 5)] * 2)})
    drop = None
    if backend.name == "spark":
        backend.session.createDataFrame(table.to_pandas()).createOrReplaceTempView("wide")
        source = ExternalTable("table", "wide")
    elif backend.name == "postgres":
        backend.con.raw_sql("DROP TABLE IF EXISTS tq_test_wide; CREATE TABLE tq_test_wide "
                            "(deal_id text, owner_id text, amount numeric, currency text, "
                            "stage text, close_date date); INSERT INTO tq_test_wide VALUES "
                            "('D1','ann',1.5,'USD','Won','2017-01-05'),"
                            "('D2','ann',1.005,'USD','Won','2017-01-05')")
        source, drop = ExternalTable("table", "tq_test_wide"), "tq_test_wide"
    else:
        pq.write_table(table, tmp_path / "wide.parquet")
        source = ExternalTable("parquet", str(tmp_path / "wide.parquet"))
    try:
        raw = backend.read(source)
        diagnostics = Diagnostics()
        deals = canonical(raw, str(source), diagnostics)
        assert deals is not None
        check_deals(deals, backend, str(source), diagnostics,
                    payees=pa.table({"payee_id": ["ann"]}), source=raw)
    finally:
        if drop:
            backend.con.drop_table(drop, force=True)
    assert [(d.code, d.message) for d in diagnostics] == [
        ("D012", "1 deal: column 'amount' has more decimal places or digits than "
                 "decimal(18, 2) holds (e.g. deal 'D2')")]
