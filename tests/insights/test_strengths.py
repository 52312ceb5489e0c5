"""Strengths: shrunk win rates, deal sizes and activity conversion on data with known answers."""

from __future__ import annotations

import math
from datetime import date

import pytest

from teamquota.insights.strengths import activity_conversion, best_and_worst, strengths
from tests.insights.conftest import closed_deals, team_dataset


def _three_rep_team() -> object:
    # A: 3 deals, 2 won; B: 97 deals, 38 won; C: 100 deals, 60 won (one team)
    deals = (closed_deals("a", 2, 1) + closed_deals("b", 38, 59) + closed_deals("c", 60, 40))
    return team_dataset(deals, {"a": "north", "b": "north", "c": "north"})


def test_strengths__rep_with_three_deals_is_shrunk_toward_the_team() -> None:
    # Method of moments on (3,2), (97,38), (100,60): mu = 100/200 = 0.5,
    # rho = (4S - (m-1)) / (N - sum n^2/N - (m-1)) with 4S = 1/3 + 441/97 + 4 = 8.8797251,
    # sum n^2/N = 19418/200 = 97.09 -> rho = 6.8797251 / 100.91 = 0.0681768,
    # a = b = (1/rho - 1) / 2 = 6.833868.
    # Posterior mean for A = (a + 2) / (a + b + 3) = 8.833868 / 16.667736 = 0.529997
    # (raw 2/3 = 0.667: not a star, pulled most of the way to the team's 0.5).
    table = strengths(_three_rep_team(), dimensions=["overall"])
    a = table[table["payee_id"] == "a"].iloc[0]
    assert a["win_raw"] == pytest.approx(2 / 3)
    assert a["win_shrunk"] == pytest.approx(0.529997, rel=1e-5)
    assert a["win_group"] == pytest.approx(0.5)
    assert a["win_low"] < 0.5 < a["win_high"]
    c = table[table["payee_id"] == "c"].iloc[0]
    # C = (6.833868 + 60) / (13.667736 + 100) = 0.587980: a large sample barely moves
    assert c["win_shrunk"] == pytest.approx(0.587980, rel=1e-5)


def test_strengths__ranks_by_shrunk_not_raw_rate() -> None:
    # A's raw 66.7% beats C's 60%, but after shrinkage C (58.8%) leads A (53.0%)
    table = strengths(_three_rep_team(), dimensions=["overall"])
    assert table["payee_id"].tolist() == ["c", "a", "b"]


def test_strengths__deal_size_is_shrunk_on_the_log_scale() -> None:
    # x won 2 deals of 1000 and 2 of 4000 -> log mean ln 2000, sample var of logs:
    #   deviations +-ln 2 -> var = 4 (ln 2)^2 / 3 = 0.640606
    # y likewise with 1000 and 1000 (mean ln 1000, var 0)
    # pooled within var = (0.640606 * 3 + 0 * 3) / 6 = 0.320303
    # tau^2 = var(ln 2000, ln 1000) - mean(0.320303 / 4) = (ln 2)^2 / 2 - 0.080076 = 0.160149
    # x: data precision 4 / 0.320303 = 12.48818, prior precision 1 / 0.160149 = 6.24419
    #   grand mean (ln 2000 + ln 1000) / 2; posterior = (12.48818 ln 2000 + 6.24419 grand) /
    #   18.73237 -> exp = 2000 * 2^(-1/6) = 1781.80
    deals = (closed_deals("x", 2, 0, amount=1000) + closed_deals("x", 2, 0, amount=4000, start=2)
             + closed_deals("y", 4, 0, amount=1000))
    table = strengths(team_dataset(deals, {"x": "t", "y": "t"}), dimensions=["overall"])
    x = table[table["payee_id"] == "x"].iloc[0]
    assert x["size_raw"] == pytest.approx(2000.0)
    assert x["size_shrunk"] == pytest.approx(2000 * 2 ** (-1 / 6), rel=1e-6)
    assert x["size_group"] == pytest.approx(math.sqrt(2000 * 1000))


