"""Scope by leadership dates: a leader sees a team's statements, dashboards, disputes and
API results for the periods in which they led it (on at least one day), not for every
period, and a former leader keeps the periods they led.

North changes leader: Lea leads it until the day before the change, Nina from the change
on; Rita and Rob are members of North throughout, Sam leads South (a control). Two changes:

- ``quarter_start``: Lea's last day 2017-09-30, Nina's first day 2017-10-01 (Q4's first);
- ``mid_quarter``: Lea's last day 2017-08-14, Nina's first day 2017-08-15 (both lead in Q3).

Deals (Won) besides the world's Q1 ones: Rita 2000.00 on 08-10 and 3000.00 on 11-10, Rob
1000.00 on 09-05 and 500.00 on 12-01. The fake engine pays 10% of Won: Rita 200.00 in Q3,
300.00 in Q4; Rob 100.00 in Q3, 50.00 in Q4. North is credited 3000.00 in Q3 (2000 + 1000)
and 3500.00 in Q4 (3000 + 500).
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from teamquota.web.comp import access
from teamquota.web.comp.models import (
    Deal,
    Dispute,
    DisputeMessage,
    Leadership,
    Membership,
    Payee,
    PayoutLine,
    Period,
    Team,
    User,
)
from teamquota.web.comp.services.runs import start_run
from tests.web.fakes import fake_calculate
from tests.web.world import PASSWORD, World, build_world

HISTORY = date(1900, 1, 1)
CHANGES = {"quarter_start": date(2017, 10, 1), "mid_quarter": date(2017, 8, 15)}
DEALS = [("rita", "2000.00", date(2017, 8, 10)), ("rob", "1000.00", date(2017, 9, 5)),
         ("rita", "3000.00", date(2017, 11, 10)), ("rob", "500.00", date(2017, 12, 1))]
PERSONAS = ("lea", "nina", "rita", "sam")

# One row per (change, quarter, what is opened); a cell per persona: 404, or the number
# shown (statement / API: Rita's total; north: North's credited amount; members: Rita's
# row on North's dashboard; disputes: the listed question's line amount, '-' not listed;
# dispute: the disputed line's amount; answer: 'yes' the status changed, 'no' read-only).
TABLE = """
change         quarter  opened     lea      nina     rita     sam
quarter_start  Q3       statement  200.00   404      200.00   404
quarter_start  Q4       statement  404      300.00   300.00   404
quarter_start  Q3       api        200.00   404      200.00   404
quarter_start  Q4       api        404      300.00   300.00   404
quarter_start  Q3       north      3000.00  404      3000.00  404
quarter_start  Q4       north      404      3500.00  3500.00  404
quarter_start  Q3       members    2000.00  404      2000.00  404
quarter_start  Q4       members    404      3000.00  3000.00  404
quarter_start  Q3       disputes   200.00   -        200.00   -
quarter_start  Q4       disputes   -        300.00   300.00   -
quarter_start  Q3       dispute    200.00   404      200.00   404
quarter_start  Q4       dispute    404      300.00   300.00   404
quarter_start  Q3       answer     yes      404      no       404
quarter_start  Q4       answer     404      yes      no       404
mid_quarter    Q3       statement  200.00   200.00   200.00   404
mid_quarter    Q4       statement  404      300.00   300.00   404
mid_quarter    Q3       api        200.00   200.00   200.00   404
mid_quarter    Q4       api        404      300.00   300.00   404
mid_quarter    Q3       north      3000.00  3000.00  3000.00  404
mid_quarter    Q4       north      404      3500.00  3500.00  404
mid_quarter    Q3       members    2000.00  2000.00  2000.00  404
mid_quarter    Q4       members    404      3000.00  3000.00  404
mid_quarter    Q3       disputes   200.00   200.00   200.00   -
mid_quarter    Q4       disputes   -        300.00   300.00   -
mid_quarter    Q3       dispute    200.00   200.00   200.00   404
mid_quarter    Q4       dispute    404      300.00   300.00   404
mid_quarter    Q3       answer     yes      yes      no       404
mid_quarter    Q4       answer     404      yes      no       404
"""


def _rows() -> list[tuple[str, str, str, dict[str, object]]]:
    lines = [ln.split() for ln in TABLE.strip().splitlines()]
    header, rows = lines[0], []
    for cells in lines[1:]:
        change, quarter, opened, *found = cells
        expected = {p: int(c) if c == "404" else c for p, c in zip(header[3:], found, strict=True)}
        rows.append((change, f"2017-{quarter}", opened, expected))
    return rows


def _leader(world: World, pid: str, name: str) -> User:
    payee = Payee.objects.create(payee_id=pid, name=name, role="leader", currency="USD",
                                 target_incentive=Decimal("20000.00"))
    return User.objects.create_user(username=pid, password=PASSWORD, role_names="leader",
                                    payee=payee)


def _spans(world: World, team: Team, spans: list[tuple[User, date, date | None]]) -> None:
    """``team`` led by each user over [start, end] (as the app records a change)."""
    Leadership.objects.filter(team=team).delete()
    for user, start, end in spans:
        Leadership.objects.create(team=team, payee=user.payee, start_date=start, end_date=end)
    team.leader = spans[-1][0].payee if spans[-1][2] is None else None
    team.save(update_fields=["leader"])


def _changed_world(change: str) -> World:
    world = build_world(calculate=False)
    world.nina = _leader(world, "nina", "Nina Leader")  # type: ignore[attr-defined]
    day = CHANGES[change]
    _spans(world, world.north, [(world.lea, HISTORY, day - timedelta(days=1)),
                                (world.nina, day, None)])  # type: ignore[attr-defined]
    owners = {p.payee_id: p for p in Payee.objects.filter(payee_id__in=("rita", "rob"))}
    for i, (owner, amount, closed) in enumerate(DEALS):
        Deal.objects.create(deal_id=f"H2-{i}", owner=owners[owner], account=f"Acct {i}",
                            product="GTX", amount=Decimal(amount), stage="Won",
                            close_date=closed)
    world.run = start_run(world.otto, "leaders", calculator=fake_calculate)
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
    if opened in ("north", "members"):
        response = client.get(f"/teams/north/?period={period}")
        if response.status_code != 200:
            return response.status_code
        if opened == "north":
            return f"{response.context['credited_amount']:.2f}"
        assert response.context["show_members"]
        rows = {r["payee"].payee_id: r["raw"] for r in response.context["members"]}
        return f"{Decimal(rows['rita']):.2f}"
    dispute = _dispute(world, period)
    if opened == "disputes":
        listed = [d.pk for d in client.get("/disputes/").context["disputes"]]
        return str(dispute.line.amount) if dispute.pk in listed else "-"
    if opened == "dispute":
        response = client.get(f"/disputes/{dispute.pk}/")
        return response.status_code if response.status_code != 200 else \
            str(dispute.line.amount)
    response = client.post(f"/disputes/{dispute.pk}/", {"text": "Seen", "status": "answered"})
    if response.status_code != 302:
        return response.status_code
    dispute.refresh_from_db()
    return "yes" if dispute.status == "answered" else "no"


@pytest.mark.parametrize("change,period,opened,expected", _rows(),
                         ids=[f"{c}-{p}-{o}" for c, p, o, _ in _rows()])
def test_it_scopes_each_page_by_the_leadership_of_its_period(client, db, change, period,
                                                              opened, expected):
    world = _changed_world(change)
    got = {}
    for persona in PERSONAS:
        client.logout()
        client.force_login(getattr(world, persona))
        got[persona] = _open(client, world, opened, period)
        Dispute.objects.all().delete()  # each persona meets a fresh, open question
    assert got == expected


def test_it_shows_each_leader_the_periods_they_led_in_pickers_and_history(client, db):
    world = _changed_world("quarter_start")
    for user, labels in ((world.lea, ["2017-Q1", "2017-Q3"]),
                         (world.nina, ["2017-Q4"])):  # type: ignore[attr-defined]
        client.force_login(user)
        # without ?period= each opens the latest period they led (Lea: Q3, not a 404)
        page = client.get("/statements/rita/")
        assert page.status_code == 200 and page.context["period"].label == labels[-1]
        assert [p.label for p in page.context["periods"]] == labels
        assert [h["period"].label for h in page.context["history"]] == labels
        page = client.get("/teams/north/")
        assert page.status_code == 200 and page.context["period"].label == labels[-1]
        assert [p.label for p in page.context["periods"]] == labels


def test_it_lists_the_teams_a_leader_led_in_the_period(client, db):
    world = _changed_world("quarter_start")
    for user, period, teams in ((world.lea, "2017-Q3", ["North"]), (world.lea, "2017-Q4", []),
                                (world.nina, "2017-Q3", []),  # type: ignore[attr-defined]
                                (world.nina, "2017-Q4", ["North"])):  # type: ignore[attr-defined]
        client.force_login(user)
        page = client.get(f"/teams/?period={period}")
        assert [r["team"].name for r in page.context["rows"]] == teams, (user, period)


def test_it_judges_each_line_by_its_own_period_in_one_query(client, db):
    """The periods page sums the lines a leader may see, each by its own period. Lea:
    Q1 Rita 150.00 + Rob 200.00 = 350.00, Q3 Rita 200.00 + Rob 100.00 = 300.00, Q4 none;
    Nina: Q4 Rita 300.00 + Rob 50.00 = 350.00 only."""
    world = _changed_world("quarter_start")
    for user, totals in ((world.lea, {"2017-Q1": "350.00", "2017-Q3": "300.00",
                                      "2017-Q4": "—"}),
                         (world.nina, {"2017-Q1": "—", "2017-Q3": "—",  # type: ignore[attr-defined]
                                       "2017-Q4": "350.00"})):
        client.force_login(user)
        page = client.get("/periods/")
        assert {p.label: p.total for p in page.context["periods"]} == totals
    # the leadership spans, the team tree, the periods, then the lines: never one per line
    lea = User.objects.get(username="lea")
    with CaptureQueriesContext(connection) as queries:
        seen = list(access.lines_visible_to(lea).values_list("payee__payee_id", "period"))
    assert sorted(seen) == [("rita", "2017-Q1"), ("rita", "2017-Q3"), ("rob", "2017-Q1"),
                            ("rob", "2017-Q3")]
    assert len(queries) <= 4, [q["sql"] for q in queries]


def test_it_needs_leadership_and_membership_in_the_same_period(db):
    """Lea led North until 2017-09-30; Sue joins North on 2017-10-01: no period has both,
    so Lea never sees Sue's lines; Nina (from 2017-10-01) sees Sue's Q4 (Sue: 0 deals, no
    line) and not Sue's Q1 line from South."""
    world = _changed_world("quarter_start")
    Membership.objects.create(payee=world.sue.payee, team=world.north,
                              start_date=date(2017, 10, 1))
    lea, nina = User.objects.get(username="lea"), User.objects.get(username="nina")
    assert not access.lines_visible_to(lea).filter(payee__payee_id="sue").exists()
    assert not access.lines_visible_to(nina).filter(payee__payee_id="sue").exists()
    assert not access.payees_visible_to(lea).filter(payee_id="sue").exists()
    assert access.payees_visible_to(nina).filter(payee_id="sue").exists()
    q1, q4 = Period.objects.get(label="2017-Q1"), Period.objects.get(label="2017-Q4")
    assert not access.payees_visible_to(nina, q1).filter(payee_id="sue").exists()
    assert access.payees_visible_to(nina, q4).filter(payee_id="sue").exists()


