"""Page-time benchmark: ``python -m bench.web.run --deals 1M --clients 20``.

Loads a synthetic organisation (10k payees, 1k teams, ``--deals`` deals) into a fresh
database (SQLite under bench/results/web/, or ``--database-url``), calculates it with the
real engine, serves the app with gunicorn in production mode on loopback, and has
``--clients`` concurrent clients (each a rep signed in with its own session) fetch their
team dashboard and their statement: first a cold pass (each earlier period once: pages no
one has opened since the server started), then a warm one (``--requests`` times each, back
to back). Prints and writes (bench/results/web-*.json|md) median, p95 and max per pass and
page. Goal: p95 < 200 ms.
"""

from __future__ import annotations

import argparse
import http.cookiejar
import json
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import threading
import time
import urllib.parse
import urllib.request
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
RESULTS = ROOT / "bench" / "results"
PORT = 8791


def size(text: str) -> int:
    units = {"k": 1_000, "M": 1_000_000}
    return int(float(text[:-1]) * units[text[-1]]) if text[-1] in units else int(text)


def environment(home: Path, database_url: str | None) -> dict[str, str]:
    # Development mode with DEBUG off: production mode's Secure cookies are (rightly) not
    # sent over plain-HTTP loopback; everything else (gunicorn, no debug) is as deployed.
    env = {**os.environ, "TEAMQUOTA_HOME": str(home), "TEAMQUOTA_ENV": "development",
           "TEAMQUOTA_DEBUG": "0", "TEAMQUOTA_SECRET_KEY": "bench-only-secret-" + "x" * 40,
           "TEAMQUOTA_ALLOWED_HOSTS": "127.0.0.1,localhost",
           "DJANGO_SETTINGS_MODULE": "teamquota.web.settings", "PYTHONPATH": str(ROOT)}
    if database_url:
        env["DATABASE_URL"] = database_url
    return env


class Client:
    """One signed-in browser-like client (its own cookie jar and session)."""

    def __init__(self, base: str, username: str, password: str) -> None:
        self.base = base
        jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
        page = self.opener.open(f"{base}/login/").read().decode()
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
        data = urllib.parse.urlencode({"username": username, "password": password,
                                       "csrfmiddlewaretoken": token}).encode()
        landed = self.opener.open(urllib.request.Request(
            f"{base}/login/", data, headers={"Referer": f"{base}/login/"}))
        self.statement = landed.geturl()  # a rep lands on their own statement
        if "/statements/" not in self.statement:
            raise RuntimeError(f"{username} did not sign in: {self.statement}")
        # /teams/ redirects a one-team rep to their dashboard: measure the page itself
        self.dashboard = self.opener.open(f"{base}/teams/").geturl()

    def get(self, url: str) -> float:
        started = time.perf_counter()
        with self.opener.open(url) as response:
            response.read()
            if response.status != 200:
                raise RuntimeError(f"{url}: {response.status}")
        return time.perf_counter() - started


def load(base: str, clients: int, requests: int,
         cold_periods: list[str]) -> dict[str, dict[str, list[float]]]:
    """Two passes, all clients at once, after every worker has served the default
    pages (so imports, templates and parsed plans are loaded: a worker's first request
    is not what is measured). Cold: each client's first look at its dashboard and
    statement for ``cold_periods`` (periods nobody has opened since the server started:
    no worker has their numbers cached). Warm: the default pages again and again, as a
    rep refreshing them does."""
    sessions = [Client(base, f"bench{i:02d}", "bench-password-1") for i in range(clients)]
    times: dict[str, dict[str, list[float]]] = {
        p: {"dashboard": [], "statement": []} for p in ("cold", "warm")}
    lock = threading.Lock()
    cold_start, warm_start = threading.Barrier(clients), threading.Barrier(clients)

    def work(client: Client) -> None:
        mine: dict[str, dict[str, list[float]]] = {
            p: {"dashboard": [], "statement": []} for p in ("cold", "warm")}
        for _ in range(3):  # warm-up: reach every worker once it has imported everything
            client.get(client.dashboard)
            client.get(client.statement)
        cold_start.wait()
        for period in cold_periods:
            mine["cold"]["dashboard"].append(client.get(f"{client.dashboard}?period={period}"))
            mine["cold"]["statement"].append(client.get(f"{client.statement}?period={period}"))
        warm_start.wait()
        for _ in range(requests):
            mine["warm"]["dashboard"].append(client.get(client.dashboard))
            mine["warm"]["statement"].append(client.get(client.statement))
        with lock:
            for phase, pages in mine.items():
                for k, v in pages.items():
                    times[phase][k].extend(v)

    threads = [threading.Thread(target=work, args=(s,)) for s in sessions]
    began = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    times["_wall"] = {"all": [time.perf_counter() - began]}
    return times


