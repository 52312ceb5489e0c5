"""A corpus of broken plans: tests/plan/bad/NAME.yaml must render exactly NAME.expected.

The expected files were read line by line against their plans (line:column of each key or
value, the quoted bad value, the hint); a change in any message shows up here as a diff.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from teamquota.core.diagnostics import InputError
from teamquota.plan.loader import load_plan_text

BAD = Path(__file__).parent / "bad"
CASES = sorted(BAD.glob("*.yaml"))


def test_bad_corpus__every_plan_has_an_expected_file() -> None:
    assert len(CASES) >= 10
    assert sorted(p.stem for p in BAD.glob("*.expected")) == [p.stem for p in CASES]


@pytest.mark.parametrize("plan_path", CASES, ids=[p.stem for p in CASES])
def test_bad_corpus__renders_the_expected_diagnostics(plan_path: Path) -> None:
    with pytest.raises(InputError) as caught:
        load_plan_text(plan_path.read_text(encoding="utf-8"), f"bad/{plan_path.name}")
    expected = plan_path.with_suffix(".expected").read_text(encoding="utf-8")
    assert caught.value.diagnostics.render() + "\n" == expected


@pytest.mark.parametrize("plan_path", CASES, ids=[p.stem for p in CASES])
def test_bad_corpus__every_error_comes_with_a_hint(plan_path: Path) -> None:
    with pytest.raises(InputError) as caught:
        load_plan_text(plan_path.read_text(encoding="utf-8"), f"bad/{plan_path.name}")
    assert [d.render() for d in caught.value.diagnostics if not d.hint] == []
