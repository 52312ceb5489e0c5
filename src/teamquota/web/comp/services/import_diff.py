"""What an import changed in the tables the audit log must name row by row: targets and
memberships ("who changed which target or membership, and when"). Other tables are
audited by file and row counts."""

from __future__ import annotations

from typing import Any

from teamquota.web.comp.models import Membership, Target

SHOWN = 5       # changes spelled out in the audit summary
KEPT = 500      # changes kept in the audit event's details

Snapshot = dict[tuple[str, ...], str]


def snapshot(table: str) -> Snapshot | None:
    if table == "targets":
        return {(t.subject_type, t.subject_id, t.measure, t.period): f"{t.amount:.2f}"
                for t in Target.objects.all()}
    if table == "memberships":
        return {(m.payee.payee_id, m.team.team_id, str(m.start_date)): str(m.end_date or "open")
                for m in Membership.objects.select_related("payee", "team")}
    return None


def describe(table: str, before: Snapshot, after: Snapshot) -> tuple[str, dict[str, Any]]:
    """('2 added, 1 changed, 0 removed: rita personal 2017-Q1 3000.00 -> 3500.00; ...',
    details with every change up to KEPT)."""
    value = "amount" if table == "targets" else "end"
    added = [" ".join(k) + f" {after[k]}" for k in sorted(set(after) - set(before))]
    removed = [" ".join(k) + f" {before[k]}" for k in sorted(set(before) - set(after))]
    changed = [" ".join(k) + f" {before[k]} -> {after[k]}"
               for k in sorted(set(before) & set(after)) if before[k] != after[k]]
    head = f"{len(added)} added, {len(changed)} changed, {len(removed)} removed"
    shown = ([f"changed {c}" for c in changed] + [f"added {a}" for a in added]
             + [f"removed {r}" for r in removed])
    text = head + (": " + "; ".join(shown[:SHOWN]) if shown else "")
    if len(shown) > SHOWN:
        text += f"; and {len(shown) - SHOWN} more (see details)"
    return text, {"value": value, "added": added[:KEPT], "changed": changed[:KEPT],
                  "removed": removed[:KEPT]}
