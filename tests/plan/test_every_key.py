"""No plan key is accepted and ignored: every key of the JSON Schema (``teamquota schema``)
changes some output relative to a base plan.

A table of (key path, base plan, change, expected effect). Effects:

* ``payout`` — the calculation differs: its plan id, payout lines (period, payee,
  component, line type, team, deal, amount, currency) or warning codes, on DuckDB with the
  small inline data below;
* ``ledger`` — the clawback rules the ledger reads (``ledger.corrections.rules_of``) differ;
* ``display`` — a label or visibility setting the web app shows: the test checks that the
  named module reads it (and the web tests check what it shows).

A key in the schema without a row here fails the test, so a new key needs a row, and a
row whose change makes no difference fails too.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import yaml

from teamquota.backends import Backend, connect
from teamquota.core.diagnostics import InputError
from teamquota.data import Dataset
from teamquota.engine.run import run
from teamquota.ledger.corrections import rules_of
from teamquota.plan import load_plan_text
from teamquota.plan.schema import plan_json_schema

SRC = Path(__file__).parents[2] / "src" / "teamquota"

# --- data: two quarters of deals in a small organisation ---------------------------------
PAYEES = [{"payee_id": p, "name": p.title(), "target_incentive": ti, "role": role}
          for p, ti, role in (("ann", "40000", "AE"), ("bob", "20000", "AE"),
                              ("lee", "60000", "leader"), ("sam", "10000", "SE"))]
TEAMS = [{"team_id": "east", "name": "East", "leader_id": "lee", "parent_team_id": "na"},
         {"team_id": "na", "name": "North America"}]
MEMBERS = [{"payee_id": p, "team_id": t, "start_date": "2017-01-01"}
           for p, t in (("ann", "east"), ("bob", "east"), ("lee", "na"))]


def _deal(deal_id: str, owner: str, amount: str, day: str, stage: str = "Won",
          product: str = "A", account: str = "Other") -> dict[str, Any]:
    return {"deal_id": deal_id, "owner_id": owner, "amount": amount, "stage": stage,
            "close_date": day, "product": product, "account": account,
            "margin": str(int(float(amount)) // 4)}


DEALS = [_deal("d1", "ann", "60000.50", "2017-02-10", account="Acme"),
         _deal("d2", "ann", "50000", "2017-03-20", product="B"),
         _deal("d3", "bob", "30000", "2017-02-15"),
         _deal("d4", "ann", "20000", "2017-02-20", stage="Lost"),
         _deal("d5", "ann", "45000", "2017-05-10", product="B"),
         _deal("d6", "bob", "70000", "2017-06-01")]
SPLITS = [{"deal_id": "d3", "payee_id": "bob", "share": "0.5"},
          {"deal_id": "d3", "payee_id": "ann", "share": "0.5"}]
COVERAGE = [{"payee_id": "sam", "covers_type": "account", "covers_id": "Acme",
             "start_date": "2017-01-01", "share": "1"}]
ACTIVITIES = [{"payee_id": "ann", "type": "meeting", "date": "2017-02-01"},
              {"payee_id": "bob", "type": "meeting", "date": "2017-05-01", "quantity": "2"}]


def _targets() -> list[dict[str, Any]]:
    rows = []
    for period in ("2017-Q1", "2017-Q2"):
        for payee in ("ann", "bob", "lee", "sam"):
            rows.append(("payee", payee, "sales", period, "100000"))
            rows.append(("payee", payee, "other", period, "50000"))
        for team in ("east", "na"):
            rows.append(("team", team, "team", period, "200000"))
            rows.append(("team", team, "sales", period, "200000"))
    for payee in ("ann", "bob", "lee", "sam"):
        rows.append(("payee", payee, "annual", "2017", "300000"))
    return [{"subject_type": s, "subject_id": i, "measure": m, "period": p, "amount": a}
            for s, i, m, p, a in rows]


DATA = {"payees": PAYEES, "teams": TEAMS, "memberships": MEMBERS, "deals": DEALS,
        "splits": SPLITS, "coverage": COVERAGE, "activities": ACTIVITIES,
        "targets": _targets()}

# --- base plans ---------------------------------------------------------------------------
WON = {"sum": "amount", "where": {"stage": "Won"}}


def _plan(*components: dict[str, Any], **top: Any) -> dict[str, Any]:
    return {"plan": "base", "period": "quarter", **top, "components": list(components)}


def _component(cid: str = "sales", scope: str = "payee", **keys: Any) -> dict[str, Any]:
    return {"id": cid, "scope": scope, "measure": copy.deepcopy(WON), **keys}


CURVE = _plan(_component(weight=1, payout={"curve": [[0, 0], [1, 1], [2, 3]]}))
RATE = _plan(_component(payout={"rate": 0.015}))
TIERS = _plan(_component(payout={"tiers": [{"from": 0, "rate": 0.02}, {"from": 1, "rate": 0.05}],
                                  "mode": "marginal", "basis": "attainment"}))
ANNUAL = _plan(_component(payout=TIERS["components"][0]["payout"],
                          target={"measure": "annual"}))
TEAM = _plan(_component("team", "team", weight=1, payout={"curve": [[0, 0], [1, 1]]}))
POOL = _plan(_component("team", "team", payout={"pool": {"rate": 0.1, "split": "equal"}}))
SPIF = _plan(_component(measure={"count": True, "where": {"stage": "Won"}},
                        payout={"per_deal": 100}))
TWO = _plan(_component(weight=0.5, payout={"curve": [[0, 0], [1, 1], [2, 3]]}),
            _component("other", weight=0.5, payout={"curve": [[0, 0], [1, 1], [2, 3]]}))
HYBRID = _plan(_component(weight=0.5, payout={"curve": [[0, 0], [1, 1], [2, 3]]}),
               _component("other", payout={"rate": 0.01}),
               _component("team", "team", weight=0.5, payout={"curve": [[0, 0], [1, 1]]}))
GATED = _plan(_component(payout={"rate": 0.015},
                         gate={"min_activity": {"type": "meeting", "count": 1}}))


def edit(base: dict[str, Any], path: str, value: Any) -> dict[str, Any]:
    """A copy of ``base`` with ``value`` at ``path`` ('components.0.payout.rate')."""
    plan = copy.deepcopy(base)
    *parents, last = path.split(".")
    node: Any = plan
    for key in parents:
        node = node[int(key)] if isinstance(node, list) else node.setdefault(key, {})
    if isinstance(node, list) and int(last) == len(node):
        node.append(value)
    elif isinstance(node, list):
        node[int(last)] = value
    else:
        node[last] = value
    return plan


def where(op: str, value: Any) -> Callable[[dict[str, Any]], dict[str, Any]]:
    column = "product" if isinstance(value, str | list) else "amount"
    return lambda base: edit(base, f"components.0.measure.where.{column}", {op: value})


def at(path: str, value: Any) -> Callable[[dict[str, Any]], dict[str, Any]]:
    return lambda base: edit(base, path, value)


@dataclass(frozen=True)
class Case:
    key: str                  # the schema path: components[].payout.rate
    base: dict[str, Any]
    change: Callable[[dict[str, Any]], dict[str, Any]]
    effect: str               # payout | ledger | display:<module>:<what it reads>


def team_target(source: str, **more: Any) -> Callable[[dict[str, Any]], dict[str, Any]]:
    return at("components.2", _component("team", "team", weight=0.5,
                                         payout={"curve": [[0, 0], [1, 1]]},
                                         target={"source": source, **more}))


C = "components.0."
CASES = [
    Case("plan", RATE, at("plan", "renamed"), "payout"),
    Case("name", RATE, at("name", "A readable name"), "display:web/comp/views/plans.py:"
         "plan.name"),
    Case("period", RATE, at("period", "month"), "payout"),
    Case("year_start_month", RATE, at("year_start_month", 2), "payout"),
    Case("currency", RATE, at("currency", "EUR"), "payout"),
    Case("effective", RATE, at("effective", {"start": "2017-04-01", "end": "2017-06-30"}),
         "payout"),
    Case("effective.start", edit(RATE, "effective", {"start": "2017-01-01",
                                                     "end": "2017-06-30"}),
         at("effective.start", "2017-04-01"), "payout"),
    Case("effective.end", edit(RATE, "effective", {"start": "2017-01-01", "end": "2017-06-30"}),
         at("effective.end", "2017-03-31"), "payout"),
    Case("eligible_roles", RATE, at("eligible_roles", ["AE"]), "payout"),
    Case("components", RATE, at("components.1", _component("extra", payout={"rate": 0.01})),
         "payout"),
    Case("components[].id", RATE, at(C + "id", "renamed"), "payout"),
    Case("components[].name", RATE, at(C + "name", "Sales"),
         "display:web/comp/views/plans.py:component.name"),
    Case("components[].scope", CURVE, at(C + "scope", "team"), "payout"),
    Case("components[].weight", TWO, lambda b: edit(edit(b, C + "weight", 0.3),
                                                    "components.1.weight", 0.7), "payout"),
    Case("components[].measure", RATE, at(C + "measure", {"count": True}), "payout"),
    Case("components[].measure.source", RATE,
         at(C + "measure", {"source": "activities", "sum": "quantity"}), "payout"),
    Case("components[].measure.sum", RATE, at(C + "measure.sum", "margin"), "payout"),
    Case("components[].measure.count", RATE,
         at(C + "measure", {"count": True, "where": {"stage": "Won"}}), "payout"),
    Case("components[].measure.where", RATE, at(C + "measure.where", {}), "payout"),
    Case("components[].measure.where.*.eq", RATE, where("eq", "A"), "payout"),
    Case("components[].measure.where.*.ne", RATE, where("ne", "A"), "payout"),
    Case("components[].measure.where.*.gt", RATE, where("gt", 50000), "payout"),
    Case("components[].measure.where.*.gte", RATE, where("gte", 50000), "payout"),
    Case("components[].measure.where.*.lt", RATE, where("lt", 50000), "payout"),
    Case("components[].measure.where.*.lte", RATE, where("lte", 50000), "payout"),
    Case("components[].measure.where.*.in", RATE, where("in", ["B"]), "payout"),
    Case("components[].measure.where.*.not_in", RATE, where("not_in", ["B"]), "payout"),
    Case("components[].target", TIERS, at(C + "target", {"measure": "annual"}), "payout"),
    Case("components[].target.source", HYBRID, team_target("sum_of_members", of="sales"),
         "payout"),
    Case("components[].target.measure", TIERS, at(C + "target.measure", "other"), "payout"),
    Case("components[].target.of", edit(HYBRID, "components.2.target",
                                        {"source": "sum_of_members", "of": "sales"}),
         at("components.2.target.of", "other"), "payout"),
    Case("components[].target.by", edit(HYBRID, C + "target", {"source": "from_team",
                                                               "of": "team"}),
         at(C + "target.by", "equal"), "payout"),
    Case("components[].payout", RATE, at(C + "payout", {"rate": 0.02}), "payout"),
    Case("components[].payout.curve", CURVE, at(C + "payout.curve", [[0, 0], [1, 2]]),
         "payout"),
    Case("components[].payout.cap", CURVE, at(C + "payout.cap", 1), "payout"),
    Case("components[].payout.rate", RATE, at(C + "payout.rate", 0.02), "payout"),
    Case("components[].payout.tiers", RATE,
         at(C + "payout", {"tiers": [{"from": 0, "rate": 0.015}, {"from": 1, "rate": 0.1}]}),
         "payout"),
    Case("components[].payout.tiers[].from", TIERS, at(C + "payout.tiers.1.from", 0.5),
         "payout"),
    Case("components[].payout.tiers[].rate", TIERS, at(C + "payout.tiers.1.rate", 0.08),
         "payout"),
    Case("components[].payout.mode", TIERS, at(C + "payout.mode", "whole"), "payout"),
    Case("components[].payout.basis", TIERS, at(C + "payout.basis", "amount"), "payout"),
    Case("components[].payout.pool", TEAM, lambda b: edit(
        edit(b, C + "payout", {"pool": {"rate": 0.1}}), C + "weight", None), "payout"),
    Case("components[].payout.pool.rate", POOL, at(C + "payout.pool.rate", 0.2), "payout"),
    Case("components[].payout.pool.split", POOL, at(C + "payout.pool.split", "ti_share"),
         "payout"),
    Case("components[].payout.pool.weights", edit(POOL, C + "payout.pool", {
        "rate": 0.1, "split": "weights", "weights": {"ann": 1, "bob": 1}}),
         at(C + "payout.pool.weights.ann", 3), "payout"),
    Case("components[].payout.per_deal", SPIF, at(C + "payout.per_deal", 200), "payout"),
    Case("components[].gate", RATE, at(C + "gate", {"personal_attainment_at_least": 1}),
         "payout"),
    Case("components[].gate.team_attainment_at_least",
         edit(TEAM, C + "gate", {"team_attainment_at_least": 0.1}),
         at(C + "gate.team_attainment_at_least", 0.7), "payout"),
    Case("components[].gate.personal_attainment_at_least", RATE,
         at(C + "gate.personal_attainment_at_least", 1), "payout"),
    Case("components[].gate.min_contribution_share", POOL,
         at(C + "gate.min_contribution_share", 0.5), "payout"),
    Case("components[].gate.min_activity", RATE,
         at(C + "gate.min_activity", {"type": "meeting", "count": 1}), "payout"),
    Case("components[].gate.min_activity.type", GATED,
         at(C + "gate.min_activity.type", "call"), "payout"),
    Case("components[].gate.min_activity.count", GATED,
         at(C + "gate.min_activity.count", 2), "payout"),
    Case("components[].gate.personal_component",
         edit(TWO, C + "gate", {"personal_attainment_at_least": 1}),
         at(C + "gate.personal_component", "other"), "payout"),
    Case("components[].cap_amount", RATE, at(C + "cap_amount", 1000), "payout"),
    Case("components[].accumulate", TIERS, at(C + "accumulate", "ytd"), "payout"),
    Case("crediting", RATE, at("crediting", {"leaders": True}), "payout"),
    Case("crediting.split_table", RATE, at("crediting.split_table", False), "payout"),
    Case("crediting.rollup", TEAM, at("crediting.rollup", False), "payout"),
    Case("crediting.leaders", RATE, at("crediting.leaders", True), "payout"),
    Case("crediting.overlay", RATE, at("crediting.overlay", False), "payout"),
    Case("target_distribution", ANNUAL, at("target_distribution", {"method": "days"}),
         "payout"),
    Case("target_distribution.method", ANNUAL, at("target_distribution.method", "days"),
         "payout"),
    Case("target_distribution.custom",
         edit(ANNUAL, "target_distribution", {"method": "custom",
                                              "custom": [0.25, 0.25, 0.25, 0.25]}),
         at("target_distribution.custom", [0.1, 0.2, 0.3, 0.4]), "payout"),
    Case("rounding", RATE, at("rounding", {"mode": "down"}), "payout"),
    Case("rounding.mode", RATE, at("rounding.mode", "down"), "payout"),
    Case("rounding.places", RATE, at("rounding.places", 0), "payout"),
    Case("cap_amount", RATE, at("cap_amount", 1000), "payout"),
    Case("cap_ti_multiple", RATE, at("cap_ti_multiple", 0.05), "payout"),
    Case("draw", RATE, at("draw", {"amount": 5000}), "payout"),
    Case("draw.amount", edit(RATE, "draw", {"amount": 5000}), at("draw.amount", 6000),
         "payout"),
    Case("draw.kind", edit(RATE, "draw", {"amount": 500}), at("draw.kind", "recoverable"),
         "payout"),
    Case("clawback", CURVE, at("clawback", {"instalments": 3}), "ledger"),
    Case("clawback.reduce_attainment", CURVE, at("clawback.reduce_attainment", False),
         "ledger"),
    Case("clawback.instalments", CURVE, at("clawback.instalments", 2), "ledger"),
    Case("team_visibility", RATE, at("team_visibility", "totals_only"),
         "display:web/comp/views/dashboard.py:plan.team_visibility"),
]


# Keys in a place where they would change nothing: refused, with the code and the key's
# line:column.
REFUSED = [
    ("weight on a commission", edit(RATE, C + "weight", 1), "P017", "weight: 1"),
    ("scope team on a commission", edit(RATE, C + "scope", "team"), "P017", "team"),
    ("scope team on a SPIF", edit(SPIF, C + "scope", "team"), "P017", "team"),
    ("mode on a curve", edit(CURVE, C + "payout.mode", "whole"), "P017", "mode: whole"),
    ("basis on a pool", edit(POOL, C + "payout.basis", "amount"), "P017", "basis: amount"),
    ("ytd on a SPIF", edit(SPIF, C + "accumulate", "ytd"), "P019", "ytd"),
    ("ytd on per-deal tiers against attainment",
     edit(edit(TIERS, C + "payout.mode", "per_deal"), C + "accumulate", "ytd"), "P019",
     "ytd"),
    ("ytd on a pool", edit(POOL, C + "accumulate", "ytd"), "P017", "ytd"),
]


def schema_keys() -> list[str]:
    """Every key path of the plan's JSON Schema ('components[].payout.tiers[].from')."""
    schema = plan_json_schema()
    defs = schema.get("$defs", {})
    found: list[str] = []

    def walk(node: dict[str, Any], path: str, seen: frozenset[str]) -> None:
        if "$ref" in node:
            name = node["$ref"].split("/")[-1]
            if name not in seen:
                walk(defs[name], path, seen | {name})
            return
        for key in ("anyOf", "oneOf", "allOf"):
            for sub in node.get(key, []):
                walk(sub, path, seen)
        if isinstance(node.get("items"), dict):
            walk(node["items"], path + "[]", seen)
        for sub in node.get("prefixItems", []):
            walk(sub, path + "[]", seen)
        if isinstance(node.get("additionalProperties"), dict):
            walk(node["additionalProperties"], path + ".*", seen)
        for key, sub in node.get("properties", {}).items():
            child = f"{path}.{key}" if path else key
            found.append(child)
            walk(sub, child, seen)

    walk(schema, "", frozenset())
    return found


