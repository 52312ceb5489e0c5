"""The ledger's rules on the in-memory store: worked examples with the arithmetic written
out, and the invariant over random histories (docs/ledger.md)."""

from __future__ import annotations

import os
from collections import defaultdict
from decimal import Decimal

import pytest
from hypothesis import given, settings

from teamquota.ledger import book
from teamquota.ledger.causes import Inputs
from teamquota.ledger.corrections import ClawbackRules, corrections
from teamquota.ledger.memory import Computed, MemoryStore
from teamquota.ledger.model import APPROVED, LedgerError
from tests.ledger.histories import PERIODS, LockOp, ManualOp, RunOp, history

D = Decimal
RITA = ("rita", "ae", "personal")
NO_RULES: dict[str, ClawbackRules] = {}


def run(store: MemoryStore, lines: dict[tuple[str, tuple[str, str, str]], str],
        rules: dict[str, ClawbackRules] | None = None,
        inputs: dict | None = None) -> int:  # noqa: ANN001
    run_id = store.next_run_id()
    store.add_run(run_id, [Computed(p, k, D(a), "USD") for (p, k), a in lines.items()],
                  inputs)
    book.publish(store, run_id, sorted({p for p, _ in lines}), rules or NO_RULES, "quarter")
    return run_id


def approve_and_lock(store: MemoryStore, label: str) -> None:
    store.set_status(label, APPROVED, "fiona")
    book.lock(store, label, "fiona")


def total(store: MemoryStore, label: str) -> Decimal:
    return sum((r.amount for r in store.rows(label)), D(0))


def test_publish__unlocked_periods_show_the_newest_run():
    store = MemoryStore()
    run(store, {("2017-Q1", RITA): "1000.00"})
    run(store, {("2017-Q1", RITA): "1100.00"})
    assert total(store, "2017-Q1") == D("1100.00")
    assert [p.run_id for p in store.periods()] == [2]


def test_manual__survives_an_unrelated_rerun_exactly_once():
    # issue 12: a +50 dispute adjustment on Q3 vanished after a late-deal import and run
    store = MemoryStore()
    run(store, {("2017-Q3", RITA): "1933.21", ("2017-Q4", RITA): "500.00"})
    book.add_manual(store, RITA, "2017-Q3", D("50.00"), "USD", "dispute", "otto", "quarter")
    assert total(store, "2017-Q3") == D("1983.21")  # 1,933.21 + 50.00
    run(store, {("2017-Q3", RITA): "1933.21", ("2017-Q4", RITA): "800.00"})  # late Q4 deal
    run(store, {("2017-Q3", RITA): "1933.21", ("2017-Q4", RITA): "800.00"})
    assert total(store, "2017-Q3") == D("1983.21")


def test_manual__in_a_period_later_locked_is_not_reversed_by_a_rerun():
    # issue 12: +100 in Q3, Q3 locked, an unchanged run booked "-200.00" (rep nets -100)
    store = MemoryStore()
    run(store, {("2017-Q3", RITA): "1070.12"})
    book.add_manual(store, RITA, "2017-Q3", D("100.00"), "USD", "bonus", "otto", "quarter")
    approve_and_lock(store, "2017-Q3")
    run(store, {("2017-Q3", RITA): "1070.12"})
    assert [p.label for p in store.periods()] == ["2017-Q3"]  # nothing to carry: no Q4
    assert total(store, "2017-Q3") == D("1170.12")  # 1,070.12 + 100.00, as locked


def test_manual__lands_in_its_own_period_while_open_and_is_never_taken_back():
    # issue 12: a Q4 adjustment was booked in Q2 (the earliest open period) and reversed
    # after Q2 was locked
    store = MemoryStore()
    run(store, {("2017-Q2", RITA): "10.00", ("2017-Q4", RITA): "20.00"})
    entry = book.add_manual(store, RITA, "2017-Q4", D("75.00"), "USD", "spiff", "otto",
                            "quarter")
    assert entry.period == "2017-Q4"
    approve_and_lock(store, "2017-Q2")
    run(store, {("2017-Q2", RITA): "10.00", ("2017-Q4", RITA): "20.00"})
    assert total(store, "2017-Q2") == D("10.00")
    assert total(store, "2017-Q4") == D("95.00")  # 20.00 + 75.00


