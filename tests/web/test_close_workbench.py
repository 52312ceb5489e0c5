"""The finance close workbench on the period page: the payout register (sort, filter, CSV),
changes and their causes, outliers, open disputes, per-team sign-off and rejection, and the
approval and lock confirmations that post the fingerprint back.

World (tests/web/world.py, fake engine: 10% of Won): 2017-Q1 pays Rita 150.00 (10% of
1,000.00 + 500.00), Rob 200.00 and Sue 400.00, all USD 'personal' lines: 750.00 in all.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from teamquota.web.comp.models import (
    AuditEvent,
    Deal,
    Dispute,
    Payee,
    PayoutLine,
    Period,
    PeriodReview,
    TeamDecision,
)
from teamquota.web.comp.services import close
from teamquota.web.comp.services.close_changes import vs_approved, vs_previous
from teamquota.web.comp.services.close_outliers import find_outliers
from teamquota.web.comp.services.close_register import build_register, register_csv
from teamquota.web.comp.services.runs import start_run
from tests.web.fakes import fake_calculate

Q1 = "2017-Q1"


# --- helpers other tests reuse (test_workflow, test_payroll, ...) -------------------------

def review_all(client, world, label: str = Q1) -> None:  # noqa: ANN001
    """Each leader reviews their team on the page."""
    for leader, team in ((world.lea, "north"), (world.sam, "south")):
        client.force_login(leader)
        client.post(f"/periods/{label}/review/{team}/")


def sign_off_all(client, world, label: str = Q1) -> None:  # noqa: ANN001
    """Finance signs off every team that was reviewed (leaves fiona signed in)."""
    client.force_login(world.fiona)
    period = Period.objects.get(label=label)
    for state in close.team_states(period):
        if state.reviewed:
            client.post(f"/periods/{label}/signoff/{state.team.team_id}/")


def confirm(client, label: str, action: str = "approve"):  # noqa: ANN001, ANN201
    """The confirmation step as the page does it: post back the fingerprint it showed."""
    fingerprint = Period.objects.get(label=label).fingerprint
    return client.post(f"/periods/{label}/{action}/", {"fingerprint": fingerprint},
                       follow=True)


def approve(client, world, label: str = Q1):  # noqa: ANN001, ANN201
    """Leaders review, finance signs off every team and approves (fiona signed in)."""
    review_all(client, world, label)
    sign_off_all(client, world, label)
    return confirm(client, label)


def _q1() -> Period:
    return Period.objects.get(label=Q1)


def _names(register) -> list[str]:  # noqa: ANN001
    return [r.payee.payee_id for r in register.rows]


# --- the register -------------------------------------------------------------------------

def test_it_totals_the_register_per_payee_and_currency(client, world):
    register = build_register(_q1())
    assert [(r.payee.payee_id, r.team_names, r.currency, r.amounts, r.total)
            for r in register.rows] == [
        ("rita", "North", "USD", {"personal": Decimal("150.00")}, Decimal("150.00")),
        ("rob", "North", "USD", {"personal": Decimal("200.00")}, Decimal("200.00")),
        ("sue", "South", "USD", {"personal": Decimal("400.00")}, Decimal("400.00"))]
    # 150.00 + 200.00 + 400.00 = 750.00
    assert register.totals == [("USD", [Decimal("750.00")], Decimal("750.00"))]
    client.force_login(world.fiona)
    page = client.get("/periods/2017-Q1/").content.decode()
    assert "Payout register" in page and "Total USD" in page and "750.00" in page


def test_it_never_sums_two_currencies(world):
    PayoutLine.objects.create(run=None, period=Q1, payee=world.sue.payee, plan_id="ae_test",
                              component_id="bonus", line_type="manual",
                              amount=Decimal("10.500"), currency="KWD", cause="fx test")
    register = build_register(_q1())
    # Sue: one USD row (400.00) and one KWD row (10.500); totals one per currency
    assert [(r.payee.payee_id, r.currency, r.total) for r in register.rows] == [
        ("rita", "USD", Decimal("150.00")), ("rob", "USD", Decimal("200.00")),
        ("sue", "KWD", Decimal("10.5")), ("sue", "USD", Decimal("400.00"))]
    assert register.totals == [
        ("KWD", [Decimal("10.5"), None], Decimal("10.5")),
        ("USD", [None, Decimal("750.00")], Decimal("750.00"))]
    text = register_csv(register).splitlines()
    assert text[-2:] == ["total,,,KWD,10.500,,10.500", "total,,,USD,,750.00,750.00"]


@pytest.mark.parametrize("sort,order", [
    ("", ["rita", "rob", "sue"]),            # by name: Rita Rep, Rob Rep, Sue
    ("-total", ["sue", "rob", "rita"]),      # 400.00, 200.00, 150.00
    ("total", ["rita", "rob", "sue"]),
    ("team", ["rita", "rob", "sue"]),        # North, North, South
    ("-team", ["sue", "rob", "rita"]),       # South first; ties reversed too
    ("-c:personal", ["sue", "rob", "rita"]),
])
def test_it_sorts_the_register_on_the_server(world, sort, order):
    register = build_register(_q1(), sort=sort)
    assert (_names(register), register.problems) == (order, [])


def test_it_filters_by_team_component_and_payee(world):
    assert _names(build_register(_q1(), team="south")) == ["sue"]
    assert _names(build_register(_q1(), team="north", q="ROB")) == ["rob"]
    assert _names(build_register(_q1(), q="rep")) == ["rita", "rob"]  # Rita Rep, Rob Rep
    south = build_register(_q1(), team="south")
    assert south.totals == [("USD", [Decimal("400.00")], Decimal("400.00"))]
    assert _names(build_register(_q1(), component="personal")) == ["rita", "rob", "sue"]


def test_it_reports_bad_register_parameters_and_shows_everything(client, world):
    client.force_login(world.fiona)
    response = client.get("/periods/2017-Q1/?sort=amount;drop&team=west&component=x&q="
                          + "y" * 101)
    assert response.status_code == 200
    assert response.context["register"].problems == [
        "cannot sort by 'amount;drop': sort by payee, team, total or a component "
        "(c:personal); sorted by payee",
        "no team 'west' is paid in 2017-Q1; showing every team",
        "no component 'x' is paid in 2017-Q1; showing every component",
        "the search is 101 characters; at most 100 are used"]
    assert response.context["register"].rows == []  # 100 y's match no payee


def test_it_downloads_the_register_as_safe_exact_csv(client, world):
    Payee.objects.filter(payee_id="rob").update(name="=1+2")
    client.force_login(world.fiona)
    response = client.get("/periods/2017-Q1/register.csv?sort=-total")
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="register-2017-Q1.csv"'
    assert response.content.decode() == (
        "payee_id,payee_name,teams,currency,personal,total\r\n"
        "sue,Sue,South,USD,400.00,400.00\r\n"
        "rob,'=1+2,North,USD,200.00,200.00\r\n"
        "rita,Rita Rep,North,USD,150.00,150.00\r\n"
        "total,,,USD,750.00,750.00\r\n")
    # a negative amount stays a number (not quoted): a -50.00 manual entry for Rita
    PayoutLine.objects.create(run=None, period=Q1, payee=world.rita.payee, plan_id="ae_test",
                              component_id="personal", line_type="manual",
                              amount=Decimal("-200.00"), currency="USD")
    text = client.get("/periods/2017-Q1/register.csv?team=north&sort=payee").content.decode()
    # Rita 150.00 - 200.00 = -50.00; North 200.00 - 50.00 = 150.00
    assert text.splitlines()[1:] == ["rob,'=1+2,North,USD,200.00,200.00",
                                     "rita,Rita Rep,North,USD,-50.00,-50.00",
                                     "total,,,USD,150.00,150.00"]


def test_it_shows_the_register_to_finance_and_sales_ops_only(client, world):
    for who, sees in ((world.fiona, True), (world.otto, True), (world.lea, False),
                      (world.rita, False)):
        client.force_login(who)
        page = client.get("/periods/2017-Q1/").content.decode()
        assert ("Payout register" in page) is sees, who.username
    client.force_login(world.otto)  # sales ops: the workbench without finance's buttons
    assert "Sign off" not in client.get("/periods/2017-Q1/").content.decode()


# --- changes ------------------------------------------------------------------------------

def test_it_explains_a_change_since_the_approved_run(client, world):
    approve(client, world)
    assert _q1().status == "approved"
    Deal.objects.create(deal_id="LATE-1", owner=world.rita.payee, amount=Decimal("300.00"),
                        stage="Won", close_date=date(2017, 3, 30))
    run2 = start_run(world.otto, "late deal", calculator=fake_calculate)
    period = _q1()
    assert (period.status, period.run_id) == ("calculated", run2.pk)  # the approval lapsed
    found = vs_approved(period)
    assert found is not None and found.count == 1
    change = found.changes[0]
    # 10% of (1,500.00 + 300.00) = 180.00, was 150.00: +30.00
    assert (change.payee.payee_id, change.component, change.before, change.after,
            change.delta_shown, change.causes) == (
        "rita", "personal", Decimal("150.00"), Decimal("180.00"), "+30.00",
        ["deal LATE-1 added (300.00)"])
    client.force_login(world.fiona)
    page = client.get("/periods/2017-Q1/").content.decode()
    assert f"Changes since the approved run #{world.run.pk}" in page
    assert "deal LATE-1 added (300.00)" in page


def test_it_names_the_import_a_late_deal_came_in(client, world):
    from teamquota.web.comp.models import Import
    approve(client, world)
    Deal.objects.create(deal_id="LATE-1", owner=world.rita.payee, amount=Decimal("300.00"),
                        stage="Won", close_date=date(2017, 3, 30))
    run2 = start_run(world.otto, "late deal", calculator=fake_calculate)
    late = Import.objects.create(table="deals", mode="upsert", file_name="late.csv",
                                 created_by=world.otto)
    run2.imports.add(late)  # as if run 2 had read the import that brought LATE-1
    change = vs_approved(_q1()).changes[0]
    assert change.causes == ["deal LATE-1 added (300.00)",
                             f"deals import #{late.pk} (late.csv) read by run #{run2.pk} only"]


def test_it_says_cause_unknown_when_nothing_recorded_differs(world):
    # run 2 reads the same deals, targets and plan, but Rob's stored line was edited
    # behind the ledger's back: nothing recorded explains it
    period = _q1()
    AuditEvent.objects.create(action="period.approve", object_type="period", object_id=Q1,
                              summary="fiona approved 2017-Q1 (run #1)",
                              details={"run": world.run.pk})
    run2 = start_run(world.otto, "same", calculator=fake_calculate)
    PayoutLine.objects.filter(run=run2, payee__payee_id="rob").update(amount=Decimal("201.00"))
    period.refresh_from_db()
    found = vs_approved(period)
    assert found is not None
    assert [(c.payee.payee_id, c.causes) for c in found.changes] == [("rob", ["cause unknown"])]


def test_it_compares_with_the_previous_period_and_names_the_causes(world):
    Deal.objects.create(deal_id="Q2-1", owner=world.rita.payee, amount=Decimal("1000.00"),
                        stage="Won", close_date=date(2017, 5, 2))
    start_run(world.otto, "q2", calculator=fake_calculate)
    q2 = Period.objects.get(label="2017-Q2")
    found = vs_previous(q2)
    assert found is not None and found.other == f"2017-Q1 (run #{q2.run_id})"
    changes = {c.payee.payee_id: c for c in found.changes}
    # Rita: 10% of 1,000.00 = 100.00 in Q2, 150.00 in Q1 (two deals: 1,000.00 + 500.00)
    assert (changes["rita"].before, changes["rita"].after) == (Decimal("150.00"),
                                                               Decimal("100.00"))
    assert changes["rita"].causes == [
        "credited deals 1,500.00 (2) in 2017-Q1 -> 1,000.00 (1) in 2017-Q2",
        "target payee rita 3,000.00 -> none"]
    # Rob and Sue are not paid in Q2
    assert changes["rob"].causes[0] == "line removed"
    assert changes["rob"].after is None and changes["rob"].delta_shown == "-200.00"


def test_it_names_a_membership_move_as_a_cause(world):
    from teamquota.web.comp.models import Membership
    Membership.objects.filter(payee__payee_id="rob").update(end_date=date(2017, 3, 31))
    Membership.objects.create(payee=Payee.objects.get(payee_id="rob"), team=world.south,
                              start_date=date(2017, 4, 1))
    Deal.objects.create(deal_id="Q2-1", owner=Payee.objects.get(payee_id="rob"),
                        amount=Decimal("2500.00"), stage="Won", close_date=date(2017, 5, 2))
    start_run(world.otto, "q2", calculator=fake_calculate)
    rob = next(c for c in vs_previous(Period.objects.get(label="2017-Q2")).changes
               if c.payee.payee_id == "rob")
    # 10% of 2,000.00 (DEAL-3) in Q1 = 200.00; 10% of 2,500.00 in Q2 = 250.00
    assert (rob.before, rob.after) == (Decimal("200.00"), Decimal("250.00"))
    assert rob.causes == ["credited deals 2,000.00 (1) in 2017-Q1 -> 2,500.00 (1) in 2017-Q2",
                          "target payee rob 2,000.00 -> none",
                          "member of North in 2017-Q1 -> South in 2017-Q2"]


def test_it_names_a_manual_adjustment_as_the_cause(world):
    start_run(world.otto, "q2 too", calculator=fake_calculate)
    Deal.objects.create(deal_id="Q2-1", owner=world.rita.payee, amount=Decimal("1500.00"),
                        stage="Won", close_date=date(2017, 5, 2))
    start_run(world.otto, "q2", calculator=fake_calculate)
    q2 = Period.objects.get(label="2017-Q2")
    PayoutLine.objects.create(run=None, period="2017-Q2", payee=world.rita.payee,
                              plan_id="ae_test", component_id="personal", line_type="manual",
                              amount=Decimal("25.00"), currency="USD", cause="dispute #7: spiff")
    rita = next(c for c in vs_previous(q2).changes if c.payee.payee_id == "rita")
    # Q2 150.00 (10% of 1,500.00) + 25.00 = 175.00; Q1 150.00 (1,000.00 + 500.00)
    assert (rita.before, rita.after) == (Decimal("150.00"), Decimal("175.00"))
    assert rita.causes == ["credited deals 1,500.00 (2) in 2017-Q1 -> 1,500.00 (1) in 2017-Q2",
                           "target payee rita 3,000.00 -> none",
                           "2017-Q2: manual adjustment 25.00: dispute #7: spiff"]


# --- outliers -----------------------------------------------------------------------------

def _outliers(period: Period) -> list[tuple[str, str, str]]:
    found, _ = find_outliers(period, build_register(period).rows)
    return [(o.row.payee.payee_id, o.rule, o.text) for o in found]


def test_it_finds_no_outlier_in_the_plain_world(world):
    # TI 20,000.00 a year: a quarter's share is 5,000.00; everyone is paid far below 2 x
    assert _outliers(_q1()) == []


@pytest.mark.parametrize("ti,flagged", [
    ("300.00", False),   # share 300.00 x 3 / 12 = 75.00; 150.00 = 2.00 x exactly: not above
    ("299.96", True),    # share 74.99; 150.00 > 2 x 74.99 = 149.98
])
def test_it_flags_a_payee_paid_above_the_ti_multiple(world, ti, flagged):
    Payee.objects.filter(payee_id="rita").update(target_incentive=Decimal(ti))
    expected = [("rita", "ti_multiple",
                 "paid 150.00 = 2.00 x TI share 74.99; the limit is 2 x = 149.98")]
    assert _outliers(_q1()) == (expected if flagged else [])


def test_it_reads_the_ti_multiple_from_the_settings(world, settings):
    settings.TEAMQUOTA_OUTLIER_TI_MULTIPLE = "0.035"  # 0.035 x 5,000.00 = 175.00
    assert [(p, rule) for p, rule, _ in _outliers(_q1())] == [
        ("rob", "ti_multiple"), ("sue", "ti_multiple")]  # 200.00 and 400.00 > 175.00
    settings.TEAMQUOTA_OUTLIER_TI_MULTIPLE = "two"
    found, problems = find_outliers(_q1(), build_register(_q1()).rows)
    assert (found, problems) == ([], ["TEAMQUOTA_OUTLIER_TI_MULTIPLE='two' is not a positive "
                                      "number; using 2"])


def test_it_flags_a_negative_total_and_a_payout_without_deals(world):
    PayoutLine.objects.create(run=None, period=Q1, payee=world.rita.payee, plan_id="ae_test",
                              component_id="personal", line_type="manual",
                              amount=Decimal("-150.01"), currency="USD")
    lea = Payee.objects.get(payee_id="lea")
    PayoutLine.objects.create(run=None, period=Q1, payee=lea, plan_id="ae_test",
                              component_id="spiff", line_type="manual",
                              amount=Decimal("50.00"), currency="USD")
    # Rita 150.00 - 150.01 = -0.01; Lea 50.00 with no deal credited to her
    assert _outliers(_q1()) == [
        ("lea", "no_deals", f"paid 50.00 with no credited deal in 2017-Q1 (run #{world.run.pk})"),
        ("rita", "negative", "total -0.01 is negative")]


@pytest.mark.parametrize("q2_deal,flagged", [
    ("750.00", False),   # 75.00 vs 150.00: -50% exactly, not more than 50%
    ("740.00", True),    # 74.00 vs 150.00: (74 - 150) / 150 = -50.67%
])
def test_it_flags_a_change_of_more_than_the_percentage(world, q2_deal, flagged):
    Deal.objects.create(deal_id="Q2-1", owner=world.rita.payee, amount=Decimal(q2_deal),
                        stage="Won", close_date=date(2017, 5, 2))
    start_run(world.otto, "q2", calculator=fake_calculate)
    found = [o for o in _outliers(Period.objects.get(label="2017-Q2")) if o[1] == "change"]
    assert found == ([("rita", "change",
                       "paid 74.00, was 150.00 in 2017-Q1: -50.67% (more than 50%)")]
                     if flagged else [])


# --- disputes -----------------------------------------------------------------------------

def test_it_counts_and_links_the_open_disputes(client, world):
    line = PayoutLine.objects.get(period=Q1, payee__payee_id="rita")
    open_one = Dispute.objects.create(line=line, payee=line.payee, raised_by=world.rita)
    Dispute.objects.create(line=line, payee=line.payee, raised_by=world.rita, status="closed")
    client.force_login(world.fiona)
    response = client.get("/periods/2017-Q1/")
    assert [d.pk for d in response.context["disputes"]] == [open_one.pk]  # closed not counted
    page = response.content.decode()
    assert "Open disputes: 1" in page and f'href="/disputes/{open_one.pk}/"' in page


# --- sign-off and rejection ---------------------------------------------------------------

def test_it_needs_finance_sign_off_of_every_team_before_approval(client, world):
    review_all(client, world)
    client.force_login(world.fiona)
    client.post("/periods/2017-Q1/signoff/north/", {"comment": "checked against CRM"})
    response = confirm(client, Q1)
    assert "finance must sign off every team of 2017-Q1 before approval; waiting for: " \
           "South" in response.content.decode()
    assert _q1().status == "reviewed"
    client.post("/periods/2017-Q1/signoff/south/")
    confirm(client, Q1)
    assert _q1().status == "approved"
    event = AuditEvent.objects.filter(action="period.signoff").order_by("id").first()
    assert (event.object_id, event.details) == (Q1, {"team": "north",
                                                     "comment": "checked against CRM"})


def test_it_refuses_a_sign_off_of_numbers_that_changed_since_the_page(client, world):
    review_all(client, world)
    client.force_login(world.fiona)
    page = client.get("/periods/2017-Q1/").content.decode()
    assert f'name="fingerprint" value="{_q1().fingerprint}"' in page  # the form carries it
    response = client.post("/periods/2017-Q1/signoff/north/", {"fingerprint": "a" * 64},
                           follow=True)
    assert "the numbers changed since you opened this page (you saw aaaaaaaaaaaa, " \
           f"2017-Q1 is now {_q1().fingerprint[:12]}); nothing was signed off for North" \
        in response.content.decode()
    assert not TeamDecision.objects.exists()


def test_it_refuses_a_sign_off_before_the_leaders_review(client, world):
    client.force_login(world.fiona)
    response = client.post("/periods/2017-Q1/signoff/north/", follow=True)
    assert "North must be reviewed by its leader before finance signs it off" in \
        response.content.decode()
    assert not TeamDecision.objects.exists()


def test_it_lets_a_sign_off_lapse_when_the_numbers_change(client, world):
    review_all(client, world)
    sign_off_all(client, world)
    assert close.signed_off_team_ids(_q1()) == {world.north.id, world.south.id}
    Deal.objects.create(deal_id="LATE-1", owner=world.rita.payee, amount=Decimal("300.00"),
                        stage="Won", close_date=date(2017, 3, 30))
    start_run(world.otto, "late deal", calculator=fake_calculate)
    period = _q1()
    assert close.signed_off_team_ids(period) == set()  # given for the old fingerprint
    page = client.get("/periods/2017-Q1/").content.decode()
    assert "sign-off lapsed" in page


def test_it_refuses_a_sign_off_to_an_author_of_the_inputs(client, world):
    review_all(client, world)
    world.otto.role_names = "sales_ops,finance"
    world.otto.save()
    client.force_login(world.otto)
    response = client.post("/periods/2017-Q1/signoff/north/", follow=True)
    assert "segregation of duties: you saved plan ae_test version 1 that this run read; " \
           "someone else in finance must sign it off" in response.content.decode()
    assert not TeamDecision.objects.exists()


def test_it_sends_rejected_numbers_back_to_the_leader(client, world):
    review_all(client, world)
    assert _q1().status == "reviewed"
    client.force_login(world.fiona)
    client.post("/periods/2017-Q1/reject/north/",
                {"reason": "DEAL-3 looks like a duplicate of DEAL-1"})
    period = _q1()
    assert period.status == "calculated"  # North's review is withdrawn
    assert not PeriodReview.objects.filter(period=period, team=world.north).exists()
    event = AuditEvent.objects.get(action="period.reject")
    assert event.details == {"team": "north", "reason": "DEAL-3 looks like a duplicate of DEAL-1"}
    client.force_login(world.lea)
    page = client.get("/periods/2017-Q1/").content.decode()
    assert "rejected" in page and "DEAL-3 looks like a duplicate of DEAL-1" in page
    assert "Mark North reviewed" in page
    client.force_login(world.fiona)
    sign_off_all(client, world)  # only South is reviewed: North cannot be signed off
    response = confirm(client, Q1)
    assert "must be reviewed by every leader before approval; waiting for: North" in \
        response.content.decode()
    assert _q1().status == "calculated"
    client.force_login(world.lea)
    client.post("/periods/2017-Q1/review/north/")  # reviewed again: no longer rejected
    states = {s.team.team_id: s for s in close.team_states(_q1())}
    assert (states["north"].rejected, states["north"].reviewed) == (False, True)
    sign_off_all(client, world)
    confirm(client, Q1)
    assert _q1().status == "approved"


def test_it_needs_a_reason_to_reject(client, world):
    client.force_login(world.fiona)
    response = client.post("/periods/2017-Q1/reject/north/", {"reason": "   "}, follow=True)
    assert "say why: a rejection needs a reason the leader can act on" in \
        response.content.decode()
    response = client.post("/periods/2017-Q1/reject/north/", {"reason": "x" * 2001},
                           follow=True)
    assert "the rejection is 2,001 characters; at most 2,000 are kept" in \
        response.content.decode()
    assert not TeamDecision.objects.exists()


def test_it_refuses_to_reject_an_approved_period(client, world):
    approve(client, world)
    response = client.post("/periods/2017-Q1/reject/north/", {"reason": "late"}, follow=True)
    assert ("2017-Q1 is approved; only the teams of a calculated or reviewed period are "
            "rejected") in response.content.decode()
    assert _q1().status == "approved"


def test_it_shows_each_period_s_close_progress_to_finance(client, world):
    client.force_login(world.lea)
    client.post("/periods/2017-Q1/review/north/")
    client.force_login(world.fiona)
    client.post("/periods/2017-Q1/signoff/north/")
    client.post("/periods/2017-Q1/reject/south/", {"reason": "Sue's target is last year's"})
    page = client.get("/periods/").content.decode()
    # North reviewed and signed off; South rejected before any review
    assert "1/2 reviewed, 1/2 signed off, 1 rejected" in page
    client.force_login(world.lea)
    assert "1/2 signed off" not in client.get("/periods/").content.decode()  # finance and ops'


# --- confirmations ------------------------------------------------------------------------

def test_it_shows_exactly_what_is_approved(client, world):
    review_all(client, world)
    sign_off_all(client, world)
    period = _q1()
    response = client.get("/periods/2017-Q1/approve/")
    page = response.content.decode()
    assert (response.context["lines"], response.context["totals"]) == (3, [("USD",
                                                                            "750.00")])
    assert period.fingerprint[:12] in page and period.fingerprint in page
    assert f'name="fingerprint" value="{period.fingerprint}"' in page


def test_it_refuses_an_approval_with_a_stale_hash_and_changes_nothing(client, world):
    review_all(client, world)
    sign_off_all(client, world)
    seen = _q1().fingerprint
    before = AuditEvent.objects.count()
    for posted in ("0" * 64, ""):
        response = client.post("/periods/2017-Q1/approve/", {"fingerprint": posted},
                               follow=True)
        assert "the numbers changed since you opened this page" in response.content.decode()
    period = _q1()
    assert (period.status, period.approved_by, period.fingerprint) == ("reviewed", None, seen)
    assert AuditEvent.objects.count() == before
    confirm(client, Q1)
    assert _q1().status == "approved"


def test_it_confirms_a_lock_with_the_hash(client, world):
    approve(client, world)
    page = client.get("/periods/2017-Q1/lock/").content.decode()
    assert "Confirm: lock 2017-Q1" in page
    response = client.post("/periods/2017-Q1/lock/", {"fingerprint": "f" * 64}, follow=True)
    assert "nothing was locked" in response.content.decode()
    assert _q1().status == "approved"
    confirm(client, Q1, "lock")
    assert _q1().status == "locked"


def test_it_keeps_the_api_approval_without_a_hash(client, world):
    period = _q1()
    close.review(world.lea, period, world.north)
    close.review(world.sam, _q1(), world.south)
    for team in (world.north, world.south):
        close.signoff(world.fiona, _q1(), team)
    close.approve(world.fiona, _q1())  # expected=None: the API confirms nothing
    assert _q1().status == "approved"
    event = AuditEvent.objects.get(action="period.approve")
    assert event.details == {"run": world.run.pk, "fingerprint": _q1().fingerprint}


def test_run_inputs__agree_with_the_ledger_store_on_every_key(world):
    from teamquota.web.comp.services.close_changes import RunInputs
    from teamquota.web.comp.services.ledger_store import DjangoStore
    Deal.objects.create(deal_id="Q2-1", owner=world.sue.payee, amount=Decimal("10.00"),
                        stage="Won", close_date=date(2017, 5, 2))
    run = start_run(world.otto, "two periods", calculator=fake_calculate)
    for label in (Q1, "2017-Q2"):
        batch = RunInputs(run.pk, label)
        keys = {(p, plan, c) for p, plan, c in PayoutLine.objects.filter(run=run).values_list(
            "payee__payee_id", "plan_id", "component_id")} | {("nobody", "ae_test", "x")}
        for key in keys:
            for team in (None, "north", "south"):
                assert batch.inputs(key, team) == DjangoStore().inputs(run.pk, label, key,
                                                                       team), (label, key)
