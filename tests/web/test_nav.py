"""The navigation: each role's items (menus only mirror access.py), the Inbox item's unread
count, and the phone menu's markup (the browser check is in test_mobile.py)."""

from __future__ import annotations

import re

from teamquota.web.comp.models import Notification, User
from tests.web.world import PASSWORD


def _nav(client, user) -> list[str]:  # noqa: ANN001
    client.force_login(user)
    page = client.get("/periods/").content.decode()
    nav = re.search(r'<nav id="site-nav"[^>]*>(.*?)</nav>', page, re.S).group(1)
    return re.findall(r">([^<]+)</a>", nav)


def test_it_gives_each_role_its_items_with_letters_for_payees_finance_and_sales_ops(
        client, world):  # noqa: ANN001
    # the world's run asked Lea and Sam to review 2017-Q1: one unread notice each
    assert _nav(client, world.rita) == ["Dashboard", "Statements", "Estimator", "Periods",
                                        "Disputes", "Plans", "Letters", "API", "Inbox (0)"]
    assert _nav(client, world.lea) == ["Dashboard", "Statements", "Estimator", "Periods",
                                       "Disputes", "Plans", "Letters", "API", "Inbox (1)"]
    assert _nav(client, world.fiona) == ["Dashboard", "Statements", "Periods", "Disputes",
                                         "Plans", "Letters", "Runs", "Audit log", "API",
                                         "Inbox (0)"]
    assert _nav(client, world.otto) == ["Dashboard", "Statements", "Periods", "Disputes",
                                        "Plans", "Letters", "Runs", "Imports", "Organisation",
                                        "Users", "Audit log", "API", "Inbox (0)"]
    leader_without_payee = User.objects.create_user(username="nell", password=PASSWORD,
                                                    role_names="leader")
    assert "Letters" not in _nav(client, leader_without_payee)


def test_it_counts_only_the_users_own_unread_notices(client, world):
    for read in (False, False, True):
        Notification.objects.create(recipient=world.rita, kind="rejected", title="n",
                                    read_at=world.run.finished_at if read else None)
    Notification.objects.create(recipient=world.sue, kind="rejected", title="not Rita's")
    assert _nav(client, world.rita)[-1] == "Inbox (2)"  # 3 of hers, 1 read; Sue's not counted
    client.force_login(world.rita)
    page = client.get("/inbox/").content.decode()
    assert 'aria-current="page" class="active">Inbox (2)</a>' in page
    assert "(2 unread)" in page  # on the phone's Menu button too


def test_it_puts_the_menu_button_before_the_nav_and_sign_out_outside_it(client, world):
    client.force_login(world.rita)
    page = client.get("/periods/").content.decode()
    button = re.search(r'<button type="button" class="nav-toggle"[^>]*>', page).group(0)
    assert 'aria-expanded="false"' in button and 'aria-controls="site-nav"' in button
    assert page.index("nav-toggle") < page.index('<nav id="site-nav"') < page.index(
        "Sign out")
    assert page.index("</nav>") < page.index("Sign out")  # never folded away
    assert re.search(r'<script src="/static/comp/nav\.js" defer></script>', page)
    assert client.get("/static/comp/nav.js").status_code == 200


def test_it_shows_no_navigation_to_anonymous_users(client, db):  # noqa: ANN001
    page = client.get("/login/").content.decode()
    assert "site-nav" not in page and "nav-toggle" not in page
