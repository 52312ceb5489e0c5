"""First page load on the demo: ``python -m bench.web_pages [--warm 20] [--json out.json]``.

Seeds the shipped demo (41 people, 10 teams, 8,800 deals, 2017 calculated with the real
engine) into a fresh SQLite database in a temporary folder, then, in this one process with
Django's test client (DEBUG off, as deployed), times for the demo's leader and rep:

- the **first** GET of each page: the process's very first request of it (templates,
  URL resolver and the plan parser loaded then, nothing cached);
- a **cold** GET: caches cleared (what a page costs the first time after a new run or an
  audited change), in a process that has served it before;
- the **warm** median of ``--warm`` GETs;
- the queries each page makes (warm), and
- what a first visit downloads besides the page: every script and stylesheet the page
  names, raw and compressed (gzip level 9 and brotli, as ``collectstatic`` stores them).

Each figure is also given as a ratio to a **floor** measured in the same run: a trivial
view (``HttpResponse("ok")``) behind the same middleware and session, so a slower (or
busier) machine moves both. Nothing here is a pass/fail test; the goal (a first dashboard
load under 1 s) is read from the figures (docs/performance.md, "Web pages").
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import platform
import re
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.urls import include, path

ROOT = Path(__file__).resolve().parents[1]


def floor(request: HttpRequest) -> HttpResponse:
    """The floor: what any request costs (middleware, session, user) with no page."""
    _ = request.user.is_authenticated  # the session and user are read, as every page does
    return HttpResponse("ok")


def __getattr__(name: str) -> Any:
    """``urlpatterns`` (this module is ROOT_URLCONF while measuring): the app's URLs plus
    the floor; made on first use, after Django is set up (the app's URLs import models)."""
    if name != "urlpatterns":
        raise AttributeError(name)
    return [path("bench-floor/", floor), path("", include("teamquota.web.urls"))]


def _setup(home: Path) -> None:
    os.environ.update({"TEAMQUOTA_HOME": str(home), "TEAMQUOTA_ENV": "development",
                       "TEAMQUOTA_DEBUG": "0",
                       "DJANGO_SETTINGS_MODULE": "teamquota.web.settings"})
    os.environ.pop("DATABASE_URL", None)
    import django
    django.setup()
    from django.conf import settings
    settings.ROOT_URLCONF = "bench.web_pages"
    settings.ALLOWED_HOSTS = ["testserver"]


def _get(client: Any, url: str) -> tuple[float, Any]:
    t = time.perf_counter()
    response = client.get(url)
    elapsed = time.perf_counter() - t
    if response.status_code != 200:
        raise SystemExit(f"GET {url}: {response.status_code}")
    return elapsed, response


def _body(response: Any) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


def assets(client: Any, html: str) -> list[dict[str, Any]]:
    """Every script and stylesheet ``html`` names, with its raw and compressed size."""
    import brotli
    found = []
    for url in dict.fromkeys(re.findall(r'<script src="([^"]+)"', html)
                             + re.findall(r'<link[^>]+href="([^"]+\.css)"', html)):
        t = time.perf_counter()
        response = client.get(url)
        data = _body(response)
        found.append({"url": url, "ms": round((time.perf_counter() - t) * 1000, 1),
                      "raw": len(data), "gzip": len(gzip.compress(data, 9)),
                      "brotli": len(brotli.compress(data))})
    return found


def measure(warm: int) -> dict[str, Any]:
    from django.core.cache import cache
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from teamquota.web.comp.models import Team, User
    from teamquota.web.comp.services.demo import seed

    t = time.perf_counter()
    from django.core.management import call_command
    call_command("migrate", interactive=False, verbosity=0)
    seed(echo=lambda _: None)
    setup_s = time.perf_counter() - t
    leader, rep = User.objects.get(username="leader"), User.objects.get(username="rep")
    team = Team.objects.get(leader=leader.payee).team_id
    pages = {
        "floor (trivial view)": (rep, "/bench-floor/"),
        "home (leader: redirect)": (leader, "/"),
        "team dashboard (leader)": (leader, f"/teams/{team}/"),
        "team dashboard (rep)": (rep, f"/teams/{team}/"),
        "statement (rep)": (rep, f"/statements/{rep.payee.payee_id}/"),
        "statement (leader, a member's)": (leader, f"/statements/{rep.payee.payee_id}/"),
    }
    clients = {}
    for user in (leader, rep):
        clients[user.pk] = Client()
        clients[user.pk].force_login(user)
    rows: dict[str, dict[str, Any]] = {}
    for name, (user, url) in pages.items():  # first: each page's first request ever
        client = clients[user.pk]
        if url == "/":
            t = time.perf_counter()
            response = client.get(url)
            first = time.perf_counter() - t
            assert response.status_code == 302, response.status_code
        else:
            first, response = _get(client, url)
        rows[name] = {"url": url, "first_ms": first * 1000}
    for name, (user, url) in pages.items():
        if url == "/":
            continue
        client = clients[user.pk]
        cache.clear()
        cold, response = _get(client, url)
        times = []
        with CaptureQueriesContext(connection) as queries:
            _get(client, url)
        count = len(queries.captured_queries)  # now: the next request resets the log
        for _ in range(warm):
            times.append(_get(client, url)[0])
        rows[name].update({"cold_ms": cold * 1000,
                           "warm_ms": statistics.median(times) * 1000,
                           "queries": count,
                           "bytes": len(_body(response))})
    dashboard = _body(clients[leader.pk].get(f"/teams/{team}/")).decode()
    files = assets(clients[leader.pk], dashboard)
    base = rows["floor (trivial view)"]
    for row in rows.values():
        for key in ("first_ms", "cold_ms", "warm_ms"):
            if key in row:
                row[key.replace("_ms", "_x_floor")] = round(row[key] / base["warm_ms"], 1)
                row[key] = round(row[key], 1)
    return {"setup_s": round(setup_s, 1), "pages": rows, "assets": files,
            "load_average": os.getloadavg(), "python": platform.python_version(),
            "machine": f"{platform.machine()}, {os.cpu_count()} cores"}


def report(result: dict[str, Any]) -> str:
    out = [f"demo seeded and calculated in {result['setup_s']} s; load average "
           + ", ".join(f"{x:.2f}" for x in result["load_average"]), "",
           "| page | first ms | cold ms | warm ms | x floor (first/cold/warm) | queries | KB |",
           "|---|---:|---:|---:|---:|---:|---:|"]
    for name, r in result["pages"].items():
        if "cold_ms" not in r:  # a redirect: its first request only
            out.append(f"| {name} | {r['first_ms']:,.1f} | — | — | {r['first_x_floor']} | — "
                       "| — |")
            continue
        out.append(f"| {name} | {r['first_ms']:,.1f} | {r['cold_ms']:,.1f} | "
                   f"{r['warm_ms']:,.1f} | {r['first_x_floor']} / "
                   f"{r.get('cold_x_floor', '—')} / {r.get('warm_x_floor', '—')} | "
                   f"{r.get('queries', '—')} | {r.get('bytes', 0) / 1000:,.1f} |")
    out += ["", "| asset a first dashboard visit downloads | KB raw | KB gzip | KB brotli | ms |",
            "|---|---:|---:|---:|---:|"]
    for a in result["assets"]:
        out.append(f"| {a['url']} | {a['raw'] / 1000:,.1f} | {a['gzip'] / 1000:,.1f} | "
                   f"{a['brotli'] / 1000:,.1f} | {a['ms']:,.1f} |")
    total = {k: sum(a[k] for a in result["assets"]) for k in ("raw", "gzip", "brotli")}
    out.append(f"| **total** | {total['raw'] / 1000:,.1f} | {total['gzip'] / 1000:,.1f} | "
               f"{total['brotli'] / 1000:,.1f} | |")
    return "\n".join(out)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--warm", type=int, default=20, help="warm requests per page")
    parser.add_argument("--json", type=Path, help="also write the figures as JSON here")
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT))
    with tempfile.TemporaryDirectory(prefix="teamquota-web-pages-") as home:
        _setup(Path(home))
        result = measure(args.warm)
    print(report(result))
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
