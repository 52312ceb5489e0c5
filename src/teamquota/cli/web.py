"""``teamquota serve``: start the web app (first start: migrate, load the demo, calculate,
create demo users and print their passwords) and a worker; ``teamquota worker``: execute
the queued runs and replays (tasks). A thin skin over :mod:`teamquota.web`."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import typer

from teamquota.extras import require


def _setup(production: bool, dev: bool = False) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "teamquota.web.settings")
    if production:
        os.environ["TEAMQUOTA_ENV"] = "production"
    # DEBUG (Django's error pages show the request's data) only when asked for
    os.environ["TEAMQUOTA_DEBUG"] = "1" if dev and not production else "0"
    import django
    django.setup()


def first_start(echo: typer.echo = typer.echo, demo: bool = True) -> None:  # type: ignore[valid-type]
    """Migrate; on an empty database load the demo and print the demo users."""
    from django.core.management import call_command
    call_command("migrate", interactive=False, verbosity=0)
    from teamquota.web.comp.services.workers import fail_orphaned_runs
    for run_id in fail_orphaned_runs():  # nobody will finish them (docs/web.md "Runs ...")
        echo(f"run #{run_id} was left by a worker that stopped: marked failed")
    from teamquota.web.comp.models import Payee, User
    from teamquota.web.comp.services import demo as demo_service
    if demo and not Payee.objects.exists() and not User.objects.exists():
        users = demo_service.seed(echo)
        echo("")
        echo("Demo users (passwords are also in " f"{demo_service.users_file()}):")
        for role, username, password, who in users:
            echo(f"  {role:<10} {username:<9} {password}   {who}")
        echo("")
    elif demo_service.users_file().exists():
        echo(f"Demo users and passwords: {demo_service.users_file()}")


def collect_static() -> None:
    """Copy the assets under var/static with hashed names and gzip (brotli) copies, which
    WhiteNoise serves compressed and cacheable for years (teamquota.web.comp.staticstorage)."""
    from django.core.management import call_command
    call_command("collectstatic", interactive=False, verbosity=0)


def _worker_process(production: bool) -> subprocess.Popen[bytes]:
    """``teamquota worker`` as a child process (never a thread of the server); with
    --production the server execs gunicorn and the worker stays its child."""
    command = [sys.executable, "-c", "from teamquota.cli.app import main; main()", "worker"]
    return subprocess.Popen([*command, "--production"] if production else command)


def register(app: typer.Typer) -> None:
    @app.command()
    def worker(
        production: bool = typer.Option(
            False, "--production", help="production settings (TEAMQUOTA_SECRET_KEY needed)"),
        batch: bool = typer.Option(
            False, "--batch", help="execute what is queued, then exit (cron, tests)"),
    ) -> None:
        """Execute the queued calculation runs and plan-fit replays (the database task
        queue); `teamquota serve` starts one unless --no-worker. Ctrl+C stops it."""
        require("web", "teamquota worker")
        try:
            _setup(production)
        except Exception as exc:  # ImproperlyConfigured: say what to set, no traceback
            typer.echo(f"error: {exc}", err=True)
            raise typer.Exit(1) from None
        from django.core.management import call_command
        call_command("db_worker", batch=batch, reload=False, verbosity=1)

    @app.command()
    def serve(
        host: str = typer.Option("127.0.0.1", help="address to listen on"),
        port: int = typer.Option(8000, help="port to listen on"),
        production: bool = typer.Option(
            False, "--production",
            help="serve with gunicorn, DEBUG off, secure cookies; needs TEAMQUOTA_SECRET_KEY"),
        workers: int = typer.Option(2, help="gunicorn worker processes (--production)"),
        dev: bool = typer.Option(
            False, "--dev",
            help="DEBUG on: Django's error pages with tracebacks and local data; for a "
                 "developer's own machine, never for users"),
        demo: bool = typer.Option(True, help="load the demo data on an empty database"),
        worker: bool = typer.Option(
            True, help="start `teamquota worker` alongside, which executes runs and "
                       "replays; --no-worker when it runs as its own service"),
    ) -> None:
        """Start the web app: SQLite under ./var by default (or DATABASE_URL); the first
        start loads the shipped CRM demo, calculates it and prints one user per role."""
        require("web", "teamquota serve")
        if production and dev:
            from teamquota.cli.output import usage_error
            usage_error("--dev and --production cannot be used together")
        if production:
            os.environ.setdefault("TEAMQUOTA_ALLOWED_HOSTS", f"{host},localhost,127.0.0.1")
            os.environ.setdefault("TEAMQUOTA_SSL_REDIRECT", "0")
        try:
            _setup(production, dev)
        except Exception as exc:  # ImproperlyConfigured: say what to set, no traceback
            typer.echo(f"error: {exc}", err=True)
            raise typer.Exit(1) from None
        first_start(typer.echo, demo)
        collect_static()
        typer.echo(f"teamquota is at http://{host}:{port}/  (Ctrl+C stops it)")
        # TEAMQUOTA_RUNS_INLINE: the tasks execute in the request, there is no queue to work
        inline = os.environ.get("TEAMQUOTA_RUNS_INLINE") == "1"
        child = _worker_process(production) if worker and not inline else None
        if production:
            gunicorn = shutil.which("gunicorn") or str(Path(sys.executable).parent / "gunicorn")
            os.execv(gunicorn, [gunicorn, "teamquota.web.wsgi:application", "--bind",
                                f"{host}:{port}", "--workers", str(workers), "--threads", "4",
                                "--access-logfile", "-"])
        from django.core.management import call_command
        try:
            call_command("runserver", f"{host}:{port}", use_reloader=False)
        finally:
            if child is not None:
                child.terminate()
                child.wait(timeout=30)
