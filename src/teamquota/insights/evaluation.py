"""Precision and recall of the watchlist on synthetic histories with planted truth.

``evaluate_watchlist`` runs the watchlist on ``seeds`` generated histories (planted
under-performers on some teams) and on as many pure-noise histories (no planted rep at
all), and counts: precision = flagged & planted / flagged; recall = flagged & planted /
planted; false-flag rate = flagged / reps on the pure-noise histories; pattern accuracy =
share of correctly flagged reps whose pattern label matches the planted one.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import pandas as pd

from teamquota.insights.synthetic import SyntheticConfig, generate_history
from teamquota.insights.watchlist import WatchlistRules, assess


@dataclass(frozen=True)
class WatchlistScore:
    precision: float
    recall: float
    false_flag_rate: float
    pattern_accuracy: float
    planted: int
    flagged: int
    true_flags: int
    noise_reps: int
    noise_flags: int


def evaluate_watchlist(seeds: range | list[int], config: SyntheticConfig | None = None,
                       rules: WatchlistRules | None = None) -> WatchlistScore:
    cfg = config or SyntheticConfig()
    planted = flagged = true_flags = right_pattern = noise_reps = noise_flags = 0
    for seed in seeds:
        history = generate_history(seed, cfg)
        table = assess(history.dataset, rules).merge(
            history.truth[["payee_id", "pattern"]].rename(columns={"pattern": "truth"}),
            on="payee_id")
        is_planted = table["truth"] != "none"
        planted += int(is_planted.sum())
        flagged += int(table["flagged"].sum())
        hits = table[table["flagged"] & is_planted]
        true_flags += len(hits)
        right_pattern += int((hits["pattern"] == hits["truth"]).sum())

        noise = generate_history(10_000 + seed, replace(cfg, noise_teams=cfg.n_teams))
        noise_table = assess(noise.dataset, rules)
        noise_reps += len(noise_table)
        noise_flags += int(noise_table["flagged"].sum())
    return WatchlistScore(
        precision=true_flags / flagged if flagged else 1.0,
        recall=true_flags / planted if planted else 1.0,
        false_flag_rate=noise_flags / noise_reps if noise_reps else 0.0,
        pattern_accuracy=right_pattern / true_flags if true_flags else 0.0,
        planted=planted, flagged=flagged, true_flags=true_flags,
        noise_reps=noise_reps, noise_flags=noise_flags)


def score_table(score: WatchlistScore) -> pd.DataFrame:
    return pd.DataFrame([score.__dict__])
