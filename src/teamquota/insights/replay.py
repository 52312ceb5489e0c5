"""Bootstrap replicates of a team's history as a dataset the engine can pay.

Each replicate is one simulated quarter, and gets its own quarter label (2001-Q1, 2001-Q2,
...) so one engine run pays every replicate at once. History is per rep per month of won
amount (by close date; months the data does not fully cover are left out). For each
replicate and team:

* **periods**: three history months are drawn with replacement, shared by the team (keeps
  the team's common ups and downs);
* **reps**: each member seat is filled by a member of the same team drawn with replacement
  (``reps="resample"``), or always by the same member (``reps="fixed"``).

A seat's result is its rep's won amount over the three drawn months; it becomes one Won
deal of that amount closing in the replicate's quarter (no deal when it is zero). Each
seat's personal target is its rep's mean won per quarter over the history (reps with
none get their team's median); team targets are the sums of their seats'. Seats are
payees ``<team>#<n>`` with the team's median target incentive, so pay differences come from
results, not from who sat where.

**On a plan's real targets** (``targets=`` a :class:`PlanTargets`, what ``simulate`` does
when it is given the current plan): each replicate and team also draws one of the plan's
actual periods, and each seat gets the target its rep really had in that period (every
payee row of the targets table, all measures), the team the team's real target (every team
row); a rep without a target there keeps the mean-won estimate (counted in
``Replay.notes``). :func:`backtest` first replays the actual periods themselves (each rep
in their own seat, their real won, targets and target incentive) and checks that the plan
pays exactly what the engine paid on the real data, to the cent.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
import pyarrow as pa

from teamquota.data.dataset import Dataset, to_table
from teamquota.data.tables import DEALS, MEMBERSHIPS, PAYEES, TARGETS, TEAMS
from teamquota.insights.frames import _to_pandas, deals_frame
from teamquota.plan.loader import LoadedPlan

if TYPE_CHECKING:
    from teamquota.engine.results import Results

FIRST_YEAR = 2001


@dataclass
class Replay:
    dataset: Dataset
    seats: pd.DataFrame       # period, payee_id (seat), team_id, rep_id, won_amount, target
    periods: list[str]
    notes: list[str] = field(default_factory=list)


@dataclass
class PlanTargets:
    """The targets a plan is really paid on, per actual period, for replicates to borrow."""

    table: pd.DataFrame       # subject_type, subject_id, measure, period, amount (Decimal)
    periods: list[str]        # the plan's actual periods, in order
    payee_measure: str        # the targets-table measure of the plan's payee component
    team_measure: str | None  # ... and of its team component (None: no team targets)
    teams: pa.Table | None = None   # the real teams table (parents kept, for rollups)

    def amount(self, subject_type: str, subject_id: str, measure: str | None,
               period: str) -> Decimal | None:
        return self._index.get((subject_type, subject_id, measure, period))

    def __post_init__(self) -> None:
        self._index = {(t, i, m, p): a for t, i, m, p, a in zip(
            self.table["subject_type"], self.table["subject_id"], self.table["measure"],
            self.table["period"], self.table["amount"], strict=True)}


def monthly_history(dataset: Dataset) -> pd.DataFrame:
    """rep x month won amount (0 where a member won nothing), full months only."""
    deals = deals_frame(dataset, "month")
    closed = deals[deals["close_date"].notna()]
    first, last = closed["close_date"].min(), closed["close_date"].max()
    months = list(pd.period_range(first, last, freq="M"))
    # a month the data covers only in part would look like a bad month: leave it out
    if first.day != 1:
        months = months[1:]
    if last.normalize() != months[-1].end_time.normalize() if months else False:
        months = months[:-1]
    full = months
    labels = [f"{m.year}-{m.month:02d}" for m in full]
    won = closed.groupby(["owner_id", "period"])["won_amount"].sum()
    members = _members(dataset, deals)
    grid = members.merge(pd.DataFrame({"period": labels}), how="cross")
    grid["won_amount"] = [won.get((p, m), 0.0) for p, m in zip(grid["payee_id"],
                                                                grid["period"], strict=True)]
    return grid


def _members(dataset: Dataset, deals: pd.DataFrame) -> pd.DataFrame:
    """Every team member (with or without deals) and their team and target incentive."""
    payees = _to_pandas(dataset["payees"])
    m = _to_pandas(dataset["memberships"]).sort_values("start_date")
    latest = m.drop_duplicates("payee_id", keep="last")[["payee_id", "team_id"]]
    out = latest.merge(payees[["payee_id", "target_incentive"]], on="payee_id", how="left")
    return out.sort_values(["team_id", "payee_id"]).reset_index(drop=True)


def build_replay(dataset: Dataset, replicates: int = 200, seed: int = 0,
                 reps: str = "resample", months_per_period: int = 3,
                 targets: PlanTargets | None = None) -> Replay:
    rng = np.random.default_rng(seed)
    history = monthly_history(dataset)
    months = sorted(history["period"].unique())
    won = history.pivot_table(index="payee_id", columns="period", values="won_amount",
                              aggfunc="sum").reindex(columns=months).fillna(0.0)
    members = history.drop_duplicates("payee_id")[["payee_id", "team_id", "target_incentive"]]
    target = won.mean(axis=1) * months_per_period
    team_of = members.set_index("payee_id")["team_id"]
    has_history = won.sum(axis=1) > 0
    team_median = target[has_history].groupby(team_of).median()
    target = target.where(has_history, team_of.map(team_median)).fillna(0.0).round()

    rows = []
    labels = [f"{FIRST_YEAR + r // 4}-Q{r % 4 + 1}" for r in range(replicates)]
    # which actual period's targets each replicate borrows (real-target replays only; one
    # period for the whole organisation, so parent teams' targets come from it too)
    source = (rng.integers(len(targets.periods), size=replicates) if targets is not None
              else np.zeros(replicates, dtype=int))
    for team, group in members.groupby("team_id", sort=True):
        ids = group["payee_id"].to_numpy()
        n = len(ids)
        drawn_months = rng.integers(len(months), size=(replicates, months_per_period))
        if reps == "fixed":
            seat_rep = np.tile(ids, (replicates, 1))
        else:
            seat_rep = ids[rng.integers(n, size=(replicates, n))]
        matrix = won.loc[ids].to_numpy()
        index = {p: i for i, p in enumerate(ids)}
        for r in range(replicates):
            period = targets.periods[source[r]] if targets is not None else ""
            for s in range(n):
                rep = seat_rep[r, s]
                rows.append((labels[r], f"{team}#{s + 1}", team, rep,
                             float(matrix[index[rep], drawn_months[r]].sum()),
                             float(target[rep]), period))
    seats = pd.DataFrame(rows, columns=["period", "payee_id", "team_id", "rep_id",
                                        "won_amount", "target_amount", "source_period"])
    notes: list[str] = []
    if targets is not None:
        seats, notes = _real_targets(seats, targets)
    roles = _roles(dataset)
    seats["role"] = seats["rep_id"].map(roles).fillna("AE")
    ti = members.groupby("team_id")["target_incentive"].median()
    seats["target_incentive"] = seats["team_id"].map(ti)
    return Replay(_dataset(seats, labels, targets), seats, labels, notes)


def _roles(dataset: Dataset) -> dict[str, str]:
    payees = _to_pandas(dataset["payees"])
    if "role" not in payees:
        return {}
    return dict(zip(payees["payee_id"], payees["role"].fillna("AE"), strict=True))


def _real_targets(seats: pd.DataFrame, targets: PlanTargets) -> tuple[pd.DataFrame, list[str]]:
    """Each seat's personal target: its rep's real one in the borrowed period."""
    real = [targets.amount("payee", rep, targets.payee_measure, period)
            for rep, period in zip(seats["rep_id"], seats["source_period"], strict=True)]
    missing = sum(1 for a in real if a is None)
    seats = seats.assign(target_amount=[float(a) if a is not None else t for a, t in
                                        zip(real, seats["target_amount"], strict=True)])
    notes = []
    if missing:
        notes.append(f"{missing} of {len(seats)} seats drew a rep without a "
                     f"'{targets.payee_measure}' target in the borrowed period: they keep "
                     "the rep's mean won per period as target")
    return seats, notes


def _start(label: str) -> date:
    from teamquota.core.periods import parse_period
    return parse_period(label).start


def _dataset(seats: pd.DataFrame, labels: list[str], targets: PlanTargets | None) -> Dataset:
    """The engine's input for the seats: one payee per seat, one Won deal per seat and
    period with a result, and the targets (real ones borrowed, or mean-won estimates)."""
    seat_rows = seats.drop_duplicates("payee_id")
    payees = [{"payee_id": p, "name": p, "role": role, "target_incentive": _cents(ti)}
              for p, role, ti in zip(seat_rows["payee_id"], seat_rows["role"],
                                     seat_rows["target_incentive"], strict=True)]
    if targets is not None and targets.teams is not None:
        teams_table = targets.teams
    else:
        teams_table = to_table(TEAMS, [{"team_id": t, "name": t}
                                       for t in sorted(seat_rows["team_id"].unique())])
    start = min(_start(label) for label in labels)
    memberships = [{"payee_id": p, "team_id": t, "start_date": start}
                   for p, t in zip(seat_rows["payee_id"], seat_rows["team_id"], strict=True)]
    won = seats[seats["won_amount"] > 0]
    closes = {label: _start(label) for label in labels}
    deals = pa.table({
        # typed: a history without a single Won deal still makes string columns
        "deal_id": pa.array([f"{p}@{q}" for p, q in zip(won["payee_id"], won["period"],
                                                         strict=True)], pa.string()),
        "owner_id": pa.array(list(won["payee_id"]), pa.string()),
        "account": pa.nulls(len(won), pa.string()), "product": pa.nulls(len(won), pa.string()),
        "amount": pa.array([_cents(v) for v in won["won_amount"]], DEALS.column("amount").type),
        "currency": pa.array(["USD"] * len(won), pa.string()),
        "stage": pa.array(["Won"] * len(won), pa.string()),
        "close_date": pa.array([closes[q] for q in won["period"]], pa.date32()),
    })
    target_rows = (_estimated_targets(seats) if targets is None
                   else _borrowed_targets(seats, targets))
    return Dataset({"payees": to_table(PAYEES, payees), "teams": teams_table,
                    "memberships": to_table(MEMBERSHIPS, memberships), "deals": deals,
                    "targets": to_table(TARGETS, target_rows)},
                   {name: "<bootstrap replay>" for name in
                    ("payees", "teams", "memberships", "deals", "targets")})


def _estimated_targets(seats: pd.DataFrame) -> list[dict[str, object]]:
    """Personal: the seat's target; team and pool: the sums of the team's seats."""
    rows = [{"subject_type": "payee", "subject_id": p, "measure": "personal",
             "period": q, "amount": _cents(v)} for p, q, v in zip(
        seats["payee_id"], seats["period"], seats["target_amount"], strict=True)]
    return rows + _team_sums(seats, ("team", "pool"))


def _team_sums(seats: pd.DataFrame, measures: tuple[str, ...]) -> list[dict[str, object]]:
    sums = seats.groupby(["team_id", "period"], as_index=False)["target_amount"].sum()
    return [{"subject_type": "team", "subject_id": t, "measure": measure, "period": q,
             "amount": _cents(v)} for measure in measures for t, q, v in zip(
        sums["team_id"], sums["period"], sums["target_amount"], strict=True)]


def _borrowed_targets(seats: pd.DataFrame, targets: PlanTargets) -> list[dict[str, object]]:
    """Every real target row of the borrowed period, relabelled to the replicate: a rep's
    rows go to the seat they fill, every team's to the team. The designs read measures
    ``personal``, ``team`` and ``pool``: copies of the plan's own payee and team measures
    where the plan names them differently (a plan without team targets: seat sums)."""
    t = targets.table
    payee_rows = t[t["subject_type"] == "payee"]
    team_rows = t[t["subject_type"] == "team"]
    rows: list[dict[str, object]] = []
    keys = zip(seats["payee_id"], seats["period"], strict=True)
    estimate = dict(zip(keys, seats["target_amount"], strict=True))
    by_rep = {key: g for key, g in payee_rows.groupby(["subject_id", "period"])}
    for seat, label, rep, period in zip(seats["payee_id"], seats["period"], seats["rep_id"],
                                        seats["source_period"], strict=True):
        found = by_rep.get((rep, period))
        measures = set() if found is None else set(found["measure"])
        if found is not None:
            rows += [{"subject_type": "payee", "subject_id": seat, "measure": m,
                      "period": label, "amount": a}
                     for m, a in zip(found["measure"], found["amount"], strict=True)]
        if targets.payee_measure not in measures and not pd.isna(estimate[(seat, label)]):
            # no real target: the mean-won estimate (see _real_targets)
            rows.append({"subject_type": "payee", "subject_id": seat,
                         "measure": targets.payee_measure, "period": label,
                         "amount": None})
    for row in rows:
        if row["amount"] is None:
            row["amount"] = _cents(estimate[(row["subject_id"], row["period"])])
    borrowed = seats.drop_duplicates("period")[["period", "source_period"]]
    for label, period in zip(borrowed["period"], borrowed["source_period"], strict=True):
        part = team_rows[team_rows["period"] == period]
        rows += [{"subject_type": "team", "subject_id": i, "measure": m, "period": label,
                  "amount": a} for i, m, a in zip(part["subject_id"], part["measure"],
                                                  part["amount"], strict=True)]
    rows += _aliases(rows, "payee", targets.payee_measure, "personal")
    if targets.team_measure is None:
        have = {r["measure"] for r in rows if r["subject_type"] == "team"}
        rows += [r for r in _team_sums(seats, ("team", "pool")) if r["measure"] not in have]
    else:
        rows += _aliases(rows, "team", targets.team_measure, "team")
        rows += _aliases(rows, "team", targets.team_measure, "pool")
    return rows


def _aliases(rows: list[dict[str, object]], subject_type: str, measure: str, alias: str
             ) -> list[dict[str, object]]:
    if alias == measure or any(r["measure"] == alias and r["subject_type"] == subject_type
                               for r in rows):
        return []
    return [{**r, "measure": alias} for r in rows
            if r["subject_type"] == subject_type and r["measure"] == measure]


class ReplayMismatch(ValueError):
    """The replay of the actual periods does not pay what the engine paid: stop."""


@dataclass
class Backtest:
    periods: list[str]           # the actual periods replayed
    lines: int                   # (payee, period, component) amounts compared
    total: Decimal               # what the engine paid over them, exactly
    differences: pd.DataFrame    # payee_id, period, component_id, what, actual, replayed
    team_periods: int = 0        # (team, period) pairs with a team-scope component
    team_line_zero: int = 0      # ... of which the team components paid nothing at all

    @property
    def ok(self) -> bool:
        return bool(self.differences.empty)

    @property
    def message(self) -> str:
        span = f"{self.periods[0]} to {self.periods[-1]}" if self.periods else "no period"
        if self.ok:
            return (f"back-test: replaying {span} pays the engine's {self.lines} payout "
                    f"amounts (payee x period x component) to the cent, "
                    f"{self.total:,.2f} in all")
        first = self.differences.iloc[0]
        verb, noun = (("pays", "paid") if first["what"] == "payout" else
                      ("measures", "measured"))
        return (f"back-test failed: replaying {span} {verb} {first['payee_id']} "
                f"{_show(first['replayed'])} in {first['period']} on component "
                f"'{first['component_id']}', the engine {noun} {_show(first['actual'])} on "
                f"the real data ({self._counts()}); "
                "the replay (one Won deal per rep and period, latest team membership) cannot "
                "stand in for this plan and data, so nothing was simulated")


    def _counts(self) -> str:
        paid = int((self.differences["what"] == "payout").sum())
        measured = len(self.differences) - paid
        text = f"{paid} of {self.lines} amounts differ"
        return text + (f", and {measured} measure{'s' * (measured != 1)}" if measured else "")


def _show(amount: Decimal | None) -> str:
    return "nothing" if amount is None else f"{amount:,.2f}"


def plan_targets(data: Dataset, loaded: LoadedPlan, periods: list[str]) -> PlanTargets:
    """The real targets of ``data`` (which has its targets table) for the plan's measures."""
    table = data["targets"].to_pandas()   # amounts stay Decimal: they are money
    plan = loaded.plan
    payee = next((c.target.measure or c.id for c in plan.components if c.scope == "payee"),
                 "personal")
    team = next((c.target.measure or c.id for c in plan.components
                 if c.scope == "team" and c.target.source == "file"), None)
    return PlanTargets(table, periods, payee, team, data["teams"])


