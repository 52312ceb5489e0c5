"""Segregation of duties as data, proven over generated matrices (issue 13).

1. User administration: every actor role x every target role x every action (create, set
   a password, deactivate, change roles). The expected outcome is the rule as written in
   docs/security.md, restated here independently of ``access.user_admin_refusal``: only
   sales ops administer users, and never a finance or administrator user, nor give anyone
   the finance role (the server administrator does, ``manage user ...``).
2. Approval: every input kind a run reads or a period pays (plan version, assignment,
   import, organisation edit, manual ledger entry) x every way a finance user can owe their
   login to its author (created the account, last set the password, last changed the
   roles, is the author, no link). A link refuses the approval and names both actions.
"""

from __future__ import annotations

import itertools
from datetime import date
from decimal import Decimal

import pytest
from django.core.management import call_command

from teamquota.web.comp import access
from teamquota.web.comp.models import (
    Import,
    Payee,
    PayoutLine,
    Period,
    PlanAssignment,
    PlanVersion,
    User,
)
from teamquota.web.comp.models.org import ROLES
from teamquota.web.comp.services.runs import start_run
from tests.web.fakes import fake_calculate
from tests.web.world import PASSWORD, PLAN_YAML, build_world

TARGETS = (*ROLES, "admin")  # admin: a Django superuser (made with manage createsuperuser)
PROTECTED = {"finance", "admin"}
ACTIONS = ("create", "set_password", "deactivate", "change_roles")


def expected_allowed(actor: str, target: str | None, new_role: str | None) -> bool:
    return (actor == "sales_ops" and target not in PROTECTED and new_role not in PROTECTED)


def _person(username: str, role: str) -> User:
    payee = Payee.objects.create(payee_id=username, name=username.title())
    user = User.objects.create_user(username=username, password=PASSWORD,
                                    role_names="" if role == "admin" else role, payee=payee)
    if role == "admin":
        user.is_superuser = user.is_staff = True
        user.save()
    return user


def _cases() -> list[tuple[str, str, str, str | None]]:
    cases: list[tuple[str, str, str, str | None]] = []
    for actor, target in itertools.product(ROLES, TARGETS):
        if target != "admin":  # there is no admin role to tick on the Users page
            cases.append((actor, "create", target, target))
        cases.append((actor, "set_password", target, None))
        cases.append((actor, "deactivate", target, None))
        for new_role in ROLES:
            cases.append((actor, "change_roles", target, new_role))
    return cases


@pytest.mark.parametrize(("actor_role", "action", "target_role", "new_role"), _cases(),
                         ids=lambda v: str(v))
def test_it_segregates_user_administration(client, db, actor_role, action, target_role,
                                           new_role):
    actor = _person("actor", actor_role)
    client.force_login(actor)
    allowed = expected_allowed(actor_role, target_role, new_role)
    if action == "create":
        Payee.objects.create(payee_id="newbie", name="Newbie")
        response = client.post("/users/", {"username": "newbie", "roles": [new_role],
                                           "payee_id": "newbie"})
        made = User.objects.filter(username="newbie").first()
        assert (made is not None) == allowed
        if made is not None:
            assert (made.created_by, made.password_set_by, made.roles_set_by) == (
                actor, actor, actor)
    else:
        target = _person("target", target_role)
        before = (target.password, target.is_active, target.role_names)
        if action == "set_password":
            response = client.post(f"/users/{target.pk}/password/")
        elif action == "deactivate":
            response = client.post(f"/users/{target.pk}/deactivate/")
        else:
            response = client.post("/users/", {"action": "roles", "user_id": target.pk,
                                               "roles": [new_role]})
        target.refresh_from_db()
        after = (target.password, target.is_active, target.role_names)
        changed = after != before
        if action == "change_roles" and new_role == target_role and allowed:
            changed = target.roles_set_by == actor  # same roles, still recorded
        assert changed == allowed, (after, before)
        if allowed and action == "set_password":
            assert target.password_set_by == actor and target.must_change_password
        if allowed and action == "change_roles":
            assert target.roles_set_by == actor
    if actor_role != "sales_ops":
        assert response.status_code == 403
    elif not allowed:
        page = client.get("/users/").content.decode() if response.status_code == 302 \
            else response.content.decode()
        assert "sales ops may not" in page


