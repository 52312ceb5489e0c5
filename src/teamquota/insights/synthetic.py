"""Synthetic activity logs and multi-period sales histories with KNOWN ground truth.

The real CRM demo has no activities, and no one knows who "really" under-performed in it,
so the statistics of the insights are tested here, where the truth is planted. The
generative model, per rep and quarter (all seeded, so the same seed gives the same data):

1. **Activities.** Each activity type (call, meeting, social_message, crm_update) arrives
   as a Poisson process: ``weekly_activities x mix[type] x rep activity multiplier`` per
   week. Each activity lands on an account of the rep's book (a few books share an account
   with a colleague; a small share of activities lands on a colleague's account).
2. **Pipeline.** Each activity independently opens an opportunity on its account with
   probability ``conversion[type] x rep conversion multiplier``; the deal is engaged 1-14
   days after the activity.
3. **Outcome.** A deal closes after a Gamma-distributed cycle (mean ``cycle_days``); it is
   won with probability ``win_rate x rep win multiplier``. Amount = product list price x
   lognormal noise. Deals closing after the history ends stay open (stage ``Engaging``).
4. **Targets.** Every rep's quarterly target is the expected bookings of a baseline rep
   (computed from the model's parameters), so attainment near 1.0 is normal.

Normal reps get small talent differences (lognormal multipliers, sd ``talent_sd``).
Planted under-performers, one per non-noise team, cycling through the patterns:

* ``disengaged``: activity x 0.4, conversion and win rate normal (low activity, low outcome);
* ``busy_not_converting``: activity x 1.5, conversion x 0.5, win rate x 0.6 (busy, but
  bookings about 45% of normal);
* ``recent_drop``: normal, then over the last ``drop_periods`` quarters activity x 0.85 and
  win rate x 0.4.

``noise_teams`` teams contain no planted rep at all (pure noise): every flag there is false.

The same model, parametrised (the world family of :mod:`teamquota.insights.worlds`):
``plants`` replaces the default planting with :class:`Plant` s of a chosen channel
(activity or conversion), effect size and onset (from the start, or the last 1-3 quarters);
``season_amplitude`` makes every rep's activity follow the calendar quarter,
``team_shock_sd`` moves a whole team's activity each quarter (lognormal), and
``missing_activity_share`` drops the activity log of that share of reps. These draw from a
second random stream, so the defaults give the same data as before to the last deal.
Conflict ground truth is planted too: shared accounts (same-team and cross-team pairs) and
deals whose owner changed shortly before close (``previous_owner_id``,
``owner_changed_date`` deal columns).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

import numpy as np
import pandas as pd
import pyarrow as pa

from teamquota.data.dataset import Dataset
from teamquota.data.tables import ACTIVITIES, DEALS, MEMBERSHIPS, PAYEES, TARGETS, TEAMS

PATTERNS = ("disengaged", "busy_not_converting", "recent_drop")
TYPES = ("call", "meeting", "social_message", "crm_update")


@dataclass(frozen=True)
class Plant:
    """One planted under-performer: ``channel`` ('activity' or 'conversion') is ``effect``
    below the rep's own level (0.3 = 30% less), from the start (``last`` 0) or over the
    last ``last`` labelled quarters only (a recent drop)."""

    seat: int
    channel: str
    effect: float
    last: int = 0

    @property
    def pattern(self) -> str:
        if self.last:
            return "recent_drop"
        return "disengaged" if self.channel == "activity" else "busy_not_converting"


@dataclass(frozen=True)
class SyntheticConfig:
    n_teams: int = 6
    reps_per_team: int = 6
    noise_teams: int = 2
    n_periods: int = 8                 # labelled quarters (a warm-up quarter precedes them)
    first_quarter: date = date(2016, 1, 1)
    weekly_activities: float = 40.0
    mix: tuple[float, ...] = (0.4, 0.12, 0.4, 0.08)          # call, meeting, social, crm
    conversion: tuple[float, ...] = (0.08, 0.5, 0.03, 0.0)
    win_rate: float = 0.45
    products: tuple[tuple[str, int, float], ...] = (
        ("Core", 3000, 0.45), ("Plus", 6000, 0.4), ("Suite", 12000, 0.15))
    sectors: tuple[str, ...] = ("retail", "finance", "medical", "software", "telecom")
    amount_sigma: float = 0.25
    cycle_days: float = 45.0
    talent_sd: float = 0.05
    accounts_per_rep: int = 200
    shared_accounts: int = 4           # accounts worked by two reps (half same-team)
    foreign_activity_share: float = 0.01
    late_change_share: float = 0.03    # deals handed over shortly before close
    drop_periods: int = 3
    target_incentive: int = 40000
    plants: tuple[Plant, ...] | None = None   # None: the default planting above
    season_amplitude: float = 0.0      # activity x (1 + a cos(2 pi quarter / 4 + phase))
    team_shock_sd: float = 0.0         # sd of log team activity per quarter
    missing_activity_share: float = 0.0


@dataclass
class SyntheticHistory:
    """A generated dataset and the truth planted in it."""

    dataset: Dataset
    truth: pd.DataFrame            # payee_id, team_id, pattern ('none' or a PATTERNS name),
    #                                noise_team
    periods: list[str]             # labelled quarters, oldest first
    shared_accounts: pd.DataFrame  # account, owner_id, colleague_id, same_team
    late_changes: pd.DataFrame     # deal_id, owner_id, previous_owner_id, days_before_close
    config: SyntheticConfig = field(default_factory=SyntheticConfig)


def _quarter_starts(first: date, count: int) -> list[date]:
    starts = []
    y, m = first.year, first.month
    for _ in range(count + 1):
        starts.append(date(y, m, 1))
        m += 3
        if m > 12:
            y, m = y + 1, m - 12
    return starts  # count quarters + the day after the last one


def _decimal(values: pa.Array, type_: pa.DataType) -> pa.Array:
    # int64 -> decimal needs 19 integer digits first; whole amounts then fit decimal(18, s)
    return values.cast(pa.decimal128(38, type_.scale)).cast(type_)


def baseline_target(config: SyntheticConfig, days: int) -> float:
    """Expected bookings of a rep with all multipliers 1 over ``days``."""
    opportunities = (days / 7.0) * config.weekly_activities * float(
        np.dot(config.mix, config.conversion))
    price = sum(p * w for _, p, w in config.products) * float(
        np.exp(config.amount_sigma**2 / 2))
    return opportunities * config.win_rate * price


def generate_history(seed: int = 0, config: SyntheticConfig | None = None) -> SyntheticHistory:
    cfg = config or SyntheticConfig()
    rng = np.random.default_rng(seed)
    n_reps = cfg.n_teams * cfg.reps_per_team
    team_index = np.repeat(np.arange(cfg.n_teams), cfg.reps_per_team)
    team_ids = np.array([f"team-{t + 1}" for t in range(cfg.n_teams)])
    rep_ids = np.array([f"t{t + 1}-r{r + 1}" for t in range(cfg.n_teams)
                        for r in range(cfg.reps_per_team)])

    # --- who is planted: one rep per non-noise team (a random seat), patterns cycling
    pattern = np.array(["none"] * n_reps, dtype=object)
    if cfg.plants is None:
        planted_teams = range(cfg.noise_teams, cfg.n_teams)
        for i, t in enumerate(planted_teams):
            seat = t * cfg.reps_per_team + int(rng.integers(cfg.reps_per_team))
            pattern[seat] = PATTERNS[(i + seed) % len(PATTERNS)]
        legacy = pattern
    else:
        for plant in cfg.plants:
            pattern[plant.seat] = plant.pattern
        legacy = np.array(["none"] * n_reps, dtype=object)  # no default multipliers

    talent = np.exp(rng.normal(0.0, cfg.talent_sd, size=(3, n_reps)))
    activity_mult, conversion_mult, win_mult = talent
    activity_mult = activity_mult * np.select(
        [legacy == "disengaged", legacy == "busy_not_converting"], [0.4, 1.5], 1.0)
    conversion_mult = conversion_mult * np.where(legacy == "busy_not_converting", 0.5, 1.0)
    win_mult = win_mult * np.where(legacy == "busy_not_converting", 0.6, 1.0)

    # --- account books; some accounts shared with a colleague (same team, then cross team)
    books = np.array([[f"acc-{rep}-{a + 1:03d}" for a in range(cfg.accounts_per_rep)]
                      for rep in rep_ids], dtype=object)
    shared_rows = []
    for s in range(cfg.shared_accounts):
        owner = int(rng.integers(n_reps))
        same = s % 2 == 0
        pool = np.flatnonzero((team_index == team_index[owner]) if same
                              else (team_index != team_index[owner]))
        pool = pool[pool != owner]
        colleague = int(rng.choice(pool))
        account = books[owner, s]
        # both reps put a tenth of their activity on the shared account, so in every
        # quarter both have deals there (a planted conflict, not a coincidence)
        slots = slice(cfg.accounts_per_rep - (s + 1) * cfg.accounts_per_rep // 10,
                      cfg.accounts_per_rep - s * cfg.accounts_per_rep // 10)
        books[colleague, slots] = account
        books[owner, slots] = account
        shared_rows.append((account, rep_ids[owner], rep_ids[colleague], same))
    sectors = {acc: cfg.sectors[int(rng.integers(len(cfg.sectors)))]
               for acc in np.unique(books)}

    # --- activities: Poisson counts per (quarter, rep, type), then one row each
    starts = _quarter_starts(cfg.first_quarter, cfg.n_periods + 1)
    n_q = cfg.n_periods + 1
    q_days = np.array([(starts[q + 1] - starts[q]).days for q in range(n_q)])
    drop_from = starts[n_q - cfg.drop_periods]
    drop_active = (np.arange(n_q) >= n_q - cfg.drop_periods)[:, None] & (
        legacy == "recent_drop")[None, :]
    q_activity, q_conversion = _family_multipliers(seed, cfg, starts[:-1], team_index)
    rate = (q_days[:, None, None] / 7.0) * cfg.weekly_activities * np.array(cfg.mix)[None, None, :]
    rate = rate * (activity_mult * np.where(drop_active, 0.85, 1.0) * q_activity)[:, :, None]
    counts = rng.poisson(rate)
    q_of, rep_of, type_of = (np.repeat(ix.ravel(), counts.ravel()) for ix in np.indices(
        counts.shape))
    n_act = len(q_of)
    start_ord = np.array([s.toordinal() for s in starts[:-1]])
    act_ord = start_ord[q_of] + (rng.random(n_act) * q_days[q_of]).astype(int)
    act_account = books[rep_of, rng.integers(cfg.accounts_per_rep, size=n_act)]
    foreign = rng.random(n_act) < cfg.foreign_activity_share
    other = (rep_of + 1 + rng.integers(n_reps - 1, size=n_act)) % n_reps
    act_account = np.where(foreign, books[other, rng.integers(cfg.accounts_per_rep,
                                                              size=n_act)], act_account)

    # --- pipeline: each activity may open a deal on its account
    p_open = (np.array(cfg.conversion)[type_of] * conversion_mult[rep_of]
              * q_conversion[q_of, rep_of])
    opened = rng.random(n_act) < p_open
    d_rep = rep_of[opened]
    d_account = act_account[opened]
    n_deals = len(d_rep)
    engage_ord = act_ord[opened] + rng.integers(1, 15, size=n_deals)
    cycle = np.maximum(1, np.rint(rng.gamma(4.0, cfg.cycle_days / 4.0, size=n_deals))).astype(
        int)
    close_ord = engage_ord + cycle
    names, prices, weights = zip(*cfg.products, strict=True)
    product_ix = rng.choice(len(names), size=n_deals, p=np.array(weights) / sum(weights))
    amount = np.rint(np.array(prices)[product_ix] * np.exp(
        rng.normal(0.0, cfg.amount_sigma, size=n_deals))).astype(np.int64)
    dropping = (legacy[d_rep] == "recent_drop") & (close_ord >= drop_from.toordinal())
    p_win = np.clip(cfg.win_rate * win_mult[d_rep] * np.where(dropping, 0.4, 1.0), 0, 1)
    won = rng.random(n_deals) < p_win
    end_ord = starts[-1].toordinal() - 1
    closed = close_ord <= end_ord
    stage = np.where(~closed, "Engaging", np.where(won, "Won", "Lost"))

    # --- late owner changes: a colleague handed the deal over shortly before close
    late = closed & (rng.random(n_deals) < cfg.late_change_share)
    same_team_pick = rng.random(n_deals) < 0.6
    offset = 1 + rng.integers(cfg.reps_per_team - 1, size=n_deals)
    teammate = team_index[d_rep] * cfg.reps_per_team + (
        (d_rep % cfg.reps_per_team + offset) % cfg.reps_per_team)
    stranger = (d_rep + cfg.reps_per_team * (1 + rng.integers(cfg.n_teams - 1, size=n_deals))
                ) % n_reps
    previous = np.where(same_team_pick, teammate, stranger)
    days_before = rng.integers(1, 31, size=n_deals)

    deal_ids = np.array([f"D{seed:03d}-{i:06d}" for i in range(n_deals)])
    epoch = date(1970, 1, 1).toordinal()
    deals = pa.table({
        "deal_id": deal_ids,
        "owner_id": rep_ids[d_rep],
        "account": d_account,
        "product": np.array(names)[product_ix],
        "amount": _decimal(pa.array(np.where(closed, amount, 0), pa.int64(), mask=~closed),
                           DEALS.column("amount").type),
        "currency": pa.nulls(n_deals, pa.string()),
        "stage": stage,
        "close_date": pa.array(close_ord - epoch, pa.int32(), mask=~closed).cast(pa.date32()),
        "engage_date": pa.array(engage_ord - epoch, pa.int32()).cast(pa.date32()),
        "sector": np.array([sectors[a] for a in d_account], dtype=object),
        "previous_owner_id": pa.array(rep_ids[previous], pa.string(), mask=~late),
        "owner_changed_date": pa.array(close_ord - days_before - epoch, pa.int32(),
                                       mask=~late).cast(pa.date32()),
    })
    logged = np.ones(n_act, dtype=bool)
    if cfg.missing_activity_share > 0:
        missing = np.random.default_rng([seed, 17]).random(n_reps) < cfg.missing_activity_share
        logged = ~missing[rep_of]
    q_of, rep_of, type_of, act_ord, act_account = (
        a[logged] for a in (q_of, rep_of, type_of, act_ord, act_account))
    n_act = len(q_of)
    activities = pa.table({
        "payee_id": rep_ids[rep_of],
        "type": np.array(TYPES)[type_of],
        "date": pa.array(act_ord - epoch, pa.int32()).cast(pa.date32()),
        "account": act_account,
        "quantity": _decimal(pa.array(np.ones(n_act, dtype=np.int64)),
                             ACTIVITIES.column("quantity").type),
    })

    labelled = [f"{s.year}-Q{(s.month - 1) // 3 + 1}" for s in starts[1:-1]]
    target_rows = [{"subject_type": "payee", "subject_id": rep, "measure": "bookings",
                    "period": label,
                    "amount": str(round(baseline_target(cfg, int(q_days[q + 1]))))}
                   for q, label in enumerate(labelled) for rep in rep_ids]
    payees = ([{"payee_id": rep, "name": f"Rep {rep}", "role": "AE",
                "target_incentive": str(cfg.target_incentive)} for rep in rep_ids]
              + [{"payee_id": f"lead-{t + 1}", "name": f"Leader {t + 1}", "role": "leader",
                  "target_incentive": str(cfg.target_incentive)} for t in range(cfg.n_teams)])
    teams = [{"team_id": tid, "name": f"Team {t + 1}", "leader_id": f"lead-{t + 1}"}
             for t, tid in enumerate(team_ids)]
    memberships = [{"payee_id": rep, "team_id": team_ids[team_index[i]],
                    "start_date": starts[0]} for i, rep in enumerate(rep_ids)]
    from teamquota.data.dataset import to_table
    dataset = Dataset({
        "payees": to_table(PAYEES, payees), "teams": to_table(TEAMS, teams),
        "memberships": to_table(MEMBERSHIPS, memberships), "deals": deals,
        "activities": activities, "targets": to_table(TARGETS, target_rows),
    }, {name: f"<synthetic seed {seed}>" for name in
        ("payees", "teams", "memberships", "deals", "activities", "targets")})

    truth = pd.DataFrame({"payee_id": rep_ids, "team_id": team_ids[team_index],
                          "pattern": pattern, "noise_team": team_index < cfg.noise_teams})
    if cfg.plants is not None:
        planted_teams_ = {int(team_index[p.seat]) for p in cfg.plants}
        truth["noise_team"] = [t not in planted_teams_ for t in team_index]
        truth["channel"], truth["effect"], truth["last"] = "", 0.0, 0
        for plant in cfg.plants:
            truth.loc[plant.seat, ["channel", "effect", "last"]] = [
                plant.channel, plant.effect, plant.last]
    shared = pd.DataFrame(shared_rows, columns=["account", "owner_id", "colleague_id",
                                                "same_team"])
    late_changes = pd.DataFrame({
        "deal_id": deal_ids[late], "owner_id": rep_ids[d_rep[late]],
        "previous_owner_id": rep_ids[previous[late]],
        "days_before_close": days_before[late]})
    return SyntheticHistory(dataset, truth, labelled, shared, late_changes, cfg)


def _family_multipliers(seed: int, cfg: SyntheticConfig, starts: list[date],
                        team_index: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Per (quarter incl. warm-up, rep): activity and conversion multipliers from the
    plants, the season and the team shocks (all 1.0 with the defaults; own random stream)."""
    n_q, n_reps = len(starts), len(team_index)
    activity, conversion = np.ones((n_q, n_reps)), np.ones((n_q, n_reps))
    for plant in cfg.plants or ():
        rows = slice(n_q - plant.last, n_q) if plant.last else slice(None)
        target = activity if plant.channel == "activity" else conversion
        target[rows, plant.seat] *= 1.0 - plant.effect
    extra = np.random.default_rng([seed, 16])
    if cfg.season_amplitude:
        phase = extra.uniform(0, 2 * np.pi)
        quarter = np.array([(s.month - 1) // 3 for s in starts])
        activity *= (1.0 + cfg.season_amplitude * np.cos(2 * np.pi * quarter / 4 + phase)
                     )[:, None]
    if cfg.team_shock_sd:
        shock = np.exp(extra.normal(0.0, cfg.team_shock_sd,
                                    size=(n_q, int(team_index.max()) + 1)))
        activity *= shock[:, team_index]
    return activity, conversion


def history_end(history: SyntheticHistory) -> date:
    starts = _quarter_starts(history.config.first_quarter, history.config.n_periods + 1)
    return starts[-1] - timedelta(days=1)
