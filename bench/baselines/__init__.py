"""Baselines that compute the hybrid plan's payouts without teamquota's engine.

Each module exposes ``run(directory, fmt) -> pa.Table`` returning lines (bench.lines).
"""
