"""Labels from data shown as text in charts: Plotly renders a subset of HTML in every text
it draws (a name ``<a href=...>x</a>`` becomes a link), so each label that comes from data
(names, ids, products, accounts) passes through :func:`chart_label` first; Plotly shows
the entities as the characters they stand for."""

from __future__ import annotations

_ENTITIES = {"&": "&amp;", "<": "&lt;", ">": "&gt;"}


def chart_label(value: object) -> str:
    text = "" if value is None else str(value)
    return "".join(_ENTITIES.get(ch, ch) for ch in text)