def test_placement__a_locked_period_s_entry_goes_to_the_next_unlocked_one_after_it():
    store = MemoryStore()
    run(store, {("2017-Q1", RITA): "1.00", ("2017-Q2", RITA): "1.00",
                ("2017-Q3", RITA): "1.00"})
    approve_and_lock(store, "2017-Q1")
    approve_and_lock(store, "2017-Q2")
    entry = book.add_manual(store, RITA, "2017-Q1", D("5.00"), "USD", "x", "otto", "quarter")
    assert entry.period == "2017-Q3"  # Q1 and Q2 locked: the first unlocked after Q1
    approve_and_lock(store, "2017-Q3")
    entry = book.add_manual(store, RITA, "2017-Q2", D("5.00"), "USD", "x", "otto", "quarter")
    assert entry.period == "2017-Q4"  # every period locked: the one after the last, created
    assert store.period_states["2017-Q4"].start.isoformat() == "2017-10-01"


def test_lock__refuses_a_period_changed_since_approval():
    store = MemoryStore()
    run(store, {("2017-Q1", RITA): "1.00"})
    store.set_status("2017-Q1", APPROVED, "fiona")
    book.add_manual(store, RITA, "2017-Q1", D("5.00"), "USD", "x", "otto", "quarter")
    # the manual entry changed the period: the approval lapsed
    assert store.period_states["2017-Q1"].status == "calculated"
    with pytest.raises(LedgerError, match="must be approved"):
        book.lock(store, "2017-Q1", "fiona")


def test_rerun_with_the_same_numbers_keeps_the_approval():
    store = MemoryStore()
    run(store, {("2017-Q1", RITA): "1.00", ("2017-Q2", RITA): "2.00"})
    store.set_status("2017-Q1", APPROVED, "fiona")
    run(store, {("2017-Q1", RITA): "1.00", ("2017-Q2", RITA): "3.00"})  # only Q2 changed
    assert store.period_states["2017-Q1"].status == APPROVED
    assert store.period_states["2017-Q2"].status == "calculated"


def test_lock__payroll_is_frozen_with_the_names_of_the_day():
    store = MemoryStore(people={"rita": ("Rita Rep", "rita@example.com")})
    run(store, {("2017-Q1", RITA): "1000.00"})
    approve_and_lock(store, "2017-Q1")
    store.people["rita"] = ("=HYPERLINK(\"x\")", "new@example.com")
    text = book.payroll(store, "2017-Q1")
    assert text.splitlines()[1] == "2017-Q1,rita,Rita Rep,rita@example.com,ae,personal,USD," \
                                   "1000.00,locked,1"


def test_payroll__text_cells_cannot_start_a_formula():
    store = MemoryStore(people={"rita": ("=cmd|' /C calc'!A0", "@x")})
    run(store, {("2017-Q1", RITA): "-5.00"})
    line = book.payroll(store, "2017-Q1").splitlines()[1]
    assert line == "2017-Q1,rita,'=cmd|' /C calc'!A0,'@x,ae,personal,USD,-5.00,calculated,1"


def test_worked_example__docs_ledger_md():
    """The example of docs/ledger.md, number by number."""
    store = MemoryStore()
    old = {("2017-Q1", RITA): Inputs(credits={"D-1": D("10000.00")})}
    run(store, {("2017-Q1", RITA): "1000.00"}, inputs=old)  # run 1: 10% of 10,000.00
    approve_and_lock(store, "2017-Q1")
    dispute = book.add_manual(store, RITA, "2017-Q1", D("50.00"), "USD", "missed SPIF",
                              "otto", "quarter", dispute=7)
    assert dispute.period == "2017-Q2"  # Q1 is locked: paid in the next open period
    new = {("2017-Q1", RITA): Inputs(credits={"D-1": D("10000.00"), "LATE-1": D("300.00")})}
    run(store, {("2017-Q1", RITA): "1030.00", ("2017-Q2", RITA): "1200.00"}, inputs=new)
    (correction,) = [r for r in store.rows("2017-Q2") if r.line_type == "adjustment"]
    assert correction.amount == D("30.00")  # 1,030.00 - 1,000.00 locked - 0 adjusted
    assert store.runs[2].entries[0].cause == "deal LATE-1 added (300.00)"
    assert total(store, "2017-Q2") == D("1280.00")  # 1,200.00 + 30.00 + 50.00
    run(store, {("2017-Q1", RITA): "1030.00", ("2017-Q2", RITA): "1200.00"}, inputs=new)
    assert total(store, "2017-Q2") == D("1280.00")  # a rerun books nothing twice
    approve_and_lock(store, "2017-Q2")
    # LATE-1 cancelled: Q1 recalculates to 1,000.00; 1,000.00 - 1,000.00 - 30.00 = -30.00
    run(store, {("2017-Q1", RITA): "1000.00", ("2017-Q2", RITA): "1200.00",
                ("2017-Q3", RITA): "900.00"}, inputs=old)
    (clawback,) = [r for r in store.rows("2017-Q3") if r.line_type == "clawback"]
    assert clawback.amount == D("-30.00")
    assert store.runs[4].entries[0].cause == "deal LATE-1 removed (was 300.00)"
    # paid to date: 1,000.00 + 1,280.00 + (900.00 - 30.00) = 3,150.00
    #             = fresh 1,000.00 + 1,200.00 + 900.00 + manual 50.00
    assert book.paid_to_date(store) == {("rita", "USD"): D("3150.00")}


