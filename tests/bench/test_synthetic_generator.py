"""The synthetic generator: canonical schemas, determinism and effective-dated moves."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pyarrow.compute as pc
import pyarrow.parquet as pq

from teamquota.data.tables import TABLES
from teamquota.synthetic import SyntheticSpec, generate, write_dataset


def test_generate__tables_have_the_canonical_schemas() -> None:
    tables = generate(SyntheticSpec.tiny(deals=500))
    for name, table in tables.items():
        assert table.schema.equals(TABLES[name].schema), name
    assert tables["deals"].num_rows == 500
    # 2 regions + 6 leaf teams; 50 payees
    assert tables["teams"].num_rows == 8 and tables["payees"].num_rows == 50


def test_generate__same_seed_same_rows_other_seed_other_rows() -> None:
    first = generate(SyntheticSpec.tiny(deals=300))
    assert all(first[n].equals(t) for n, t in generate(SyntheticSpec.tiny(deals=300)).items())
    assert not first["deals"].equals(generate(SyntheticSpec.tiny(deals=300, seed=1))["deals"])


def test_generate__movers_end_one_membership_the_day_before_the_next() -> None:
    rows = generate(SyntheticSpec.tiny(deals=10))["memberships"].to_pylist()
    by_payee: dict[str, list[dict]] = {}
    for row in rows:
        by_payee.setdefault(row["payee_id"], []).append(row)
    movers = [m for m in by_payee.values() if len(m) > 1]
    assert movers and all(len(m) == 2 for m in movers)
    for old, new in movers:
        assert old["end_date"] + timedelta(days=1) == new["start_date"]
        assert old["team_id"] != new["team_id"] and new["end_date"] is None


def test_generate__open_deals_have_no_close_date_and_closed_deals_have_amounts() -> None:
    deals = generate(SyntheticSpec.tiny(deals=2_000))["deals"]
    open_ = pc.is_in(deals["stage"], value_set=__import__("pyarrow").array(["Won", "Lost"]))
    closed = deals.filter(open_)
    assert closed["close_date"].null_count == 0 and closed["amount"].null_count == 0
    assert deals.filter(pc.invert(open_))["close_date"].null_count == \
        deals.num_rows - closed.num_rows


def test_write_dataset__streams_deals_in_row_groups_of_one_chunk(tmp_path: Path) -> None:
    spec = SyntheticSpec.tiny(deals=2_500)  # chunks of 1,000 rows
    write_dataset(spec, tmp_path)
    meta = pq.ParquetFile(tmp_path / "deals.parquet").metadata
    assert (meta.num_rows, meta.num_row_groups) == (2_500, 3)
    on_disk = pq.read_table(tmp_path / "deals.parquet")
    assert on_disk.equals(generate(spec)["deals"])
    assert (tmp_path / "deals.csv").read_text().count("\n") == 2_501  # header + rows


def test_dataset__is_ready_for_calculate() -> None:
    from teamquota.synthetic import dataset
    data = dataset(SyntheticSpec.tiny(deals=200))
    assert data.has("deals") and data["deals"].num_rows == 200
    assert data.sources["deals"] == "<synthetic deals>"


def test_late_deals__continue_the_ids_and_differ_by_seed() -> None:
    from teamquota.synthetic import build_organisation, late_deals
    spec = SyntheticSpec.tiny(deals=300)
    org = build_organisation(spec)
    late = late_deals(org, 3)
    # the data set's deals are D000000001 .. D000000300
    assert late["deal_id"].to_pylist() == ["D000000301", "D000000302", "D000000303"]
    assert late.schema.equals(TABLES["deals"].schema)
    assert late.equals(late_deals(org, 3)) and not late.equals(late_deals(org, 3, seed=1))
    assert generate(spec)["deals"].equals(generate(spec)["deals"])  # chunks unchanged
