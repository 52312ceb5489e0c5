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
