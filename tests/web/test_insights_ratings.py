"""Hand ratings on the team insights page: recorded, audited, shown beside the measured
strength. Numbers come from the world of ``tests/web/world.py``: North's closed deals are
all won (Rita 2 of 2, Rob 1 of 1). Who may post is in ``test_permissions.py``.
"""

from __future__ import annotations

import re

from teamquota.web.comp.models import AuditEvent, LeaderRating
from tests.web.world import World

URL = "/teams/north/ratings/"


def _cells(html: str, rep: str, skill: str) -> list[str]:
    found = re.search(rf'<tr data-rating="{rep}\|{re.escape(skill)}">(.*?)</tr>', html, re.S)
    assert found, f"no rating row for {rep} {skill}"
    return re.findall(r'<td(?: class="num")?>([^<]*)</td>', found.group(1))


def _errors(html: str) -> list[str]:
    return re.findall(r'class="diag field-error">([^<]*)<', html)


def test_it_shows_a_rating_beside_the_measured_win_rate(client, world: World):
    client.force_login(world.lea)
    response = client.post(URL, {"rep": "rita", "skill": "Overall", "rating": "3"})
    assert response.status_code == 302
    assert response["Location"] == "/teams/north/insights/#ratings"
    html = client.get("/teams/north/insights/").content.decode()
    # North never lost a deal, so the prior is the weak one centred at (3 + 0.5) / (3 + 1)
    # = 0.875 with strength 1: Beta(0.875, 0.125). Rita won 2 of 2: Beta(2.875, 0.125),
    # mean 2.875 / 3 = 95.8%; Rob won 1 of 1: 1.875 / 2 = 93.75%, so Rita ranks 1 of 2.
    cells = _cells(html, "rita", "overall")
    assert cells[:5] == ["Rita Rep", "overall", "3", "win rate", "95.8%"]
    assert cells[6:8] == ["87.5%", "1 of 2"]
    assert "Recorded: Rita Rep on overall, 3." in html


def test_it_replaces_a_rating_and_audits_both_changes(client, world: World):
    client.force_login(world.lea)
    client.post(URL, {"rep": "rob", "skill": "GTX", "rating": "4"})
    client.post(URL, {"rep": "rob", "skill": "gtx", "rating": "4.5"})
    saved = LeaderRating.objects.get()
    assert (saved.payee.payee_id, saved.skill, str(saved.rating)) == ("rob", "GTX", "4.50")
    assert saved.recorded_by == world.lea
    summaries = list(AuditEvent.objects.filter(action="rating.record").order_by("id")
                     .values_list("summary", flat=True))
    assert summaries == ["Rated Rob Rep on GTX: 4", "Rated Rob Rep on GTX: 4.5 (was 4)"]
    response = client.post(f"/teams/north/ratings/{saved.pk}/delete/")
    assert response.status_code == 302 and not LeaderRating.objects.exists()
    assert AuditEvent.objects.filter(action="rating.delete").get().summary == (
        "Removed the rating of Rob Rep on GTX (4.5)")


def test_it_shows_each_wrong_value_at_its_field(client, world: World):
    client.force_login(world.lea)
    response = client.post(URL, {"rep": "sue", "skill": "juggling", "rating": "6"})
    assert response.status_code == 200
    html = response.content.decode()
    # Sue is in South, not in North; the skill is not measured (North has product GTX and
    # size bands large and small); 6 is off the scale
    assert _errors(html) == [
        "&#x27;sue&#x27; is not a member of North: choose one from the list",
        "&#x27;juggling&#x27; is not a skill measured for this team; e.g. overall, GTX, "
        "large, small",
        "&#x27;6&#x27; is not a number from 1 to 5: rate on a 1-5 scale, e.g. 4"]
    assert 'value="juggling"' in html and not LeaderRating.objects.exists()
    html = client.post(URL, {"rep": "rita", "skill": "overall", "rating": "4.125"}
                       ).content.decode()
    assert _errors(html) == ["&#x27;4.125&#x27;: use at most two decimals, e.g. 4.5"]


def test_it_lets_no_leader_remove_another_teams_rating(client, world: World):
    client.force_login(world.sam)
    client.post("/teams/south/ratings/", {"rep": "sue", "skill": "overall", "rating": "5"})
    rating = LeaderRating.objects.get()
    client.force_login(world.lea)
    # Lea cannot reach South's URL, nor Sue's rating through North's
    assert client.post(f"/teams/south/ratings/{rating.pk}/delete/").status_code == 404
    assert client.post(f"/teams/north/ratings/{rating.pk}/delete/").status_code == 404
    assert LeaderRating.objects.filter(pk=rating.pk).exists()
