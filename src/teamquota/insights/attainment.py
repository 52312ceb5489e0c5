"""Per-rep, per-period attainment for the insights, from targets or (lacking them) peers.

Preferred source: the engine's attainment table (``Results.attainment``, a payee-scope
component), passed in by the caller. Without it, attainment is won amount by close date /
the payee's target for the period from the targets table. Data with no targets at all (the
demo CRM export has none) gets a documented proxy: won amount / the median won amount of
all reps with deals in that period, so 1.0 means "a typical rep this period".
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from teamquota.data.dataset import Dataset
from teamquota.insights.frames import PeriodKind, _to_pandas, deals_frame


def attainment_frame(dataset: Dataset, period: PeriodKind = "quarter",
                     measure: str | None = None,
                     deals: pd.DataFrame | None = None) -> tuple[pd.DataFrame, str]:
    """(frame of payee_id, team_id, period, won_amount, target_amount, attainment; source).

    ``source`` says where attainment came from: ``targets`` or ``peer median``.
    """
    d = deals if deals is not None else deals_frame(dataset, period)
    closed = d[d["period"].notna()]
    won = (closed.groupby(["owner_id", "period"], as_index=False)
           .agg(won_amount=("won_amount", "sum"), team_id=("team_id", "last")))
    won = won.rename(columns={"owner_id": "payee_id"})
    targets = dataset.get("targets")
    if targets is not None and targets.num_rows > 0:
        t = _to_pandas(targets)
        t = t[t["subject_type"] == "payee"]
        if measure is not None:
            t = t[t["measure"] == measure]
        t = (t.groupby(["subject_id", "period"], as_index=False)["amount"].sum()
             .rename(columns={"subject_id": "payee_id", "amount": "target_amount"}))
        if len(t):
            frame = t.merge(won, on=["payee_id", "period"], how="left")
            frame["won_amount"] = frame["won_amount"].fillna(0.0)
            team = d.groupby("owner_id")["team_id"].last()
            frame["team_id"] = frame["team_id"].fillna(frame["payee_id"].map(team))
            with np.errstate(divide="ignore", invalid="ignore"):
                frame["attainment"] = frame["won_amount"] / frame["target_amount"]
            return frame.sort_values(["payee_id", "period"]).reset_index(drop=True), "targets"
    # no targets: every rep with deals, every period with closes, missing = 0 bookings
    reps = won[["payee_id", "team_id"]].drop_duplicates("payee_id")
    periods = pd.DataFrame({"period": sorted(won["period"].unique())})
    grid = reps.merge(periods, how="cross")
    frame = grid.merge(won.drop(columns="team_id"), on=["payee_id", "period"], how="left")
    frame["won_amount"] = frame["won_amount"].fillna(0.0)
    frame["target_amount"] = frame.groupby("period")["won_amount"].transform("median")
    with np.errstate(divide="ignore", invalid="ignore"):
        frame["attainment"] = frame["won_amount"] / frame["target_amount"]
    return frame.sort_values(["payee_id", "period"]).reset_index(drop=True), "peer median"