def test_clawback__instalments_recover_the_outstanding_amount_over_locked_periods():
    store = MemoryStore()
    rules = {"ae": ClawbackRules(instalments=3)}
    run(store, {("2017-Q1", RITA): "100.00"}, rules)
    approve_and_lock(store, "2017-Q1")
    run(store, {("2017-Q1", RITA): "0.00", ("2017-Q2", RITA): "0.00"}, rules)
    # -100.00 over 3 instalments: -33.34 now (largest remainder first), 66.66 outstanding
    assert [r.amount for r in store.rows("2017-Q2") if r.line_type == "clawback"] == \
        [D("-33.34")]
    approve_and_lock(store, "2017-Q2")
    run(store, {("2017-Q1", RITA): "0.00", ("2017-Q3", RITA): "0.00"}, rules)
    # second of 3: -66.66 outstanding over the 2 instalments left = -33.33
    assert [r.amount for r in store.rows("2017-Q3") if r.line_type == "clawback"] == \
        [D("-33.33")]
    (second,) = [r for r in store.rows("2017-Q3") if r.line_type == "clawback"]
    assert second.explanation.endswith("; clawback instalment 2 of 3 (-33.33 of -66.66 "
                                       "outstanding)")
    approve_and_lock(store, "2017-Q3")
    run(store, {("2017-Q1", RITA): "0.00", ("2017-Q4", RITA): "0.00"}, rules)
    assert [r.amount for r in store.rows("2017-Q4") if r.line_type == "clawback"] == \
        [D("-33.33")]  # the last: -33.33 outstanding, 1 instalment left


def test_clawback__waived_on_attainment_components_is_audited_not_booked():
    store = MemoryStore()
    rules = {"ae": ClawbackRules(waived=frozenset({"personal"}))}
    run(store, {("2017-Q1", RITA): "100.00"}, rules)
    approve_and_lock(store, "2017-Q1")
    run(store, {("2017-Q1", RITA): "60.00", ("2017-Q2", RITA): "0.00"}, rules)
    assert [r for r in store.rows("2017-Q2") if r.line_type == "clawback"] == []
    assert any(action == "clawback.waived" and "-40.00" in text
               for _, action, _, text in store.events)


def test_manual__refuses_zero_sub_cent_and_unknown_periods():
    store = MemoryStore()
    run(store, {("2017-Q1", RITA): "1.00"})
    for amount, message in (("0", "must not be zero"), ("1.005", "at most 2 decimals")):
        with pytest.raises(LedgerError, match=message):
            book.add_manual(store, RITA, "2017-Q1", D(amount), "USD", "x", "o", "quarter")
    with pytest.raises(LedgerError, match="2016-Q1 is not in the ledger"):
        book.add_manual(store, RITA, "2016-Q1", D("1"), "USD", "x", "o", "quarter")


def test_corrections__nothing_when_nothing_changed():
    from teamquota.ledger.model import Amount
    same = {RITA: Amount(D("5.00"), "USD")}
    assert corrections(same, same, {}, NO_RULES) == []


# -- the invariant --------------------------------------------------------------------------

