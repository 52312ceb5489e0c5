"""docs/plan-language.md and docs/diagnostics.md stay true to the code."""

from __future__ import annotations

import re
from pathlib import Path

from pydantic import BaseModel

from teamquota.data.codes import DATA_CODES
from teamquota.plan import checks, field_errors, loader, positions
from teamquota.plan.codes import PLAN_CODES
from teamquota.plan.field_errors import model_class
from teamquota.plan.model import Plan

ROOT = Path(__file__).parents[2]
LANGUAGE = (ROOT / "docs" / "plan-language.md").read_text(encoding="utf-8")
DIAGNOSTICS = (ROOT / "docs" / "diagnostics.md").read_text(encoding="utf-8")


def models(model: type[BaseModel], seen: dict[str, type[BaseModel]]) -> dict[str, type]:
    seen[model.__name__] = model
    for info in model.model_fields.values():
        annotations = [info.annotation]
        while annotations:
            annotation = annotations.pop()
            inner = model_class(annotation)
            if inner is not None and inner.__name__ not in seen:
                models(inner, seen)
            annotations.extend(getattr(annotation, "__args__", ()))
    return seen


def test_plan_language_doc__names_every_key_of_the_model() -> None:
    keys = {info.alias or name for model in models(Plan, {}).values()
            for name, info in model.model_fields.items()}
    assert len(keys) > 60
    # as `key` or `key: value` in running text, not just inside a YAML example
    assert sorted(k for k in keys if not re.search(rf"`{k}(`|: )", LANGUAGE)) == []


def test_plan_language_doc__shows_the_shipped_ae_hybrid_example() -> None:
    example = (ROOT / "src/teamquota/plan/examples/ae-hybrid-2017.yaml").read_text("utf-8")
    body = "".join(line + "\n" for line in example.splitlines() if not line.startswith("#"))
    assert body in LANGUAGE


def test_plan_codes__every_code_the_loader_emits_is_registered() -> None:
    source = "".join(Path(module.__file__).read_text(encoding="utf-8")
                     for module in (loader, positions, checks, field_errors))
    emitted = set(re.findall(r'"(P\d{3})"', source))
    assert emitted == set(PLAN_CODES)


def test_diagnostics_doc__lists_every_plan_and_data_code() -> None:
    missing = [code for code in [*PLAN_CODES, *DATA_CODES] if f"| {code} |" not in DIAGNOSTICS]
    assert missing == []
