"""Empirical-Bayes shrinkage: priors and posteriors checked against hand arithmetic."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats

from teamquota.insights.shrinkage import (
    MAX_PRIOR_STRENGTH,
    beta_posterior,
    fit_beta_prior,
    fit_normal_prior,
    normal_posterior,
)


def test_fit_beta_prior__method_of_moments_by_hand() -> None:
    # reps: A 2/3, B 38/97, C 60/100 -> N = 200, K = 100, mu = 0.5
    # S = 3(2/3-1/2)^2 + 97(38/97-1/2)^2 + 100(0.6-0.5)^2 = 1/12 + 441/388 + 1
    # S / (mu(1-mu)) = 4S = 1/3 + 441/97 + 4 = 8.8797251
    # sum n^2 / N = (9 + 9409 + 10000) / 200 = 97.09
    # rho = (8.8797251 - 2) / (200 - 97.09 - 2) = 6.8797251 / 100.91 = 0.0681768
    # prior strength a + b = 1/rho - 1 = 13.667736
    prior = fit_beta_prior(np.array([3, 97, 100]), np.array([2, 38, 60]))
    assert prior.mean == pytest.approx(0.5)
    rho = (1 / 3 + 441 / 97 + 4 - 2) / 100.91
    assert prior.strength == pytest.approx(1 / rho - 1)
    assert prior.strength == pytest.approx(13.667736, rel=1e-6)


def test_beta_posterior__small_sample_is_pulled_to_the_group() -> None:
    # with a = b = 6.833868: A (3 deals, 2 won) -> (6.833868 + 2) / (13.667736 + 3) = 0.529997
    # C (100 deals, 60 won) -> (6.833868 + 60) / (13.667736 + 100) = 0.587980
    prior = fit_beta_prior(np.array([3, 97, 100]), np.array([2, 38, 60]))
    post = beta_posterior(np.array([3, 100]), np.array([2, 60]), prior, level=0.9)
    assert post["mean"].tolist() == pytest.approx([0.529997, 0.587980], rel=1e-5)
    a, b = prior.a + 2, prior.b + 1
    assert post["low"][0] == pytest.approx(stats.beta.ppf(0.05, a, b))
    assert post["high"][0] == pytest.approx(stats.beta.ppf(0.95, a, b))
    # the small sample's interval is much wider than the large one's
    width = post["high"] - post["low"]
    assert width[0] > 1.5 * width[1]


def test_fit_beta_prior__no_spread_beyond_noise_means_full_pooling() -> None:
    # 5/10 and 5/10: S = 0, so rho < 0 -> strongest prior, everyone at the group rate
    prior = fit_beta_prior(np.array([10, 10]), np.array([5, 5]))
    assert prior.mean == 0.5
    assert prior.strength == MAX_PRIOR_STRENGTH


def test_normal_posterior__precision_weighted_by_hand() -> None:
    # counts 4, 4, 4; means 1, 2, 3; variances 2 -> grand mean 2, within sigma^2 = 2,
    # tau^2 = var(1, 2, 3) - mean(2 / 4) = 1 - 0.5 = 0.5
    prior = fit_normal_prior(np.array([4, 4, 4]), np.array([1.0, 2.0, 3.0]),
                             np.array([2.0, 2.0, 2.0]))
    assert (prior.mean, prior.within_var, prior.between_var) == pytest.approx((2.0, 2.0, 0.5))
    # member with mean 3: data precision 4/2 = 2, prior precision 1/0.5 = 2
    # posterior mean (3*2 + 2*2) / 4 = 2.5, sd sqrt(1/4) = 0.5, 90%: +- 1.6449 * 0.5
    post = normal_posterior(np.array([4]), np.array([3.0]), prior, level=0.9)
    assert post["mean"][0] == pytest.approx(2.5)
    assert post["sd"][0] == pytest.approx(0.5)
    assert post["high"][0] - post["mean"][0] == pytest.approx(1.644854 * 0.5, rel=1e-6)


def test_normal_posterior__no_between_spread_gives_the_group_mean() -> None:
    # two members of 2 observations, sample variance 1 each: var(means 1.9, 2.1) = 0.02 is
    # below the sampling variance 1/2, so tau^2 = max(0.02 - 0.5, 0) = 0
    prior = fit_normal_prior(np.array([2, 2]), np.array([1.9, 2.1]), np.array([1.0, 1.0]))
    assert prior.between_var == 0.0
    post = normal_posterior(np.array([2, 2]), np.array([1.9, 2.1]), prior)
    assert post["mean"].tolist() == pytest.approx([2.0, 2.0])


def test_fit_beta_prior__all_lost_gets_a_weak_prior_off_the_edge() -> None:
    # 0 of 3 and 0 of 1: mean (0 + 0.5) / (4 + 1) = 0.1, strength 1 -> a 0.1, b 0.9;
    # a rep with 0 of 3 -> Beta(0.1, 3.9): mean 0.025
    prior = fit_beta_prior(np.array([3, 1]), np.array([0, 0]))
    assert (prior.mean, prior.strength) == pytest.approx((0.1, 1.0))
    post = beta_posterior(np.array([3]), np.array([0]), prior)
    assert post["mean"][0] == pytest.approx(0.025)
