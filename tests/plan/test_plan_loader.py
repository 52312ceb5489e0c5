"""The plan loader: exact values, source positions, and one test per diagnostic code.

Each test writes its plan inline and asserts the exact rendered diagnostics, so the
line and column numbers can be checked by counting in the YAML above the assertion.
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from teamquota.core.diagnostics import InputError, Source
from teamquota.plan.loader import load_plan, load_plan_text

VALID = """\
plan: ae
components:
  - id: personal
    scope: payee
    weight: 0.4
    measure: {sum: amount, where: {stage: Won}}
    payout: {curve: [[0.5, 0], [1, 1], [1.5, 2]], cap: 2.5}
  - id: team
    scope: team
    weight: 0.6
    measure: {sum: amount}
    payout: {curve: [[0.8, 0.5], [1, 1]]}
"""


def errors(text: str) -> str:
    with pytest.raises(InputError) as caught:
        load_plan_text(text, "p.yaml")
    return caught.value.diagnostics.render()


def test_load_plan_text__numbers_are_exact_decimals() -> None:
    loaded = load_plan_text(VALID, "p.yaml")
    personal = loaded.plan.component("personal")
    assert personal.weight == Decimal("0.4")
    assert personal.payout.curve == [(Decimal("0.5"), Decimal("0")), (Decimal("1"), Decimal("1")),
                                     (Decimal("1.5"), Decimal("2"))]
    # 0.4 + 0.6 is exactly 1 in Decimal (as binary floats it would be 1.0000000000000000)
    assert sum(c.weight for c in loaded.plan.components if c.weight) == Decimal("1.0")


def test_load_plan_text__keeps_key_and_value_positions() -> None:
    loaded = load_plan_text(VALID, "p.yaml")
    assert loaded.source("components", 1) == Source("p.yaml", 8, 5)
    assert loaded.component_source("team", "weight") == Source("p.yaml", 10, 5)
    # unknown deeper keys fall back to the nearest known ancestor
    assert loaded.source("components", 1, "gate", "x") == Source("p.yaml", 8, 5)
    assert loaded.value_source("components", 0, "weight") == Source("p.yaml", 5, 13)
    assert loaded.text == VALID


def test_load_plan_text__yaml_syntax_error_is_p001() -> None:
    assert errors("plan: ae\ncomponents: [\n") == (
        "p.yaml:3:1: error[P001]: not valid YAML: expected the node content, but found "
        "'<stream end>' (while parsing a flow node)\n"
        "hint: check indentation and quoting near this line")


def test_load_plan_text__a_list_is_not_a_plan() -> None:
    assert errors("- a\n- b\n") == (
        "p.yaml:1:1: error[P010]: (top level): a plan must be a mapping of keys; found a list\n"
        "hint: start with 'plan: <id>' then 'components:'")


def test_load_plan_text__duplicate_key_is_p002() -> None:
    text = VALID.replace("    weight: 0.4\n", "    weight: 0.4\n    weight: 0.4\n")
    assert errors(text) == (
        "p.yaml:6:5: error[P002]: components[0].weight: key 'weight' appears twice in the same "
        "mapping\nhint: remove one of them (the first is on line 5): YAML would silently keep "
        "only the last")


def test_load_plan_text__wrong_value_is_p010_with_the_value_quoted() -> None:
    text = VALID.replace("cap: 2.5", "cap: 2.5x")
    assert errors(text) == (
        "p.yaml:7:56: error[P010]: components[0].payout.cap: expected a number; found '2.5x'\n"
        "hint: write plain digits with '.' as decimal separator, e.g. 0.6 or 2500")


def test_load_plan_text__misspelled_choice_gets_a_suggestion() -> None:
    text = VALID.replace("scope: team", "scope: teams")
    assert errors(text) == (
        "p.yaml:9:12: error[P010]: components[1].scope: must be one of payee, team; "
        "found 'teams'\nhint: did you mean 'team'?")


def test_load_plan_text__unknown_key_is_p011_with_did_you_mean() -> None:
    text = VALID.replace("cap: 2.5", "capp: 2.5")
    assert errors(text) == (
        "p.yaml:7:51: error[P011]: components[0].payout.capp: unknown key\n"
        "hint: did you mean 'cap'? allowed keys: curve, cap, rate, tiers, mode, basis, pool, "
        "per_deal")


def test_load_plan_text__unknown_key_without_a_close_match_lists_allowed_keys() -> None:
    assert errors(VALID + "bonus: 5\n") == (
        "p.yaml:13:1: error[P011]: bonus: unknown key\nhint: allowed keys: plan, name, period, "
        "year_start_month, currency, effective, eligible_roles, components, crediting, "
        "target_distribution, rounding, cap_amount, cap_ti_multiple, draw, clawback, "
        "team_visibility")


def test_load_plan_text__unknown_comparison_in_where_is_p011() -> None:
    text = VALID.replace("where: {stage: Won}", "where: {amount: {gte: 1, lesser: 5}}")
    assert errors(text) == (
        "p.yaml:6:53: error[P011]: components[0].measure.where.amount.lesser: unknown key\n"
        "hint: allowed keys: eq, ne, gt, gte, lt, lte, in, not_in")


def test_load_plan_text__a_mapping_inside_a_where_list_is_p010_at_the_item() -> None:
    text = VALID.replace("where: {stage: Won}", "where: {stage: [Won, {a: 1}]}")
    assert errors(text) == (
        "p.yaml:6:49: error[P010]: components[0].measure.where.stage[1]: expected a single "
        "value (text, number, true/false or date); found a mapping\n"
        "hint: e.g. stage: Won, product: [GTX Pro, GTK 500] or amount: {gte: 1000}")


def test_load_plan_text__a_null_where_value_is_one_p010_not_one_per_form() -> None:
    text = VALID.replace("where: {stage: Won}", "where: {stage: null}")
    assert errors(text) == (
        "p.yaml:6:43: error[P010]: components[0].measure.where.stage: expected a single value "
        "(text, number, true/false or date), a list of values or a comparison such as "
        "{gte: 1000}; found nothing (null)\n"
        "hint: e.g. stage: Won, product: [GTX Pro, GTK 500] or amount: {gte: 1000}")


def test_load_plan_text__a_mapping_as_a_comparison_value_is_one_p010() -> None:
    text = VALID.replace("where: {stage: Won}", "where: {amount: {gte: {x: 1}}}")
    assert errors(text) == (
        "p.yaml:6:50: error[P010]: components[0].measure.where.amount.gte: expected a single "
        "value (text, number, true/false or date); found a mapping\n"
        "hint: e.g. stage: Won, product: [GTX Pro, GTK 500] or amount: {gte: 1000}")


def test_load_plan_text__unknown_component_reference_is_p012() -> None:
    text = VALID + "    target: {source: sum_of_members, of: persnal}\n"
    assert errors(text) == (
        "p.yaml:13:42: error[P012]: components[1].target.of: unknown component 'persnal'\n"
        "hint: did you mean 'personal'? components in this plan: 'personal' (line 3), "
        "'team' (line 8)")


def test_load_plan_text__weights_not_summing_to_one_is_p013_listing_each() -> None:
    text = VALID.replace("weight: 0.6", "weight: 0.5")
    # 0.4 + 0.5 = 0.9, reported at the 'components' key (line 2, column 1)
    assert errors(text) == (
        "p.yaml:2:1: error[P013]: components: component weights must sum to 1, but "
        "personal 0.4 + team 0.5 = 0.9\nhint: each weight is a share of target incentive; "
        "change them to add up to exactly 1")


def test_load_plan_text__bad_key_and_bad_weights_are_both_reported() -> None:
    # pydantic alone would skip the plan-level weight check once a field failed
    text = VALID.replace("weight: 0.6", "weight: 0.5").replace("cap: 2.5", "capp: 2.5")
    assert errors(text).splitlines()[0::2] == [
        "p.yaml:2:1: error[P013]: components: component weights must sum to 1, but "
        "personal 0.4 + team 0.5 = 0.9",
        "p.yaml:7:51: error[P011]: components[0].payout.capp: unknown key",
    ]


def test_load_plan_text__curve_point_out_of_order_is_p014_at_that_point() -> None:
    text = VALID.replace("[[0.8, 0.5], [1, 1]]", "[[0.8, 0.5], [1, 1], [0.9, 2]]")
    assert errors(text) == (
        "p.yaml:12:42: error[P014]: components[1].payout.curve[2]: curve points must have "
        "strictly increasing attainment; 0.9 follows 1\nhint: list the points from lowest to "
        "highest attainment, e.g. [[0.5, 0], [1, 1], [1.5, 2]]")


def test_load_plan_text__tiers_out_of_order_are_p014() -> None:
    text = """\
