"""Scope by dates: who sees a statement, a dashboard or a dispute depends on the
memberships of the period shown, not on every membership ever held.

Rita moves from North (leader Lea) to South (leader Sam); Sue is a rep of South throughout.
Three moves, each calculated by the fake engine (10% of Won deals) over three quarters:

- ``first_day``: North until 2017-03-31, South from 2017-04-01 (the first day of Q2);
- ``mid_period``: North until 2017-05-14, South from 2017-05-15 (both teams in Q2);
- ``ends_last_day``: North until 2017-06-30 (the last day of Q2), then no team.

Deals (Won) besides the world's Q1 ones: Rita 3000.00 on 05-10 and 2000.00 on 06-10,
Rob 1000.00 on 04-20, Sue 6000.00 on 05-20; Rita 7000.00, Sue 1000.00, Rob 500.00 in
August. Rita is paid 150.00 in Q1 (1500 x 10%), 500.00 in Q2, 700.00 in Q3.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from teamquota.web.comp.models import Deal, Dispute, DisputeMessage, Membership, PayoutLine
from teamquota.web.comp.services.runs import start_run
from tests.web.fakes import fake_calculate
from tests.web.world import World, build_world

PERSONAS = ("lea", "sam", "rita", "sue")
MOVES = {
    "first_day": [("north", date(2017, 1, 1), date(2017, 3, 31)),
                  ("south", date(2017, 4, 1), None)],
    "mid_period": [("north", date(2017, 1, 1), date(2017, 5, 14)),
                   ("south", date(2017, 5, 15), None)],
    "ends_last_day": [("north", date(2017, 1, 1), date(2017, 6, 30))],
}
DEALS = [("rita", "3000.00", date(2017, 5, 10)), ("rita", "2000.00", date(2017, 6, 10)),
         ("rob", "1000.00", date(2017, 4, 20)), ("sue", "6000.00", date(2017, 5, 20)),
         ("rita", "7000.00", date(2017, 8, 10)), ("sue", "1000.00", date(2017, 8, 11)),
         ("rob", "500.00", date(2017, 8, 12))]

# One row per (move, quarter, what is opened); a cell per persona: 404, or the number shown
# (statement / API: Rita's total; dashboard: the team's credited amount; dispute: the
# disputed line's amount; answer: "yes" the status changed, "no" read-only).
# Team credit (fake engine: each deal credits the owner's teams on its close date):
#   first_day   Q2 North 1000 (Rob), South 11000 (Rita 5000 + Sue 6000); Q3 500 / 8000
#   mid_period  Q2 North 4000 (Rita 3000 + Rob), South 8000 (Rita 2000 + Sue); Q3 500 / 8000
#   ends_last   Q2 North 6000 (Rita 5000 + Rob), South 6000; Q3 500 / 1000
TABLE = """
move           quarter  opened      lea      sam      rita     sue
first_day      Q1       statement   150.00   404      150.00   404
first_day      Q2       statement   404      500.00   500.00   404
first_day      Q3       statement   404      700.00   700.00   404
first_day      Q1       api         150.00   404      150.00   404
first_day      Q2       api         404      500.00   500.00   404
first_day      Q3       api         404      700.00   700.00   404
first_day      Q1       north       3500.00  404      3500.00  404
first_day      Q2       north       1000.00  404      404      404
first_day      Q3       north       500.00   404      404      404
first_day      Q1       south       404      4000.00  404      4000.00
first_day      Q2       south       404      11000.00 11000.00 11000.00
first_day      Q3       south       404      8000.00  8000.00  8000.00
first_day      Q1       dispute     150.00   404      150.00   404
first_day      Q2       dispute     404      500.00   500.00   404
first_day      Q3       dispute     404      700.00   700.00   404
first_day      Q1       answer      yes      404      no       404
first_day      Q2       answer      404      yes      no       404
first_day      Q3       answer      404      yes      no       404
mid_period     Q1       statement   150.00   404      150.00   404
mid_period     Q2       statement   500.00   500.00   500.00   404
mid_period     Q3       statement   404      700.00   700.00   404
mid_period     Q1       api         150.00   404      150.00   404
mid_period     Q2       api         500.00   500.00   500.00   404
mid_period     Q3       api         404      700.00   700.00   404
mid_period     Q1       north       3500.00  404      3500.00  404
mid_period     Q2       north       4000.00  404      4000.00  404
mid_period     Q3       north       500.00   404      404      404
mid_period     Q1       south       404      4000.00  404      4000.00
mid_period     Q2       south       404      8000.00  8000.00  8000.00
mid_period     Q3       south       404      8000.00  8000.00  8000.00
mid_period     Q1       dispute     150.00   404      150.00   404
mid_period     Q2       dispute     500.00   500.00   500.00   404
mid_period     Q3       dispute     404      700.00   700.00   404
mid_period     Q1       answer      yes      404      no       404
mid_period     Q2       answer      yes      yes      no       404
mid_period     Q3       answer      404      yes      no       404
ends_last_day  Q1       statement   150.00   404      150.00   404
ends_last_day  Q2       statement   500.00   404      500.00   404
ends_last_day  Q3       statement   404      404      700.00   404
ends_last_day  Q1       api         150.00   404      150.00   404
ends_last_day  Q2       api         500.00   404      500.00   404
ends_last_day  Q3       api         404      404      700.00   404
ends_last_day  Q2       north       6000.00  404      6000.00  404
ends_last_day  Q3       north       500.00   404      404      404
ends_last_day  Q2       south       404      6000.00  404      6000.00
ends_last_day  Q3       south       404      1000.00  404      1000.00
ends_last_day  Q2       dispute     500.00   404      500.00   404
ends_last_day  Q3       dispute     404      404      700.00   404
ends_last_day  Q2       answer      yes      404      no       404
ends_last_day  Q3       answer      404      404      no       404
"""


def _rows() -> list[tuple[str, str, str, dict[str, object]]]:
    lines = [ln.split() for ln in TABLE.strip().splitlines()]
    header, rows = lines[0], []
    for cells in lines[1:]:
        move, quarter, opened, *found = cells
        expected = {p: int(c) if c == "404" else c for p, c in zip(header[3:], found, strict=True)}
        rows.append((move, f"2017-{quarter}", opened, expected))
    return rows


def _moved_world(move: str) -> World:
    world = build_world(calculate=False)
    rita = world.rita.payee
    Membership.objects.filter(payee=rita).delete()
    teams = {"north": world.north, "south": world.south}
    for team, start, end in MOVES[move]:
        Membership.objects.create(payee=rita, team=teams[team], start_date=start, end_date=end)
    payees = {"rita": rita, "sue": world.sue.payee,
              "rob": Membership.objects.get(payee__payee_id="rob").payee}
    for i, (owner, amount, day) in enumerate(DEALS):
        Deal.objects.create(deal_id=f"LATER-{i}", owner=payees[owner], account=f"Acct {i}",
                            product="GTX", amount=Decimal(amount), stage="Won", close_date=day)
    world.run = start_run(world.otto, "moves", calculator=fake_calculate)
    assert world.run.status == "done", world.run.diagnostics
    return world


def _dispute(world: World, period: str) -> Dispute:
    line = PayoutLine.objects.get(run=world.run, payee__payee_id="rita", period=period)
    dispute = Dispute.objects.create(line=line, payee=line.payee, raised_by=world.rita)
    DisputeMessage.objects.create(dispute=dispute, author=world.rita, text="Why?")
    return dispute


def _open(client, world: World, opened: str, period: str) -> object:  # noqa: ANN001
    """What the signed-in persona gets: 404 or the number the page shows."""
    if opened == "statement":
        response = client.get(f"/statements/rita/?period={period}")
        return response.status_code if response.status_code != 200 else \
            response.context["total_shown"]
    if opened == "api":
        response = client.get(f"/api/statements/rita/?period={period}")
        return response.status_code if response.status_code != 200 else \
            response.json()["total"]
    if opened in ("north", "south"):
        response = client.get(f"/teams/{opened}/?period={period}")
        if response.status_code != 200:
            return response.status_code
        # the member detail is what leaked: it must show the period's members only
        members = {r["payee"].payee_id for r in response.context.get("members", [])}
        assert response.context["show_members"]
        assert ("rita" in members) == Membership.objects.filter(
            payee__payee_id="rita", team__team_id=opened, start_date__lte=response.context[
                "period"].end).exclude(end_date__lt=response.context["period"].start).exists()
        return f"{response.context['credited_amount']:.2f}"
    dispute = _dispute(world, period)
    if opened == "dispute":
        response = client.get(f"/disputes/{dispute.pk}/")
        return response.status_code if response.status_code != 200 else \
            str(dispute.line.amount)
    response = client.post(f"/disputes/{dispute.pk}/", {"text": "Seen", "status": "answered"})
    if response.status_code != 302:
        return response.status_code
    dispute.refresh_from_db()
    return "yes" if dispute.status == "answered" else "no"


@pytest.mark.parametrize("move,period,opened,expected", _rows(),
                         ids=[f"{m}-{p}-{o}" for m, p, o, _ in _rows()])
def test_it_scopes_each_page_by_the_memberships_of_its_period(client, db, move, period,
                                                               opened, expected):
    world = _moved_world(move)
    got = {}
    for persona in PERSONAS:
        client.logout()
        client.force_login(getattr(world, persona))
        got[persona] = _open(client, world, opened, period)
        Dispute.objects.all().delete()  # each persona meets a fresh, open question
    assert got == expected


def test_it_keeps_finance_and_sales_ops_seeing_every_period(client, db):
    world = _moved_world("first_day")
    for user in (world.fiona, world.otto):
        client.force_login(user)
        for period in ("2017-Q1", "2017-Q2", "2017-Q3"):
            assert client.get(f"/statements/rita/?period={period}").status_code == 200
            assert client.get(f"/teams/north/?period={period}").status_code == 200


def test_it_lists_the_old_leaders_lines_by_their_own_period(client, db):
    world = _moved_world("first_day")
    client.force_login(world.lea)
    for period, rita_total in (("2017-Q1", "150.00"), ("2017-Q2", None)):
        totals = {t["payee_id"]: t["amount"]
                  for t in client.get(f"/api/results/?period={period}").json()["totals"]}
        assert totals.get("rita") == rita_total
    # the statement's period history shows the old leader only the periods in scope
    history = client.get("/statements/rita/?period=2017-Q1").context["history"]
    assert [h["period"].label for h in history] == ["2017-Q1"]
    # a question on a line of a period before the move is answered by the old leader only
    dispute = _dispute(world, "2017-Q1")
    client.force_login(world.sam)
    assert client.get(f"/disputes/{dispute.pk}/").status_code == 404
    assert dispute.pk not in [d.pk for d in client.get("/disputes/").context["disputes"]]


def test_it_estimates_only_for_the_teams_of_the_estimated_period(client, db):
    world = _moved_world("first_day")
    client.force_login(world.rita)
    response = client.post("/estimator/", {"deal": ["OPEN1"], "amount_OPEN1": "750.00"})
    assert response.context["period"].label == "2017-Q3"
    assert [r["team"] for r in response.context["team_rows"]] == ["South"]


def test_it_opens_a_former_leaders_latest_period_in_scope_by_default(client, db):
    """Without ?period=, the statement and dashboard open the latest period the user may see
    (for the old leader: the last one before the move), not a 404 on the latest of all."""
    world = _moved_world("first_day")
    client.force_login(world.lea)
    page = client.get("/statements/rita/")
    assert page.status_code == 200 and page.context["period"].label == "2017-Q1"
    client.force_login(world.rita)
    page = client.get("/teams/north/")  # she left North on 2017-03-31
    assert page.status_code == 200 and page.context["period"].label == "2017-Q1"
    client.force_login(world.sue)
    assert client.get("/teams/north/").status_code == 404  # never in North
