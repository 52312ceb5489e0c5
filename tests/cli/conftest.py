"""Hand-built results shared by the CLI tests (no engine needed).

Numbers: a payee with target incentive 40,000.00 a year has 10,000.00 a quarter;
personal = 10,000.00 x 0.4 x factor 1.0 = 4,000.00; team = 10,000.00 x 0.6 x 0.75 =
4,500.00; total 4,000.00 + 4,500.00 = 8,500.00.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pyarrow as pa
import pytest

from teamquota.engine.results import ATTAINMENT_SCHEMA, CREDITS, PAYOUTS, Results


def line(**values: Any) -> dict[str, Any]:
    row = dict.fromkeys(PAYOUTS.names)
    row.update(currency="USD", **values)
    return row


ROWS = [
    line(period="2017-Q3", payee_id="p1", component_id="personal", line_type="curve",
         amount=Decimal("4000.00"), rule="personal: 40% of TI x curve(attainment)",
         explanation="10,000.00 x 0.4 x 1.0 = 4,000.00"),
    line(period="2017-Q3", payee_id="p1", component_id="team", line_type="curve",
         team_id="east", amount=Decimal("4500.00"), rule="team: 60% of TI x curve",
         explanation="10,000.00 x 0.6 x 0.75 = 4,500.00"),
    line(period="2017-Q2", payee_id="p1", component_id="personal", line_type="curve",
         amount=Decimal("1234.56"), rule="personal", explanation=""),
    line(period="2017-Q3", payee_id="p2", component_id="personal", line_type="curve",
         amount=Decimal("10.00"), rule="personal", explanation="x"),
]


def _results() -> Results:
    return Results(CREDITS.empty_table(), ATTAINMENT_SCHEMA.empty_table(),
                   pa.Table.from_pylist(ROWS, schema=PAYOUTS), plan_id="ae")



@pytest.fixture
def make_results() -> Callable[[], Results]:
    """A factory: each call gives fresh results with the rows above."""
    return _results
