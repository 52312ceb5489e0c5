"""Empirical-Bayes shrinkage: small samples are pulled toward their peer group.

* Rates (win rate, activity conversion): beta-binomial. The Beta(a, b) prior is fitted to
  the peer group by the method of moments on the intra-class correlation rho
  (Var(k_i/n_i) = mu(1-mu)/n_i * (1 + (n_i-1) rho); prior strength a+b = 1/rho - 1), and each
  member's posterior is Beta(a + k_i, b + n_i - k_i).
* Means (log deal size, cycle days): normal-normal. The between-member variance tau^2 is
  the variance of the member means minus their average sampling variance (never below 0);
  each posterior mean is the precision-weighted average of the member's mean and the group
  mean.

Every estimate comes with a central posterior interval (90% by default).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats

# Prior strength used when the group shows no spread beyond binomial noise (rho <= 0):
# members are then indistinguishable and are pulled almost all the way to the group rate.
MAX_PRIOR_STRENGTH = 1000.0
MIN_PRIOR_STRENGTH = 1e-3


@dataclass(frozen=True)
class BetaPrior:
    mean: float
    strength: float  # a + b

    @property
    def a(self) -> float:
        return self.mean * self.strength

    @property
    def b(self) -> float:
        return (1.0 - self.mean) * self.strength


def fit_beta_prior(trials: np.ndarray, successes: np.ndarray) -> BetaPrior:
    """Method-of-moments Beta prior for a group of binomial counts.

    With mu = sum k / sum n, S = sum n_i (k_i/n_i - mu)^2, N = sum n_i and m members,
    E[S] = mu(1-mu) * ((m-1) + rho (N - sum n_i^2 / N - (m-1))), solved for rho.
    """
    n = np.asarray(trials, dtype=float)
    k = np.asarray(successes, dtype=float)
    keep = n > 0
    n, k = n[keep], k[keep]
    total = n.sum()
    if total == 0:
        return BetaPrior(0.5, 2.0)
    mu = k.sum() / total
    m = len(n)
    if mu <= 0.0 or mu >= 1.0:
        # all lost (or all won): the spread says nothing; a weak prior centred half a
        # success away from the edge (Jeffreys-like) keeps every interval proper
        return BetaPrior((k.sum() + 0.5) / (total + 1.0), 1.0)
    if m < 2:
        return BetaPrior(mu, MAX_PRIOR_STRENGTH)
    spread = float(np.sum(n * (k / n - mu) ** 2))
    denominator = total - float(np.sum(n**2)) / total - (m - 1)
    if denominator <= 0:
        return BetaPrior(mu, MAX_PRIOR_STRENGTH)
    rho = (spread / (mu * (1 - mu)) - (m - 1)) / denominator
    if rho <= 0:
        return BetaPrior(mu, MAX_PRIOR_STRENGTH)
    strength = min(max(1.0 / min(rho, 1.0) - 1.0, MIN_PRIOR_STRENGTH), MAX_PRIOR_STRENGTH)
    return BetaPrior(mu, strength)


def beta_posterior(trials: np.ndarray, successes: np.ndarray, prior: BetaPrior,
                   level: float = 0.9) -> pd.DataFrame:
    """Posterior mean and central interval for each member's rate."""
    n = np.asarray(trials, dtype=float)
    k = np.asarray(successes, dtype=float)
    a = prior.a + k
    b = prior.b + n - k
    tail = (1.0 - level) / 2.0
    return pd.DataFrame({
        "mean": a / (a + b),
        "low": stats.beta.ppf(tail, a, b),
        "high": stats.beta.ppf(1.0 - tail, a, b),
    })


