"""A family of synthetic worlds for judging the watchlist on histories it was not tuned to.

One generator idea (:func:`teamquota.insights.synthetic.generate_history`), its knobs drawn
per world from wide ranges, so a detector cannot fit one setting:

* 4 teams of 4-15 reps (one size per world), 4-12 labelled quarters;
* planted worlds: each team has one planted rep with probability 3/4, whose activity
  (disengaged) or conversion (busy, not converting) is 20-60% below the rep's own level,
  from the start or over the last 1-3 quarters only (a recent drop);
* noise-only worlds: the same draws with no planted rep (every flag there is false);
* seasonality (activity amplitude 0-30% by calendar quarter), team-level shocks (sd of log
  team activity 0-0.25 per quarter), missing activity logs (0-30% of reps), deal-size
  spread (lognormal sigma 0.2-0.8), talent spread (sd 0.03-0.10 per multiplier) and volume
  (15-50 activities a week).

:func:`draw_world` turns a seed into a :class:`WorldSpec` (its parameters, reproducible);
:func:`make_world` generates the history. The truth comes back with each world.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from teamquota.insights.synthetic import (
    Plant,
    SyntheticConfig,
    SyntheticHistory,
    generate_history,
)

EFFECTS = (0.2, 0.3, 0.4, 0.5, 0.6)
N_TEAMS = 4


@dataclass(frozen=True)
class WorldSpec:
    seed: int
    noise_only: bool
    team_size: int
    n_periods: int
    plants: tuple[Plant, ...]
    season_amplitude: float
    team_shock_sd: float
    missing_activity_share: float
    amount_sigma: float
    talent_sd: float
    weekly_activities: float

    def config(self) -> SyntheticConfig:
        return SyntheticConfig(
            n_teams=N_TEAMS, reps_per_team=self.team_size, noise_teams=0,
            n_periods=self.n_periods, weekly_activities=self.weekly_activities,
            amount_sigma=self.amount_sigma, talent_sd=self.talent_sd,
            plants=self.plants, season_amplitude=self.season_amplitude,
            team_shock_sd=self.team_shock_sd,
            missing_activity_share=self.missing_activity_share)


def draw_world(seed: int, noise_only: bool = False, team_size: int | None = None,
               n_periods: int | None = None) -> WorldSpec:
    """The world of ``seed``: every parameter drawn from its range (or fixed by the caller).

    A noise-only world draws the same parameters and plants as its planted twin, then keeps
    no plant: the two differ only in the planted effects.
    """
    rng = np.random.default_rng([seed, 2026])
    size = int(rng.integers(4, 16)) if team_size is None else team_size
    periods = int(rng.integers(4, 13)) if n_periods is None else n_periods
    plants = []
    for team in range(N_TEAMS):
        planted = rng.random() < 0.75
        seat = team * size + int(rng.integers(size))
        channel = "activity" if rng.random() < 0.5 else "conversion"
        effect = float(rng.choice(EFFECTS))
        # half from the start, half a recent drop over the last 1-3 quarters
        last = 0 if rng.random() < 0.5 else int(rng.integers(1, 4))
        if planted:
            plants.append(Plant(seat, channel, effect, min(last, periods - 1)))
    return WorldSpec(
        seed=seed, noise_only=noise_only, team_size=size, n_periods=periods,
        plants=() if noise_only else tuple(plants),
        season_amplitude=float(rng.uniform(0.0, 0.3)),
        team_shock_sd=float(rng.uniform(0.0, 0.25)),
        missing_activity_share=float(rng.uniform(0.0, 0.3)),
        amount_sigma=float(rng.uniform(0.2, 0.8)),
        talent_sd=float(rng.uniform(0.03, 0.10)),
        weekly_activities=float(rng.uniform(15.0, 50.0)))


def make_world(spec: WorldSpec) -> SyntheticHistory:
    """The history of ``spec``; ``truth`` has pattern, channel, effect and last per rep."""
    history = generate_history(spec.seed, spec.config())
    if "effect" not in history.truth:  # a world without plants still says so per rep
        history.truth["channel"], history.truth["effect"], history.truth["last"] = "", 0.0, 0
    return history