def test_it_shows_member_detail_to_the_leader_of_the_period_only(db):
    """With a totals-only plan only leaders see each member's numbers: Lea in Q3, Nina in Q4
    (change on 2017-10-01)."""
    world = _changed_world("quarter_start")
    q3, q4 = Period.objects.get(label="2017-Q3"), Period.objects.get(label="2017-Q4")
    seen = {(u, p.label): access.members_detail_visible(
        User.objects.get(username=u), world.north, "totals_only", p)
        for u in ("lea", "nina") for p in (q3, q4)}
    assert seen == {("lea", "2017-Q3"): True, ("lea", "2017-Q4"): False,
                    ("nina", "2017-Q3"): False, ("nina", "2017-Q4"): True}


def test_it_gives_a_dated_parent_leader_the_sub_teams_of_their_periods(client, db):
    """Carl leads Company (North's parent) from 2017-10-01: North's Q4 and Rita's Q4, not
    Q3. Parents are undated: North is under Company in every period."""
    world = _changed_world("quarter_start")
    carl = _leader(world, "carl", "Carl Chief")
    _spans(world, world.company, [(carl, date(2017, 10, 1), None)])
    client.force_login(carl)
    assert client.get("/teams/north/?period=2017-Q3").status_code == 404
    assert client.get("/teams/north/?period=2017-Q4").context["credited_amount"] == \
        Decimal("3500")
    assert client.get("/statements/rita/?period=2017-Q3").status_code == 404
    assert client.get("/statements/rita/?period=2017-Q4").context["total_shown"] == "300.00"


