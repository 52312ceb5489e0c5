"""A tiny, transparent stand-in for ``teamquota.calculate`` used by view tests only.

It exists so the web's storage, access and workflow can be tested with numbers checkable
by hand, independent of the engine's plan features (the engine has its own tests, and
tests/web/test_engine_integration.py runs the real one). Rules: every Won deal credits its
owner and the owner's teams on the close date; attainment = credited / target; each payee
is paid 10% of their credited Won amount in a 'personal' line, rounded half-up to cents.
"""

from __future__ import annotations

from collections import defaultdict
from decimal import ROUND_HALF_UP, Decimal

import pyarrow as pa

from teamquota.core.periods import period_of
from teamquota.engine.results import ATTAINMENT_SCHEMA, CREDITS, PAYOUTS, Results

RATE = Decimal("0.1")


def fake_calculate(plan, data, periods=None):  # noqa: ANN001, ANN201
    kind = plan.plan.period
    members = data["memberships"].to_pylist()
    targets = {(t["subject_type"], t["subject_id"], t["period"]): t["amount"]
               for t in data["targets"].to_pylist()} if data.get("targets") else {}
    credits, sums = [], defaultdict(lambda: Decimal("0"))
    for deal in data["deals"].to_pylist():
        if deal["stage"] != "Won" or deal["close_date"] is None:
            continue
        label = period_of(kind, deal["close_date"]).label
        credits.append({"period": label, "deal_id": deal["deal_id"], "subject_type": "payee",
                        "subject_id": deal["owner_id"], "rule": "owner", "share": Decimal(1),
                        "payee_id": deal["owner_id"],
                        "amount": deal["amount"], "counts_for_team": True,
                        "close_date": deal["close_date"]})
        sums[("payee", deal["owner_id"], label)] += deal["amount"]
        for m in members:
            if m["payee_id"] == deal["owner_id"] and m["start_date"] <= deal["close_date"] \
                    and (m["end_date"] is None or deal["close_date"] <= m["end_date"]):
                credits.append({"period": label, "deal_id": deal["deal_id"],
                                "subject_type": "team", "subject_id": m["team_id"],
                                "rule": "membership", "share": Decimal(1),
                                "payee_id": deal["owner_id"],
                                "amount": deal["amount"], "counts_for_team": True,
                                "close_date": deal["close_date"]})
                sums[("team", m["team_id"], label)] += deal["amount"]
    attainment, payouts = [], []
    for (subject_type, subject_id, label), measure in sorted(sums.items()):
        target = targets.get((subject_type, subject_id, label))
        ratio = (measure / target).quantize(Decimal("1e-12")) if target else None
        component = "personal" if subject_type == "payee" else "team"
        attainment.append({"period": label, "component_id": component,
                           "subject_type": subject_type, "subject_id": subject_id,
                           "measure_value": measure, "target_amount": target,
                           "attainment": ratio})
        if subject_type == "payee":
            amount = (measure * RATE).quantize(Decimal("0.01"), ROUND_HALF_UP)
            payouts.append({"period": label, "payee_id": subject_id,
                            "component_id": "personal", "line_type": "commission",
                            "team_id": None, "deal_id": None, "measure_value": measure,
                            "target_amount": target, "attainment": ratio, "factor": RATE,
                            "amount": amount, "currency": "USD", "rule": "10% of Won",
                            "explanation": f"Won {measure} x 10% = {amount}"})
    return Results(pa.Table.from_pylist(credits, CREDITS),
                   pa.Table.from_pylist(attainment, ATTAINMENT_SCHEMA),
                   pa.Table.from_pylist(payouts, PAYOUTS), plan_id=plan.plan.plan)
