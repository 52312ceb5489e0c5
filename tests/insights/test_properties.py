"""Properties of the statistics and the allocation program on random small inputs."""

from __future__ import annotations

import numpy as np
import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from teamquota.insights.allocate import AllocationProblem, Duty, allocate
from teamquota.insights.shrinkage import beta_posterior, fit_beta_prior

counts = st.lists(st.tuples(st.integers(1, 200), st.floats(0, 1)), min_size=2, max_size=8)


@given(counts)
@settings(max_examples=200, deadline=None)
def test_beta_posterior__lies_between_raw_rate_and_group_rate(rows) -> None:
    n = np.array([r[0] for r in rows], dtype=float)
    k = np.floor(n * np.array([r[1] for r in rows]))
    prior = fit_beta_prior(n, k)
    post = beta_posterior(n, k, prior)
    assert 0 < prior.mean < 1
    raw = k / n
    low = np.minimum(raw, prior.mean) - 1e-12
    high = np.maximum(raw, prior.mean) + 1e-12
    assert ((post["mean"] >= low) & (post["mean"] <= high)).all()
    assert (post["low"] <= post["high"]).all()


@given(st.integers(2, 4), st.integers(1, 3), st.data())
@settings(max_examples=60, deadline=None)
def test_allocate__never_worse_than_a_feasible_even_split(n_reps, n_duties, data) -> None:
    # the even split is one feasible plan whenever it meets every constraint, so the
    # optimum of the program can only be at least as good
    reps = [f"r{i}" for i in range(n_reps)]
    names = [f"d{j}" for j in range(n_duties)]
    value = pd.DataFrame(
        data.draw(st.lists(st.lists(st.integers(0, 20), min_size=n_duties,
                                    max_size=n_duties), min_size=n_reps, max_size=n_reps)),
        index=reps, columns=names).astype(float)
    hours = [data.draw(st.sampled_from([0.5, 1.0, 2.0])) for _ in names]
    targets = [data.draw(st.integers(0, 5)) for _ in names]
    available = {r: float(data.draw(st.integers(5, 20))) for r in reps}
    problem = AllocationProblem(reps, [Duty(n, t, h) for n, t, h in
                                       zip(names, targets, hours, strict=True)],
                                available, value)
    result = allocate(problem)
    even = result.even_split.pivot_table(index="rep", columns="duty", values="units",
                                         sort=False).reindex(index=reps, columns=names)
    used = (even * np.array(hours)).sum(axis=1)
    feasible = ((even.sum(axis=0).to_numpy() >= np.array(targets) - 1e-9).all()
                and (used <= pd.Series(available) + 1e-9).all())
    if feasible:
        assert result.status == "optimal"
        assert result.expected_bookings >= result.even_split_bookings - 1e-6
