"""A ledger kept in a folder, for the command line (``teamquota ledger ... --ledger DIR``).

The folder holds ``ledger.json`` (periods, statuses, corrections, manual entries,
fingerprints, locked snapshots, the audit trail, and the plan the ledger books) and one
``runs/run-<id>.json`` per posted run (its computed lines and what the causes of
corrections compare: credits, targets, plan version, teams). A command loads the folder
into a :class:`~teamquota.ledger.memory.MemoryStore`, acts on it with
:mod:`teamquota.ledger.book`, and saves it: new run files first, then ``ledger.json``
replaced in one ``os.replace`` — the commit point, so a command that fails changes
nothing. ``.lock`` is held with ``fcntl.flock`` for the whole command, so two commands
never interleave. Money is kept as decimal strings in positional notation (``0.0000000000``,
never ``0E-10``; files written before read the same), dates as ISO dates.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import json
import os
import time
from collections import defaultdict
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any, cast

from teamquota.core.money import ZERO
from teamquota.core.periods import PeriodKind
from teamquota.core.spreadsheet import replacing
from teamquota.engine.results import Results
from teamquota.ledger.causes import Inputs
from teamquota.ledger.corrections import ClawbackRules, rules_of
from teamquota.ledger.memory import Computed, MemoryStore, Run
from teamquota.ledger.model import Entry, Key, LedgerError, PeriodState
from teamquota.ledger.store import Snapshot
from teamquota.plan.loader import LoadedPlan

FORMAT = "teamquota-ledger"
VERSION = 1
LEDGER_FILE = "ledger.json"
LOCK_FILE = ".lock"
RUNS = "runs"
LOCK_WAIT_SECONDS = 10.0


class NotALedger(LedgerError):
    """The folder is not a ledger (or its files are not readable as one)."""


@dataclass(frozen=True)
class PlanInfo:
    """The plan a ledger books: periods are placed with its kind and year start."""

    plan_id: str
    kind: PeriodKind
    year_start_month: int
    currency: str
    components: tuple[str, ...]
    rules: ClawbackRules = ClawbackRules()


@dataclass(frozen=True)
class RunInfo:
    posted_by: str
    plan_version: str


@dataclass(frozen=True)
class PostedRun:
    """A calculation as the ledger keeps it: lines, inputs per (period, key), and who."""

    lines: list[Computed]
    inputs: dict[tuple[str, Key], Inputs]
    plan_version: str
    people: dict[str, tuple[str, str]]
    # the shared credit and target maps the inputs point at (saved once each)
    credit_groups: dict[str, dict[str, Decimal]] = field(default_factory=dict)
    input_refs: dict[tuple[str, Key], list[str]] = field(default_factory=dict)


@dataclass
class FileStore(MemoryStore):
    """A :class:`MemoryStore` loaded from a folder, with what the CLI needs besides."""

    plan: PlanInfo | None = None
    run_info: dict[int, RunInfo] = field(default_factory=dict)
    saved_runs: set[int] = field(default_factory=set)
    posted: dict[int, PostedRun] = field(default_factory=dict)

    def rules(self) -> dict[str, ClawbackRules]:
        return {} if self.plan is None else {self.plan.plan_id: self.plan.rules}

    def post(self, posted: PostedRun, plan: PlanInfo, by: str) -> int:
        """Add a calculation as a new run (not yet published); refuses another plan or
        another period kind than the ledger's."""
        check_plan(self.plan, plan)
        self.plan = plan
        run_id = self.next_run_id()
        self.add_run(run_id, posted.lines, posted.inputs)
        self.run_info[run_id] = RunInfo(by, posted.plan_version)
        self.posted[run_id] = posted
        self.people.update(posted.people)
        return run_id


def check_plan(booked: PlanInfo | None, plan: PlanInfo) -> None:
    """Refuse a plan the ledger cannot book: another plan id, or other periods (kind or
    first month of the year) than the ledger's."""
    if booked is None:
        return
    if plan.plan_id != booked.plan_id:
        raise LedgerError(f"this ledger books plan {booked.plan_id}, not {plan.plan_id}; "
                          "give each plan its own ledger folder")
    if (plan.kind, plan.year_start_month) != (booked.kind, booked.year_start_month):
        raise LedgerError(
            f"this ledger books {booked.kind} periods (year starting in month "
            f"{booked.year_start_month}); plan {plan.plan_id} now pays {plan.kind} periods "
            f"(year starting in month {plan.year_start_month}): start a new ledger folder")


