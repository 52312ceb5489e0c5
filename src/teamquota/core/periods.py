"""Calendar periods (month, quarter, year) with labels like '2017-03', '2017-Q2', '2017'.

Periods are inclusive ``[start, end]`` date ranges. A fiscal year may start in any month
(``year_start_month``); labels then name the fiscal year by the calendar year it ends in,
as most finance teams do (FY2018 = Feb 2017 .. Jan 2018 when it starts in February).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Literal

PeriodKind = Literal["month", "quarter", "year"]
_MONTHS = {"month": 1, "quarter": 3, "year": 12}


@dataclass(frozen=True, order=True)
class Period:
    start: date
    end: date
    kind: PeriodKind
    label: str

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    @property
    def months(self) -> int:
        """Months in the period (1, 3 or 12): a period's share of an annual amount."""
        return _MONTHS[self.kind]

    def contains(self, day: date) -> bool:
        return self.start <= day <= self.end


def _add_months(day: date, months: int) -> date:
    total = day.year * 12 + (day.month - 1) + months
    return date(total // 12, total % 12 + 1, 1)


def _fiscal_year_start(day: date, year_start_month: int) -> date:
    start = date(day.year, year_start_month, 1)
    return start if start <= day else date(day.year - 1, year_start_month, 1)


def _label(kind: PeriodKind, start: date, year_start_month: int) -> str:
    fy_start = _fiscal_year_start(start, year_start_month)
    fiscal_year = fy_start.year if year_start_month == 1 else fy_start.year + 1
    if kind == "year":
        return f"{fiscal_year}"
    if kind == "quarter":
        months_in = (start.year - fy_start.year) * 12 + start.month - fy_start.month
        return f"{fiscal_year}-Q{months_in // 3 + 1}"
    return f"{start.year}-{start.month:02d}"


def period_of(kind: PeriodKind, day: date, year_start_month: int = 1) -> Period:
    """The period of ``kind`` that contains ``day``."""
    fy_start = _fiscal_year_start(day, year_start_month)
    months_since = (day.year - fy_start.year) * 12 + day.month - fy_start.month
    step = _MONTHS[kind]
    start = _add_months(fy_start, (months_since // step) * step)
    end = _add_months(start, step) - timedelta(days=1)
    return Period(start, end, kind, _label(kind, start, year_start_month))


def periods_between(
    kind: PeriodKind, first: date, last: date, year_start_month: int = 1
) -> list[Period]:
    """Every period of ``kind`` that overlaps ``[first, last]``, in order."""
    periods = []
    current = period_of(kind, first, year_start_month)
    while current.start <= last:
        periods.append(current)
        current = period_of(kind, current.end + timedelta(days=1), year_start_month)
    return periods


_LABEL = re.compile(r"^(?P<year>\d{4})(?:-(?:Q(?P<q>[1-4])|(?P<m>0[1-9]|1[0-2])))?$")


def parse_period(label: str, year_start_month: int = 1) -> Period:
    """'2017' -> year, '2017-Q2' -> quarter, '2017-03' -> month. Raises ValueError."""
    match = _LABEL.match(label.strip())
    if not match:
        raise ValueError(
            f"not a period label: {label!r}; expected YYYY, YYYY-Qn or YYYY-MM"
        )
    year = int(match["year"])
    fy_first = date(year if year_start_month == 1 else year - 1, year_start_month, 1)
    if match["q"]:
        return period_of("quarter", _add_months(fy_first, (int(match["q"]) - 1) * 3),
                         year_start_month)
    if match["m"]:
        return period_of("month", date(year, int(match["m"]), 1), year_start_month)
    return period_of("year", fy_first, year_start_month)


def overlap_days(a_start: date, a_end: date | None, period: Period) -> int:
    """Days of ``[a_start, a_end]`` (open end = forever) that fall inside ``period``."""
    start = max(a_start, period.start)
    end = min(a_end or period.end, period.end)
    return max((end - start).days + 1, 0)
