"""Cells safe to open in a spreadsheet: text that a spreadsheet would run as a formula
(starting with ``= + - @``, a tab or a carriage return) is prefixed with a quote (OWASP
"CSV injection"). Amounts are written as plain numbers and never pass through here, so a
negative amount stays a number."""

from __future__ import annotations

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: object) -> str:
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text