def shrink_rates(frame: pd.DataFrame, group: list[str], trials: str, successes: str,
                 level: float = 0.9, prefix: str = "rate") -> pd.DataFrame:
    """Add ``<prefix>_raw``, ``_shrunk``, ``_low``, ``_high`` and ``<prefix>_group``.

    The prior is fitted separately within each ``group`` (e.g. team x product), so a rep is
    pulled toward the peers who sell the same thing.
    """
    out = frame.copy()
    cols = {f"{prefix}_{s}": np.nan for s in ("raw", "shrunk", "low", "high", "group")}
    for name, value in cols.items():
        out[name] = value
    groups = out.groupby(group, sort=False, dropna=False).indices if group else {(): np.arange(
        len(out))}
    for index in groups.values():
        n = out[trials].to_numpy(dtype=float)[index]
        k = out[successes].to_numpy(dtype=float)[index]
        prior = fit_beta_prior(n, k)
        post = beta_posterior(n, k, prior, level)
        with np.errstate(invalid="ignore", divide="ignore"):
            out.iloc[index, out.columns.get_loc(f"{prefix}_raw")] = np.where(n > 0, k / n,
                                                                              np.nan)
        out.iloc[index, out.columns.get_loc(f"{prefix}_shrunk")] = post["mean"].to_numpy()
        out.iloc[index, out.columns.get_loc(f"{prefix}_low")] = post["low"].to_numpy()
        out.iloc[index, out.columns.get_loc(f"{prefix}_high")] = post["high"].to_numpy()
        out.iloc[index, out.columns.get_loc(f"{prefix}_group")] = prior.mean
    return out


@dataclass(frozen=True)
class NormalPrior:
    mean: float
    between_var: float  # tau^2
    within_var: float   # pooled sigma^2 of single observations


def fit_normal_prior(counts: np.ndarray, means: np.ndarray, variances: np.ndarray
                     ) -> NormalPrior:
    """Group mean, pooled within variance and between-member variance (method of moments).

    ``variances`` are each member's sample variances (ddof=1; NaN when a member has one
    observation). tau^2 = var(member means) - mean(sigma^2 / n_i), floored at 0.
    """
    n = np.asarray(counts, dtype=float)
    ybar = np.asarray(means, dtype=float)
    s2 = np.asarray(variances, dtype=float)
    keep = n > 0
    n, ybar, s2 = n[keep], ybar[keep], s2[keep]
    if len(n) == 0:
        return NormalPrior(float("nan"), 0.0, 0.0)
    grand = float(np.sum(n * ybar) / n.sum())
    dof = np.where(np.isnan(s2), 0.0, n - 1)
    within = float(np.sum(np.nan_to_num(s2) * dof) / dof.sum()) if dof.sum() > 0 else 0.0
    if len(n) < 2:
        return NormalPrior(grand, 0.0, within)
    between = float(np.var(ybar, ddof=1) - np.mean(within / n))
    return NormalPrior(grand, max(between, 0.0), within)


def normal_posterior(counts: np.ndarray, means: np.ndarray, prior: NormalPrior,
                     level: float = 0.9) -> pd.DataFrame:
    """Posterior of each member's true mean: precision-weighted toward the group mean."""
    n = np.asarray(counts, dtype=float)
    ybar = np.asarray(means, dtype=float)
    z = stats.norm.ppf(0.5 + level / 2.0)
    if prior.between_var <= 0.0:
        # no spread between members beyond noise: everyone's best estimate is the group's
        mean = np.full_like(ybar, prior.mean)
        sd = np.full_like(ybar, float(np.sqrt(prior.within_var / max(n.sum(), 1.0))))
    else:
        with np.errstate(divide="ignore"):
            data_precision = np.where(n > 0, n / max(prior.within_var, 1e-12), 0.0)
        precision = data_precision + 1.0 / prior.between_var
        mean = (np.nan_to_num(ybar) * data_precision + prior.mean / prior.between_var) / precision
        sd = np.sqrt(1.0 / precision)
    return pd.DataFrame({"mean": mean, "low": mean - z * sd, "high": mean + z * sd,
                         "sd": sd})