# -- from the engine's results ---------------------------------------------------------------

def plan_info(loaded: LoadedPlan) -> PlanInfo:
    plan = loaded.plan
    return PlanInfo(plan.plan, plan.period, plan.year_start_month, plan.currency,
                    tuple(c.id for c in plan.components), rules_of(plan))


def plan_version(loaded: LoadedPlan) -> str:
    """The plan id and a short hash of its text: ``ae_hybrid_2017@1a2b3c4d``."""
    text = loaded.text or Path(loaded.path).read_text(encoding="utf-8")
    return f"{loaded.plan.plan}@{hashlib.sha256(text.encode()).hexdigest()[:8]}"


def counted_deals(loaded: LoadedPlan, deals: Any) -> dict[str, set[str] | None]:
    """Per component, the deal ids its measure counts (its ``where`` applied to the deals
    table); None when every credited deal counts (no filter, or no deals table given)."""
    out: dict[str, set[str] | None] = {}
    for component in loaded.plan.components:
        if component.measure.source != "deals" or not component.measure.where \
                or deals is None:
            out[component.id] = None
            continue
        import ibis

        from teamquota.engine.measure import component_filter

        table = ibis.memtable(deals)
        ids = table.filter(component_filter(table, component)).select("deal_id").to_pyarrow()
        out[component.id] = set(ids.column("deal_id").to_pylist())
    return out


def posted_run(results: Results, loaded: LoadedPlan, deals: Any = None,
               payees: Any = None) -> PostedRun:
    """What the ledger keeps of a calculation: every payout line; per (period, key) the
    credits per deal of the deals the component counts (payee credits for a payee
    component, the team's credits for a team line), the targets of the payee or team,
    the plan version and the teams of the lines; and the payees' names and e-mails now."""
    plan_id = results.plan_id or loaded.plan.plan
    version = plan_version(loaded)
    lines: list[Computed] = []
    teams: dict[tuple[str, Key], set[str]] = defaultdict(set)
    for row in results.payouts.to_pylist():
        key = (row["payee_id"], plan_id, row["component_id"])
        lines.append(Computed(row["period"], key, row["amount"], row["currency"],
                              row["line_type"], row["team_id"], row["explanation"] or ""))
        if row["team_id"]:
            teams[(row["period"], key)].add(row["team_id"])
    counted = counted_deals(loaded, deals)
    wanted = {(period, "payee", key[0]) for period, key in {(c.period, c.key) for c in lines}}
    wanted |= {(period, "team", t) for (period, _), ts in teams.items() for t in ts}
    groups: dict[str, dict[str, Decimal]] = {}
    by_subject: dict[tuple[str, str, str], list[tuple[str, Decimal]]] = defaultdict(list)
    credit_rows: Any = results.credits  # loaded on first use (Results.__getattr__)
    for row in credit_rows.select(["period", "deal_id", "subject_type", "subject_id",
                                       "amount", "counts_for_team"]).to_pylist():
        subject = (row["period"], row["subject_type"], row["subject_id"])
        if subject in wanted and (row["subject_type"] == "payee" or row["counts_for_team"]):
            by_subject[subject].append((row["deal_id"], row["amount"] or ZERO))
    targets: dict[tuple[str, str, str, str], Decimal | None] = {}
    for row in results.attainment.select(["period", "component_id", "subject_type",
                                          "subject_id", "target_amount"]).to_pylist():
        targets[(row["period"], row["component_id"], row["subject_type"],
                 row["subject_id"])] = row["target_amount"]
    inputs: dict[tuple[str, Key], Inputs] = {}
    refs: dict[tuple[str, Key], list[str]] = {}
    for period, key in sorted({(c.period, c.key) for c in lines}):
        component = key[2]
        subjects = [("team", t) for t in sorted(teams.get((period, key), ()))] or \
            [("payee", key[0])]
        deal_filter = counted.get(component)
        names = []
        for subject_type, subject_id in subjects:
            name = f"{period}|{component}|{subject_type}|{subject_id}"
            if name not in groups:
                sums: dict[str, Decimal] = defaultdict(lambda: ZERO)
                for deal, amount in by_subject.get((period, subject_type, subject_id), []):
                    if deal_filter is None or deal in deal_filter:
                        sums[deal] += amount
                groups[name] = dict(sums)
            names.append(name)
        credits = groups[names[0]] if len(names) == 1 else _merged(groups, names)
        found: dict[str, Decimal | None] = {}
        for subject_type, subject_id in [("payee", key[0]), *subjects]:
            if (period, component, subject_type, subject_id) in targets:
                found[f"{subject_type} {subject_id} {period}"] = \
                    targets[(period, component, subject_type, subject_id)]
        inputs[(period, key)] = Inputs(credits, found, version,
                                       frozenset(teams.get((period, key), ())))
        refs[(period, key)] = names
    people: dict[str, tuple[str, str]] = {}
    if payees is not None:
        for row in payees.to_pylist():
            people[row["payee_id"]] = (row.get("name") or "", row.get("email") or "")
    return PostedRun(lines, inputs, version, people, groups, refs)