def replay(ops: list, store: MemoryStore, rules=NO_RULES) -> dict:  # noqa: ANN001
    """Apply a random history; returns the manual entries' sums per payee."""
    manual: dict[str, Decimal] = defaultdict(Decimal)
    for op in ops:
        if isinstance(op, RunOp):
            run_id = store.next_run_id()
            lines = [Computed(p, (payee, "ae", c), a, "USD") for p, payee, c, a in op.lines]
            store.add_run(run_id, lines)
            book.publish(store, run_id, PERIODS, rules, "quarter")
        elif isinstance(op, ManualOp):
            if op.period not in store.period_states:
                continue
            book.add_manual(store, (op.payee, "ae", op.component), op.period, op.amount,
                            "USD", "decision", "otto", "quarter")
            manual[op.payee] += op.amount
        elif isinstance(op, LockOp):
            p = store.period_states.get(op.period)
            if p is not None and not p.locked:
                book.lock(store, op.period, "fiona", require_approved=False)
    return manual


def expected_paid(store: MemoryStore, manual: dict[str, Decimal]) -> dict[str, Decimal]:
    """What a fresh calculation of every period says (the newest run), plus manual."""
    out: dict[str, Decimal] = defaultdict(Decimal)
    if store.runs:
        for line in store.runs[max(store.runs)].lines:
            out[line.key[0]] += line.amount
    for payee, amount in manual.items():
        out[payee] += amount
    return {k: v for k, v in out.items()}


@settings(max_examples=int(os.environ.get("TEAMQUOTA_LEDGER_EXAMPLES", "1500")),
          deadline=None)
@given(history)
def test_invariant__paid_to_date_is_fresh_calculation_plus_manual(ops):  # noqa: ANN001
    store = MemoryStore()
    manual = replay(ops, store)
    paid: dict[str, Decimal] = defaultdict(Decimal)
    for (payee, currency), amount in book.paid_to_date(store).items():
        assert currency == "USD"
        paid[payee] += amount
    expected = expected_paid(store, manual)
    for payee in set(paid) | set(expected):
        assert paid.get(payee, D(0)) == expected.get(payee, D(0)), payee
    # nothing is ever booked into a locked period after its lock, nor before its source
    order = {p: i for i, p in enumerate(sorted(store.period_states))}
    for e in [*store.manual, *(e for r in store.runs.values() for e in r.entries)]:
        assert order[e.period] >= order[e.source_period]
    for label, snap in store.snapshots.items():
        assert book.fingerprint(store.rows(label)) == snap.fingerprint


# -- pinned by mutation testing: the fingerprint, lapsing, the words of an entry ----------

def _row(amount: str = "5.10", **kw: str):  # noqa: ANN202
    from teamquota.ledger.store import Row
    values = {"ref": "run:1:0", "key": RITA, "line_type": "curve", "amount": D(amount),
              "currency": "USD", "source_period": "", "team_id": None, "explanation": "x"}
    values.update(kw)
    return Row(**values)  # type: ignore[arg-type]


def test_fingerprint__changes_with_every_field_that_is_paid_or_shown():
    base = book.fingerprint([_row()])
    assert book.fingerprint([_row("5.1")]) == base  # the same amount
    assert book.fingerprint([_row(ref="run:9:3")]) == base  # a rerun's identical line
    for changed in (_row("5.11"), _row(key=("rita", "ae", "team")), _row(line_type="spif"),
                    _row(currency="EUR"), _row(source_period="2017-Q1"),
                    _row(team_id="north"), _row(explanation="y")):
        assert book.fingerprint([changed]) != base, changed
    one = [_row(ref="entry:1", line_type="manual")]
    two = [*one, _row(ref="entry:2", line_type="manual")]
    assert book.fingerprint(two) != book.fingerprint(one)  # two equal entries are two
    assert book.fingerprint([]) != base


def test_refresh__a_changed_period_lapses_after_an_unchanged_one_and_is_audited():
    store = MemoryStore()
    run(store, {("2017-Q1", RITA): "1.00", ("2017-Q2", RITA): "2.00",
                ("2017-Q3", RITA): "3.00"})
    for label in ("2017-Q1", "2017-Q2"):
        store.set_status(label, APPROVED, "fiona")
    run_id = store.next_run_id()
    store.add_run(run_id, [Computed("2017-Q1", RITA, D("1.00"), "USD"),
                           Computed("2017-Q2", RITA, D("2.50"), "USD"),
                           Computed("2017-Q3", RITA, D("3.50"), "USD")])
    book.publish(store, run_id, ["2017-Q1", "2017-Q2", "2017-Q3"], NO_RULES, "quarter",
                 actor="otto")
    assert [p.status for p in store.periods()] == [APPROVED, "calculated", "calculated"]
    # only the approved period that changed is reported reopened, by whoever ran
    assert [(a, action, label) for a, action, label, _ in store.events] == [
        ("otto", "period.reopened", "2017-Q2")]
    assert store.events[0][3] == ("2017-Q2: approved numbers changed (run #2); reviews and "
                                  "approval must be given again")


