"""The plan-wide rules, run on the converted YAML values rather than by pydantic.

pydantic skips a model's validators once any of its fields failed, so a plan with a typo
*and* weights summing to 0.9 would report only the typo. These checks need only the raw
values, so they always run: P012 unknown component references, P013 weights that do not
sum to 1, P014 curve points or tiers out of order (at the offending point), P016 duplicate
component ids, P018 target rules of the wrong scope, P017 for a SPIF that does not count
deals or a team component accumulated year to date, and P019 for ytd on a payout kind
where it has no meaning of its own (a SPIF; per-deal tiers against attainment).
pydantic's own versions of the same rules are then dropped (:func:`covered_by_checks`).
"""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal
from typing import Any

from pydantic_core import ErrorDetails

from teamquota.core.diagnostics import Diagnostics, Source
from teamquota.core.money import ONE, ZERO
from teamquota.plan.field_errors import suggest
from teamquota.plan.yamlsource import Converter, KeyPath, key_path


class PlanChecks:
    """P012/P013/P014/P016/P018: the cross-field rules, resilient to errors elsewhere."""

    def __init__(self, data: dict[str, Any], converter: Converter) -> None:
        self.data = data
        self.converter = converter
        self.diagnostics = Diagnostics()

    def src(self, keys: KeyPath, value: bool = False) -> Source:
        if value:
            return self.converter.value_source(keys)
        return self.converter.key_source(keys)

    def components(self) -> Iterator[tuple[int, dict[str, Any]]]:
        items = self.data.get("components")
        if isinstance(items, list):
            for i, item in enumerate(items):
                if isinstance(item, dict):
                    yield i, item

    def run(self) -> Diagnostics:
        self.duplicate_ids()
        self.weights()
        self.references()
        self.target_rules()
        self.combinations()
        for i, component in self.components():
            payout = component.get("payout")
            if isinstance(payout, dict):
                self.curve_order(i, payout.get("curve"))
                self.tier_order(i, payout.get("tiers"))
        return self.diagnostics

    def ids(self) -> dict[str, int]:
        found: dict[str, int] = {}
        for i, component in self.components():
            cid = component.get("id")
            if isinstance(cid, str):
                found.setdefault(cid, i)
        return found

    def duplicate_ids(self) -> None:
        first = self.ids()
        for i, component in self.components():
            cid = component.get("id")
            if isinstance(cid, str) and first[cid] != i:
                line = self.src(("components", first[cid], "id"), value=True).line
                self.diagnostics.error(
                    "P016", f"components[{i}].id: component id '{cid}' is already used",
                    self.src(("components", i, "id"), value=True),
                    f"the first '{cid}' is on line {line}; give each component its own id")

    def weights(self) -> None:
        given = [(c.get("id"), c["weight"]) for _, c in self.components()
                 if c.get("weight") is not None]
        if not given or not all(isinstance(w, Decimal) and not isinstance(w, bool)
                                for _, w in given):
            return  # a weight that is not a number is reported on its own line
        total = sum((w for _, w in given), ZERO)
        if total != ONE:
            listed = " + ".join(f"{cid if isinstance(cid, str) else '?'} {w}"
                                for cid, w in given)
            self.diagnostics.error(
                "P013", f"components: component weights must sum to 1, but {listed} = "
                f"{total}", self.src(("components",)),
                "each weight is a share of target incentive; change them to add up to "
                "exactly 1")

    def references(self) -> None:
        ids = self.ids()
        listed = ", ".join(
            f"'{cid}' (line {self.src(('components', i)).line})"
            for cid, i in ids.items())
        for i, component in self.components():
            for section, key in (("target", "of"), ("gate", "personal_component")):
                block = component.get(section)
                ref = block.get(key) if isinstance(block, dict) else None
                if isinstance(ref, str) and ref not in ids:
                    keys: KeyPath = ("components", i, section, key)
                    self.diagnostics.error(
                        "P012", f"{key_path(keys)}: unknown component '{ref}'",
                        self.src(keys, value=True),
                        suggest(ref, list(ids)) + f"components in this plan: {listed}")

    def combinations(self) -> None:
        # rules across a component's measure, payout and accumulate that the engine relies on
        for i, component in self.components():
            payout, measure = component.get("payout"), component.get("measure")
            per_deal = isinstance(payout, dict) and payout.get("per_deal") is not None
            if per_deal and isinstance(measure, dict) and measure.get("count") is not True:
                keys: KeyPath = ("components", i, "measure")
                self.diagnostics.error(
                    "P017", f"{key_path(keys)}: a per_deal payout (SPIF) pays for each "
                    "qualifying deal, so its measure must count deals",
                    self.src(keys), "e.g. measure: {count: true, where: {stage: Won}}")
            if component.get("accumulate") == "ytd" and component.get("scope") == "team":
                keys = ("components", i, "accumulate")
                self.diagnostics.error(
                    "P017", f"{key_path(keys)}: ytd accumulation is for payee-scope "
                    "components only", self.src(keys, value=True),
                    "use accumulate: period for a team component")
            elif component.get("accumulate") == "ytd" and isinstance(payout, dict):
                self.ytd_kind(i, payout)
            if isinstance(payout, dict):
                self.unread_keys(i, component, payout)

    def unread_keys(self, i: int, component: dict[str, Any], payout: dict[str, Any]) -> None:
        # keys a payout kind would accept and never read: refused, not ignored
        kinds = [k for k in ("curve", "rate", "tiers", "pool", "per_deal")
                 if payout.get(k) is not None]
        if len(kinds) != 1:
            return  # reported as a payout with no kind or several
        kind = {"rate": "commission", "tiers": "commission", "per_deal": "SPIF"}.get(
            kinds[0], kinds[0])
        if component.get("weight") is not None and kind != "curve":
            keys: KeyPath = ("components", i, "weight")
            self.diagnostics.error(
                "P017", f"{key_path(keys)}: weight is a share of target incentive, which "
                f"only a curve payout reads; a {kind} payout pays without it",
                self.src(keys), "remove weight from this component")
        if kind not in ("curve", "pool") and component.get("scope") == "team":
            keys = ("components", i, "scope")
            self.diagnostics.error(
                "P017", f"{key_path(keys)}: a {kind} pays each payee on their own credited "
                "deals; scope: team is for curve and pool payouts",
                self.src(keys, value=True),
                "use scope: payee (a leader's credit on the team's deals: crediting.leaders)"
                " or a pool")
        for name in ("mode", "basis"):
            if payout.get(name) is not None and kind != "commission":
                keys = ("components", i, "payout", name)
                self.diagnostics.error(
                    "P017", f"{key_path(keys)}: {name} chooses how rate and tiers pay; a "
                    f"{kind} payout does not read it", self.src(keys),
                    f"remove {name} from this payout")

    def ytd_kind(self, i: int, payout: dict[str, Any]) -> None:
        # P019: payout kinds on which year to date has no meaning of its own
        keys: KeyPath = ("components", i, "accumulate")
        if payout.get("per_deal") is not None:
            self.diagnostics.error(
                "P019", f"{key_path(keys)}: a SPIF pays its amount for each qualifying deal "
                "once, in the deal's period, so year to date would pay exactly the same",
                self.src(keys, value=True),
                "remove 'accumulate: ytd' (or use accumulate: period)")
        elif payout.get("mode") == "per_deal" and payout.get("basis", "attainment") \
                == "attainment":
            self.diagnostics.error(
                "P019", f"{key_path(keys)}: per-deal tiers year to date need thresholds in "
                "currency: a threshold that is a share of the year-to-date target moves "
                "every period, and a deal already paid cannot be looked up again",
                self.src(keys, value=True),
                "use basis: amount with annual thresholds (e.g. {from: 150000, rate: 0.06}),"
                " or accumulate: period")

    def target_rules(self) -> None:
        # sum_of_members: a team's target = its members' targets of a payee component;
        # from_team: a member's target = a part of their team's target of a team component
        scopes = {c.get("id"): c.get("scope") for _, c in self.components()}
        needs = {"sum_of_members": ("team", "payee"), "from_team": ("payee", "team")}
        for i, component in self.components():
            rule = component.get("target")
            if not isinstance(rule, dict) or rule.get("source") not in needs:
                continue
            source = rule["source"]
            own_scope, of_scope = needs[source]
            scope = component.get("scope")
            if scope in ("payee", "team") and scope != own_scope:
                keys: KeyPath = ("components", i, "target", "source")
                self.diagnostics.error(
                    "P018", f"{key_path(keys)}: {source} sets targets of {own_scope} "
                    f"components, but this component's scope is {scope}",
                    self.src(keys, value=True),
                    f"use scope: {own_scope}, or target source: file")
            of = rule.get("of")
            candidates = [str(cid) for cid, s in scopes.items() if s == of_scope]
            if of is None:
                keys = ("components", i, "target")
                self.diagnostics.error(
                    "P018", f"{key_path(keys)}: {source} needs 'of: <component id>', the "
                    f"{of_scope} component whose targets it uses",
                    self.src(keys), f"{of_scope} components in this plan: "
                    f"{', '.join(candidates) or 'none'}")
            elif isinstance(of, str) and of in scopes and scopes[of] != of_scope:
                keys = ("components", i, "target", "of")
                self.diagnostics.error(
                    "P018", f"{key_path(keys)}: {source} uses the targets of a {of_scope} "
                    f"component, but '{of}' has scope {scopes[of]}",
                    self.src(keys, value=True), f"{of_scope} components in this plan: "
                    f"{', '.join(candidates) or 'none'}")

    def curve_order(self, i: int, curve: Any) -> None:
        if not isinstance(curve, list):
            return
        previous: Decimal | None = None
        for j, point in enumerate(curve):
            x = point[0] if isinstance(point, list) and point else None
            if not isinstance(x, Decimal) or isinstance(x, bool):
                previous = None
                continue
            if previous is not None and x <= previous:
                keys: KeyPath = ("components", i, "payout", "curve", j)
                self.diagnostics.error(
                    "P014", f"{key_path(keys)}: curve points must have strictly increasing "
                    f"attainment; {x} follows {previous}", self.src(keys, value=True),
                    "list the points from lowest to highest attainment, e.g. "
                    "[[0.5, 0], [1, 1], [1.5, 2]]")
            previous = x

    def tier_order(self, i: int, tiers: Any) -> None:
        if not isinstance(tiers, list):
            return
        previous: Decimal | None = None
        for j, tier in enumerate(tiers):
            start = tier.get("from") if isinstance(tier, dict) else None
            if not isinstance(start, Decimal) or isinstance(start, bool):
                previous = None
                continue
            if previous is not None and start <= previous:
                keys: KeyPath = ("components", i, "payout", "tiers", j, "from")
                self.diagnostics.error(
                    "P014", f"{key_path(keys)}: tiers must start at increasing thresholds; "
                    f"{start} follows {previous}", self.src(keys, value=True),
                    "list the tiers from the lowest threshold up")
            previous = start


# pydantic's versions of the checks above; dropped when ours reported the same problem.
_OURS = {
    "P012": "refers to unknown component",
    "P013": "component weights must sum to 1",
    "P014": "must have strictly increasing",
    "P016": "component ids must be unique",
}
_OURS_TIERS = "tiers must start at increasing thresholds"


def covered_by_checks(error: ErrorDetails, reported: set[str]) -> bool:
    if error["type"] != "value_error":
        return False
    msg = error["msg"]
    if _OURS_TIERS in msg:
        return "P014" in reported
    return any(code in reported and needle in msg for code, needle in _OURS.items())