def _merged(groups: Mapping[str, Mapping[str, Decimal]], names: list[str]
            ) -> dict[str, Decimal]:
    out: dict[str, Decimal] = defaultdict(lambda: ZERO)
    for name in names:
        for deal, amount in groups[name].items():
            out[deal] += amount
    return dict(out)


# -- the folder --------------------------------------------------------------------------------

def is_ledger(folder: Path) -> bool:
    return (folder / LEDGER_FILE).is_file()


def check_folder(folder: Path, create: bool = False) -> bool:
    """True when ``folder`` is a ledger; False when it can become one (``create``, and it
    does not exist or is empty); else :class:`NotALedger` says why."""
    if is_ledger(folder):
        return True
    if folder.exists() and not folder.is_dir():
        raise NotALedger(f"{folder} is a file, not a ledger folder")
    if not create:
        raise NotALedger(f"{folder} is not a teamquota ledger (no {LEDGER_FILE}); start one "
                         f"with: teamquota ledger post PLAN --ledger {folder}")
    if folder.is_dir() and any(p.name != LOCK_FILE for p in folder.iterdir()):
        raise NotALedger(f"{folder} is not a teamquota ledger: it holds other files; give "
                         "an empty or new folder")
    return False


@contextlib.contextmanager
def open_ledger(folder: Path, create: bool = False, write: bool = True
                ) -> Iterator[FileStore]:
    """The ledger in ``folder``, locked for the block; saved at its end when ``write`` (and
    nothing saved when the block raises). ``create`` starts a ledger in a folder that does
    not exist or is empty."""
    made = False
    if not check_folder(folder, create):
        made = not folder.exists()
        try:
            folder.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise NotALedger(f"cannot create the ledger folder {folder}: "
                             f"{exc.strerror}") from None
    try:
        with _locked(folder, exclusive=write):
            store = load(folder) if is_ledger(folder) else FileStore()
            yield store
            if write:
                save(folder, store)
    except BaseException:
        if made and not is_ledger(folder):
            with contextlib.suppress(OSError):
                (folder / LOCK_FILE).unlink(missing_ok=True)
                folder.rmdir()
        raise


