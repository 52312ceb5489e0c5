"""Properties of the loader over generated plans (hypothesis)."""

from __future__ import annotations

from decimal import Decimal
from importlib import resources
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from teamquota.core.diagnostics import InputError
from teamquota.plan.loader import load_plan, load_plan_text
from teamquota.plan.model import Plan

EXAMPLES = sorted(Path(str(resources.files("teamquota.plan") / "examples")).glob("*.yaml"))
TOP_LEVEL = {info.alias or name for name, info in Plan.model_fields.items()}

TWO = """\
plan: p
components:
  - id: a
    scope: payee
    weight: {a}
    measure: {{sum: amount}}
    payout: {{curve: [[0, 0], [1, 1]]}}
  - id: b
    scope: team
    weight: {b}
    measure: {{sum: amount}}
    payout: {{curve: [[0, 0], [1, 1]]}}
"""

cents = st.integers(min_value=0, max_value=100).map(lambda n: Decimal(n) / 100)


@settings(max_examples=60, deadline=None)
@given(a=cents, b=cents)
def test_load_plan_text__weights_load_exactly_when_they_sum_to_one(a: Decimal,
                                                                   b: Decimal) -> None:
    text = TWO.format(a=a, b=b)
    if a + b == 1:
        plan = load_plan_text(text).plan
        assert [c.weight for c in plan.components] == [a, b]
        return
    with pytest.raises(InputError) as caught:
        load_plan_text(text, "p.yaml")
    assert caught.value.diagnostics.render().splitlines()[0] == (
        f"p.yaml:2:1: error[P013]: components: component weights must sum to 1, but "
        f"a {a} + b {b} = {a + b}")


@settings(max_examples=40, deadline=None)
@given(key=st.from_regex(r"[a-z][a-z_]{2,12}", fullmatch=True).filter(
    lambda k: k not in TOP_LEVEL), line=st.integers(min_value=0, max_value=2))
def test_load_plan_text__an_unknown_top_level_key_is_p011_on_its_line(key: str,
                                                                     line: int) -> None:
    lines = TWO.format(a="0.5", b="0.5").splitlines(keepends=True)
    # insert before 'plan:', before 'components:' or after the last line
    position = [0, 1, len(lines)][line]
    lines.insert(position, f"{key}: 1\n")
    with pytest.raises(InputError) as caught:
        load_plan_text("".join(lines), "p.yaml")
    rendered = caught.value.diagnostics.render().splitlines()
    assert rendered[0] == f"p.yaml:{position + 1}:1: error[P011]: {key}: unknown key"
    assert rendered[1].endswith("allowed keys: " + ", ".join(
        info.alias or name for name, info in Plan.model_fields.items()))
    assert len(rendered) == 2


@pytest.mark.parametrize("path", EXAMPLES, ids=[p.stem for p in EXAMPLES])
def test_load_plan__an_example_survives_a_round_trip_through_yaml(path: Path) -> None:
    # where-values that are numbers or dates ({gte: 5000}) must reload as numbers and dates
    plan = load_plan(path).plan
    again = load_plan_text(plan.to_yaml()).plan
    assert again == plan
