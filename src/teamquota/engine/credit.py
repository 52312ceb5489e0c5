"""Crediting: who gets credit for each deal (and activity), by which rule.

* payee credit — the owner, or the split table's payees and shares when a deal has splits;
* team credit — each credited payee's team on the close date (effective-dated membership:
  a rep who moves mid-quarter credits the old team before and the new team after);
* roll-up — every ancestor team, once per deal;
* leaders and overlays — credited for reporting and their own plans, but flagged
  ``counts_for_team = false`` so team totals never count a deal twice. A leader is credited
  for a deal when they led the team on its close date (effective-dated leadership, like
  membership: a leader who hands over on 10-01 keeps the deals closed up to 09-30).
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal

import ibis
import ibis.expr.types as ir

from teamquota.core.periods import Period

AMOUNT = "decimal(38,10)"
SHARE = "decimal(18,8)"
# an operand of an exact product: 13 whole digits and 10 places (see _exact_product); a
# split or foreign deal of PRODUCT_LIMIT or more is refused before crediting (run: E054)
FACTOR = "decimal(23,10)"
PRODUCT_LIMIT = Decimal(10) ** 13
OPEN_END = ibis.date(9999, 12, 31)
OPEN_START = ibis.date(1, 1, 1)  # an undated leader (teams.leader_id) leads from always


def _exact_product(amount: ir.Value, share: ir.Value) -> ir.Value:
    # Ibis refuses to multiply decimals of different types, and Spark keeps a product's
    # scale only while it fits 38 digits: (23,10) x (23,10) is (47,20), which Spark cuts
    # to scale 11 (38 - 27 whole digits), still exact for the 10 places of amount x share.
    # So amounts and rates below 10^13 (PRODUCT_LIMIT) multiply exactly.
    return (amount.cast(FACTOR) * share.cast(FACTOR)).cast(AMOUNT)


@dataclass(frozen=True)
class CreditInputs:
    events: ir.Table          # deals with period, value (plan currency) and attributes
    splits: ir.Table | None
    memberships: ir.Table
    closure: ir.Table         # team_id, ancestor_id, depth
    teams: ir.Table
    coverage: ir.Table | None
    # team_id, leader_id, start_date, end_date; None: teams.leader_id leads in every period
    leaderships: ir.Table | None = None


def period_label(day: ir.DateValue, periods: list[Period]) -> ir.StringValue:
    """The label of the period ``day`` falls in, for a day within the run's periods.

    The run's periods are consecutive, so one CASE over their end dates replaces a range
    join against a periods table (a third of the measure query's time at 10M deals)."""
    for before, after in itertools.pairwise(periods):
        if before.end + timedelta(days=1) != after.start:
            raise ValueError(f"periods {before.label} and {after.label} are not consecutive")
    if len(periods) == 1:
        return ibis.literal(periods[0].label, type="string")
    return ibis.cases(*[(day <= ibis.date(p.end), p.label) for p in periods[:-1]],
                      else_=periods[-1].label)


def deals_in_periods(deals: ir.Table, periods: list[Period], fx: ir.Table | None,
                     plan_currency: str) -> ir.Table:
    """Closed deals with their period and amount in the plan's currency (``value``).

    ``fx`` holds the rate into the plan's currency per (``from_currency``, ``day``), the
    most specific label already chosen (``data.fx.FxRates.days``): an equality join on the
    close date. A deal in another currency without a rate has no value (the run's check
    refuses it first, D011), never its amount as if it were in the plan's currency."""
    joined = deals.filter(deals.close_date.notnull(), deals.amount.notnull(),
                          deals.close_date >= ibis.date(periods[0].start),
                          deals.close_date <= ibis.date(periods[-1].end))
    joined = joined.mutate(period=period_label(joined.close_date, periods))
    foreign = joined.currency.notnull() & (joined.currency != plan_currency)
    if fx is None:
        return joined.mutate(value=ibis.cases((foreign, ibis.null(AMOUNT)),
                                              else_=joined.amount.cast(AMOUNT)))
    rates = fx.select(fx_currency="from_currency", fx_day="day", fx_rate="rate")
    converted = joined.left_join(rates, [joined.currency == rates.fx_currency,
                                         joined.close_date == rates.fx_day])
    foreign = converted.currency.notnull() & (converted.currency != plan_currency)
    value = ibis.cases((foreign, _exact_product(converted.amount, converted.fx_rate)),
                       else_=converted.amount.cast(AMOUNT))
    return converted.mutate(value=value).drop("fx_currency", "fx_day", "fx_rate")


def payee_credits(events: ir.Table, splits: ir.Table | None, use_splits: bool) -> ir.Table:
    """Owner credit, or split credit for deals that have split rows."""
    one = ibis.literal(1, type=SHARE)
    owner = events.mutate(subject_type=ibis.literal("payee"), subject_id=events.owner_id,
                          payee_id=events.owner_id, rule=ibis.literal("owner"), share=one,
                          amount_credited=events.value)
    if splits is None or not use_splits:
        return owner
    split_deals = splits.select(split_deal_id="deal_id").distinct()
    unsplit = owner.anti_join(split_deals, owner.deal_id == split_deals.split_deal_id)
    s = splits.select(s_deal_id="deal_id", s_payee_id="payee_id", s_share="share")
    split = events.join(s, events.deal_id == s.s_deal_id)
    split = split.mutate(subject_type=ibis.literal("payee"), subject_id=split.s_payee_id,
                         payee_id=split.s_payee_id, rule=ibis.literal("split"),
                         share=split.s_share.cast(SHARE),
                         amount_credited=_exact_product(split.value, split.s_share))
    split = split.drop("s_deal_id", "s_payee_id", "s_share")
    return unsplit.union(split.select(*unsplit.columns))


def team_credits(payee: ir.Table, memberships: ir.Table, closure: ir.Table,
                 event_date: str, rollup: bool) -> ir.Table:
    """Each payee credit to the payee's team on the event date, then to its ancestors."""
    m = memberships.select(m_payee_id="payee_id", m_team_id="team_id",
                           m_start="start_date", m_end="end_date")
    day = payee[event_date]
    joined = payee.join(m, [payee.payee_id == m.m_payee_id, day >= m.m_start,
                            day <= m.m_end.fill_null(OPEN_END)])
    direct = joined.mutate(subject_type=ibis.literal("team"), subject_id=joined.m_team_id,
                           rule=ibis.literal("membership"))
    direct = direct.drop("m_payee_id", "m_team_id", "m_start", "m_end")
    if not rollup:
        return direct
    c = closure.select(c_team_id="team_id", c_ancestor_id="ancestor_id")
    up = direct.join(c, direct.subject_id == c.c_team_id)
    up = up.mutate(subject_id=up.c_ancestor_id, rule=ibis.literal("rollup"))
    up = up.drop("c_team_id", "c_ancestor_id")
    return direct.union(up.select(*direct.columns))


def leader_spans(teams: ir.Table, leaderships: ir.Table | None) -> ir.Table:
    """Who leads which team when: ``l_team_id``, ``l_leader_id``, ``l_start``, ``l_end``
    (null: open). The leaderships rows decide for every team they list; a team they do not
    list is led by its ``teams.leader_id`` on every day (null start and end), as before
    leadership had dates."""
    undated = teams.filter(teams.leader_id.notnull()).select(
        l_team_id="team_id", l_leader_id="leader_id",
        l_start=ibis.null("date"), l_end=ibis.null("date"))
    if leaderships is None:
        return undated
    dated = leaderships.select(l_team_id="team_id", l_leader_id="leader_id",
                               l_start=leaderships.start_date.cast("date"),
                               l_end=leaderships.end_date.cast("date"))
    listed = dated.select(listed_team_id="l_team_id").distinct()
    rest = undated.anti_join(listed, undated.l_team_id == listed.listed_team_id)
    return dated.union(rest.select(*dated.columns))


def leader_credits(team: ir.Table, teams: ir.Table,
                   leaderships: ir.Table | None = None) -> ir.Table:
    """A leader is credited once per deal of any team they lead (incl. sub-teams) on the
    deal's close date (:func:`leader_spans`).

    A player-coach's own credit (the leader is the credited payee: owner or split) is
    already a payee credit, so it gets no leader credit on top: a payee is credited for
    each part of a deal once."""
    leaders = leader_spans(teams, leaderships)
    day = team.close_date
    joined = team.join(leaders, [team.subject_id == leaders.l_team_id,
                                 day >= leaders.l_start.fill_null(OPEN_START),
                                 day <= leaders.l_end.fill_null(OPEN_END)])
    joined = joined.filter(joined.l_leader_id != joined.payee_id)
    credited = joined.mutate(subject_type=ibis.literal("payee"), subject_id=joined.l_leader_id,
                             rule=ibis.literal("leader"))
    credited = credited.drop("l_team_id", "l_leader_id", "l_start", "l_end")
    # One credit per (deal, leader, credited payee) even if they lead nested teams.
    return credited.distinct()


def overlay_credits(events: ir.Table, memberships: ir.Table, coverage: ir.Table) -> ir.Table:
    """Coverage rows credit an overlay payee on covered accounts', payees' or teams' deals.

    A team is covered through the owner's membership on the close date. Where several
    coverage rows of one overlay payee match a deal, the largest share counts, once.
    """
    cov = coverage.select(o_payee_id="payee_id", o_type="covers_type", o_id="covers_id",
                          o_start="start_date", o_end="end_date",
                          o_share=coverage.share.fill_null(ibis.literal(1, type=SHARE)))
    m = memberships.select(m_payee_id="payee_id", m_team_id="team_id",
                           m_start="start_date", m_end="end_date")
    dated = events.left_join(m, [events.owner_id == m.m_payee_id,
                                 events.close_date >= m.m_start,
                                 events.close_date <= m.m_end.fill_null(OPEN_END)])
    matched = dated.join(cov, [
        ((cov.o_type == "account") & (dated.account == cov.o_id))
        | ((cov.o_type == "payee") & (dated.owner_id == cov.o_id))
        | ((cov.o_type == "team") & (dated.m_team_id == cov.o_id)),
        dated.close_date >= cov.o_start, dated.close_date <= cov.o_end.fill_null(OPEN_END)])
    best = matched.group_by([*events.columns, "o_payee_id"]).aggregate(
        o_share=matched.o_share.max())
    return best.mutate(subject_type=ibis.literal("payee"), subject_id=best.o_payee_id,
                       payee_id=best.owner_id, rule=ibis.literal("overlay"),
                       share=best.o_share.cast(SHARE),
                       amount_credited=_exact_product(best.value, best.o_share)
                       ).drop("o_payee_id", "o_share")


def all_credits(inputs: CreditInputs, use_splits: bool, rollup: bool, leaders: bool,
                overlay: bool) -> ir.Table:
    """Every credit row, with the event's attributes kept for measure filters."""
    payee = payee_credits(inputs.events, inputs.splits, use_splits)
    team = team_credits(payee, inputs.memberships, inputs.closure, "close_date", rollup)
    parts = [payee.mutate(counts_for_team=ibis.literal(True)),
             team.mutate(counts_for_team=ibis.literal(True))]
    if leaders:
        parts.append(leader_credits(team, inputs.teams, inputs.leaderships).mutate(
            counts_for_team=ibis.literal(False)))
    if overlay and inputs.coverage is not None:
        parts.append(overlay_credits(inputs.events, inputs.memberships, inputs.coverage).mutate(
            counts_for_team=ibis.literal(False)))
    columns = parts[0].columns
    result = parts[0]
    for part in parts[1:]:
        result = result.union(part.select(*columns))
    return result


def activity_credits(activities: ir.Table, periods: ir.Table, memberships: ir.Table,
                     closure: ir.Table, rollup: bool) -> ir.Table:
    """Activities count for the payee who did them and, by membership, their teams."""
    joined = activities.join(periods, [activities.date >= periods.period_start,
                                       activities.date <= periods.period_end])
    one = ibis.literal(1, type=SHARE)
    payee = joined.drop("period_start", "period_end").mutate(
        subject_type=ibis.literal("payee"), subject_id=joined.payee_id,
        rule=ibis.literal("owner"), share=one,
        quantity=joined.quantity.fill_null(ibis.literal(1, type="decimal(18,4)")))
    team = team_credits(payee, memberships, closure, "date", rollup)
    return payee.union(team.select(*payee.columns))
