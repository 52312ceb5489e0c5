"""Load a synthetic organisation into the web app's database and calculate it.

Run in its own process (``python -m bench.web.setup_data --deals 1000000``) with the same
environment as the server; prints a JSON line with the stage timings.
"""

from __future__ import annotations

import argparse
import json
import os
import time
from datetime import date


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--deals", type=int, default=1_000_000)
    parser.add_argument("--clients", type=int, default=20)
    args = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "teamquota.web.settings")
    import django
    django.setup()
    from django.core.management import call_command

    import teamquota
    from teamquota.data.dataset import Dataset
    from teamquota.synthetic import SyntheticSpec, generate
    from teamquota.web.comp.models import Membership, Payee, Team, User
    from teamquota.web.comp.services.demo import add_plan, demo_plan_text, load_dataset
    from teamquota.web.comp.services.runs import start_run

    timings: dict[str, float] = {}
    t = time.perf_counter()
    call_command("migrate", interactive=False, verbosity=0)
    timings["migrate"] = time.perf_counter() - t
    spec = SyntheticSpec(deals=args.deals) if args.deals >= 100_000 else \
        SyntheticSpec.tiny(deals=args.deals)
    t = time.perf_counter()
    tables = generate(spec)
    timings["generate"] = time.perf_counter() - t
    t = time.perf_counter()
    load_dataset(Dataset(tables, {n: f"synthetic:{n}" for n in tables}), None, "synthetic")
    timings["load_into_database"] = time.perf_counter() - t
    t = time.perf_counter()
    add_plan(demo_plan_text(), None, date(2017, 1, 1), date(2017, 12, 31),
             list(Payee.objects.filter(role="AE")))
    timings["assign_plan"] = time.perf_counter() - t
    t = time.perf_counter()
    run = start_run(None, "bench", calculator=teamquota.calculate)
    timings["run_total"] = time.perf_counter() - t
    timings.update({f"run_{k}": v for k, v in run.timings.items()})
    if run.status != "done":
        raise SystemExit(f"run failed: {run.diagnostics[:3]}")
    # One rep per client, each from a different leaf team (a dashboard of ~10 members).
    teams = list(Team.objects.filter(leader__isnull=False).order_by("team_id")[:args.clients])
    for i, team in enumerate(teams):
        member = Membership.objects.filter(team=team).order_by("payee__payee_id").first()
        User.objects.create_user(username=f"bench{i:02d}", password="bench-password-1",
                                 role_names="rep", payee=member.payee)
    print(json.dumps({"timings": timings, "run": run.pk, "periods": run.periods}))


if __name__ == "__main__":
    main()