plan: c
components:
  - id: c
    scope: payee
    measure: {sum: amount}
    payout:
      tiers:
        - {from: 0, rate: 0.05}
        - {from: 1.5, rate: 0.1}
        - {from: 1, rate: 0.08}
"""
    assert errors(text) == (
        "p.yaml:10:18: error[P014]: components[0].payout.tiers[2].from: tiers must start at "
        "increasing thresholds; 1 follows 1.5\nhint: list the tiers from the lowest threshold up")


def test_load_plan_text__missing_key_is_p015_naming_the_required_keys() -> None:
    text = VALID.replace("    scope: team\n", "")
    assert errors(text) == (
        "p.yaml:8:5: error[P015]: components[1]: missing required key 'scope'\n"
        "hint: required keys here: id, scope, measure, payout")


def test_load_plan_text__duplicate_component_id_is_p016() -> None:
    text = VALID.replace("id: team", "id: personal")
    assert errors(text) == (
        "p.yaml:8:9: error[P016]: components[1].id: component id 'personal' is already used\n"
        "hint: the first 'personal' is on line 3; give each component its own id")


def test_load_plan_text__conflicting_keys_are_p017() -> None:
    text = VALID.replace("cap: 2.5}", "cap: 2.5, rate: 0.1}")
    assert errors(text) == (
        "p.yaml:7:5: error[P017]: components[0].payout: a payout needs exactly one of curve, "
        "rate, tiers, pool, per_deal; found: curve, rate\nhint: one way of paying per component; "
        "put another way of paying in a component of its own")


def test_load_plan_text__all_errors_sorted_by_position() -> None:
    text = VALID.replace("plan: ae", "plan: 1ae").replace("scope: payee", "scope: rep")
    rendered = errors(text)
    assert [line.split(": error")[0] for line in rendered.splitlines()
            if ": error" in line] == ["p.yaml:1:7", "p.yaml:4:12"]


def test_load_plan__unreadable_file_is_p000(tmp_path: Path) -> None:
    with pytest.raises(InputError) as caught:
        load_plan(tmp_path / "nope.yaml")
    assert caught.value.diagnostics.render() == (
        f"{tmp_path / 'nope.yaml'}: error[P000]: cannot read plan file: No such file or "
        "directory\nhint: check the path and that the file is readable")


def test_load_plan_text__sum_of_members_needs_a_payee_component_is_p018() -> None:
    text = VALID + "    target: {source: sum_of_members, of: team}\n"
    assert errors(text) == (
        "p.yaml:13:42: error[P018]: components[1].target.of: sum_of_members uses the targets "
        "of a payee component, but 'team' has scope team\n"
        "hint: payee components in this plan: personal")


def test_load_plan_text__from_team_on_a_team_component_without_of_is_p018_twice() -> None:
    text = VALID + "    target: {source: from_team}\n"
    assert errors(text) == (
        "p.yaml:13:5: error[P018]: components[1].target: from_team needs 'of: <component "
        "id>', the team component whose targets it uses\n"
        "hint: team components in this plan: team\n"
        "p.yaml:13:22: error[P018]: components[1].target.source: from_team sets targets of "
        "payee components, but this component's scope is team\n"
        "hint: use scope: payee, or target source: file")


def test_load_plan_text__sum_of_members_of_a_payee_component_loads() -> None:
    loaded = load_plan_text(VALID + "    target: {source: sum_of_members, of: personal}\n")
    assert loaded.plan.component("team").target.of == "personal"


def test_load_plan_text__a_spif_must_count_deals_is_p017() -> None:
    text = """\
