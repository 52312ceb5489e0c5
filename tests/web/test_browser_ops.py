"""Sales ops in a real browser, at 1440x900 and at 390x844 (the fixtures of
``test_browser.py``): a one-row deals file is previewed in add-or-update mode by default;
choosing "replace" names how many rows would go and needs that count typed (a wrong count
imports nothing); the row goes in by upsert; then a calculation run is queued on the
database queue, shown queued while no worker has it, and followed by the page (htmx) to
done once a worker process (``db_worker``, as ``teamquota worker`` runs it) has executed it.
At 390 px no page scrolls sideways. Screenshots: test-artifacts/web/ops-*.png."""

from __future__ import annotations

import pytest

from tests.web.test_browser import (  # noqa: F401 - fixtures
    SHOTS,
    browser,
    demo,
    no_csp_refusals,
)
from tests.web.test_mobile import OVERFLOW
from tests.web.test_tasks import QUEUE, run_worker
from tests.web.walks import SIZES, docs_shot, sign_in

pytestmark = pytest.mark.browser

ONE_DEAL = ("deal_id,owner_id,account,product,amount,currency,stage,close_date\n"
            "WALK-1,{owner},Walk Co,GTX Pro,1234.50,USD,Won,2017-12-15\n")


@pytest.mark.parametrize("size", ["1440", "390"])
def test_sales_ops_imports_a_deal_and_follows_a_background_run_to_done(
        browser, live_server, demo, settings, tmp_path, size):  # noqa: ANN001, F811
    from teamquota.web.comp.models import Deal, Run, User
    settings.TASKS = QUEUE  # runs wait in the database for a worker, as deployed
    owner = User.objects.get(username="rep").payee
    deals = Deal.objects.count()
    upload = tmp_path / "deals.csv"
    upload.write_text(ONE_DEAL.format(owner=owner.payee_id))

    problems: list[str] = []

    def fits(where: str) -> None:
        if size != "390":
            return
        width = page.evaluate("document.documentElement.scrollWidth")
        if width > 390:
            problems.append(f"{where}: {width} px wide {page.evaluate(OVERFLOW)}")

    def press(button: str) -> None:
        with page.expect_navigation():  # the answer to this submission, not the page before
            page.click(button)

    page = sign_in(browser, live_server, demo, "ops", SIZES[size])
    page.goto(f"{live_server.url}/imports/")
    fits("imports")
    page.select_option("select[name=table]", "deals")
    page.set_input_files("input[name=file]", str(upload))
    page.click("text=Upload and check")
    page.wait_for_load_state("load")
    assert page.locator("select[name=mode]").input_value() == "upsert"  # the safe default
    assert "No errors: 1 row can be imported." in page.content()
    fits("preview (upsert)")

    # replace: the page says how many rows go and wants that number typed
    page.select_option("select[name=mode]", "replace")  # app.js submits the mode form
    page.wait_for_url("**mode=replace*")
    removed = deals  # the one row is new: every deal already there would go
    box = page.locator("input[name=confirm_removed]")
    assert f"Type {removed:,} to confirm" in page.locator("label", has=box).inner_text()
    box.fill("1")
    press("button:has-text('Replace deals with')")
    assert (f"Nothing was imported: replacing deals removes {removed:,} rows; type "
            f"{removed:,} in the confirmation box") in page.locator(".messages").inner_text()
    assert Deal.objects.count() == deals
    fits("preview (replace refused)")
    page.screenshot(path=str(SHOTS / f"ops-import-replace-{size}.png"), full_page=True)
    docs_shot(SHOTS / f"ops-import-replace-{size}.png", f"ops-{size}.png")

    # back to add-or-update: the one row goes in, nothing is removed
    page.select_option("select[name=mode]", "upsert")
    page.wait_for_url("**mode=upsert*")
    press("button:has-text('Import 1 row')")
    assert Deal.objects.count() == deals + 1
    assert Deal.objects.get(deal_id="WALK-1").owner_id == owner.pk

    # the organisation and plan pages pick people and teams by name, and fit the phone
    team = owner.memberships.select_related("team").first().team
    page.goto(f"{live_server.url}/org/teams/{team.team_id}/")
    fits("organisation team")
    assert page.locator("#team-leader option:checked").inner_text().endswith(
        f"({team.leader.payee_id})")
    page.goto(f"{live_server.url}/plans/ae_hybrid_2017/assign/")
    fits("plan assign")
    assert page.locator("#assign-people option", has_text=owner.name).count() == 1

    # a run in the background: queued (no worker yet), then done
    page.goto(f"{live_server.url}/runs/")
    page.click("text=Start a run")
    page.wait_for_selector("#run-status .badge.queued")
    run = Run.objects.order_by("-pk").first()
    assert run.status == "queued" and page.url.endswith(f"/runs/{run.pk}/")
    fits("run queued")
    page.screenshot(path=str(SHOTS / f"ops-run-queued-{size}.png"))
    run_worker("real engine")  # `teamquota worker`: every queued task, then exit
    page.wait_for_selector("#run-status .badge.done", timeout=60_000)  # htmx polled it
    run.refresh_from_db()
    assert run.status == "done" and "2017-Q4" in page.locator("#run-status").inner_text()
    fits("run done")
    page.screenshot(path=str(SHOTS / f"ops-run-done-{size}.png"), full_page=True)
    page.context.close()
    assert problems == [], "\n".join(problems)