def backtest(data: Dataset, loaded: LoadedPlan, results: Results) -> Backtest:
    """Replay the actual periods (each rep in their own seat) and compare the plan's
    payouts with the engine's on the real data, per payee, period and component."""
    import teamquota
    periods = sorted({p for p in results.payouts["period"].to_pylist()})
    seats = _actual_seats(data, loaded, periods)
    targets = plan_targets(data, loaded, periods)
    replayed = teamquota.calculate(loaded, _dataset(seats, periods, targets), periods=periods)
    actual, again = _amounts(results), _amounts(replayed)
    keys = sorted(set(actual) | set(again))
    diff = [(*k, "payout", actual.get(k), again.get(k)) for k in keys
            if actual.get(k, Decimal(0)) != again.get(k, Decimal(0))]
    # the measures too: equal payouts from unequal measures (both under a curve's floor or
    # a gate) would let a replay that misreads the plan's measure pass
    measured, remeasured = _measures(results, periods), _measures(replayed, periods)
    diff += [(*k, "measure", measured.get(k), remeasured.get(k))
             for k in sorted(set(measured) | set(remeasured))
             if measured.get(k, Decimal(0)) != remeasured.get(k, Decimal(0))]
    differences = pd.DataFrame(diff, columns=["payee_id", "period", "component_id", "what",
                                              "actual", "replayed"])
    team_paid = _team_line(results, loaded)
    return Backtest(periods, len(keys), sum(actual.values(), Decimal(0)), differences,
                    len(team_paid), sum(1 for v in team_paid.values() if v == 0))