def test_correction__explanation_cause_team_and_actor_in_its_words():
    store = MemoryStore()
    key = ("rita", "ae", "team")
    old = {("2017-Q1", key): Inputs(teams=frozenset({"north"}))}
    run_id = store.next_run_id()
    store.add_run(run_id, [Computed("2017-Q1", key, D("100.00"), "USD", team_id="north")], old)
    book.publish(store, run_id, ["2017-Q1"], NO_RULES, "quarter")
    approve_and_lock(store, "2017-Q1")
    new = {("2017-Q1", key): Inputs(teams=frozenset({"south"}))}
    run_id = store.next_run_id()
    store.add_run(run_id, [Computed("2017-Q1", key, D("120.00"), "USD", team_id="south")], new)
    (entry,) = book.publish(store, run_id, ["2017-Q1"], NO_RULES, "quarter", actor="otto")
    assert (entry.period, entry.source_period, entry.team_id, entry.amount) == (
        "2017-Q2", "2017-Q1", "south", D("20.00"))
    assert entry.explanation == ("2017-Q1 is locked: it paid 100.00, recalculated 120.00, "
                                 "already adjusted 0.00 -> 20.00")
    assert entry.cause == "team membership north -> south"


def test_waiver__audited_with_payee_component_amount_and_actor():
    store = MemoryStore()
    rules = {"ae": ClawbackRules(waived=frozenset({"personal"}))}
    run(store, {("2017-Q1", RITA): "100.00"}, rules)
    approve_and_lock(store, "2017-Q1")
    run_id = store.next_run_id()
    store.add_run(run_id, [Computed("2017-Q1", RITA, D("60.00"), "USD")])
    book.publish(store, run_id, ["2017-Q1"], rules, "quarter", actor="otto")
    (waiver,) = [e for e in store.events if e[1] == "clawback.waived"]
    assert waiver[0] == "otto"
    assert waiver[3].startswith("2017-Q1 personal for rita: recalculated -40.00 not clawed "
                                "back (clawback.reduce_attainment is false: the locked "
                                "attainment stands); cause: ")


def test_payroll_rows__sums_a_component_s_lines_and_keeps_entries_apart():
    from teamquota.ledger.payroll import payroll_csv, payroll_rows
    rows = [_row("100.00", ref="run:1:0"), _row("-40.00", ref="run:1:1"),
            _row("25.00", ref="entry:3", line_type="manual", source_period="2017-Q1"),
            _row("7.00", ref="run:1:2", key=("zed", "ae", "personal"))]
    lines = payroll_rows("2017-Q2", "approved", None, rows, {"rita": ("Rita", "r@x")})
    # rita personal: 100.00 - 40.00 = 60.00; the manual entry on its own line; zed unknown
    assert lines == [
        ["2017-Q2", "rita", "Rita", "r@x", "ae", "personal", "USD", "60.00", "approved", ""],
        ["2017-Q2", "rita", "Rita", "r@x", "ae", "personal (manual for 2017-Q1)", "USD",
         "25.00", "approved", ""],
        ["2017-Q2", "zed", "", "", "ae", "personal", "USD", "7.00", "approved", ""]]
    assert payroll_csv(lines[:1]).split("\r\n")[:2] == [
        "period,payee_id,payee_name,email,plan,component,currency,amount,status,run",
        "2017-Q2,rita,Rita,r@x,ae,personal,USD,60.00,approved,"]