def summary(values: list[float]) -> dict[str, float]:
    ordered = sorted(values)
    p95 = ordered[min(len(ordered) - 1, int(0.95 * len(ordered)))]
    return {"n": len(ordered), "median_ms": statistics.median(ordered) * 1000,
            "p95_ms": p95 * 1000, "max_ms": ordered[-1] * 1000}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--deals", default="1M")
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--requests", type=int, default=25, help="per client and page")
    parser.add_argument("--workers", type=int, default=4, help="gunicorn workers")
    parser.add_argument("--database-url", default=None,
                        help="an empty PostgreSQL database to fill (default: SQLite)")
    parser.add_argument("--reuse", action="store_true", help="keep an existing database")
    args = parser.parse_args()
    deals = size(args.deals)
    database = "postgresql" if args.database_url else "sqlite"
    home = RESULTS / "web" / f"deals-{args.deals}-{database}"  # one setup kept per database
    env = environment(home, args.database_url)
    setup = None
    if not (args.reuse and (home / "ready.json").exists()):
        shutil.rmtree(home, ignore_errors=True)
        home.mkdir(parents=True)
        started = time.perf_counter()
        out = subprocess.run([sys.executable, "-m", "bench.web.setup_data", "--deals",
                              str(deals), "--clients", str(args.clients)], env=env,
                             cwd=ROOT, capture_output=True, text=True)
        if out.returncode:
            sys.exit(out.stderr[-3000:])
        setup = json.loads(out.stdout.strip().splitlines()[-1])
        setup["total_seconds"] = time.perf_counter() - started
        (home / "ready.json").write_text(json.dumps(setup))
    else:
        setup = json.loads((home / "ready.json").read_text())
    subprocess.run([sys.executable, "-m", "teamquota.web.manage", "migrate", "-v", "0"],
                   env=env, cwd=ROOT, check=True)  # a reused database gets new migrations
    gunicorn = str(Path(sys.executable).parent / "gunicorn")
    server = subprocess.Popen([gunicorn, "teamquota.web.wsgi:application", "--bind",
                               f"127.0.0.1:{PORT}", "--workers", str(args.workers), "--preload",
                               "--log-level", "warning"], env=env, cwd=ROOT)
    base = f"http://127.0.0.1:{PORT}"
    try:
        for _ in range(100):
            try:
                urllib.request.urlopen(f"{base}/login/", timeout=1)
                break
            except OSError:
                time.sleep(0.2)
        # the latest period is each rep's default page, opened at sign-in: not cold
        cold = list(setup["periods"][:-1])
        load_average = os.getloadavg()
        times = load(base, args.clients, args.requests, cold)
    finally:
        server.terminate()
        server.wait(10)
    wall = times.pop("_wall")["all"][0]
    result = {
        "when": datetime.now(UTC).isoformat(timespec="seconds"), "deals": deals,
        "clients": args.clients, "requests_per_client_and_page": args.requests,
        "cold_periods": cold, "workers": args.workers,
        "database": database,
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version(),
                    "load_average_before": load_average,
                    "load_average_after": os.getloadavg()},
        "pages": {phase: {k: summary(v) for k, v in pages.items()}
                  for phase, pages in times.items()},
        "throughput_rps": sum(len(v) for pages in times.values() for v in pages.values())
        / wall, "setup": setup}
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / f"web-{stamp}.json").write_text(json.dumps(result, indent=2))
    lines = [f"# Web page times, {deals:,} deals, {args.clients} clients, "
             f"{result['database']}, {args.workers} gunicorn workers, "
             f"{os.cpu_count()} CPUs", "",
             "load average (1, 5, 15 min) before: "
             + ", ".join(f"{x:.2f}" for x in result["machine"]["load_average_before"])
             + "; after: " + ", ".join(f"{x:.2f}" for x in result["machine"][
                 "load_average_after"]), "",
             "| pass | page | requests | median ms | p95 ms | max ms |",
             "|---|---|---:|---:|---:|---:|"]
    for phase, pages in result["pages"].items():
        for page, s in pages.items():
            lines.append(f"| {phase} | {page} | {s['n']} | {s['median_ms']:.1f} | "
                         f"{s['p95_ms']:.1f} | {s['max_ms']:.1f} |")
    lines += ["", f"throughput: {result['throughput_rps']:.1f} requests/s; setup: "
              + ", ".join(f"{k} {v:.1f}s" for k, v in setup["timings"].items())]
    (RESULTS / f"web-{stamp}.md").write_text("\n".join(lines) + "\n")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