def _measures(results: Results, periods: list[str]) -> dict[tuple[str, str, str], Decimal]:
    """(subject, period, component) -> the measure the engine computed in ``periods``
    (payees and teams; a team appears as ``team <id>``)."""
    a = results.attainment
    out: dict[tuple[str, str, str], Decimal] = {}
    wanted = set(periods)
    for kind, subject, period, component, value in zip(
            a["subject_type"].to_pylist(), a["subject_id"].to_pylist(),
            a["period"].to_pylist(), a["component_id"].to_pylist(),
            a["measure_value"].to_pylist(), strict=True):
        if period not in wanted:
            continue
        who = subject if kind == "payee" else f"team {subject}"
        out[(who, period, component)] = value if value is not None else Decimal(0)
    return out


def _amounts(results: Results) -> dict[tuple[str, str, str], Decimal]:
    out: dict[tuple[str, str, str], Decimal] = {}
    p = results.payouts
    for payee, period, component, amount in zip(
            p["payee_id"].to_pylist(), p["period"].to_pylist(), p["component_id"].to_pylist(),
            p["amount"].to_pylist(), strict=True):
        key = (payee, period, component or "")
        out[key] = out.get(key, Decimal(0)) + (amount or Decimal(0))
    return out


def _team_line(results: Results, loaded: LoadedPlan) -> dict[tuple[str, str], Decimal]:
    """(team, period) -> what the plan's team-scope components paid its members."""
    scope = {c.id for c in loaded.plan.components if c.scope == "team"}
    out: dict[tuple[str, str], Decimal] = {}
    p = results.payouts
    for team, period, component, amount in zip(
            p["team_id"].to_pylist(), p["period"].to_pylist(), p["component_id"].to_pylist(),
            p["amount"].to_pylist(), strict=True):
        if component in scope and team is not None:
            out[(team, period)] = out.get((team, period), Decimal(0)) + (amount or Decimal(0))
    return out


def _actual_seats(data: Dataset, loaded: LoadedPlan, periods: list[str]) -> pd.DataFrame:
    """Every member in their own seat for each actual period: real won, role and TI."""
    deals = deals_frame(data, loaded.plan.period)
    won = deals.groupby(["owner_id", "period"])["won_amount"].sum()
    members = _members(data, deals)
    roles = _roles(data)
    # no estimated target (NaN): a rep without a real one has none, as in the real run
    rows = [(q, p, t, p, float(won.get((p, q), 0.0)), np.nan, q, roles.get(p, "AE"), ti)
            for q in periods for p, t, ti in zip(members["payee_id"], members["team_id"],
                                                 members["target_incentive"], strict=True)]
    return pd.DataFrame(rows, columns=["period", "payee_id", "team_id", "rep_id", "won_amount",
                                       "target_amount", "source_period", "role",
                                       "target_incentive"])


def _cents(value: float | Decimal) -> Decimal:
    if isinstance(value, Decimal):
        return value
    return Decimal(f"{value:.2f}")
