"""A full disk, however it shows itself: an ``OSError`` ENOSPC or EDQUOT, SQLite's
"database or disk is full", PostgreSQL's DiskFull (SQLSTATE 53100: "could not extend
file", "No space left on device"), DuckDB's IOException when a run's work spills.
Imports, runs and the close steps turn it into D050: nothing was changed, free space and
try again (docs/security.md, "Limits")."""

from __future__ import annotations

import errno

from django.db import DatabaseError

DISK_FULL_SQLSTATE = "53100"
_WORDS = ("disk is full", "no space left", "could not extend file", "disk quota exceeded")


def is_disk_full(exc: BaseException) -> bool:
    """Whether ``exc`` (or what caused it: Django wraps the driver's error) is a full disk."""
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        if isinstance(current, OSError) and current.errno in (errno.ENOSPC, errno.EDQUOT):
            return True
        if getattr(current, "sqlstate", None) == DISK_FULL_SQLSTATE:
            return True
        if isinstance(current, (DatabaseError, OSError)) or type(current).__module__.startswith(
                ("psycopg", "sqlite3", "duckdb", "_duckdb", "pyarrow")):  # DuckDB spilling
            text = str(current).lower()
            if any(words in text for words in _WORDS):
                return True
        current = current.__cause__ or current.__context__
    return False


def full_disk(what: str, again: str) -> str:
    """The D050 message and hint for ``what`` could not be stored, as one line."""
    return (f"error[D050]: the server's disk is full, so {what}; nothing was changed. "
            f"hint: ask the administrator to free space, then {again}")