@contextlib.contextmanager
def _locked(folder: Path, exclusive: bool) -> Iterator[None]:
    try:
        handle = open(folder / LOCK_FILE, "a+")  # noqa: SIM115 - held for the block
    except OSError as exc:
        raise NotALedger(f"cannot open the ledger's lock file in {folder}: "
                         f"{exc.strerror}") from None
    with handle:
        mode = fcntl.LOCK_EX if exclusive else fcntl.LOCK_SH
        waited = 0.0
        while True:
            try:
                fcntl.flock(handle, mode | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if waited >= LOCK_WAIT_SECONDS:
                    raise LedgerError(f"another teamquota command is using the ledger {folder}; "
                                      "try again when it has finished") from None
                time.sleep(0.1)
                waited += 0.1
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _write_atomic(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with replacing(path) as temporary:
        with temporary.open("w", encoding="utf-8", newline="") as out:
            out.write(text)
            out.flush()
            os.fsync(out.fileno())
        os.chmod(temporary, 0o644)  # mkstemp makes it private; a ledger is shared


def _run_path(folder: Path, run_id: int) -> Path:
    return folder / RUNS / f"run-{run_id:06d}.json"


def _dump(data: object) -> str:
    return json.dumps(data, indent=1, sort_keys=True, ensure_ascii=False) + "\n"


def save(folder: Path, store: FileStore) -> None:
    for run_id in sorted(set(store.runs) - store.saved_runs):
        _write_atomic(_run_path(folder, run_id), _dump(_run_json(store, run_id)))
    _write_atomic(folder / LEDGER_FILE, _dump(_ledger_json(store)))
    store.saved_runs = set(store.runs)


def load(folder: Path) -> FileStore:
    try:
        data = json.loads((folder / LEDGER_FILE).read_text(encoding="utf-8"))
        if not isinstance(data, dict) or data.get("format") != FORMAT:
            raise NotALedger(f"{folder / LEDGER_FILE} is not a teamquota ledger file")
        if data.get("version") != VERSION:
            raise NotALedger(f"{folder / LEDGER_FILE} is ledger format version "
                             f"{data.get('version')}; this teamquota reads version {VERSION}")
        store = FileStore()
        _read_ledger(store, data)
        for item in data["runs"]:
            run_id = int(item["id"])
            run_data = json.loads(_run_path(folder, run_id).read_text(encoding="utf-8"))
            lines, inputs = _read_run(run_data)
            store.runs[run_id] = Run(lines, inputs, [_entry(e) for e in item["entries"]])
            store.run_info[run_id] = RunInfo(item["posted_by"], item["plan_version"])
        store.saved_runs = set(store.runs)
        return store
    except NotALedger:
        raise
    except (OSError, ValueError, KeyError, TypeError, AttributeError) as exc:
        raise NotALedger(f"{folder} is not a readable teamquota ledger "
                         f"({type(exc).__name__}: {exc})") from None


# -- JSON ------------------------------------------------------------------------------------

def _text(value: Decimal) -> str:
    """``value`` as the files keep it: positional, its own places (``0E-10`` is
    ``0.0000000000``, as core.spreadsheet.decimal_text writes it), read back as the same
    Decimal - except that a negative zero keeps its sign (``-0.00``): book.fingerprint
    tells -0 from 0, and the fingerprints stored in ledger.json (approvals, locked
    snapshots) were taken of the amounts as they were."""
    return format(value, "f")


def _dec(value: Decimal | None) -> str | None:
    return None if value is None else _text(value)


def _undec(value: object) -> Decimal | None:
    return None if value is None else Decimal(cast(str, value))


def _money(value: object) -> Decimal:
    return Decimal(cast(str, value))


def _key(value: Any) -> Key:
    payee, plan, component = value
    return (str(payee), str(plan), str(component))


def _entry_json(e: Entry) -> dict[str, Any]:
    return {"key": list(e.key), "amount": _text(e.amount), "currency": e.currency,
            "line_type": e.line_type, "period": e.period, "source_period": e.source_period,
            "cause": e.cause, "explanation": e.explanation, "team_id": e.team_id,
            "author": e.author, "dispute": e.dispute, "extra": dict(e.extra)}


def _entry(d: Any) -> Entry:
    return Entry(_key(d["key"]), _money(d["amount"]), d["currency"], d["line_type"],
                 d["period"], d["source_period"], d["cause"], d["explanation"], d["team_id"],
                 d["author"], d["dispute"], dict(d.get("extra") or {}))


def _ledger_json(store: FileStore) -> dict[str, Any]:
    plan = store.plan
    return {
        "format": FORMAT, "version": VERSION,
        "plan": None if plan is None else {
            "plan_id": plan.plan_id, "kind": plan.kind,
            "year_start_month": plan.year_start_month, "currency": plan.currency,
            "components": list(plan.components),
            "clawback": {"instalments": plan.rules.instalments,
                         "waived": sorted(plan.rules.waived)}},
        "periods": [{"label": p.label, "start": p.start.isoformat(), "end": p.end.isoformat(),
                     "status": p.status, "run_id": p.run_id} for p in store.periods()],
        "runs": [{"id": run_id, "posted_by": store.run_info[run_id].posted_by,
                  "plan_version": store.run_info[run_id].plan_version,
                  "entries": [_entry_json(e) for e in run.entries]}
                 for run_id, run in sorted(store.runs.items())],
        "manual": [_entry_json(e) for e in store.manual],
        "fingerprints": dict(sorted(store.fingerprints.items())),
        "snapshots": {label: {"fingerprint": s.fingerprint, "payroll_csv": s.payroll_csv,
                              "sha256": s.sha256, "locked_by": s.locked_by,
                              "total": {c: _text(t) for c, t in s.total.items()}}
                      for label, s in sorted(store.snapshots.items())},
        "people": {pid: list(v) for pid, v in sorted(store.people.items())},
        "events": [list(e) for e in store.events],
    }


def _read_ledger(store: FileStore, data: Mapping[str, Any]) -> None:
    plan = data["plan"]
    if plan is not None:
        claw = plan["clawback"]
        store.plan = PlanInfo(plan["plan_id"], plan["kind"], int(plan["year_start_month"]),
                              plan["currency"], tuple(plan["components"]),
                              ClawbackRules(int(claw["instalments"]),
                                            frozenset(claw["waived"])))
    for p in data["periods"]:
        store.period_states[p["label"]] = PeriodState(
            p["label"], date.fromisoformat(p["start"]), date.fromisoformat(p["end"]),
            p["status"], p["run_id"])
    store.manual = [_entry(e) for e in data["manual"]]
    store.fingerprints = dict(data["fingerprints"])
    store.snapshots = {label: Snapshot(label, s["fingerprint"], s["payroll_csv"], s["sha256"],
                                       s["locked_by"],
                                       {c: _money(t) for c, t in s["total"].items()})
                       for label, s in data["snapshots"].items()}
    store.people = {pid: (v[0], v[1]) for pid, v in data["people"].items()}
    store.events = [(e[0], e[1], e[2], e[3]) for e in data["events"]]


def _run_json(store: FileStore, run_id: int) -> dict[str, Any]:
    run = store.runs[run_id]
    posted = store.posted.get(run_id)
    lines = [{"period": c.period, "payee_id": c.key[0], "plan_id": c.key[1],
              "component_id": c.key[2], "line_type": c.line_type, "team_id": c.team_id,
              "amount": _text(c.amount), "currency": c.currency, "explanation": c.explanation}
             for c in run.lines]
    groups: dict[str, dict[str, Decimal]] = dict(posted.credit_groups) if posted else {}
    refs: dict[tuple[str, Key], list[str]] = dict(posted.input_refs) if posted else {}
    inputs = []
    for (period, key), found in sorted(run.inputs.items()):
        names = refs.get((period, key))
        if names is None:  # inputs made elsewhere: keep their credits as their own group
            names = [f"own|{period}|{'|'.join(key)}"]
            groups[names[0]] = dict(found.credits)
        inputs.append({"period": period, "key": list(key), "credits": names,
                       "targets": {s: _dec(t) for s, t in sorted(found.targets.items())},
                       "plan_version": found.plan_version, "teams": sorted(found.teams)})
    return {"id": run_id, "lines": lines, "inputs": inputs,
            "credits": {name: {deal: _text(a) for deal, a in sorted(g.items())}
                        for name, g in sorted(groups.items())}}


def _read_run(data: Mapping[str, Any]) -> tuple[list[Computed], dict[tuple[str, Key], Inputs]]:
    lines = [Computed(c["period"], (c["payee_id"], c["plan_id"], c["component_id"]),
                      _money(c["amount"]), c["currency"], c["line_type"], c["team_id"],
                      c["explanation"]) for c in data["lines"]]
    groups = {name: {deal: _money(a) for deal, a in g.items()}
              for name, g in data["credits"].items()}
    inputs: dict[tuple[str, Key], Inputs] = {}
    for item in data["inputs"]:
        names = item["credits"]
        credits = groups[names[0]] if len(names) == 1 else _merged(groups, names)
        inputs[(item["period"], _key(item["key"]))] = Inputs(
            credits, {s: _undec(t) for s, t in item["targets"].items()},
            item["plan_version"], frozenset(item["teams"]))
    return lines, inputs


__all__ = ["FileStore", "NotALedger", "PlanInfo", "PostedRun", "RunInfo", "check_folder",
           "check_plan", "is_ledger", "open_ledger", "plan_info", "plan_version", "posted_run"]
