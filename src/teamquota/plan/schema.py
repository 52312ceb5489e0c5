"""The plan language as JSON Schema (draft 2020-12), for editors and other tools.

Generated from the pydantic model, so it cannot drift from what the loader accepts; this
module adds ``$schema``/``$id`` and a description for every key the model leaves
undescribed, so an editor (e.g. VS Code with yaml-language-server) shows help on hover.
Use it from a plan file with a first line such as
``# yaml-language-server: $schema=plan.schema.json`` after ``teamquota schema -o
plan.schema.json``.

A number may be written as a number or as text (``rate: "0.05"``). Text is what the
loader reads with Python's ``Decimal`` (the plan model's decimal fields): the schema's
``decimal_text`` pattern accepts exactly that - surrounding white space, ``_`` anywhere
inside (Python ignores them), a sign, digits with an optional point, an exponent, and
digits of any script Python reads as digits (``١.٥`` is 1.5) - and no infinity or NaN. A
field's bounds (``minimum`` and the like) apply to the number form only: JSON Schema cannot
compare text, so the loader's check says so for text (P010).
"""

from __future__ import annotations

import sys
import unicodedata
from functools import cache
from typing import Any

from pydantic.json_schema import GenerateJsonSchema
from pydantic_core import core_schema

from teamquota.plan.model import Plan

SCHEMA_ID = "urn:teamquota:schema:plan:v1"
DRAFT = "https://json-schema.org/draft/2020-12/schema"

# (model, key) -> description, for keys the model does not describe itself
DESCRIPTIONS: dict[tuple[str, str], str] = {
    ("Plan", "plan"): "the plan's id: a letter, then letters, digits, '_' or '-'",
    ("Plan", "name"): "a readable name shown on statements",
    ("Plan", "period"): "how often the plan measures and pays: month, quarter or year",
    ("Plan", "year_start_month"): "first month of the plan year (1 = January); sets "
                                  "quarters and ytd",
    ("Plan", "currency"): "ISO 4217 code of targets and payouts, e.g. USD",
    ("Plan", "effective"): "first and last day the plan applies",
    ("Plan", "components"): "the parts of the plan; curve weights must sum to 1",
    ("Plan", "crediting"): "which deals count for whom",
    ("Plan", "target_distribution"): "how annual targets become period targets",
    ("Plan", "rounding"): "how each payout line is rounded (once)",
    ("Plan", "cap_ti_multiple"): "per payee per period: at most this multiple of the "
                                 "period's target incentive",
    ("Plan", "draw"): "a guaranteed or recoverable advance per period",
    ("Plan", "clawback"): "what happens when a paid deal is reversed",
    ("Plan", "team_visibility"): "whether members see each other's results or team "
                                 "totals only",
    ("Component", "id"): "the component's id, used by targets and references",
    ("Component", "name"): "a readable name shown on statements",
    ("Component", "scope"): "payee: measured per person; team: measured per team",
    ("Component", "measure"): "what is counted or added up",
    ("Component", "target"): "where the component's targets come from",
    ("Component", "payout"): "how attainment or credited value becomes money",
    ("Component", "gate"): "conditions under which the component pays at all",
    ("Component", "cap_amount"): "highest amount this component pays per payee per period",
    ("Component", "accumulate"): "period: each period on its own; ytd: year to date, "
                                 "paying the difference to what was already paid",
    ("Measure", "source"): "deals (credited deals) or activities",
    ("Measure", "where"): "column: value, column: [values] or column: {gte: 1000}; all "
                          "must hold",
    ("Payout", "curve"): "[attainment, factor] points: 0 below the first, linear between, "
                         "last slope beyond",
    ("Payout", "rate"): "commission rate on the credited measure, e.g. 0.05",
    ("Payout", "tiers"): "commission tiers, from the lowest threshold up",
    ("Payout", "mode"): "how tiers apply: marginal, whole, zero_until_quota or per_deal",
    ("Payout", "basis"): "what tier thresholds compare with: attainment or amount",
    ("Payout", "pool"): "a team pool split among members",
    ("Payout", "per_deal"): "SPIF: this amount for each qualifying deal",
    ("Tier", "from"): "the tier starts at this attainment (or amount)",
    ("Tier", "rate"): "commission rate within this tier",
    ("Pool", "rate"): "the pool is rate x the team's measure",
    ("Pool", "split"): "equal, ti_share (by target incentive), contribution or weights",
    ("Gate", "team_attainment_at_least"): "pay only if the team reaches this attainment",
    ("Gate", "personal_attainment_at_least"): "pay only if the payee reaches this "
                                              "attainment",
    ("Gate", "min_activity"): "pay only after this many activities of a type",
    ("MinActivity", "type"): "activity type, e.g. meeting",
    ("MinActivity", "count"): "how many activities are needed in the period",
    ("TargetRule", "source"): "file (targets table), sum_of_members or from_team",
    ("TargetRule", "by"): "from_team: how the team target is split among members",
    ("Distribution", "method"): "equal, days (by days in period) or custom shares",
    ("Rounding", "mode"): "half_up (default), half_even, down or up",
    ("Draw", "kind"): "non_recoverable (guarantee) or recoverable (advance repaid from "
                      "later earnings)",
    ("Effective", "start"): "first day, YYYY-MM-DD",
    ("Effective", "end"): "last day (inclusive), YYYY-MM-DD",
    ("Clawback", "reduce_attainment"): "a reversed deal also lowers attainment",
    ("Clawback", "instalments"): "recover a clawback over this many periods",
    ("Compare", "eq"): "equal to", ("Compare", "ne"): "not equal to",
    ("Compare", "gt"): "greater than", ("Compare", "gte"): "greater than or equal to",
    ("Compare", "lt"): "less than", ("Compare", "lte"): "less than or equal to",
    ("Compare", "in"): "one of these values", ("Compare", "not_in"): "none of these values",
}