def test_memory_store__sums_by_key_keeps_team_and_refuses_what_the_rules_forbid():
    store = MemoryStore()
    store.add_run(1, [Computed("2017-Q1", RITA, D("1.00"), "USD", team_id="north"),
                      Computed("2017-Q1", RITA, D("2.00"), "USD")])
    with pytest.raises(LedgerError, match="run #1 is already in the ledger"):
        store.add_run(1, [])
    assert store.computed(1, "2017-Q1")[RITA].amount == D("3.00")  # 1.00 + 2.00
    assert store.computed(1, "2017-Q1")[RITA].team_id == "north"
    assert store.fingerprint_of("2017-Q1") == ""
    book.publish(store, 1, ["2017-Q1"], NO_RULES, "quarter")
    assert store.period_states["2017-Q1"].status == "calculated"
    assert [(r.line_type, r.team_id, r.explanation) for r in store.rows("2017-Q1")] == [
        ("payout", "north", ""), ("payout", None, "")]
    approve_and_lock(store, "2017-Q1")
    with pytest.raises(LedgerError, match="2017-Q1 is locked; its run is final"):
        store.point("2017-Q1", 1)
    with pytest.raises(LedgerError, match="period 2017-Q1 exists"):
        store.create_period(store.period_states["2017-Q1"])
    assert store.payees(["nobody"]) == {"nobody": ("", "")}


def test_manual__entry_fields_and_words_in_its_own_and_a_later_period():
    store = MemoryStore()
    run(store, {("2017-Q1", RITA): "1.00", ("2017-Q2", RITA): "1.00"})
    here = book.add_manual(store, RITA, "2017-Q2", D("12.50"), "USD", "", "otto", "quarter",
                           team_id="north")
    assert (here.line_type, here.period, here.team_id, here.author, here.dispute) == (
        "manual", "2017-Q2", "north", "otto", None)
    assert here.cause == "manual decision"  # no reason given
    assert here.explanation == ("manual adjustment of 12.50 by otto for 2017-Q2 personal: "
                                "manual decision")
    approve_and_lock(store, "2017-Q1")
    later = book.add_manual(store, RITA, "2017-Q1", D("-3.00"), "USD", "wrong deal", "sam",
                            "quarter", dispute=9)
    assert (later.period, later.cause, later.dispute) == ("2017-Q2", "dispute #9: wrong deal",
                                                         9)
    assert later.explanation == ("manual adjustment of -3.00 by sam for 2017-Q1 personal, "
                                 "paid in 2017-Q2: dispute #9: wrong deal")
    assert [(a, action) for a, action, _, _ in store.events] == [("fiona", "period.lock")]


def test_lock__snapshot_audit_and_refusals_in_words():
    store = MemoryStore()
    run(store, {("2017-Q1", RITA): "10.00", ("2017-Q1", ("sue", "ae", "personal")): "5.25"})
    store.set_status("2017-Q1", APPROVED, "fiona")
    snap = book.lock(store, "2017-Q1", "fiona")
    assert (snap.locked_by, snap.total) == ("fiona", {"USD": D("15.25")})  # 10.00 + 5.25
    assert store.fingerprint_of("2017-Q1") == snap.fingerprint
    assert store.period_states["2017-Q1"].status == "locked"
    (event,) = store.events
    assert event[:3] == ("fiona", "period.lock", "2017-Q1")
    assert event[3] == (f"fiona locked 2017-Q1: run #1 is final (payroll sha256 "
                        f"{snap.sha256[:12]})")
    with pytest.raises(LedgerError, match="^2017-Q1 is already locked$"):
        book.lock(store, "2017-Q1", "fiona")
    store.snapshots.clear()
    with pytest.raises(LedgerError, match="^2017-Q1 is locked but has no snapshot$"):
        book.payroll(store, "2017-Q1")
    store.snapshots["2017-Q1"] = snap
    store.runs[1].lines.append(Computed("2017-Q1", RITA, D("1.00"), "USD"))  # tampering
    with pytest.raises(LedgerError, match="^2017-Q1's locked rows no longer match the "
                       "snapshot taken at lock; the ledger was changed outside teamquota$"):
        book.payroll(store, "2017-Q1")


def test_lock__refuses_numbers_changed_since_the_approval_in_words():
    store = MemoryStore()
    run(store, {("2017-Q1", RITA): "10.00"})
    store.set_status("2017-Q1", APPROVED, "fiona")
    store.runs[1].lines.append(Computed("2017-Q1", RITA, D("1.00"), "USD"))  # behind it
    with pytest.raises(LedgerError, match="^2017-Q1 changed since it was approved; it must "
                       "be reviewed and approved again$"):
        book.lock(store, "2017-Q1", "fiona")
    with pytest.raises(LedgerError, match="^a manual adjustment must not be zero$"):
        book.add_manual(store, RITA, "2017-Q1", D("0.00"), "USD", "x", "o", "quarter")


