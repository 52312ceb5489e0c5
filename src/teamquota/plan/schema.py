"""The plan language as JSON Schema (draft 2020-12), for editors and other tools.

Generated from the pydantic model, so it cannot drift from what the loader accepts; this
module adds ``$schema``/``$id`` and a description for every key the model leaves
undescribed, so an editor (e.g. VS Code with yaml-language-server) shows help on hover.
Use it from a plan file with a first line such as
``# yaml-language-server: $schema=plan.schema.json`` after ``teamquota schema -o
plan.schema.json``.
"""

from __future__ import annotations

from typing import Any

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


def plan_json_schema() -> dict[str, Any]:
    """The plan language as a JSON Schema (draft 2020-12) with a description on every key."""
    schema = Plan.model_json_schema(by_alias=True, mode="validation")
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
