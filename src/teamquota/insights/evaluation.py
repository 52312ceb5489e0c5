"""How well the watchlist finds planted under-performers, on worlds it was not tuned to.

Two scores:

* :func:`evaluate_family` (the one the docs report): on the world family of
  :mod:`teamquota.insights.worlds`, one planted world and its noise-only twin per seed. It
  returns one row per rep and world (the world's parameters, the planted truth, flagged,
  pattern); :func:`power_curve` turns them into recall by effect size and onset,
  :func:`summary` into precision (planted worlds), the false-flag rate (noise-only worlds)
  and the issue's target slice, :func:`smallest_effects` into the smallest effect found
  with 70% recall per team size and history length.
* :func:`evaluate_watchlist`: the project's original generator (:mod:`synthetic`), kept
  as a regression check (it is the world the old rule was tuned on).

Run the family evaluation as ``python -m teamquota.insights.evaluation --worlds N --seed S
--out DIR`` (or ``teamquota watchlist --evaluate --worlds N --seed S``): it prints the
tables and writes them as CSV. Seeds below 1000 tuned the defaults (0-39); 1000-1199
scored an earlier version, 1200-1599 the shipped defaults (docs/insights.md).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

import pandas as pd

from teamquota.insights.synthetic import SyntheticConfig, generate_history
from teamquota.insights.watchlist import NO_DATA, WatchlistRules, assess, assess_each
from teamquota.insights.worlds import draw_world, make_world

HELD_OUT_SEED = 1200   # seeds below 1000 tuned the defaults; 1200-1599 scored them
RECALL_GOAL = 0.7
FALSE_FLAG_LIMIT = 0.05


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
    """Precision, recall and false flags on the original generator (planted + pure noise)."""
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


def evaluate_family(seeds: Iterable[int], rules: Sequence[WatchlistRules] | None = None
                    ) -> pd.DataFrame:
    """One row per (rules index, world, rep): world parameters, truth, flagged, pattern.

    Every seed gives a planted world and its noise-only twin; each world is generated once
    and assessed under every ``rules`` (default: the shipped defaults only).
    """
    rule_list = list(rules) if rules else [WatchlistRules()]
    frames = []
    for seed in seeds:
        for noise_only in (False, True):
            spec = draw_world(seed, noise_only=noise_only)
            history = make_world(spec)
            truth = history.truth[["payee_id", "pattern", "channel", "effect", "last"]]
            tables = assess_each(history.dataset, rule_list, focus=False)
            for index, table in enumerate(tables):
                table = table[["payee_id", "status", "flagged", "pattern"]].rename(
                    columns={"pattern": "found_pattern"})
                rows = truth.merge(table, on="payee_id", how="left")
                rows["flagged"] = rows["flagged"].fillna(False).astype(bool)
                rows = rows.assign(rules=index, seed=seed, noise_world=noise_only,
                                   team_size=spec.team_size, n_periods=spec.n_periods)
                frames.append(rows)
    return pd.concat(frames, ignore_index=True)


def _onset(rows: pd.DataFrame) -> pd.Series:
    return rows["last"].map(lambda d: "from the start" if d == 0 else f"last {d}")


def power_curve(rows: pd.DataFrame) -> pd.DataFrame:
    """Recall by onset and effect size (planted reps of the planted worlds)."""
    planted = rows[rows["pattern"] != "none"].assign(onset=_onset)
    table = (planted.groupby(["onset", "effect"], as_index=False)
             .agg(planted=("flagged", "size"), found=("flagged", "sum")))
    table["recall"] = table["found"] / table["planted"]
    return table


def _rates(rows: pd.DataFrame) -> dict[str, float | int]:
    planted_worlds = rows[~rows["noise_world"]]
    noise_worlds = rows[rows["noise_world"]]
    is_planted = planted_worlds["pattern"] != "none"
    flags = int(planted_worlds["flagged"].sum())
    hits = planted_worlds[planted_worlds["flagged"] & is_planted]
    noise_flags = int(noise_worlds["flagged"].sum())
    return {"planted": int(is_planted.sum()), "found": len(hits),
            "recall": len(hits) / int(is_planted.sum()) if is_planted.any() else float("nan"),
            "flags": flags, "precision": len(hits) / flags if flags else float("nan"),
            "pattern_right": int((hits["found_pattern"] == hits["pattern"]).sum()),
            "noise_reps": len(noise_worlds), "noise_flags": noise_flags,
            "false_flag_rate": noise_flags / len(noise_worlds) if len(noise_worlds)
            else float("nan"),
            "no_data_reps": int((rows["status"] == NO_DATA).sum())}


def summary(rows: pd.DataFrame) -> pd.DataFrame:
    """Overall, and the issue's target slice: effects >= 30% present for >= 4 periods
    (from the start) in teams of >= 6; its precision and false flags are over those teams'
    worlds."""
    big = rows[rows["team_size"] >= 6]
    target = big[(big["pattern"] == "none") | ((big["effect"] >= 0.3) & (big["last"] == 0))]
    # precision of the slice counts every flag in those worlds, planted outside the slice
    # or not, as the leader would see them: a smaller or recent planted rep is a true flag
    slice_rates = _rates(target)
    worlds = _rates(big)
    slice_rates["flags"], slice_rates["precision"] = worlds["flags"], worlds["precision"]
    out = pd.DataFrame([{"slice": "all worlds", **_rates(rows)},
                        {"slice": "target: effect >= 30% from the start, teams >= 6",
                         **slice_rates}])
    return out


SIZE_BANDS = ((4, 5), (6, 9), (10, 15))
LENGTH_BANDS = ((4, 6), (7, 9), (10, 12))


def smallest_effects(rows: pd.DataFrame) -> pd.DataFrame:
    """Per team size and history length band: the false-flag rate on noise, and the
    smallest effect (from the start) found with >= 70% recall, if that rate is <= 5%."""
    out = []
    for low, high in SIZE_BANDS:
        for first, last in LENGTH_BANDS:
            cell = rows[rows["team_size"].between(low, high)
                        & rows["n_periods"].between(first, last)]
            noise = cell[cell["noise_world"]]
            rate = float(noise["flagged"].mean()) if len(noise) else float("nan")
            persistent = cell[(cell["pattern"] != "none") & (cell["last"] == 0)]
            by_effect = persistent.groupby("effect")["flagged"].agg(["size", "mean"])
            reached = by_effect[by_effect["mean"] >= RECALL_GOAL].index
            smallest = (float(min(reached)) if len(reached) and rate <= FALSE_FLAG_LIMIT
                        else float("nan"))
            out.append({"team_size": f"{low}-{high}", "periods": f"{first}-{last}",
                        "planted": len(persistent), "noise_reps": len(noise),
                        "false_flag_rate": rate, "smallest_effect_70": smallest,
                        "recall_by_effect": "; ".join(
                            f"{e:.0%}: {m:.2f} (n={int(n)})"
                            for e, (n, m) in by_effect.iterrows())})
    return pd.DataFrame(out)


def report(rows: pd.DataFrame, out: Path | None = None) -> dict[str, pd.DataFrame]:
    tables = {"summary": summary(rows), "power_curve": power_curve(rows),
              "smallest_effect": smallest_effects(rows)}
    if out is not None:
        out.mkdir(parents=True, exist_ok=True)
        from teamquota.core.spreadsheet import write_csv  # the one CSV writer (formula-safe)
        for name, table in tables.items():
            write_csv(table.itertuples(index=False), out / f"{name}.csv",
                      [str(c) for c in table.columns])
    return tables


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m teamquota.insights.evaluation",
        description="Score the watchlist's defaults on the world family (planted and "
                    "noise-only twins): power curve, precision, false flags.")
    parser.add_argument("--worlds", type=int, default=100, help="seeds (x2 worlds)")
    parser.add_argument("--seed", type=int, default=HELD_OUT_SEED, help="first seed")
    parser.add_argument("--out", type=Path, default=Path("out/insights/evaluation"))
    args = parser.parse_args(argv)
    if args.worlds < 1:
        parser.error(f"--worlds {args.worlds}: expected at least 1")
    rows = evaluate_family(range(args.seed, args.seed + args.worlds))
    tables = report(rows, args.out)
    with pd.option_context("display.width", 200, "display.max_colwidth", 120):
        for name, table in tables.items():
            print(f"== {name} (seeds {args.seed}-{args.seed + args.worlds - 1})")
            print(table.to_string(index=False, float_format=lambda x: f"{x:.3f}"))
    print(f"tables written to {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
