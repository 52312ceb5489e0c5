"""Small hand-made datasets for the insights tests."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from teamquota.data.dataset import Dataset
from teamquota.insights.synthetic import SyntheticHistory, generate_history


def closed_deals(owner: str, won: int, lost: int, *, start: int = 0, amount: int = 1000,
                 product: str = "Core", close: date = date(2017, 3, 15),
                 cycle_days: int = 30) -> list[dict[str, object]]:
    """``won`` Won and ``lost`` Lost deals for ``owner``, ids numbered from ``start``."""
    rows = []
    for i in range(won + lost):
        rows.append({"deal_id": f"{owner}-{start + i}", "owner_id": owner, "account": f"acc-{i}",
                     "product": product, "amount": str(amount),
                     "stage": "Won" if i < won else "Lost", "close_date": close,
                     "engage_date": (close - timedelta(days=cycle_days)).isoformat()})
    return rows


def team_dataset(deals: list[dict[str, object]], members: dict[str, str],
                 **extra: list[dict[str, object]]) -> Dataset:
    payees = [{"payee_id": p, "name": p.title(), "target_incentive": "10000"} for p in members]
    teams = [{"team_id": t, "name": t} for t in sorted(set(members.values()))]
    memberships = [{"payee_id": p, "team_id": t, "start_date": "2016-01-01"}
                   for p, t in members.items()]
    return Dataset.from_records(payees=payees, teams=teams, memberships=memberships,
                                deals=deals, **extra)


@pytest.fixture(scope="session")
def history() -> SyntheticHistory:
    return generate_history(7)