def test_rules_of__instalments_and_the_components_paying_on_attainment():
    from teamquota.ledger.corrections import rules_of
    from teamquota.plan.loader import load_plan_text
    plan = load_plan_text(PLAN.replace("CLAWBACK", "clawback: {instalments: 3, "
                                       "reduce_attainment: false}"), "p.yaml").plan
    # curve and tiers on attainment pay on attainment; the rate on amount does not
    assert rules_of(plan) == ClawbackRules(3, frozenset({"curve_part", "tiers_part"}))
    plan = load_plan_text(PLAN.replace("CLAWBACK", "clawback: {instalments: 2}"),
                          "p.yaml").plan
    assert rules_of(plan) == ClawbackRules(2, frozenset())


def test_explanation__instalment_words_only_on_a_clawback_of_several():
    from teamquota.ledger.corrections import Draft
    claw = Draft(RITA, D("-10.00"), "USD", None, "clawback", D("30.00"), D("0.00"), D("0"),
                 D("-30.00"), instalment=1, instalments=3)
    assert claw.explanation("2017-Q1") == (
        "2017-Q1 is locked: it paid 30.00, recalculated 0.00, already adjusted 0.00 -> "
        "-30.00; clawback instalment 1 of 3 (-10.00 of -30.00 outstanding)")
    once = Draft(RITA, D("-30.00"), "USD", None, "clawback", D("30.00"), D("0.00"), D("0"),
                 D("-30.00"), instalment=1, instalments=1)
    assert "instalment" not in once.explanation("2017-Q1")
    up = Draft(RITA, D("5.00"), "USD", None, "adjustment", D("30.00"), D("35.00"), D("0"),
               D("5.00"), instalment=1, instalments=3)
    assert "instalment" not in up.explanation("2017-Q1")


PLAN = """\
plan: ae
period: quarter
currency: USD
CLAWBACK
components:
  - id: curve_part
    scope: payee
    weight: 1
    measure: {source: deals, sum: amount, where: {stage: Won}}
    payout: {curve: [[0, 0], [1, 1]]}
  - id: tiers_part
    scope: payee
    measure: {source: deals, sum: amount, where: {stage: Won}}
    payout: {tiers: [{from: 0, rate: 0.01}, {from: 1, rate: 0.02}], basis: attainment}
  - id: rate_part
    scope: payee
    measure: {source: deals, sum: amount, where: {stage: Won}}
    payout: {rate: 0.05}
"""


def test_corrections__a_changed_key_after_unchanged_and_waived_ones_is_still_booked():
    from teamquota.ledger.model import Amount
    a, b, c = ("ann", "ae", "personal"), ("bob", "ae", "personal"), ("cy", "ae", "personal")
    locked = {a: Amount(D("10.00"), "USD"), b: Amount(D("10.00"), "USD"),
              c: Amount(D("10.00"), "USD")}
    fresh = {a: Amount(D("10.00"), "USD"), b: Amount(D("4.00"), "USD"),
             c: Amount(D("12.00"), "USD")}
    waive_bob = {"ae": ClawbackRules(waived=frozenset({"personal"}))}
    # ann unchanged (skipped), bob -6.00 waived, cy +2.00 booked
    drafts = corrections(fresh, locked, {}, waive_bob)
    assert [(d.key[0], d.amount, d.line_type, d.waived) for d in drafts] == [
        ("bob", D("0"), "clawback", True), ("cy", D("2.00"), "adjustment", False)]


def test_manual__an_adjustment_in_an_approved_period_reopens_it_audited_by_its_author():
    store = MemoryStore()
    run(store, {("2017-Q3", RITA): "1.00"})
    store.set_status("2017-Q3", APPROVED, "fiona")
    book.add_manual(store, RITA, "2017-Q3", D("50.00"), "USD", "dispute", "otto", "quarter")
    assert [p.status for p in store.periods()] == ["calculated"]
    assert [(a, action, label) for a, action, label, _ in store.events] == [
        ("otto", "period.reopened", "2017-Q3")]
    assert store.events[0][3] == ("2017-Q3: approved numbers changed (manual adjustment by "
                                  "otto); reviews and approval must be given again")
