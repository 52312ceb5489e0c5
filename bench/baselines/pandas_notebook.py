"""The hybrid plan as an analyst would write it in a pandas notebook.

Vectorised pandas (Arrow-backed dtypes, so deal amounts are summed as exact decimals);
the few aggregated rows per payee and quarter are then finished with the exact
arithmetic of :mod:`bench.hybrid`.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pyarrow as pa

from bench import hybrid
from bench.lines import LINES, normalise

DTYPES = {
    "deals": {"deal_id": "string", "owner_id": "string", "account": "string",
              "product": "string", "amount": "decimal128(18, 2)", "currency": "string",
              "stage": "string", "close_date": "date32"},
}


def _read(directory: Path, name: str, fmt: str, columns: list[str] | None = None
          ) -> pd.DataFrame:
    if fmt == "parquet":
        return pd.read_parquet(directory / f"{name}.parquet", columns=columns,
                               dtype_backend="pyarrow")
    # the same typed read a notebook would do with pyarrow's CSV engine
    import pyarrow.csv as pacsv

    from teamquota.data.tables import TABLES
    schema = TABLES[name].schema
    table = pacsv.read_csv(directory / f"{name}.csv",
                           convert_options=pacsv.ConvertOptions(
                               column_types={f.name: f.type for f in schema},
                               include_columns=columns))
    return table.to_pandas(types_mapper=pd.ArrowDtype)


def _quarter(dates: pd.Series) -> pd.Series:
    return dates.dt.year.astype("string") + "-Q" + dates.dt.quarter.astype("string")


def run(directory: str | Path, fmt: str = "parquet") -> pa.Table:
    directory = Path(directory)
    deals = _read(directory, "deals", fmt, ["owner_id", "stage", "amount", "close_date"])
    payees = _read(directory, "payees", fmt, ["payee_id", "target_incentive"])
    members = _read(directory, "memberships", fmt)
    targets = _read(directory, "targets", fmt)

    close_days = deals["close_date"].dropna().drop_duplicates()
    period_starts = (pd.to_datetime(close_days.astype("datetime64[s]"))
                     .dt.to_period("Q").drop_duplicates())
    periods = pd.DataFrame({"period": period_starts.astype(str).str.replace("Q", "-Q"),
                            "q_start": period_starts.dt.start_time.dt.normalize(),
                            "q_end": period_starts.dt.end_time.dt.normalize()})
    periods["q_days"] = (periods["q_end"] - periods["q_start"]).dt.days + 1

    won = deals[deals["stage"] == hybrid.WON].copy()
    won["period"] = _quarter(won["close_date"])

    # personal: the owner's Won bookings in the quarter
    personal_measure = (won.groupby(["owner_id", "period"], observed=True)["amount"].sum()
                        .rename("measure").reset_index()
                        .rename(columns={"owner_id": "payee_id"}))
    personal = (targets[(targets["subject_type"] == "payee")
                        & (targets["measure"] == "personal")]
                .drop(columns=["subject_type", "measure"])
                .rename(columns={"subject_id": "payee_id", "amount": "target"})
                .merge(periods[["period"]], on="period")
                .merge(payees, on="payee_id")
                .merge(personal_measure, on=["payee_id", "period"], how="left"))

    # team: each Won deal credits the owner's team on its close date
    members["end"] = members["end_date"].fillna(pd.Timestamp.max.date())
    credited = won.merge(members, left_on="owner_id", right_on="payee_id")
    credited = credited[(credited["close_date"] >= credited["start_date"])
                        & (credited["close_date"] <= credited["end"])]
    team_measure = (credited.groupby(["team_id", "period"], observed=True)["amount"].sum()
                    .rename("measure").reset_index())

    spans = members.merge(periods, how="cross")
    start = pd.to_datetime(spans["start_date"].astype("datetime64[s]"))
    end = pd.to_datetime(spans["end_date"].astype("datetime64[s]")).fillna(spans["q_end"])
    spans["days"] = ((end.clip(upper=spans["q_end"]) - start.clip(lower=spans["q_start"]))
                     .dt.days + 1)
    spans = (spans[spans["days"] > 0]
             .groupby(["period", "payee_id", "team_id", "q_days"], observed=True)["days"]
             .sum().reset_index())
    team = (spans
            .merge(targets[(targets["subject_type"] == "team")
                           & (targets["measure"] == "team")]
                   .drop(columns=["subject_type", "measure"])
                   .rename(columns={"subject_id": "team_id", "amount": "target"}),
                   on=["team_id", "period"])
            .merge(payees, on="payee_id")
            .merge(team_measure, on=["team_id", "period"], how="left"))

    # the exact finish, row by row on the (small) aggregated frames
    zero = hybrid.D("0")
    personal["measure"] = personal["measure"].fillna(zero)
    team["measure"] = team["measure"].fillna(zero)
    personal_amounts = [
        hybrid.personal_amount(ti, m, t)
        for ti, m, t in zip(*(personal[c].to_list() for c in
                              ("target_incentive", "measure", "target")), strict=True)]
    team_amounts = [
        hybrid.team_amount(ti, m, t, days, q_days)
        for ti, m, t, days, q_days in zip(*(team[c].to_list() for c in
                                            ("target_incentive", "measure", "target",
                                             "days", "q_days")), strict=True)]
    lines = pd.concat([
        pd.DataFrame({"period": personal["period"], "payee_id": personal["payee_id"],
                      "component_id": "personal", "team_id": None,
                      "amount": personal_amounts}),
        pd.DataFrame({"period": team["period"], "payee_id": team["payee_id"],
                      "component_id": "team", "team_id": team["team_id"],
                      "amount": team_amounts}),
    ], ignore_index=True)
    return normalise(pa.Table.from_pandas(lines.astype({"period": str, "payee_id": str}),
                                          schema=LINES, preserve_index=False))
