"""Schemathesis against the app: the generated OpenAPI document is loaded from the WSGI
app itself, and every operation is called with generated requests (a sales ops token, the
period close with a finance one; then a rep's token) and checked: no 5xx, only documented
status codes and content types, and every body matches its schema. Bounded (a few examples
an operation, no shrinking, fixed seed) and offline."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, Phase, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

import teamquota
from teamquota.web.comp.models import ApiToken
from tests.web.fakes import fake_calculate

CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance,
          response_schema_conformance]
EXAMPLES = 8
FINANCE_OPERATIONS = ("/api/periods/",)


@pytest.fixture
def wsgi_app() -> Iterator[object]:
    """The project's WSGI app inside the test's transaction: like Django's test client,
    requests must not close the connection (it holds the transaction)."""
    from teamquota.web.wsgi import application
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield application
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


def _check(strategy: object, headers: dict[str, str]) -> None:
    @given(case=strategy)
    @settings(max_examples=EXAMPLES, deadline=None, database=None, derandomize=True,
              phases=[Phase.explicit, Phase.generate], suppress_health_check=list(HealthCheck))
    def call(case: schemathesis.Case) -> None:
        case.call_and_validate(headers=headers, checks=CHECKS)

    call()


@pytest.mark.parametrize("caller", ["staff", "rep"])
def test_every_operation_answers_as_its_schema_says(world, wsgi_app, monkeypatch, caller):
    """staff: sales ops, finance for the period close and a leader for its review (the 2xx
    and 409 answers); rep:
    Rita for every operation (her own statement, 403 and 404 elsewhere)."""
    monkeypatch.setattr(teamquota, "calculate",
                        lambda plan, data, progress=None: fake_calculate(plan, data))
    tokens = {name: ApiToken.issue(getattr(world, name), "schemathesis")[1]
              for name in ("otto", "fiona", "lea", "rita")}
    schema = schemathesis.openapi.from_wsgi("/api/openapi.json", wsgi_app)
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) == 13  # 4 reads, the close (8), imports; not the document itself

    # the world's objects, so that generated requests also reach the 2xx and 409 answers
    known = {"payee_id": "rita", "run_id": world.run.pk, "label": "2017-Q1",
             "team_id": "north"}
    for operation in operations:
        who = ("rita" if caller == "rep" else
               "lea" if "/review/" in operation.path else
               "fiona" if operation.path.startswith(FINANCE_OPERATIONS) else "otto")
        headers = {"Authorization": f"Bearer {tokens[who]}"}
        names = [p.name for p in operation.path_parameters]
        strategy = operation.as_strategy()
        if names:
            strategy |= operation.as_strategy(path_parameters={n: known[n] for n in names})

        _check(strategy, headers)
