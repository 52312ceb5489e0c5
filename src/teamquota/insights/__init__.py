"""Insights for sales leaders, built on the canonical tables and the engine.

One module per insight (strengths, allocate, watchlist, conflicts, simulate), each a plain
library function returning pandas frames; the CLI (``teamquota.cli.insights``) and the web
app render them. Shared pieces: ``frames`` (Dataset -> analysis frames), ``shrinkage``
(empirical Bayes), ``synthetic`` (activity logs and histories with known ground truth),
``charts`` (self-contained Plotly HTML).

Statistics here are floats (rates, log sizes, probabilities); money that is *paid* always
comes from the engine as exact Decimals.
"""
