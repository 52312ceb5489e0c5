"""Pipeline conflicts on hand-made deals and on synthetic histories with planted conflicts."""

from __future__ import annotations

from teamquota.insights.conflicts import conflicts
from tests.insights.conftest import team_dataset

MEMBERS = {"ann": "red", "bob": "red", "cy": "blue", "dan": "blue"}


def _deal(deal_id: str, owner: str, engage: str, close: str | None, stage: str = "Won",
          account: str | None = "X", **extra: str) -> dict[str, object]:
    return {"deal_id": deal_id, "owner_id": owner, "account": account, "stage": stage,
            "amount": None if close is None else "100", "close_date": close,
            "engage_date": engage, **extra}


def _data(**extra: list[dict[str, object]]):
    deals = [
        _deal("d1", "ann", "2017-01-10", "2017-02-10"),          # active Q1 only
        _deal("d2", "bob", "2017-02-01", None, stage="Engaging"),  # open: Q1 to end of data
        _deal("d3", "cy", "2017-04-10", "2017-05-01"),           # Q2; last date in the data
        _deal("d4", "dan", "2017-01-05", "2017-01-20", account="Y"),
        _deal("d5", "dan", None, None, stage="Prospecting", account=None),
    ]
    return team_dataset(deals, MEMBERS, **extra)


def test_conflicts__shared_accounts_per_period_same_vs_cross_team() -> None:
    # Q1: ann (d1) and bob (d2, open) both work X -> one same-team pair (red).
    # Q2: bob's d2 is still open and cy's d3 is active -> one cross-team pair (red/blue).
    report = conflicts(_data())
    shared = report.shared_accounts.set_index("period")
    assert shared.loc["2017-Q1", ["account", "reps", "same_team_pairs", "cross_team_pairs"]
                      ].tolist() == ["X", "ann, bob", 1, 0]
    assert shared.loc["2017-Q2", ["reps", "same_team_pairs", "cross_team_pairs"]].tolist() == [
        "bob, cy", 0, 1]
    # Y is worked by dan alone: no conflict
    assert "Y" not in set(report.shared_accounts["account"])


def test_conflicts__undated_and_accountless_deals_are_counted_not_dropped() -> None:
    report = conflicts(_data())
    assert report.undated_deals == 1
    assert report.notes[:2] == [
        "1 deals have neither an engage nor a close date and are not placed in any period",
        "1 deals have no account and cannot conflict on one"]


def test_conflicts__summary_counts_a_cross_team_pair_for_both_teams() -> None:
    # Q1 same-team pair: red 1 (same). Q2 cross pair: red 1 (cross) and blue 1 (cross)
    summary = conflicts(_data()).summary
    rows = summary[summary["kind"] == "shared_account_pairs"][
        ["team_id", "period", "total", "same_team", "cross_team"]].values.tolist()
    assert rows == [["blue", "2017-Q2", 1, 0, 1], ["red", "2017-Q1", 1, 1, 0],
                    ["red", "2017-Q2", 1, 0, 1]]


def test_conflicts__late_handover_within_the_window_only() -> None:
    # e1 moved from bob to ann 10 days before close (flagged, same team);
    # e2 moved from cy to ann 20 days before close (outside 14 days, not flagged)
    deals = [
        _deal("e1", "ann", "2017-01-02", "2017-03-20", previous_owner_id="bob",
              owner_changed_date="2017-03-10"),
        _deal("e2", "ann", "2017-01-02", "2017-03-30", account="Z", previous_owner_id="cy",
              owner_changed_date="2017-03-10"),
    ]
    late = conflicts(team_dataset(deals, MEMBERS), handover_days=14).late_handovers
    assert late[["deal_id", "previous_owner_id", "days_before_close", "same_team"]
                ].values.tolist() == [["e1", "bob", 10, True]]


def test_conflicts__late_handovers_unavailable_without_owner_history() -> None:
    report = conflicts(_data())
    assert report.late_handovers.empty
    assert report.notes[-1].startswith("late handovers: not available")


def test_conflicts__activity_on_a_colleagues_account() -> None:
    # dan (blue) logs 2 calls on X in Q1, where ann and bob (red) have deals and he has none
    activities = [{"payee_id": "dan", "type": "call", "date": "2017-02-15", "account": "X"},
                  {"payee_id": "dan", "type": "call", "date": "2017-02-16", "account": "X"},
                  {"payee_id": "dan", "type": "call", "date": "2017-01-06", "account": "Y"}]
    foreign = conflicts(_data(activities=activities)).foreign_activity
    assert foreign[["period", "payee_id", "account", "activities", "account_reps",
                    "same_team"]].values.tolist() == [
        ["2017-Q1", "dan", "X", 2.0, "ann, bob", False]]


def test_conflicts__finds_the_planted_shared_accounts_and_handovers(history) -> None:
    report = conflicts(history.dataset)
    shared = report.shared_accounts
    for planted in history.shared_accounts.itertuples():
        rows = shared[shared["account"] == planted.account]
        # worked by both reps in (nearly) every one of the 9 generated quarters
        assert len(rows) >= 8
        pair_kind = "same_team_pairs" if planted.same_team else "cross_team_pairs"
        assert (rows[pair_kind] >= 1).all()
    planted_late = set(history.late_changes.query("days_before_close <= 14")["deal_id"])
    assert set(report.late_handovers["deal_id"]) == planted_late
