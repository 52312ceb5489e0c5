"""User administration by sales ops."""

from __future__ import annotations

from teamquota.web.comp.models import User


def test_it_creates_a_rep_login_linked_to_a_payee(client, world):
    client.force_login(world.otto)
    text = client.post("/users/", {"username": "rob", "roles": ["rep"], "payee_id": "rob"}
                       ).content.decode()
    assert "can sign in once with this password (shown once), then chooses their own" in text
    rob = User.objects.get(username="rob")
    assert (rob.roles, rob.payee.payee_id) == (frozenset({"rep"}), "rob")
    assert rob.must_change_password  # sales ops saw it


def test_it_refuses_a_rep_without_a_payee_and_a_taken_payee(client, world):
    client.force_login(world.otto)
    text = client.post("/users/", {"username": "x", "roles": ["rep"]}).content.decode()
    assert "reps and leaders need their payee id" in text
    text = client.post("/users/", {"username": "y", "roles": ["rep"], "payee_id": "rita"}
                       ).content.decode()
    assert "payee &#x27;rita&#x27; already has a login" in text


def test_it_deactivates_a_user(client, world):
    client.force_login(world.otto)
    client.post(f"/users/{world.rita.pk}/deactivate/")
    world.rita.refresh_from_db()
    assert not world.rita.is_active


def test_it_refuses_to_let_sales_ops_create_a_finance_user(client, world):
    # issue 13: ops created a finance login, saw its password and approved their own inputs
    client.force_login(world.otto)
    text = client.post("/users/", {"username": "nina", "roles": ["finance"]}).content.decode()
    assert ("sales ops may not give the finance role; the server administrator runs "
            "&#x27;python -m teamquota.web.manage user create nina --roles finance&#x27;") in text
    assert not User.objects.filter(username="nina").exists()


def test_it_refuses_to_let_sales_ops_deactivate_a_finance_user(client, world):
    client.force_login(world.otto)
    text = client.post(f"/users/{world.fiona.pk}/deactivate/", follow=True).content.decode()
    assert "fiona is in finance: sales ops may not deactivate a finance user" in text
    world.fiona.refresh_from_db()
    assert world.fiona.is_active


def test_it_changes_roles_but_never_to_or_from_finance(client, world):
    client.force_login(world.otto)
    client.post("/users/", {"action": "roles", "user_id": world.rita.pk,
                            "roles": ["rep", "leader"]})
    world.rita.refresh_from_db()
    assert world.rita.roles == frozenset({"rep", "leader"})
    assert world.rita.roles_set_by == world.otto
    text = client.post("/users/", {"action": "roles", "user_id": world.rita.pk,
                                   "roles": ["rep", "finance"]}).content.decode()
    assert "sales ops may not give the finance role" in text
    text = client.post("/users/", {"action": "roles", "user_id": world.fiona.pk,
                                   "roles": ["rep"]}).content.decode()
    assert "fiona is in finance: sales ops may not change a finance user&#x27;s roles" in text
    world.rita.refresh_from_db()
    world.fiona.refresh_from_db()
    assert (world.rita.roles, world.fiona.roles) == (frozenset({"rep", "leader"}),
                                                     frozenset({"finance"}))


def test_it_records_who_created_a_user_and_set_their_password(client, world):
    client.force_login(world.otto)
    client.post("/users/", {"username": "sally", "roles": ["sales_ops"]})
    sally = User.objects.get(username="sally")
    assert (sally.created_by, sally.password_set_by, sally.roles_set_by) == (
        world.otto, world.otto, world.otto)


def test_it_refuses_a_username_that_normalises_to_an_existing_one(client, world):
    client.force_login(world.otto)
    for name in ("Rita", " rita", "ｒｉｔａ", "RITA\t"):
        text = client.post("/users/", {"username": name, "roles": ["rep"], "payee_id": "rob"}
                           ).content.decode()
        assert "username &#x27;rita&#x27; is taken" in text, name
    assert User.objects.filter(payee__payee_id="rob").count() == 0
    client.post("/users/", {"username": " Rob ", "roles": ["rep"], "payee_id": "rob"})
    assert User.objects.get(payee__payee_id="rob").username == "rob"
