"""Facts about a loaded dataset worth telling, that are not errors (info diagnostics).

Blank optional values on open deals (D032) and team members who own no deals (D033): both
are normal in CRM data (a prospect has no account yet, a new hire has no pipeline) but a
person checking a run wants to know. A teams.leader_id that the leaderships table
overrules (D038) is a warning: the file says one leader, the engine credits another.
"""

from __future__ import annotations

from datetime import date
from pathlib import PurePath

import pyarrow as pa
import pyarrow.compute as pc

from teamquota.core.diagnostics import Diagnostics, Source
from teamquota.data.dataset import Dataset
from teamquota.data.table_checks import lookalike

WON_OR_LOST = ("Won", "Lost")


def summarise(dataset: Dataset) -> Diagnostics:
    out = Diagnostics()
    deals = dataset.get("deals")
    if deals is not None and deals.num_rows:
        where = Source(dataset.sources.get("deals", "<deals>"))
        for column in ("account", "product"):
            count = deals[column].null_count  # kept by Arrow: no pass over the rows
            if not count:
                continue
            blank = pc.is_null(deals[column])
            closed_mask = pc.and_(blank, pc.is_in(deals["stage"], pa.array(WON_OR_LOST)))
            closed = pc.sum(closed_mask.cast("int64")).as_py() or 0
            which = "all of them open" if closed == 0 else f"{closed:,} of them Won or Lost"
            if count == deals.num_rows:
                which = "that is, on every deal"
            noun = "deal" if count == 1 else "deals"
            out.info("D032", f"column '{column}' is blank on {count:,} {noun}, {which}", where)
        for stage in pc.unique(deals["stage"]).drop_null().to_pylist():
            word = lookalike(stage, WON_OR_LOST)
            if word is not None:
                count = pc.sum(pc.equal(deals["stage"], stage).cast("int64")).as_py()
                out.warning("D036", f"stage '{stage}' on {count:,} deals looks like '{word}' "
                            f"but is not spelled '{word}', so those deals count as open", where,
                            f"map it in a column map: values: {{stage: {{{stage}: {word}}}}}")
    leaders_overruled(dataset, out)
    if deals is not None and {"memberships", "payees"} <= set(dataset.tables):
        # owners first: 10M deals have thousands of owners, a small set to look members up in
        idle_members(dataset, pc.unique(deals["owner_id"]), out)
    return out


def idle_members(dataset: Dataset, owners: pa.Array, out: Diagnostics) -> None:
    """D033: team members who own none of the deals (``owners``: the distinct owners)."""
    memberships, payees = dataset.get("memberships"), dataset.get("payees")
    if memberships is None or payees is None:
        return
    members = pc.unique(memberships["payee_id"])
    idle = members.filter(pc.invert(pc.is_in(members, owners)))
    if len(idle):
        names = payees.filter(pc.is_in(payees["payee_id"], idle))["name"].to_pylist()
        verb = "members own" if len(idle) != 1 else "member owns"
        listed = ", ".join(sorted(str(n) for n in names))
        out.info("D033", f"{len(idle)} team {verb} no deals: {listed}",
                 Source(dataset.sources.get("deals", "<deals>")),
                 "new hires or inactive reps: their targets still count for teams")


def leaders_overruled(dataset: Dataset, out: Diagnostics) -> None:
    """D038: a team's ``leader_id`` that is not its ongoing leader in the leaderships table,
    which lists the team and so decides who leads it on each day (engine/credit.py)."""
    teams, spans = dataset.get("teams"), dataset.get("leaderships")
    if teams is None or spans is None or spans.num_rows == 0:
        return
    span_lines = dataset.row_lines.get("leaderships")
    spans_file = dataset.sources.get("leaderships", "<leaderships>")
    latest: dict[str, tuple[date, date | None, str, int]] = {}  # team -> its latest span
    for row, (team, leader, start, end) in enumerate(zip(
            *(spans[c].to_pylist() for c in ("team_id", "leader_id", "start_date",
                                              "end_date")), strict=True)):
        if team is not None and start is not None and (
                team not in latest or start >= latest[team][0]):
            latest[team] = (start, end, leader, row)
    team_lines = dataset.row_lines.get("teams")
    where = dataset.sources.get("teams", "<teams>")
    for row, (team, leader) in enumerate(zip(teams["team_id"].to_pylist(),
                                             teams["leader_id"].to_pylist(), strict=True)):
        if leader is None or team not in latest:
            continue
        start, end, ongoing, span_row = latest[team]
        line = f"line {span_lines[span_row]}" if span_lines is not None else f"row {span_row + 1}"
        if end is None and ongoing == leader:
            continue
        if end is None:
            found = f"'{ongoing}' leads it from {start} ({line})"
        else:
            found = f"no one leads it after {end} ({line})"
        out.warning("D038", f"team '{team}': leader_id '{leader}' is not its ongoing leader "
                    f"in {PurePath(spans_file).name}: {found}",
                    Source(where, team_lines[row] if team_lines is not None else None),
                    "the leaderships table decides who leads a team on each day; set "
                    "leader_id to the ongoing leader, or leave it blank")
