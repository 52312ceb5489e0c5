"""DuckDB as the loader's row engine: connections, SQL quoting, and trimming text in SQL.

The loader lets DuckDB scan the files and run the per-row work (trimming, parsing, range and
key checks) on every core, and brings back to Python only the typed Arrow table and the few
rows that are wrong. Each load uses its own in-memory connection, so nothing leaks between
loads (reject tables, registered views).
"""

from __future__ import annotations

import os
import threading

import duckdb

# exactly the characters Arrow's utf8_trim_whitespace removes (tests/data/test_duck.py
# checks the list against pyarrow), so a value is trimmed the same however it is read
WHITESPACE = "".join(chr(c) for c in (
    0x09, 0x0A, 0x0B, 0x0C, 0x0D, 0x1C, 0x1D, 0x1E, 0x1F, 0x20, 0x85, 0xA0, 0x1680,
    *range(0x2000, 0x200B), 0x2028, 0x2029, 0x202F, 0x205F, 0x3000))


_database: duckdb.DuckDBPyConnection | None = None
_lock = threading.Lock()


def connect() -> duckdb.DuckDBPyConnection:
    """A fresh connection to the loader's in-memory database.

    Opening a database costs ~15 ms, a connection to an open one 0.1 ms: a load opens one per
    file and check. Temporary tables (DuckDB's reject tables) and registered Arrow tables
    belong to the connection, so loads in other threads do not see each other's.
    """
    global _database
    with _lock:
        if _database is None:
            _database = duckdb.connect()
        con = _database.cursor()
    con.execute("SET enable_progress_bar = false")  # session settings: each connection's own
    con.execute("SET preserve_insertion_order = true")  # rows come back in file order
    # the same limits as the engine's DuckDB (backends/duckdb.py): a scan of a file larger
    # than memory spills DuckDB's own buffers there; big results are memory-mapped (spill.py)
    for setting, variable in (("memory_limit", "TEAMQUOTA_DUCKDB_MEMORY_LIMIT"),
                              ("temp_directory", "TEAMQUOTA_DUCKDB_TEMP_DIR")):
        if os.environ.get(variable):
            con.execute(f"SET {setting} = {literal(os.environ[variable])}")
    return con


def ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def clean(expr: str) -> str:
    """``expr`` trimmed of whitespace, with a blank value as NULL.

    ``trim`` with a character list is several times slower than plain ``trim``, so values
    that start and end with a printable ASCII character (nearly all) skip it.
    """
    return (f"CASE WHEN ascii({expr}) BETWEEN 33 AND 126 "
            f"AND ascii(right({expr}, 1)) BETWEEN 33 AND 126 THEN {expr} "
            f"ELSE nullif(trim({expr}, {literal(WHITESPACE)}), '') END")
