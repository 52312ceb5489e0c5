"""The payout register of a period: payee x component, what the period pays now.

Rows are payees (with the teams they were members of on some day of the period), columns
the components paid, cells the sum of the period's lines (engine lines, corrections and
manual entries, as ``PayoutLine.shown``). A payee paid in two currencies has one row per
currency; totals are per currency and never summed across currencies. Sorting is
server-side over a whitelist (``SORTS`` and ``c:<component>``); filters are a team, a
component and a text search on the payee's name or id. Bad parameters are reported and
ignored, never an error page."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from teamquota.core.money import ZERO
from teamquota.core.spreadsheet import csv_text
from teamquota.web.comp import access
from teamquota.web.comp.models import Membership, Payee, PayoutLine, Period, Team
from teamquota.web.comp.services.money import plain

SORTS = ("payee", "team", "total")
SEARCH_LIMIT = 100


@dataclass
class RegisterRow:
    payee: Payee
    teams: list[Team]
    currency: str
    amounts: dict[str, Decimal]  # component -> amount
    total: Decimal = ZERO

    @property
    def team_names(self) -> str:
        return ", ".join(t.name for t in self.teams)

    def cells(self, components: list[str]) -> list[Decimal | None]:
        return [self.amounts.get(c) for c in components]


@dataclass
class Register:
    period: Period
    components: list[str]
    rows: list[RegisterRow]
    sort: str = "payee"
    team: str = ""
    component: str = ""
    q: str = ""
    problems: list[str] = field(default_factory=list)
    teams: list[Team] = field(default_factory=list)  # the teams one may filter by
    all_components: list[str] = field(default_factory=list)

    @property
    def table(self) -> list[tuple[RegisterRow, list[Decimal | None]]]:
        """Each row with its cells in the columns shown (a template cannot call cells())."""
        return [(r, r.cells(self.components)) for r in self.rows]

    @property
    def totals(self) -> list[tuple[str, list[Decimal | None], Decimal]]:
        """(currency, per-component totals, total) of the rows shown, one per currency."""
        per: dict[str, dict[str, Decimal]] = defaultdict(lambda: defaultdict(lambda: ZERO))
        grand: dict[str, Decimal] = defaultdict(lambda: ZERO)
        for r in self.rows:
            for c, amount in r.amounts.items():
                if c in self.components:
                    per[r.currency][c] += amount
            grand[r.currency] += r.total
        return [(cur, [per[cur].get(c) for c in self.components], grand[cur])
                for cur in sorted(grand)]


def _memberships(period: Period, payee_ids: set[int]) -> dict[int, list[Team]]:
    teams: dict[int, list[Team]] = defaultdict(list)
    for m in (Membership.objects.filter(access.during(period), payee_id__in=payee_ids)
              .select_related("team").order_by("team__name")):
        if m.team not in teams[m.payee_id]:
            teams[m.payee_id].append(m.team)
    return teams


def register_rows(period: Period) -> list[RegisterRow]:
    """Every payee row of what ``period`` pays, by payee id."""
    sums: dict[tuple[int, str], dict[str, Decimal]] = defaultdict(lambda: defaultdict(
        lambda: ZERO))
    for payee_id, component, currency, amount in PayoutLine.shown(period).values_list(
            "payee_id", "component_id", "currency", "amount"):
        sums[(payee_id, currency)][component] += amount
    payees = {p.pk: p for p in Payee.objects.filter(pk__in={k[0] for k in sums})}
    teams = _memberships(period, set(payees))
    rows = [RegisterRow(payees[pk], teams.get(pk, []), currency, dict(amounts),
                        sum(amounts.values(), ZERO))
            for (pk, currency), amounts in sums.items()]
    return sorted(rows, key=lambda r: (r.payee.payee_id, r.currency))


def _sort_key(sort: str):  # noqa: ANN202 - a key function
    name = sort.lstrip("-")
    if name == "team":
        return lambda r: (r.team_names.lower(), r.payee.payee_id)
    if name == "total":
        return lambda r: (r.total, r.payee.payee_id)
    if name.startswith("c:"):
        component = name[2:]
        return lambda r: (r.amounts.get(component, ZERO), r.payee.payee_id)
    return lambda r: (r.payee.name.lower(), r.payee.payee_id)


def build_register(period: Period, sort: str = "", team: str = "", component: str = "",
                   q: str = "") -> Register:
    rows = register_rows(period)
    all_components = sorted({c for r in rows for c in r.amounts})
    teams = sorted({t.pk: t for r in rows for t in r.teams}.values(), key=lambda t: t.name)
    problems = []
    allowed = {*SORTS, *(f"c:{c}" for c in all_components)}
    sort = sort.strip() or "payee"
    if sort.lstrip("-") not in allowed:
        problems.append(f"cannot sort by '{sort[:40]}': sort by payee, team, total or a "
                        f"component ({', '.join(f'c:{c}' for c in all_components)}); "
                        "sorted by payee")
        sort = "payee"
    if team and team not in {t.team_id for t in teams}:
        problems.append(f"no team '{team[:40]}' is paid in {period.label}; showing every team")
        team = ""
    if component and component not in all_components:
        problems.append(f"no component '{component[:40]}' is paid in {period.label}; "
                        "showing every component")
        component = ""
    q = q.strip()
    if len(q) > SEARCH_LIMIT:
        problems.append(f"the search is {len(q):,} characters; at most {SEARCH_LIMIT} are "
                        "used")
        q = q[:SEARCH_LIMIT]
    if team:
        rows = [r for r in rows if any(t.team_id == team for t in r.teams)]
    if component:
        rows = [r for r in rows if component in r.amounts]
    if q:
        needle = q.lower()
        rows = [r for r in rows if needle in r.payee.name.lower()
                or needle in r.payee.payee_id.lower()]
    rows.sort(key=_sort_key(sort), reverse=sort.startswith("-"))
    return Register(period, [component] if component else all_components, rows, sort, team,
                    component, q, problems, teams, all_components)


def period_totals(period: Period) -> dict[str, Decimal]:
    """What ``period`` pays per currency (every line; the confirmations show it)."""
    totals: dict[str, Decimal] = defaultdict(lambda: ZERO)
    for currency, amount in PayoutLine.shown(period).values_list("currency", "amount"):
        totals[currency] += amount
    return dict(sorted(totals.items()))


def register_csv(register: Register) -> str:
    """The register as shown (filters and sort applied), then one total row per currency.
    Amounts are numbers at their currency's places (exact, never rounded again); text cells
    that could start a formula are quoted (``csv_text``)."""
    header = ["payee_id", "payee_name", "teams", "currency", *register.components, "total"]

    def money(amount: Decimal | None, currency: str) -> Decimal | None:
        return None if amount is None else Decimal(plain(amount, currency))

    rows: list[list[object]] = [
        [r.payee.payee_id, r.payee.name, r.team_names, r.currency,
         *(money(a, r.currency) for a in r.cells(register.components)),
         money(r.total, r.currency)] for r in register.rows]
    rows += [["total", "", "", currency, *(money(a, currency) for a in cells),
              money(total, currency)] for currency, cells, total in register.totals]
    return csv_text(rows, header)
