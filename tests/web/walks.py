"""What every role's browser walk shares (tests/web/test_browser_*.py): the two widths,
signing in as a demo user, the no-sideways-scroll check on a phone, and refreshing a
screenshot in docs/img/web/ — only when asked (TEAMQUOTA_DOCS_SHOTS=1), so a test run
never changes committed files."""

from __future__ import annotations

import os
import shutil
from pathlib import Path
from typing import Any

from tests.web.test_browser import CSP_REFUSALS
from tests.web.test_mobile import OVERFLOW

SIZES = {"1440": {"width": 1440, "height": 900}, "390": {"width": 390, "height": 844}}
WIDE, PHONE = SIZES["1440"], SIZES["390"]
DOCS = Path(__file__).resolve().parents[2] / "docs" / "img" / "web"


def sign_in(chromium: Any, live_server: Any, passwords: dict[str, str], username: str,
            viewport: dict[str, int]) -> Any:
    """A new browser context at ``viewport`` (a phone below 600 px: touch, mobile), signed
    in as ``username``; Content-Security-Policy refusals are collected for the fixture
    that fails on them."""
    phone = viewport["width"] < 600
    context = chromium.new_context(viewport=viewport, accept_downloads=True,
                                   is_mobile=phone, has_touch=phone)
    page = context.new_page()
    page.on("console", lambda m: CSP_REFUSALS.append(m.text)
            if "Content Security Policy" in m.text else None)
    page.set_default_timeout(15_000)
    page.goto(f"{live_server.url}/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", passwords[username])
    page.click("button[type=submit]")
    page.wait_for_load_state("load")
    return page


def assert_fits(page: Any, viewport: dict[str, int]) -> None:
    """Nothing scrolls the page sideways (wide tables scroll in their own box); the
    failure names the widest offenders."""
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= viewport["width"], f"{page.url}: {width} px wide {page.evaluate(OVERFLOW)}"


def docs_shot(shot: Path, name: str) -> None:
    """Copy ``shot`` to docs/img/web/``name`` when TEAMQUOTA_DOCS_SHOTS is set."""
    if os.environ.get("TEAMQUOTA_DOCS_SHOTS"):
        DOCS.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(shot, DOCS / name)
