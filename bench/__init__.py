"""teamquota's performance benchmark: the hybrid plan on synthetic data, against baselines.

``python -m bench.run --sizes 1M,10M`` (see docs/performance.md).
"""
