"""Target suggestions: per-payee and per-team targets from deal history, as an editable CSV."""

from teamquota.targets.suggest import allocate_team_targets, suggest_targets, write_targets_csv

__all__ = ["allocate_team_targets", "suggest_targets", "write_targets_csv"]
