"""First start: load the shipped CRM demo data, its plan and targets, calculate, and create
one demo user per role (their passwords are printed once and kept in ``var/``)."""

from __future__ import annotations

import secrets
from collections.abc import Callable
from datetime import date
from importlib import resources
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import transaction

import teamquota
from teamquota.data.dataset import Dataset
from teamquota.web.comp.models import (
    Import,
    Membership,
    Payee,
    Plan,
    PlanAssignment,
    PlanVersion,
    Team,
    User,
    record,
)
from teamquota.web.comp.services.runs import start_run
from teamquota.web.comp.services.store import write_table

DEMO_PLAN = "ae-hybrid-2017.yaml"
TABLE_ORDER = ("payees", "teams", "memberships", "deals", "targets", "splits", "activities",
               "fx_rates", "coverage")


def demo_plan_text() -> str:
    return (resources.files("teamquota.plan") / "examples" / DEMO_PLAN).read_text("utf-8")


def demo_data() -> Dataset:
    """The demo dataset with the targets ``teamquota demo`` pays it on (suggested from
    history for the demo plan, ``targets.for_plan``): the app and the command show the
    same payouts."""
    from teamquota.plan.loader import load_plan_text
    from teamquota.targets.for_plan import with_plan_targets
    plan = load_plan_text(demo_plan_text(), DEMO_PLAN).plan
    return with_plan_targets(teamquota.demo_dataset(), plan)


def load_dataset(data: Dataset, user: User | None = None, note: str = "demo data") -> None:
    with transaction.atomic():
        for name in TABLE_ORDER:
            table = data.get(name)
            if table is None:
                continue
            imp = Import.objects.create(table=name, mode="replace", created_by=user,
                                        file_name=data.sources.get(name, note))
            imp.rows_imported = write_table(name, table, "replace", imp)
            imp.save()
            record(user, "import", "import", imp.pk,
                   f"{note}: {name} replaced with {imp.rows_imported} rows")


def add_plan(text: str, user: User | None, start: date, end: date | None,
             payees: Any) -> PlanVersion:
    from teamquota.plan.loader import load_plan_text
    loaded = load_plan_text(text)
    plan, _ = Plan.objects.get_or_create(plan_id=loaded.plan.plan,
                                         defaults={"name": loaded.plan.name or ""})
    version = PlanVersion.objects.create(plan=plan, number=plan.versions.count() + 1,
                                         yaml_text=text, created_by=user, note="demo plan")
    PlanAssignment.objects.bulk_create([PlanAssignment(plan=plan, payee=p, start_date=start,
                                                       end_date=end, created_by=user)
                                        for p in payees])
    record(user, "plan.version", "plan", plan.plan_id,
           f"{plan.plan_id} v{version.number} added and assigned to {len(payees)} payees")
    return version


def _password() -> str:
    return secrets.token_urlsafe(9)


def create_demo_users() -> list[tuple[str, str, str, str]]:
    """(role, username, password, who) for one user per persona; idempotent."""
    led = [t for t in Team.objects.filter(leader__isnull=False).order_by("name")
           if Membership.objects.filter(team=t).exclude(payee=t.leader).exists()]
    personas: list[tuple[str, str, str, Payee | None]] = [
        ("sales_ops", "ops", "sales_ops", None),
        ("finance", "finance", "finance", None),
    ]
    for i, team in enumerate(led[:2]):
        suffix = "" if i == 0 else "2"
        personas.append(("leader", f"leader{suffix}", "leader", team.leader))
        member = (Membership.objects.filter(team=team).exclude(payee=team.leader)
                  .order_by("payee__name").first())
        if member:
            personas.append(("rep", f"rep{suffix}", "rep", member.payee))
    created = []
    for role, username, roles, payee in personas:
        if User.objects.filter(username=username).exists():
            continue
        password = _password()
        User.objects.create_user(username=username, password=password, role_names=roles,
                                 payee=payee, first_name=payee.name if payee else
                                 role.replace("_", " ").title())
        team = ""
        if payee is not None:
            m = Membership.objects.filter(payee=payee).select_related("team").first()
            lead = Team.objects.filter(leader=payee).first()
            team = (f"leads {lead.name}" if lead else f"in {m.team.name}" if m else "")
        created.append((role, username, password, f"{payee.name} {team}" if payee else ""))
    return created


def seed(echo: Callable[[str], None] = print) -> list[tuple[str, str, str, str]]:
    """Load everything the first start needs; returns the demo users created."""
    echo("Loading the shipped CRM demo data ...")
    data = demo_data()
    load_dataset(data)
    payees = list(Payee.objects.all())
    from teamquota.plan.loader import load_plan_text
    plan = load_plan_text(demo_plan_text()).plan
    if plan.eligible_roles:
        payees = [p for p in payees if p.role in plan.eligible_roles]
    start = plan.effective.start if plan.effective else date(2017, 1, 1)
    add_plan(demo_plan_text(), None, start, plan.effective.end if plan.effective else None,
             payees)
    echo("Calculating ...")
    run = start_run(None, "first start", calculator=teamquota.calculate)
    echo(f"Run #{run.pk}: {run.status} ({', '.join(run.periods) or 'no periods'})")
    for d in run.diagnostics:
        if d.get("severity") == "error":
            echo(f"  {d.get('code')}: {d.get('message')}")
    users = create_demo_users()
    write_users_file(users)
    return users


def users_file() -> Path:
    return Path(settings.VAR) / "demo-users.txt"


def write_users_file(users: list[tuple[str, str, str, str]]) -> None:
    path = users_file()
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a", encoding="utf-8") as f:
        for role, username, password, who in users:
            f.write(f"{role}\t{username}\t{password}\t{who}\n")
    path.chmod(0o600)
