"""Per-team numbers summed once when a run's results are stored (:class:`TeamSummary`).

Summed by the database from the credit rows just written, so the summary is exactly what
the pages would have summed themselves (a second plan's credits are already de-duplicated
there). Money stays decimal: the database sums DECIMAL columns, and Python only groups.
"""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal
from typing import Any

from django.db.models import Count, Q

from teamquota.web.comp.exact_sum import ExactSum
from teamquota.web.comp.models import CreditRow, Run, TeamSummary
from teamquota.web.comp.services.bulk import insert_rows

ZERO = Decimal("0")


def store_team_summaries(run: Run) -> int:
    """One row per team and period the run credited; returns how many."""
    team_credits = CreditRow.objects.filter(run=run, subject_type="team")
    days: dict[tuple[str, str], list[list[str]]] = defaultdict(list)
    totals: dict[tuple[str, str], Decimal] = defaultdict(lambda: ZERO)
    for period, team, day, amount in (
            team_credits.values("period", "subject_id", "close_date")
            .annotate(total=ExactSum("amount")).order_by("period", "subject_id", "close_date")
            .values_list("period", "subject_id", "close_date", "total")):
        amount = amount or ZERO
        totals[(period, team)] += amount
        if day is not None:
            days[(period, team)].append([day.isoformat(), str(amount)])
    deals = dict(((period, team), n) for period, team, n in (
        team_credits.values("period", "subject_id")
        .annotate(n=Count("deal_id", distinct=True, filter=~Q(amount=0)))
        .values_list("period", "subject_id", "n")))
    rows: list[tuple[Any, ...]] = [
        (run.pk, period, team, total, days.get((period, team), []), deals.get((period, team), 0))
        for (period, team), total in totals.items()]
    # JSON goes in as the database expects it (insert_rows skips Django's field prep)
    from django.db import connection
    days_field = TeamSummary._meta.get_field("days")
    prepared = [(*r[:4], days_field.get_db_prep_save(r[4], connection), r[5]) for r in rows]
    return insert_rows(TeamSummary, ["run", "period", "team_id", "credited", "days", "deals"],
                       prepared)
