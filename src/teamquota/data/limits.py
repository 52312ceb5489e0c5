"""The bounds every input is held to, wherever it enters (files, the web's forms, the API).

docs/data.md ("Limits") states them for users; the web app and the CLI check against these
same values, so a value one entry point accepts is never refused (or crashed on) by another.
"""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal, InvalidOperation

# amounts are decimal(18,2): 16 digits before the point
MONEY_WHOLE_DIGITS = 16
MONEY_LIMIT = Decimal(10) ** MONEY_WHOLE_DIGITS  # amounts are below this in size
# The web app's amounts (deals, targets, target incentives, estimates, payout lines) are
# smaller: Django keeps a decimal on SQLite as a float read back to 15 significant digits, so
# 99999999999999.99 comes back 100000000000000.00 and 9999999999999999.99 cannot be read at
# all. 13 digits before the point and 2 after are 15: exact on SQLite, and the same bound on
# PostgreSQL so both databases accept the same data (measured: tests/web/test_money_limits).
WEB_MONEY_WHOLE_DIGITS = 13
WEB_MONEY_LIMIT = Decimal(10) ** WEB_MONEY_WHOLE_DIGITS
WEB_MONEY_MAX = WEB_MONEY_LIMIT - Decimal("0.01")  # 9999999999999.99, the largest amount
# dates: a window wide enough for any pay plan, narrow enough for every date library
DATE_MIN = date(1900, 1, 1)
DATE_MAX = date(2199, 12, 31)
DATE_WINDOW = f"{DATE_MIN.isoformat()}..{DATE_MAX.isoformat()}"
# ids of payees, teams, deals and plans: these characters only (no '/', whitespace,
# control characters; not only dots), so every id is a path segment and a file name as is
ID_CHARS = "letters, digits and _ . - @ :"
ID_PATTERN = re.compile(r"[A-Za-z0-9_.\-@:]{1,100}")
ID_MAX = 100
# a CSV header: at most this many columns; any value (header names included) at most
# this many characters. Both are checked on the header line before any row is parsed.
MAX_COLUMNS = 1_000
MAX_CELL = 10_000
HEADER_BYTES = MAX_COLUMNS * 200  # the most of line 1 that is read to find the header
# A Parquet file is held to the same bounds, checked on its footer before any row is read;
# the footer must also fit the file: a column's bytes inside it, at most this many rows
# per byte of file and this many times its bytes once decompressed (a footer claiming 10^15
# rows in 600 bytes made pyarrow ask for a 2 PB allocation).
PARQUET_EXPANSION = 1_000
# the defining id column of each table (references to them are D007 if unknown)
ID_COLUMNS: dict[str, tuple[str, ...]] = {"payees": ("payee_id",), "teams": ("team_id",),
                                          "deals": ("deal_id",)}
# the most characters a text column holds where it is stored (the web app's columns)
MAX_LENGTHS: dict[tuple[str, str], int] = {
    ("payees", "payee_id"): 100, ("payees", "name"): 200, ("payees", "email"): 200,
    ("payees", "role"): 100, ("teams", "team_id"): 100, ("teams", "name"): 200,
    ("teams", "leader_id"): 100, ("teams", "parent_team_id"): 100,
    ("memberships", "payee_id"): 100, ("memberships", "team_id"): 100,
    ("leaderships", "team_id"): 100, ("leaderships", "leader_id"): 100,
    ("deals", "deal_id"): 100, ("deals", "owner_id"): 100, ("deals", "account"): 200,
    ("deals", "product"): 200, ("deals", "stage"): 60,
    ("targets", "subject_id"): 100, ("targets", "measure"): 100, ("targets", "period"): 10,
}


def id_problem(value: str) -> str | None:
    """Why ``value`` cannot be an id, or None when it can."""
    if ID_PATTERN.fullmatch(value) and value.strip("."):
        return None
    if len(value) > ID_MAX:
        return f"is longer than {ID_MAX} characters"
    return f"may hold only {ID_CHARS} (up to {ID_MAX})"


def money_problem(text: str, whole_digits: int = MONEY_WHOLE_DIGITS) -> str | None:
    """Why ``text`` is not an amount the money columns hold (at most ``whole_digits``
    before the point: the web's are :data:`WEB_MONEY_WHOLE_DIGITS`), or None."""
    try:
        value = Decimal(text.strip())
    except InvalidOperation:
        return "is not a number"
    if not value.is_finite():
        return "is not a number"
    if abs(value) >= Decimal(10) ** whole_digits:
        return f"has more than {whole_digits} digits before the point"
    if value != value.quantize(Decimal("0.01")):
        return "has more than 2 decimal places"
    return None


def date_problem(day: date) -> str | None:
    """Why ``day`` is outside the supported window, or None."""
    if DATE_MIN <= day <= DATE_MAX:
        return None
    return f"is outside the supported dates {DATE_WINDOW}"
