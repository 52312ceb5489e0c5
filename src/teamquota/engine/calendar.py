"""Which periods a run covers, as Python periods and as a small Ibis table for joins."""

from __future__ import annotations

from datetime import date

import pyarrow as pa
import pyarrow.compute as pc

from teamquota.core.periods import Period, parse_period, period_of, periods_between
from teamquota.plan.model import Plan


def run_periods(plan: Plan, deals: pa.Table | None, only: list[str] | None) -> list[Period]:
    """The plan's effective periods, else those spanned by the deals' close dates.

    Year-to-date components need every earlier period of the fiscal year, so a run limited
    to ``only`` still computes from the year's start; ``select`` filters afterwards.
    """
    if plan.effective is not None:
        first, last = plan.effective.start, plan.effective.end
    elif deals is not None and deals.num_rows and deals["close_date"].null_count < len(deals):
        bounds = pc.min_max(deals["close_date"]).as_py()
        first, last = bounds["min"], bounds["max"]
    else:
        today = date.today()
        first = last = today
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