def test_it_opens_insight_pages_to_the_leader_of_today_only(db):
    world = _changed_world("quarter_start")
    lea, nina = User.objects.get(username="lea"), User.objects.get(username="nina")
    assert list(access.insight_teams_visible_to(lea)) == []
    assert list(access.insight_teams_visible_to(nina)) == [world.north]
    # a leadership that starts tomorrow does not count today
    Leadership.objects.filter(payee=nina.payee).update(
        start_date=date.today() + timedelta(days=1))
    assert list(access.insight_teams_visible_to(User.objects.get(username="nina"))) == []


@pytest.mark.parametrize("change,reviews", [
    # quarter_start: Lea led North in Q3 only, Nina in Q4 only
    ("quarter_start", {("lea", "2017-Q3"): True, ("lea", "2017-Q4"): False,
                       ("nina", "2017-Q3"): False, ("nina", "2017-Q4"): True}),
    # mid_quarter: both led North on some day of Q3
    ("mid_quarter", {("lea", "2017-Q3"): True, ("lea", "2017-Q4"): False,
                     ("nina", "2017-Q3"): True, ("nina", "2017-Q4"): True})])
def test_it_lets_a_leader_review_a_team_only_for_the_periods_they_led_it(client, db, change,
                                                                         reviews):
    from teamquota.web.comp.models import PeriodReview
    world = _changed_world(change)
    for (persona, label), allowed in reviews.items():
        PeriodReview.objects.all().delete()
        client.force_login(getattr(world, persona))
        page = client.get(f"/periods/{label}/")
        mine = {row["team"].team_id: row["mine"] for row in page.context["reviews"]}
        assert mine.get("north", False) is allowed, (persona, label)
        response = client.post(f"/periods/{label}/review/north/", follow=True)
        done = PeriodReview.objects.filter(period__label=label, team=world.north).exists()
        assert done is allowed, (persona, label)
        if not allowed:
            assert f"you do not lead North in {label}" in response.content.decode()


