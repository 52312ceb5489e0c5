"""Team membership by period, in Python: memberships are small (one row per person-team
stint), so proration by days and "main team" lookups are plain dictionary work."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date

import pyarrow as pa
import pyarrow.compute as pc

from teamquota.core.periods import Period, overlap_days


def one_team_a_day(table: pa.Table) -> bool:
    """True when no payee has two memberships that share a day (in any teams).

    Sorted by payee and start, two memberships overlap only if some membership overlaps
    the one just before it: an earlier one reaching past a later start also reaches past
    every start in between.
    """
    if table.num_rows < 2:
        return True
    if table["start_date"].null_count:
        return False
    rows = table.select(["payee_id", "start_date", "end_date"]).sort_by(
        [("payee_id", "ascending"), ("start_date", "ascending")])
    payee, start, end = (rows[c].combine_chunks() for c in rows.column_names)
    n = rows.num_rows
    same = pc.equal(payee.slice(1), payee.slice(0, n - 1))
    # an open-ended membership reaches every later start
    reaches = pc.fill_null(pc.greater_equal(end.slice(0, n - 1), start.slice(1)), True)
    return not pc.any(pc.and_(same, reaches)).as_py()


@dataclass(frozen=True)
class Stint:
    team: str
    start: date
    end: date | None


class Memberships:
    def __init__(self, table: pa.Table, ancestors: dict[str, list[str]]):
        self.table = table.select(["payee_id", "team_id", "start_date", "end_date"])
        self.by_payee: dict[str, list[Stint]] = defaultdict(list)
        for row in table.select(["payee_id", "team_id", "start_date", "end_date"]).to_pylist():
            self.by_payee[row["payee_id"]].append(
                Stint(row["team_id"], row["start_date"], row["end_date"]))
        self.ancestors = ancestors

    def team_days(self, payee: str, period: Period) -> dict[str, int]:
        """Days the payee spent in each team during ``period`` (direct membership)."""
        stints = self.by_payee.get(payee, ())
        if len(stints) == 1:  # most payees: a curve line per payee and period asks
            stint = stints[0]
            overlap = overlap_days(stint.start, stint.end, period)
            return {stint.team: overlap} if overlap else {}
        days: dict[str, int] = defaultdict(int)
        for stint in stints:
            overlap = overlap_days(stint.start, stint.end, period)
            if overlap:
                days[stint.team] += overlap
        return dict(sorted(days.items()))

    def days_table(self, period: Period, payees: list[str]) -> pa.Table | None:
        """:meth:`team_days` of every payee in ``payees`` at once, as rows (payee_id,
        team_id, days) sorted by payee and team; None when a membership has no start
        (team_days cannot read it either)."""
        table = self.table
        if table["start_date"].null_count:
            return None
        start = pc.max_element_wise(table["start_date"], pa.scalar(period.start, pa.date32()))
        last = pa.scalar(period.end, pa.date32())
        end = pc.min_element_wise(pc.fill_null(table["end_date"], last), last)
        days = pc.add(pc.cast(pc.subtract(pc.cast(end, pa.int32()), pc.cast(
            start, pa.int32())), pa.int64()), 1)
        keep = pc.and_(pc.greater(days, 0), pc.is_in(table["payee_id"], value_set=pa.array(
            payees, pa.string())))
        rows = pa.table({"payee_id": table["payee_id"], "team_id": table["team_id"],
                         "days": days}).filter(keep)
        summed = rows.group_by(["payee_id", "team_id"], use_threads=False).aggregate(
            [("days", "sum")]).rename_columns(["payee_id", "team_id", "days"])
        return summed.sort_by([("payee_id", "ascending"), ("team_id", "ascending")])

    def main_team(self, payee: str, period: Period) -> str | None:
        """The team the payee spent most days in (ties: the later stint's team)."""
        days = self.team_days(payee, period)
        if not days:
            return None
        latest = {s.team: s.start for s in self.by_payee[payee]}
        return max(days, key=lambda team: (days[team], latest[team]))

    def members_with_ancestors(self, period: Period) -> list[tuple[str, str, int]]:
        """(team, payee, days) for direct teams and every ancestor team."""
        rows = []
        for payee in sorted(self.by_payee):
            for team, days in self.team_days(payee, period).items():
                for t in [team, *self.ancestors.get(team, [])]:
                    rows.append((t, payee, days))
        return rows

    def members(self, team: str, period: Period) -> dict[str, int]:
        """payee -> days in ``team`` (directly) during ``period``."""
        result = {}
        for payee in sorted(self.by_payee):
            days = self.team_days(payee, period).get(team)
            if days:
                result[payee] = days
        return result
