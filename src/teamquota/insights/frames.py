"""Dataset -> the pandas frames every insight reads.

:func:`deals_frame` gives one row per deal with its outcome (won / lost / open), amount as
a float (statistics only; payouts come from the engine), cycle days (close - engage), the
owner's team on the deal's date (from effective-dated memberships), a period label and a
deal-size band. :func:`activities_frame` does the same for activity logs.

Optional deal columns the loaders may carry as extras: ``engage_date``, ``sector``,
``series``, and for the conflict report ``previous_owner_id`` / ``owner_changed_date``.
"""

from __future__ import annotations

from typing import Literal

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from teamquota.data.dataset import Dataset

WON_STAGES = frozenset({"won", "closed won", "closed_won", "closedwon"})
LOST_STAGES = frozenset({"lost", "closed lost", "closed_lost", "closedlost"})
NO_TEAM = "(no team)"
PeriodKind = Literal["month", "quarter", "year"]
SIZE_BANDS = ("small", "mid", "large")


def _to_pandas(table: pa.Table) -> pd.DataFrame:
    """Arrow -> pandas with decimals as floats (for statistics, never for payouts)."""
    columns = {}
    for name in table.column_names:
        column = table[name]
        if pa.types.is_decimal(column.type):
            column = pc.cast(column, pa.float64())
        columns[name] = column
    return pa.table(columns).to_pandas()


FAR_FUTURE = pd.Timestamp("2200-01-01")


def _dates(series: pd.Series) -> pd.Series:
    # one unit everywhere (Arrow dates arrive as datetime64[s], strings parse to [ns]), so
    # merges and comparisons across tables never mix units
    return pd.to_datetime(series, errors="coerce").astype("datetime64[ns]")


def period_labels(dates: pd.Series, kind: PeriodKind = "quarter") -> pd.Series:
    """Calendar period labels as :mod:`teamquota.core.periods` writes them."""
    d = _dates(dates)
    year = d.dt.year.astype("Int64").astype(str)
    if kind == "year":
        labels = year
    elif kind == "quarter":
        labels = year + "-Q" + d.dt.quarter.astype("Int64").astype(str)
    else:
        labels = year + "-" + d.dt.month.astype("Int64").astype(str).str.zfill(2)
    return labels.where(d.notna(), None)


def outcome_of(stage: pd.Series) -> pd.Series:
    s = stage.astype(str).str.strip().str.lower()
    return pd.Series(np.select([s.isin(WON_STAGES), s.isin(LOST_STAGES)], ["won", "lost"],
                               "open"), index=stage.index)


def team_on(dataset: Dataset, payees: pd.Series, when: pd.Series) -> pd.Series:
    """Each (payee, date) -> the team the payee belonged to on that date.

    A date outside every membership falls back to the payee's latest membership, and a
    payee with none gets ``(no team)``, so no row is dropped.
    """
    result = pd.Series(NO_TEAM, index=payees.index, dtype=object)
    memberships = dataset.get("memberships")
    if memberships is None or memberships.num_rows == 0:
        return result
    m = _to_pandas(memberships)
    m["start_date"] = _dates(m["start_date"])
    m["end_date"] = _dates(m["end_date"]).fillna(FAR_FUTURE)
    probe = pd.DataFrame({"row": np.arange(len(payees)), "payee_id": payees.to_numpy(),
                          "when": _dates(when).to_numpy()})
    joined = probe.merge(m, on="payee_id", how="inner")
    inside = joined[(joined["when"] >= joined["start_date"]) &
                    (joined["when"] <= joined["end_date"])]
    inside = inside.sort_values(["row", "start_date"]).drop_duplicates("row", keep="last")
    latest = (m.sort_values("start_date").drop_duplicates("payee_id", keep="last")
              .set_index("payee_id")["team_id"])
    values = result.to_numpy(copy=True)
    fallback = payees.map(latest)
    values[fallback.notna().to_numpy()] = fallback[fallback.notna()].to_numpy()
    values[inside["row"].to_numpy()] = inside["team_id"].to_numpy()
    return pd.Series(values, index=payees.index, dtype=object)


def deals_frame(dataset: Dataset, period: PeriodKind = "quarter") -> pd.DataFrame:
    deals = _to_pandas(dataset["deals"])
    deals["outcome"] = outcome_of(deals["stage"])
    deals["close_date"] = _dates(deals["close_date"])
    deals["engage_date"] = (_dates(deals["engage_date"]) if "engage_date" in deals
                            else pd.Series(pd.NaT, index=deals.index))
    deals["cycle_days"] = (deals["close_date"] - deals["engage_date"]).dt.days
    when = deals["close_date"].fillna(deals["engage_date"])
    deals["team_id"] = team_on(dataset, deals["owner_id"], when)
    deals["period"] = period_labels(deals["close_date"], period)
    for extra in ("account", "product", "sector", "series"):
        if extra not in deals:
            deals[extra] = None
    deals["won_amount"] = np.where(deals["outcome"] == "won", deals["amount"].fillna(0.0), 0.0)
    deals["size_band"] = size_bands(deals)
    return deals


def size_bands(deals: pd.DataFrame) -> pd.Series:
    """small / mid / large by tertiles of each deal's reference size.

    Lost and open deals often carry no amount (the demo data records 0 for lost deals), so
    their reference size is the median won amount of the same product; a won deal's is its
    own amount. Banding every deal the same way lets win rates be compared by band.
    """
    won = deals[(deals["outcome"] == "won") & (deals["amount"] > 0)]
    typical = won.groupby("product")["amount"].median()
    reference = deals["product"].map(typical)
    reference = reference.where(~((deals["outcome"] == "won") & (deals["amount"] > 0)),
                                deals["amount"])
    if reference.notna().sum() < 3:
        return pd.Series(None, index=deals.index, dtype=object)
    cuts = np.nanquantile(reference.to_numpy(dtype=float), [1 / 3, 2 / 3])
    band = np.select([reference <= cuts[0], reference <= cuts[1], reference > cuts[1]],
                     list(SIZE_BANDS), "")
    labels = pd.Series(band, index=deals.index, dtype=object)
    return labels.where(labels != "", None)


def activities_frame(dataset: Dataset, period: PeriodKind = "quarter") -> pd.DataFrame:
    table = dataset.get("activities")
    cols = ["payee_id", "type", "date", "account", "quantity", "team_id", "period"]
    if table is None or table.num_rows == 0:
        return pd.DataFrame(columns=cols)
    acts = _to_pandas(table)
    acts["date"] = _dates(acts["date"])
    acts["quantity"] = acts["quantity"].fillna(1.0)
    acts["team_id"] = team_on(dataset, acts["payee_id"], acts["date"])
    acts["period"] = period_labels(acts["date"], period)
    return acts


def payee_names(dataset: Dataset) -> dict[str, str]:
    payees = dataset.get("payees")
    if payees is None:
        return {}
    return dict(zip(payees["payee_id"].to_pylist(), payees["name"].to_pylist(), strict=True))


def team_names(dataset: Dataset) -> dict[str, str]:
    teams = dataset.get("teams")
    if teams is None:
        return {}
    return dict(zip(teams["team_id"].to_pylist(), teams["name"].to_pylist(), strict=True))