def test_it_needs_reviews_only_from_teams_led_in_the_period(db):
    from teamquota.web.comp.services.close import teams_to_review
    world = _changed_world("quarter_start")
    # North's first leader is Nina from 2017-10-01 (Lea's span removed): nobody led North
    # in Q3, so Q3 waits for no review although Rita and Rob are paid in it; Q4 needs North
    _spans(world, world.north, [(world.nina, date(2017, 10, 1), None)])  # type: ignore[attr-defined]
    by_period = {p.label: [t.team_id for t in teams_to_review(p)]
                 for p in Period.objects.filter(label__in=("2017-Q3", "2017-Q4"))}
    assert by_period == {"2017-Q3": [], "2017-Q4": ["north"]}


@pytest.mark.parametrize("change,period,named", [
    ("quarter_start", "2017-Q3", "Led by Lea Leader"),
    ("quarter_start", "2017-Q4", "Led by Nina Leader"),
    ("mid_quarter", "2017-Q3", "Led by Lea Leader, then Nina Leader")])
def test_it_names_the_leaders_of_the_period_shown(client, db, change, period, named):
    world = _changed_world(change)
    client.force_login(world.otto)
    page = client.get(f"/teams/north/?period={period}").content.decode()
    assert named + "<" in page or named + " ·" in page