def test_strengths__by_product_compares_within_the_product() -> None:
    deals = (closed_deals("a", 8, 2, product="Core") + closed_deals("a", 2, 8, product="Suite",
                                                                   start=10)
             + closed_deals("b", 5, 5, product="Core", start=20)
             + closed_deals("b", 5, 5, product="Suite", start=30))
    table = strengths(team_dataset(deals, {"a": "t", "b": "t"}), dimensions=["product"])
    assert set(table["level"]) == {"Core", "Suite"}
    summary = best_and_worst(table).set_index("payee_id")
    assert summary.loc["a", "best"] == "product=Core"
    assert summary.loc["a", "worst"] == "product=Suite"


def test_activity_conversion__counts_pipeline_opened_after_the_activity() -> None:
    # a: a meeting on acc-0 on 1 Jan is followed by a deal engaged 5 Jan (converted);
    #    a call on acc-1 on 1 Jan is followed by a deal only on 20 Jan (outside 14 days);
    #    a call on acc-0 on 5 Jan, the same day the deal was engaged (not after) -> 0 of 2
    deals = [
        {"deal_id": "d1", "owner_id": "a", "account": "acc-0", "stage": "Won", "amount": "10",
         "close_date": "2017-02-01", "engage_date": "2017-01-05"},
        {"deal_id": "d2", "owner_id": "a", "account": "acc-1", "stage": "Won", "amount": "10",
         "close_date": "2017-02-01", "engage_date": "2017-01-20"},
    ]
    activities = [
        {"payee_id": "a", "type": "meeting", "date": "2017-01-01", "account": "acc-0"},
        {"payee_id": "a", "type": "call", "date": "2017-01-01", "account": "acc-1"},
        {"payee_id": "a", "type": "call", "date": "2017-01-05", "account": "acc-0"},
    ]
    data = team_dataset(deals, {"a": "t"}, activities=activities)
    table = activity_conversion(data, window_days=14).set_index("type")
    assert table.loc["meeting", ["activities", "converted"]].tolist() == [1, 1]
    assert table.loc["call", ["activities", "converted"]].tolist() == [2, 0]


def test_activity_conversion__recovers_the_planted_ordering(history) -> None:
    # planted: meeting 0.5 > call 0.08 > social 0.03 > crm update 0 per activity; measured
    # rates also count coincident pipeline on the account (the same for every type), so the
    # ordering and the meeting - crm gap (about 0.5 x talent) are what is known
    table = activity_conversion(history.dataset)
    by_type = (table.groupby("type")["converted"].sum()
               / table.groupby("type")["activities"].sum())
    assert by_type.sort_values(ascending=False).index.tolist() == [
        "meeting", "call", "social_message", "crm_update"]
    assert 0.35 <= by_type["meeting"] - by_type["crm_update"] <= 0.5
    assert date(2016, 1, 1)  # history starts on the configured quarter


def test_strengths__members_without_deals_are_kept_with_the_reason() -> None:
    # a: 3 closed (2 won); z: 2 closed, none won (an outcome: measured and shrunk);
    # o: only an open deal, n: no deal at all (no data: no estimate of their own, the
    # team's rate beside them)
    from teamquota.insights.strengths import NO_DEALS, NONE_WON, ONLY_OPEN
    deals = closed_deals("a", 2, 1) + closed_deals("z", 0, 2, start=10)
    deals.append({"deal_id": "o-1", "owner_id": "o", "account": "x", "product": "Core",
                  "amount": None, "stage": "Open", "close_date": None,
                  "engage_date": "2017-03-01"})
    data = team_dataset(deals, {"a": "t", "z": "t", "o": "t", "n": "t"})
    table = strengths(data).query("dimension == 'overall'").set_index("payee_id")
    assert sorted(table.index) == ["a", "n", "o", "z"]
    assert table["reason"].to_dict() == {"a": "", "z": NONE_WON, "o": ONLY_OPEN,
                                         "n": NO_DEALS}
    assert table.loc["z", "win_raw"] == 0 and table.loc["z", "win_shrunk"] > 0
    for rep in ("o", "n"):
        assert table.loc[rep, "deals"] == 0 and math.isnan(table.loc[rep, "win_shrunk"])
        # the team's rate: 2 won of 5 closed
        assert table.loc[rep, "win_group"] == pytest.approx(0.4)
    # the by-product rows measure only reps with closed deals of that product
    assert set(strengths(data, dimensions=["product"])["payee_id"]) == {"a", "z"}
