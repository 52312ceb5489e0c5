"""The plan language: YAML -> validated :class:`~teamquota.plan.model.Plan` with source lines."""

from teamquota.plan.loader import LoadedPlan, load_plan, load_plan_text

__all__ = ["LoadedPlan", "load_plan", "load_plan_text"]