plan: s
components:
  - id: spif
    scope: payee
    measure: {sum: amount}
    payout: {per_deal: 250}
"""
    assert errors(text) == (
        "p.yaml:5:5: error[P017]: components[0].measure: a per_deal payout (SPIF) pays for "
        "each qualifying deal, so its measure must count deals\n"
        "hint: e.g. measure: {count: true, where: {stage: Won}}")


def test_load_plan_text__ytd_on_a_team_component_is_p017() -> None:
    text = VALID.replace("    weight: 0.6\n", "    weight: 0.6\n    accumulate: ytd\n")
    assert errors(text) == (
        "p.yaml:11:17: error[P017]: components[1].accumulate: ytd accumulation is for "
        "payee-scope components only\nhint: use accumulate: period for a team component")


def test_load_plan_text__merge_keys_share_settings_and_written_keys_win() -> None:
    text = """\
plan: merged
components:
  - &base
    id: personal
    scope: payee
    weight: 0.4
    measure: {sum: amount, where: {stage: Won}}
    payout: {curve: [[0.5, 0], [1, 1]]}
  - <<: *base
    id: team
    scope: team
    weight: 0.6
"""
    loaded = load_plan_text(text, "p.yaml")
    personal, team = loaded.plan.components
    assert (team.id, team.scope, team.weight) == ("team", "team", Decimal("0.6"))
    assert team.measure == personal.measure and team.payout == personal.payout
    # a merged key points at where it is written: the anchor's lines
    assert loaded.component_source("team", "measure") == Source("p.yaml", 7, 5)
    assert loaded.component_source("team", "weight") == Source("p.yaml", 12, 5)


def test_load_plan_text__merging_a_list_is_p010() -> None:
    text = VALID.replace("  - id: team\n", "  - <<: [[1, 2]]\n    id: team\n")
    assert errors(text) == (
        "p.yaml:8:10: error[P010]: components[1]: '<<' merges mappings; found a list\n"
        "hint: e.g. <<: *base, where '- &base' marks an earlier component")


def test_load_plan_text__a_merged_bad_value_points_at_where_it_is_written() -> None:
    text = """\
