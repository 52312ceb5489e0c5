"""Every decimal a command prints in JSON is canonical text: positional notation with its
own places, never an exponent (issue 14; the CSV side is tests/core/test_spreadsheet.py)."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import pyarrow as pa
import pytest

from teamquota.cli.output import json_text, print_json
from teamquota.engine.results import ATTAINMENT_SCHEMA, CREDITS, PAYOUTS, Results


def test_print_json__a_zero_a_tiny_and_a_large_decimal(capsys: pytest.CaptureFixture[str]
                                                       ) -> None:
    print_json({"zero": Decimal("0E-10"), "tiny": Decimal("1E-10"),
                "large": Decimal("12345678901234567890.5000000000"),
                "negative_zero": Decimal("-0.00"), "out": Path("out/x")})
    assert json.loads(capsys.readouterr().out) == {
        "zero": "0.0000000000", "tiny": "0.0000000001",
        "large": "12345678901234567890.5000000000", "negative_zero": "0.00", "out": "out/x"}


def test_demo_team_rows__zero_attainment_and_measure_are_positional() -> None:
    from teamquota.cli.demo import team_rows

    row = dict.fromkeys(ATTAINMENT_SCHEMA.names) | {
        "period": "2017-Q1", "component_id": "team", "subject_type": "team",
        "subject_id": "east", "measure_value": Decimal(0), "target_amount": Decimal("5.00"),
        "attainment": Decimal(0)}  # 0 / 5.00 = 0
    results = Results(CREDITS.empty_table(),
                      pa.Table.from_pylist([row], schema=ATTAINMENT_SCHEMA),
                      PAYOUTS.empty_table())
    assert json.loads(json_text(team_rows(results))) == [
        {"team_id": "east", "period": "2017-Q1", "won": "0.0000000000", "target": "5.00",
         "attainment": "0.000000000000"}]  # was "0E-10" and "0E-12"
