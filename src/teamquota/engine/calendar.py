"""Which periods a run covers, as Python periods and as a small Ibis table for joins."""

from __future__ import annotations

from datetime import date

import pyarrow as pa
import pyarrow.compute as pc

from teamquota.core.periods import Period, parse_period, period_of, periods_between
from teamquota.plan.model import Plan


def _span(dates: list[pa.ChunkedArray]) -> tuple[date, date] | None:
    bounds = [pc.min_max(d).as_py() for d in dates if len(d) and d.null_count < len(d)]
    if not bounds:
        return None
    return min(b["min"] for b in bounds), max(b["max"] for b in bounds)


def run_periods(plan: Plan, deals: pa.Table | None, only: list[str] | None,
                activities: pa.Table | None = None) -> list[Period]:
    """The plan's effective periods, else those spanned by the deals' close dates (and
    the activities' dates).

    Year-to-date components need every earlier period of the fiscal year, so a run limited
    to ``only`` still computes from the year's start; ``select`` filters afterwards.
    """
    if plan.effective is not None:
        first, last = plan.effective.start, plan.effective.end
    else:
        columns = [t[c] for t, c in ((deals, "close_date"), (activities, "date"))
                   if t is not None and c in t.column_names]
        span = _span(columns)
        first, last = span if span else (date.today(), date.today())
    if only:
        labels = [parse_period(label, plan.year_start_month) for label in only]
        year_start = period_of("year", min(p.start for p in labels), plan.year_start_month)
        first, last = year_start.start, max(p.end for p in labels)
    return periods_between(plan.period, first, last, plan.year_start_month)


def periods_arrow(periods: list[Period]) -> pa.Table:
    """The run's periods as a table to join events to (loaded through the backend)."""
    return pa.table({"period": pa.array([p.label for p in periods], pa.string()),
                     "period_start": pa.array([p.start for p in periods], pa.date32()),
                     "period_end": pa.array([p.end for p in periods], pa.date32())})


def year_of(period: Period, year_start_month: int) -> Period:
    return period_of("year", period.start, year_start_month)
