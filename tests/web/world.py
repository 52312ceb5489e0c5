"""The small organisation every web test uses, and its first calculation.

company (no leader)
├── north  (leader Lea)   members: Rita, Rob
└── south  (leader Sam)   members: Sue
Lea and Sam lead from 1900-01-01 (data.limits.DATE_MIN: every period), as migration 0010 and a
first teams import record a leader.
Deals DEAL-1..4 in 2017-Q1 (Won): Rita 1000.00 + 500.00, Rob 2000.00, Sue 4000.00; Rita has one open
deal. With the fake engine (10% of Won): Rita 150.00, Rob 200.00, Sue 400.00.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from teamquota.data.limits import DATE_MIN
from teamquota.web.comp.models import (
    Deal,
    Leadership,
    Membership,
    Payee,
    Plan,
    PlanAssignment,
    PlanVersion,
    Run,
    Target,
    Team,
    User,
)
from teamquota.web.comp.services.runs import start_run
from tests.web.fakes import fake_calculate

PLAN_YAML = """\
plan: ae_test
name: Test plan
period: quarter
currency: USD
components:
  - id: personal
    scope: payee
    weight: 0.4
    measure: {sum: amount, where: {stage: Won}}
    payout: {curve: [[0.5, 0], [1, 1], [1.5, 2]], cap: 2.5}
  - id: team
    scope: team
    weight: 0.6
    measure: {sum: amount, where: {stage: Won}}
    gate: {team_attainment_at_least: 0.8}
    payout: {curve: [[0.8, 0.5], [1, 1], [1.3, 1.6]], cap: 2.0}
"""

PASSWORD = "correct horse battery"


@dataclass
class World:
    rita: User
    lea: User
    sue: User
    sam: User
    fiona: User
    otto: User
    north: Team
    south: Team
    company: Team
    plan: Plan
    run: Run

    def personas(self) -> dict[str, User | None]:
        return {"rita": self.rita, "lea": self.lea, "sue": self.sue, "sam": self.sam,
                "fiona": self.fiona, "otto": self.otto, "anon": None}


def _payee(pid: str, name: str, role: str = "AE") -> Payee:
    return Payee.objects.create(payee_id=pid, name=name, role=role, currency="USD",
                                email=f"{pid}@example.com",
                                target_incentive=Decimal("20000.00"))


def _user(username: str, roles: str, payee: Payee | None = None) -> User:
    return User.objects.create_user(username=username, password=PASSWORD, role_names=roles,
                                    payee=payee)


def build_world(calculate: bool = True) -> World:
    rita, rob, sue = _payee("rita", "Rita Rep"), _payee("rob", "Rob Rep"), _payee("sue", "Sue")
    lea, sam = _payee("lea", "Lea Leader", "leader"), _payee("sam", "Sam Leader", "leader")
    company = Team.objects.create(team_id="company", name="Company")
    north = Team.objects.create(team_id="north", name="North", leader=lea, parent=company)
    south = Team.objects.create(team_id="south", name="South", leader=sam, parent=company)
    for team in (north, south):
        Leadership.objects.create(team=team, payee=team.leader, start_date=DATE_MIN)
    for payee, team in ((rita, north), (rob, north), (sue, south)):
        Membership.objects.create(payee=payee, team=team, start_date=date(2017, 1, 1))
    for i, (owner, amount) in enumerate(((rita, "1000.00"), (rita, "500.00"), (rob, "2000.00"),
                                         (sue, "4000.00"))):
        Deal.objects.create(deal_id=f"DEAL-{i + 1}", owner=owner, account=f"Acct {i}",
                            product="GTX", amount=Decimal(amount), stage="Won",
                            close_date=date(2017, 2, 10 + i))
    Deal.objects.create(deal_id="OPEN1", owner=rita, product="GTX", stage="Engaging")
    for sid, amount in (("rita", "3000.00"), ("rob", "2000.00"), ("sue", "5000.00")):
        Target.objects.create(subject_type="payee", subject_id=sid, measure="personal",
                              period="2017-Q1", amount=Decimal(amount))
    for sid, amount in (("north", "5000.00"), ("south", "5000.00")):
        Target.objects.create(subject_type="team", subject_id=sid, measure="team",
                              period="2017-Q1", amount=Decimal(amount))
    otto = _user("otto", "sales_ops")
    plan = Plan.objects.create(plan_id="ae_test", name="Test plan")
    PlanVersion.objects.create(plan=plan, number=1, yaml_text=PLAN_YAML, created_by=otto)
    for payee in (rita, rob, sue):
        PlanAssignment.objects.create(plan=plan, payee=payee, start_date=date(2017, 1, 1),
                                      created_by=otto)
    world = World(
        rita=_user("rita", "rep", rita), lea=_user("lea", "leader", lea),
        sue=_user("sue", "rep", sue), sam=_user("sam", "leader", sam),
        fiona=_user("fiona", "finance"), otto=otto, north=north, south=south,
        company=company, plan=plan, run=None)  # type: ignore[arg-type]
    if calculate:
        world.run = start_run(otto, "test", calculator=fake_calculate)
        assert world.run.status == "done", world.run.diagnostics
    return world