DECIMAL_TEXT = "decimal_text"  # the $defs entry every decimal field's text form refers to
DECIMAL_EXAMPLES = ["0.05", "1.5", "12500.00", "-250", "1e3"]
_MARK = "teamquota:decimal-text"  # stands for the pattern while pydantic builds the schema


def _class(chars: list[int]) -> str:
    """A regex character class of these code points, as ranges; escaped so that Python's
    ``re`` and ECMA-262 (JSON Schema's dialect) read it alike (code points above U+FFFF
    as the characters themselves)."""
    def one(point: int) -> str:
        return f"\\u{point:04x}" if point <= 0xFFFF else chr(point)

    ranges: list[list[int]] = []
    for point in sorted(chars):
        if ranges and point == ranges[-1][1] + 1:
            ranges[-1][1] = point
        else:
            ranges.append([point, point])
    return "[" + "".join(one(a) if a == b else f"{one(a)}-{one(b)}" for a, b in ranges) + "]"


@cache
def decimal_text_pattern() -> str:
    """The text Python's ``Decimal`` reads as a finite number (CPython strips white space
    around it, skips every ``_``, reads any decimal digit of any script, then parses
    ``[sign] (digits [. digits] | . digits) [e [sign] digits]``)."""
    digits = _class([c for c in range(sys.maxunicode + 1)
                     if unicodedata.decimal(chr(c), None) is not None])
    space = _class([c for c in range(sys.maxunicode + 1) if chr(c).isspace()])
    u = "_*"
    run = f"{digits}(?:{u}{digits})*"  # digits, with _ between any two
    mantissa = f"(?:{run}(?:{u}\\.(?:{u}{digits})*)?|\\.{u}{run})"
    exponent = f"(?:{u}[eE]{u}[+-]?{u}{run})?"
    return f"^{space}*{u}[+-]?{u}{mantissa}{exponent}{u}{space}*$"


class _Generator(GenerateJsonSchema):
    """pydantic's generator, with a pattern on the text form of every decimal field."""

    def get_decimal_pattern(self, schema: core_schema.DecimalSchema) -> str | None:
        return _MARK


def _refer_decimals(node: Any) -> Any:
    """Each decimal's text form (``{"type": "string", "pattern": _MARK}``) as a reference to
    the one ``decimal_text`` definition."""
    if isinstance(node, dict):
        if node.get("pattern") == _MARK:
            return {"$ref": f"#/$defs/{DECIMAL_TEXT}"}
        return {key: _refer_decimals(value) for key, value in node.items()}
    if isinstance(node, list):
        return [_refer_decimals(item) for item in node]
    return node


def plan_json_schema() -> dict[str, Any]:
    """The plan language as a JSON Schema (draft 2020-12) with a description on every key."""
    schema = _refer_decimals(Plan.model_json_schema(by_alias=True, mode="validation",
                                                    schema_generator=_Generator))
    schema.setdefault("$defs", {})[DECIMAL_TEXT] = {
        "type": "string", "pattern": decimal_text_pattern(), "examples": DECIMAL_EXAMPLES,
        "title": "Decimal as text",
        "description": "a number as text, read exactly (never as a float): digits with an "
                       "optional '.' and exponent, e.g. 0.05 or 1e3; '_' may group digits"}
    models = {"Plan": schema, **schema.get("$defs", {})}
    for model_name, model in models.items():
        for key, prop in model.get("properties", {}).items():
            if "description" not in prop and (model_name, key) in DESCRIPTIONS:
                prop["description"] = DESCRIPTIONS[(model_name, key)]
            # pydantic leaves fields that are other models ($ref) untitled
            prop.setdefault("title", key.replace("_", " ").capitalize())
    schema["description"] = ("A teamquota compensation plan (docs/plan-language.md). Every "
                             "number is exact; unknown keys are errors.")
    return {"$schema": DRAFT, "$id": SCHEMA_ID, **schema}
