"""Counts as a reader says them: ``{{ n|rows }}`` is '1 row' or '8,800 rows' (a noun may be
given: ``{{ n|rows:"good row" }}``), ``{{ n|thousands }}`` is '8,800'."""

from __future__ import annotations

from django import template

from teamquota.web.comp.services.import_diff import count

register = template.Library()


@register.filter
def rows(n: int | None, noun: str = "row") -> str:
    return count(n or 0, noun)


@register.filter
def thousands(n: int | None) -> str:
    return f"{n or 0:,}"