@pytest.fixture(scope="module")
def duckdb() -> Backend:
    return connect("duckdb")


def _text(plan: dict[str, Any]) -> str:
    return yaml.safe_dump(_without_nulls(plan), sort_keys=False)


def _load(plan: dict[str, Any]) -> Any:
    return load_plan_text(_text(plan), "plan.yaml")


def _without_nulls(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _without_nulls(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [_without_nulls(v) for v in value]
    return value


_OUTCOMES: dict[str, tuple[Any, ...]] = {}  # base plans are shared by many rows


def outcome(plan: dict[str, Any], backend: Backend) -> tuple[Any, ...]:
    """What a calculation of ``plan`` produces that a reader can see."""
    key = repr(plan)
    if key not in _OUTCOMES:
        _OUTCOMES[key] = _calculate(plan, backend)
    return _OUTCOMES[key]


def _calculate(plan: dict[str, Any], backend: Backend) -> tuple[Any, ...]:
    results = run(_load(plan), Dataset.from_records(**DATA), backend=backend)
    lines = sorted((r["period"], r["payee_id"], r["component_id"], r["line_type"],
                    r["team_id"] or "", r["deal_id"] or "", r["amount"], r["currency"])
                   for r in results.payouts.to_pylist())
    warnings = sorted(d.code for d in results.diagnostics)
    return results.plan_id, tuple(lines), tuple(warnings)


def test_every_key__has_a_row_in_the_table() -> None:
    keys = schema_keys()
    assert len(keys) > 70
    rows = [case.key for case in CASES]
    assert sorted(set(keys) - set(rows)) == []  # a key nobody showed does something
    assert sorted(set(rows) - set(keys)) == []  # a row for a key the schema lacks
    assert len(rows) == len(set(rows))


@pytest.mark.parametrize("case", CASES, ids=[case.key for case in CASES])
def test_every_key__changes_some_output(case: Case, duckdb: Backend) -> None:
    changed = case.change(case.base)
    assert changed != case.base
    if case.effect == "payout":
        assert outcome(changed, duckdb) != outcome(case.base, duckdb)
    elif case.effect == "ledger":
        assert rules_of(_load(changed).plan) != rules_of(_load(case.base).plan)
    else:
        _, module, reads = case.effect.split(":")
        _load(changed)  # a valid plan
        assert reads in (SRC / module).read_text(encoding="utf-8")


@pytest.mark.parametrize(("plan", "code", "text"), [r[1:] for r in REFUSED],
                         ids=[r[0] for r in REFUSED])
def test_every_key__is_refused_where_it_would_change_nothing(plan: dict[str, Any], code: str,
                                                           text: str) -> None:
    with pytest.raises(InputError) as caught:
        _load(plan)
    (found,) = caught.value.diagnostics
    assert found.code == code and found.hint
    # file:line:col points at the refused key (or its value) in the plan's text
    assert found.source is not None and found.source.path == "plan.yaml"
    line, column = found.source.line, found.source.column
    assert line is not None and column is not None
    assert _text(plan).splitlines()[line - 1][column - 1:].startswith(text)