INPUTS = ("plan version", "assignment", "import", "org edit", "manual ledger entry")
LINKS = ("created your account", "last set your password", "last changed your roles",
         "is the author", None)


def _input(kind: str, ada: User, world) -> str:  # noqa: ANN001
    """ada makes one input of ``kind``; returns how the refusal must describe it."""
    if kind == "plan version":
        PlanVersion.objects.create(plan=world.plan, number=2, yaml_text=PLAN_YAML,
                                   created_by=ada)
        return "saved plan ae_test version 2 that this run read"
    if kind == "assignment":
        PlanAssignment.objects.filter(payee__payee_id="rob").update(created_by=ada)
        return "assigned plan ae_test to rob that this run read"
    if kind == "import":
        imp = Import.objects.create(table="deals", mode="upsert", file_name="deals.csv",
                                    created_by=ada)
        return f"imported deals.csv (import #{imp.pk}) that this run read"
    if kind == "org edit":
        from teamquota.web.comp.services.org import add_membership
        add_membership(ada, world.rita.payee, world.south, date(2017, 1, 1), None)
        imp = Import.objects.get(mode="edit")
        return f"edited memberships in the app (import #{imp.pk}) that this run read"
    return "booked a manual entry for rita (25.00 USD) that this period pays"


@pytest.mark.parametrize(("kind", "link"), list(itertools.product(INPUTS, LINKS)),
                         ids=lambda v: str(v))
def test_it_refuses_approval_to_a_finance_user_who_owes_the_login_to_an_input_author(
        db, kind, link):
    world = build_world(calculate=False)
    ada = User.objects.create_user(username="ada", password=PASSWORD, role_names="sales_ops")
    fred = User.objects.create_user(username="fred", password=PASSWORD, role_names="finance")
    author = ada
    if link == "is the author":
        fred.role_names = "finance,sales_ops"
        author = fred
    field = {"created your account": "created_by", "last set your password": "password_set_by",
             "last changed your roles": "roles_set_by"}.get(link or "")
    if field:
        setattr(fred, field, ada)
    fred.save()
    action = _input(kind, author, world)
    start_run(world.otto, "after the input", calculator=fake_calculate)
    if kind == "manual ledger entry":
        PayoutLine.objects.create(run=None, period="2017-Q1", payee=world.rita.payee,
                                  component_id="manual", line_type="manual",
                                  amount=Decimal("25.00"), currency="USD", created_by=author)
    period = Period.objects.get(label="2017-Q1")
    refusal = access.approval_refusal(fred, period)
    if link is None:
        assert refusal is None
    elif link == "is the author":
        assert refusal == (f"segregation of duties: you {action}; someone else in finance "
                           "must approve it")
    else:
        assert refusal == f"segregation of duties: ada {action}, and {link}"
    assert access.approval_refusal(world.fiona, period) is None  # fiona owes ada nothing


def test_it_stops_a_rep_made_finance_by_the_administrator_from_approving_its_creator(
        client, world, capsys):
    # the path, as it can still happen: ops creates a rep login (and saw its
    # password); the server administrator later gives it finance
    client.force_login(world.otto)
    Payee.objects.create(payee_id="nina", name="Nina")
    client.post("/users/", {"username": "nina", "roles": ["rep"], "payee_id": "nina"})
    call_command("user", "roles", "nina", "finance")
    nina = User.objects.get(username="nina")
    assert nina.roles == frozenset({"finance"}) and nina.roles_set_by is None
    assert access.approval_refusal(nina, Period.objects.get(label="2017-Q1")) == (
        "segregation of duties: otto saved plan ae_test version 1 that this run read, and "
        "created your account and last set your password")
    assert "nina: roles finance" in capsys.readouterr().out


def test_it_lets_the_administrator_create_and_reset_finance_users(db, capsys):
    call_command("user", "create", "Nina", "--roles", "finance")
    out = capsys.readouterr().out
    nina = User.objects.get(username="nina")
    assert (nina.roles, nina.created_by, nina.password_set_by, nina.must_change_password) == (
        frozenset({"finance"}), None, None, True)
    password = out.split("one-time password: ")[1].split()[0]
    assert nina.check_password(password)
    call_command("user", "password", "nina")
    nina.refresh_from_db()
    assert not nina.check_password(password) and nina.must_change_password
    call_command("user", "deactivate", "nina")
    nina.refresh_from_db()
    assert not nina.is_active
