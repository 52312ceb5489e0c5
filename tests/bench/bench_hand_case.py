"""A hand-checked data set for the hybrid plan: 4 payees, 2 teams, one mid-quarter move.

Q1 2017 (90 days). A and B are in T1 all quarter, D in T2; C moves from T2 to T1:
membership T2 2016-07-01..2017-02-14 (45 days of Q1), T1 from 2017-02-15 (45 days).
Q2 2017 (91 days): one small deal, so the team gate fails.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from decimal import Decimal
from pathlib import Path
from typing import Any

import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from teamquota.data.dataset import to_table
from teamquota.data.tables import TABLES

RECORDS = {
    "payees": [
        {"payee_id": "A", "name": "Ann", "role": "AE", "target_incentive": "40000.00"},
        {"payee_id": "B", "name": "Bob", "role": "AE", "target_incentive": "60000.10"},
        {"payee_id": "C", "name": "Cy", "role": "AE", "target_incentive": "50000.00"},
        {"payee_id": "D", "name": "Di", "role": "AE", "target_incentive": "60000.15"},
    ],
    "teams": [
        {"team_id": "R", "name": "Region"},
        {"team_id": "T1", "name": "Team 1", "parent_team_id": "R"},
        {"team_id": "T2", "name": "Team 2", "parent_team_id": "R"},
    ],
    "memberships": [
        {"payee_id": "A", "team_id": "T1", "start_date": "2016-07-01"},
        {"payee_id": "B", "team_id": "T1", "start_date": "2016-07-01"},
        {"payee_id": "C", "team_id": "T2", "start_date": "2016-07-01",
         "end_date": "2017-02-14"},
        {"payee_id": "C", "team_id": "T1", "start_date": "2017-02-15"},
        {"payee_id": "D", "team_id": "T2", "start_date": "2016-07-01"},
    ],
    "deals": [
        {"deal_id": "d1", "owner_id": "A", "amount": "30000.00", "stage": "Won",
         "close_date": "2017-01-10"},
        {"deal_id": "d2", "owner_id": "A", "amount": "15000.00", "stage": "Won",
         "close_date": "2017-03-20"},
        {"deal_id": "d3", "owner_id": "A", "amount": "50000.00", "stage": "Lost",
         "close_date": "2017-02-02"},
        {"deal_id": "d4", "owner_id": "B", "amount": "12000.00", "stage": "Won",
         "close_date": "2017-02-01"},
        {"deal_id": "d5", "owner_id": "B", "amount": "9999.00", "stage": "Engaging"},
        {"deal_id": "d6", "owner_id": "C", "amount": "20000.00", "stage": "Won",
         "close_date": "2017-02-14"},  # C's last day in T2
        {"deal_id": "d7", "owner_id": "C", "amount": "10000.00", "stage": "Won",
         "close_date": "2017-02-15"},  # C's first day in T1
        {"deal_id": "d8", "owner_id": "D", "amount": "20000.00", "stage": "Won",
         "close_date": "2017-03-01"},
        {"deal_id": "d9", "owner_id": "A", "amount": "5000.00", "stage": "Won",
         "close_date": "2017-04-10"},
    ],
    "targets": [
        {"subject_type": "payee", "subject_id": "A", "measure": "personal",
         "period": "2017-Q1", "amount": "40000.00"},
        {"subject_type": "payee", "subject_id": "B", "measure": "personal",
         "period": "2017-Q1", "amount": "16000.00"},
        {"subject_type": "payee", "subject_id": "C", "measure": "personal",
         "period": "2017-Q1", "amount": "16000.00"},
        {"subject_type": "payee", "subject_id": "D", "measure": "personal",
         "period": "2017-Q1", "amount": "30000.00"},
        {"subject_type": "team", "subject_id": "T1", "measure": "team",
         "period": "2017-Q1", "amount": "60000.00"},
        {"subject_type": "team", "subject_id": "T2", "measure": "team",
         "period": "2017-Q1", "amount": "45000.00"},
        {"subject_type": "payee", "subject_id": "A", "measure": "personal",
         "period": "2017-Q2", "amount": "40000.00"},
        {"subject_type": "payee", "subject_id": "D", "measure": "personal",
         "period": "2017-Q2", "amount": "30000.00"},
        {"subject_type": "team", "subject_id": "T1", "measure": "team",
         "period": "2017-Q2", "amount": "60000.00"},
    ],
}

# (period, payee, component, team) -> amount, each worked out by hand.
EXPECTED = {
    # A: Won 30,000 + 15,000 = 45,000 / 40,000 = 1.125 -> curve 1 + (0.125 / 0.5) = 1.25;
    #    TI 40,000 / 4 = 10,000 x 0.4 = 4,000 x 1.25 = 5,000.00 (the Lost 50,000 is ignored)
    ("2017-Q1", "A", "personal", None): "5000.00",
    # B: 12,000 / 16,000 = 0.75 -> curve (0.75 - 0.5) / 0.5 = 0.5;
    #    60,000.10 / 4 = 15,000.025 x 0.4 = 6,000.01 x 0.5 = 3,000.005 -> half-up 3,000.01
    ("2017-Q1", "B", "personal", None): "3000.01",
    # C: 20,000 + 10,000 = 30,000 / 16,000 = 1.875 -> 2 + 2 x 0.375 = 2.75, capped at 2.5;
    #    50,000 / 4 = 12,500 x 0.4 = 5,000 x 2.5 = 12,500.00
    ("2017-Q1", "C", "personal", None): "12500.00",
    # D: 20,000 / 30,000 = 2/3 -> (2/3 - 0.5) / 0.5 = 1/3;
    #    60,000.15 / 4 x 0.4 = 6,000.015 x 1/3 = 2,000.005 exactly -> half-up 2,000.01
    ("2017-Q1", "D", "personal", None): "2000.01",
    # T1 Q1 credit: A 30,000 + 15,000, B 12,000, C 10,000 (from Feb 15) = 67,000 / 60,000
    #    = 1.11666.. -> curve 1 + (0.6 / 0.3) x 0.11666.. = 37/30
    # A: 40,000 / 4 x 0.6 = 6,000 x 37/30 = 7,400.00
    ("2017-Q1", "A", "team", "T1"): "7400.00",
    # B: 15,000.025 x 0.6 = 9,000.015 x 37/30 = 11,100.0185 -> 11,100.02
    ("2017-Q1", "B", "team", "T1"): "11100.02",
    # C in T1 45 of 90 days: 12,500 x 0.6 = 7,500 x 37/30 = 9,250 x 45/90 = 4,625.00
    ("2017-Q1", "C", "team", "T1"): "4625.00",
    # T2 Q1 credit: C 20,000 (Feb 14, still T2) + D 20,000 = 40,000 / 45,000 = 8/9 >= 0.8;
    #    curve 0.5 + (0.5 / 0.2) x (8/9 - 0.8) = 13/18
    # C in T2 45 of 90 days: 7,500 x 13/18 = 5,416.666.. x 45/90 = 2,708.333.. -> 2,708.33
    ("2017-Q1", "C", "team", "T2"): "2708.33",
    # D: 15,000.0375 x 0.6 = 9,000.0225 x 13/18 = 6,500.01625 -> 6,500.02
    ("2017-Q1", "D", "team", "T2"): "6500.02",
    # Q2: A 5,000 / 40,000 = 0.125 < 0.5 -> 0.00; D has a target and no deals -> 0.00
    ("2017-Q2", "A", "personal", None): "0.00",
    ("2017-Q2", "D", "personal", None): "0.00",
    # T1 Q2: 5,000 / 60,000 < 0.8, the gate fails: every member's line is 0.00;
    # B and C have no Q2 personal target (no line); T2 has no Q2 target (no line for D)
    ("2017-Q2", "A", "team", "T1"): "0.00",
    ("2017-Q2", "B", "team", "T1"): "0.00",
    ("2017-Q2", "C", "team", "T1"): "0.00",
}


def write(directory: Path, records: Mapping[str, Sequence[Mapping[str, Any]]] = RECORDS
          ) -> Path:
    """Write the case (or other records) as Parquet and CSV files in the canonical layout."""
    directory.mkdir(parents=True, exist_ok=True)
    for name, rows in records.items():
        table = to_table(TABLES[name], rows)
        pq.write_table(table, directory / f"{name}.parquet")
        pacsv.write_csv(table, directory / f"{name}.csv")
    return directory


def expected_lines() -> dict[tuple[str, str, str, str | None], Decimal]:
    return {key: Decimal(value) for key, value in EXPECTED.items()}
