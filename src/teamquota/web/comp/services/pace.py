"""Pace to a target: cumulative credit by day against the straight line from 0 to the
target over the period (team dashboards and rep statements share it)."""

from __future__ import annotations

from collections import defaultdict
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from teamquota.core.money import exact_div
from teamquota.web.comp.models import Period

ZERO = Decimal("0")


def pace_series(period: Period, target: Decimal | None, credits: list[tuple[date, Decimal]],
                today: date) -> dict[str, Any]:
    """Cumulative credit by day, and the straight line from 0 to target over the period."""
    by_day: dict[date, Decimal] = defaultdict(lambda: ZERO)
    for day, amount in credits:
        by_day[day] += amount
    days, cumulative, running = [], [], ZERO
    day, last = period.start, min(period.end, today)
    while day <= last:
        running += by_day.get(day, ZERO)
        days.append(day.isoformat())
        cumulative.append(str(running))
        day += timedelta(days=1)
    pace = None
    if target:
        pace = {"x": [period.start.isoformat(), period.end.isoformat()],
                "y": ["0", str(target)]}
    return {"x": days, "y": cumulative, "pace": pace}


def expected_by_today(period: Period, target: Decimal, today: date) -> Decimal:
    """The share of ``target`` due by the end of ``today`` on a straight line over the
    period's days (all of it from the last day, none before the first)."""
    if today >= period.end:
        return target
    if today < period.start:
        return ZERO
    elapsed = (today - period.start).days + 1
    return exact_div(target * elapsed, Decimal((period.end - period.start).days + 1))