plan: merged
components:
  - &personal
    id: personal
    scope: payee
    weight: 0.4
    measure: {sum: amount}
    payout: {curve: [[0.5, 0], [1, 1]], capp: 2}
  - <<: *personal
    id: team
    scope: team
    weight: 0.6
"""
    rendered = errors(text)
    # the typo is written once (line 8) but used by both components
    assert rendered.splitlines()[0::2] == [
        "p.yaml:8:41: error[P011]: components[0].payout.capp: unknown key",
        "p.yaml:8:41: error[P011]: components[1].payout.capp: unknown key",
    ]


def test_load_plan_text__alias_bombs_are_refused() -> None:
    lines = ["a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
    lines += [f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 10)}]" for i in range(1, 7)]
    assert errors("\n".join(lines) + "\n") == (
        "p.yaml:1:1: error[P001]: the YAML expands to more than 100,000 values (through "
        "aliases)\nhint: write the plan out without deeply nested aliases")


def test_load_plan_text__runaway_nesting_is_p001_not_a_crash() -> None:
    assert errors("plan: " + "[" * 3000 + "]" * 3000 + "\n") == (
        "p.yaml:1:1: error[P001]: the YAML is nested too deeply to read\n"
        "hint: a plan needs a few levels of nesting; look for runaway brackets")
