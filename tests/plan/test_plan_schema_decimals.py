"""The JSON Schema's text form of a decimal (issue 14): its pattern accepts exactly the
text the plan loader reads as a number - checked value by value against both the loader
(a plan whose ``rate`` is that text) and the model's Decimal validation (for signs the
rate's bound refuses) - and its examples are numbers the loader reads."""

from __future__ import annotations

import json
import re
from decimal import Decimal
from pathlib import Path

import pytest
from pydantic import TypeAdapter, ValidationError

from teamquota.core.diagnostics import InputError
from teamquota.plan.loader import load_plan
from teamquota.plan.schema import DECIMAL_EXAMPLES, DECIMAL_TEXT, plan_json_schema

SCHEMA = plan_json_schema()
PATTERN = SCHEMA["$defs"][DECIMAL_TEXT]["pattern"]

PLAN = """plan: p
period: quarter
currency: USD
components:
  - id: sales
    scope: payee
    measure: {source: deals, sum: amount}
    payout: {rate: RATE}
"""

ACCEPTED = ["0.05", "5", "5.", ".5", "+.5", "00.50", "1e3", "1E-3", "1.5e+2", " 0.05 ",
            "\t1\n", "1_000", "1__0", "_1", "1_", "1e_2", "1_.5", "\u00a01", "1\u3000",
            "\x1c1", "\u0661.\u0665",  # Arabic-Indic digits: 1.5
            "\uff11", "0", "12345678901234567890.1234567890"]
REFUSED = ["", " ", "_", ".", "+", "e3", "1e", "1.2.3", "1e3.5", "0x10", "1,000",
           "1 000", "5%", "$5", "NaN", "nan", "inf", "Infinity", "sNaN", "1_ 0", "_ 1",
           "1\u200b", "\ufeff1", "1/2", "one", "1e+", "+-1", "1\u00a00"]


def loader_reads(text: str, tmp_path: Path) -> bool:
    path = tmp_path / "plan.yaml"
    path.write_text(PLAN.replace("RATE", json.dumps(text)), encoding="utf-8")
    try:
        load_plan(path)
    except InputError:
        return False
    return True


def model_reads(text: str) -> bool:
    try:
        TypeAdapter(Decimal).validate_python(text)
    except ValidationError:
        return False
    return True


@pytest.mark.parametrize("text", ACCEPTED + REFUSED, ids=ascii)
def test_decimal_text__the_pattern_accepts_what_the_loader_reads(text: str,
                                                                tmp_path: Path) -> None:
    matches = re.search(PATTERN, text) is not None
    assert matches == (text in ACCEPTED)
    assert loader_reads(text, tmp_path) == matches  # a rate: every one here is >= 0
    assert model_reads(text) == matches


@pytest.mark.parametrize("text", ["-1", "-0.5e-3", " -_1 ", "-.5"], ids=ascii)
def test_decimal_text__a_sign_is_the_fields_bound_not_the_text(text: str,
                                                                tmp_path: Path) -> None:
    # a negative rate is text the model reads, then refused by the rate's bound (>= 0)
    assert re.search(PATTERN, text) and model_reads(text)
    assert not loader_reads(text, tmp_path)


def test_decimal_text__examples_are_read_by_the_loader(tmp_path: Path) -> None:
    assert SCHEMA["$defs"][DECIMAL_TEXT]["examples"] == DECIMAL_EXAMPLES
    for text in DECIMAL_EXAMPLES:
        assert re.search(PATTERN, text) and model_reads(text)
    assert all(loader_reads(text, tmp_path) for text in DECIMAL_EXAMPLES
               if not text.startswith("-"))


def test_decimal_fields__their_text_form_is_the_pattern_not_any_string() -> None:
    tier_rate = SCHEMA["$defs"]["Tier"]["properties"]["rate"]
    assert tier_rate["anyOf"] == [{"minimum": 0.0, "type": "number"},
                                  {"$ref": f"#/$defs/{DECIMAL_TEXT}"}]
    # every decimal field: no {"type": "string"} branch beside a number without a pattern
    text = json.dumps(SCHEMA)
    assert '"teamquota:decimal-text"' not in text
    assert text.count(f'"#/$defs/{DECIMAL_TEXT}"') >= 20
