"""Data imports through the data layer's loader: stage an upload, preview its column
mapping, validate it against the data already in the database, then apply it in one
transaction (all-or-nothing, or accepting the good rows with a reject file).

Validation is the loader's own (``teamquota.data.loader.load_tables``): the database's
other tables are written beside the upload as canonical Parquet so that cross-table checks
(unknown payee, overlapping memberships, split sums) see the real data.
"""

from __future__ import annotations

import errno
import json
import shutil
import tempfile
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
from django.conf import settings
from django.db import DatabaseError, transaction

from teamquota.core.diagnostics import Diagnostic, Diagnostics, InputError, Source
from teamquota.core.spreadsheet import csv_text
from teamquota.data.columnmap import ColumnMap, LoadedMap, load_preset
from teamquota.data.encoding import utf8_copy
from teamquota.data.limits import WEB_MONEY_WHOLE_DIGITS
from teamquota.data.loader import READ_HINTS, LoadOptions, load_tables
from teamquota.data.readers import ENCODING_HINT, ReadError, file_kind, read_raw
from teamquota.data.tables import TABLES
from teamquota.web.comp.models import Import, User, record
from teamquota.web.comp.services import disk, import_diff
from teamquota.web.comp.services.dataset import build_dataset
from teamquota.web.comp.services.store import StoreError, leader_changes, write_table

PRESETS = ("", "salesforce", "salesforce-api", "hubspot")
# The text encodings the upload form offers for a CSV file without a byte order mark (the
# loader's --encoding): value -> label; "" is UTF-8, nothing stated (a BOM still decides).
ENCODINGS = {"": "UTF-8", "cp1252": "Windows-1252 (cp1252: Excel and Salesforce exports "
             "in Western Europe)", "latin-1": "Latin-1 (ISO 8859-1)", "utf-16": "UTF-16"}
# The loader's advice names --encoding, which a web user cannot set: name the form's field.
WEB_ENCODING_HINT = ("choose the file's encoding in the Encoding field of the import form "
                     "(Windows-1252 for an Excel or Salesforce export in Western Europe, "
                     "Latin-1, UTF-16) and upload it again; or save the file as UTF-8")
# The tables each table points at: an upsert is checked against these (from the database).
REFERS = {"payees": (), "teams": ("payees",), "memberships": ("payees", "teams"),
          "deals": ("payees", "fx_rates"), "splits": ("deals", "payees"),
          "targets": ("payees", "teams"), "activities": ("payees",),
          # new rates must still convert every deal (D011), as the engine will ask
          "fx_rates": ("deals",), "coverage": ("payees", "teams")}
# The tables sales ops import; leadership is dated in the app (the Organisation page, a
# teams import's leader changes), so a leaderships file is not one of them.
IMPORTABLE = tuple(REFERS)


@dataclass
class Staged:
    key: str
    table: str
    file_name: str
    preset: str
    user_id: int
    path: Path
    encoding: str = ""  # a key of ENCODINGS

    @property
    def directory(self) -> Path:
        return self.path.parent


@dataclass
class Validation:
    diagnostics: list[Diagnostic]
    kept: int = 0
    rejected: int = 0
    table: pa.Table | None = None
    rejects: pa.Table | None = None
    errors: int = 0
    notes: list[str] = field(default_factory=list)
    changes: import_diff.Changes | None = None  # what applying it would do, by key
    unconfirmed: int = 0  # a replace refused: it removes this many rows, not confirmed


def uploads_dir() -> Path:
    path = Path(settings.VAR) / "uploads"
    path.mkdir(parents=True, exist_ok=True)
    return path


class UploadError(Exception):
    """An upload refused before it is staged (too large, disk full); the message is the
    diagnostic, for the user."""


def size_text(size: int) -> str:
    return f"{size / 1024 / 1024:.1f} MB" if size >= 1024 * 1024 else f"{size:,} bytes"


def check_size(upload: Any, limit: int, setting: str) -> None:
    if upload.size is not None and upload.size > limit:
        raise UploadError(f"{Path(upload.name).name}: error[D027]: the file is "
                          f"{size_text(upload.size)}; uploads are limited to "
                          f"{size_text(limit)} (set {setting} to change it); nothing was "
                          "imported")


def disk_full(exc: OSError) -> bool:
    return exc.errno in (errno.ENOSPC, errno.EDQUOT)


DISK_FULL = ("error[D050]: the server's disk is full, so the upload could not be stored; "
             "nothing was changed. hint: ask the administrator to free space, then try again")


def stage(upload: Any, table: str, preset: str, user: User, encoding: str = "") -> Staged:
    check_size(upload, settings.TEAMQUOTA_MAX_DATA_UPLOAD, "TEAMQUOTA_MAX_DATA_UPLOAD")
    try:
        return _stage(upload, table, preset, user, encoding)
    except OSError as exc:
        if disk_full(exc):
            raise UploadError(DISK_FULL) from None
        raise


def _stage(upload: Any, table: str, preset: str, user: User, encoding: str) -> Staged:
    suffix = ".parquet" if upload.name.lower().endswith(".parquet") else ".csv"
    key = uuid.uuid4().hex
    directory = uploads_dir() / key
    directory.mkdir()
    path = directory / f"upload{suffix}"
    with path.open("wb") as f:
        for chunk in upload.chunks():
            f.write(chunk)
    meta = {"table": table, "file_name": Path(upload.name).name[:200], "preset": preset,
            "user_id": user.pk, "path": path.name, "encoding": encoding}
    (directory / "meta.json").write_text(json.dumps(meta))
    return load_staged(key, user)  # type: ignore[return-value]


def load_staged(key: str, user: User) -> Staged | None:
    """The staged upload ``key`` if this user made it (others' uploads do not exist)."""
    if not key.isalnum():
        return None
    directory = uploads_dir() / key
    try:
        meta = json.loads((directory / "meta.json").read_text())
    except (OSError, ValueError):
        return None
    if meta["user_id"] != user.pk:
        return None
    return Staged(key, meta["table"], meta["file_name"], meta["preset"], meta["user_id"],
                  directory / meta["path"], meta.get("encoding", ""))


def discard(staged: Staged) -> None:
    shutil.rmtree(staged.directory, ignore_errors=True)


def _table_map(staged: Staged) -> LoadedMap | None:
    if not staged.preset:
        return None
    preset = load_preset(staged.preset)
    table_map = preset.table(staged.table)
    if table_map is None:
        return None
    # the upload is the table's source, whatever the preset names it
    table_map = table_map.model_copy(update={"required": True})
    return LoadedMap(ColumnMap(map=staged.preset, tables={staged.table: table_map}),
                     preset.path, preset.locations)


def _read_raw(staged: Staged, table_map: LoadedMap | None) -> Any:
    """The upload's rows as the loader reads them: in its encoding (the one chosen, or a
    BOM's) and without the report footer its preset leaves out."""
    if file_kind(staged.path) != "csv":
        return read_raw(staged.path)
    footer = bool(table_map and table_map.map.tables[staged.table].footer)
    with tempfile.TemporaryDirectory() as tmp:
        copy, _, _ = utf8_copy(staged.path, Path(tmp), staged.encoding or None, footer)
        return read_raw(copy or staged.path)


def preview(staged: Staged) -> dict[str, Any]:
    """Source columns, which canonical column each becomes, and the first rows."""
    try:
        table_map = _table_map(staged)
    except InputError as exc:
        return {"error": exc.diagnostics.render()}
    try:
        raw = _read_raw(staged, table_map)
    except ReadError as exc:  # located as the loader locates it; never the server's path
        return {"error": Diagnostic(exc.code, _ours(str(exc), {}, staged), Source(
            staged.file_name, exc.line), READ_HINTS.get(exc.code)).render()}
    except OSError as exc:
        return {"error": DISK_FULL if disk_full(exc) else
                f"{staged.file_name}: error[D000]: the file cannot be read"}
    source = raw.table.column_names
    rename = dict(table_map.map.tables[staged.table].rename) if table_map else {}
    constants = dict(table_map.map.tables[staged.table].constants) if table_map else {}
    spec = TABLES[staged.table]
    mapping = []
    for column in spec.columns:
        from_source = next((s for s, c in rename.items() if c == column.name), None)
        if from_source is None and column.name in source:
            from_source = column.name
        state = ("mapped" if from_source in source else
                 "constant" if column.name in constants else
                 "missing" if column.required else "blank")
        mapping.append({"column": column.name, "source": from_source or "",
                        "required": column.required, "state": state,
                        "constant": constants.get(column.name, ""),
                        "description": column.description})
    used = {m["source"] for m in mapping}
    return {"mapping": mapping, "unused": [c for c in source if c not in used],
            "head": raw.table.slice(0, 5).to_pylist(), "columns": source,
            "rows": raw.table.num_rows}


def _database_parquet(data: Any, directory: Path, names: tuple[str, ...]) -> dict[str, Path]:
    paths = {}
    for name in names:
        table = data.get(name)
        if table is None:
            continue
        path = directory / f"{name}.parquet"
        pq.write_table(table, path)
        paths[name] = path
    return paths


def _plan_currency() -> tuple[str | None, int]:
    """The currency deals must convert into (D011), as the runs will: the current plans'
    when they agree; with plans in several currencies the run checks each."""
    from teamquota.web.comp.services.runs import current_versions, loaded_plan
    plans = [loaded_plan(v).plan for v in current_versions()]
    currencies = {p.currency for p in plans}
    if len(currencies) != 1:
        return None, 1
    return currencies.pop(), plans[0].year_start_month


def modes(table: str) -> tuple[str, ...]:
    """The modes a table may be imported in, the safe default first: a table the store
    merges by key is added to or updated by default; replacing it is an explicit choice."""
    return ("upsert", "replace") if table in import_diff.MERGEABLE else ("replace",)


def validate(staged: Staged, mode: str, on_error: str) -> Validation:
    if mode not in modes(staged.table):
        noun = import_diff.NOUNS.get(staged.table, ("", staged.table))[1]
        return Validation([Diagnostic(
            "D016", f"mode '{mode}': {noun} can only be replaced as a whole, not added "
            "to or updated by key", Source(staged.file_name),
            "choose the mode 'replace the whole table' (mode=replace)")], errors=1)
    data = build_dataset()
    with tempfile.TemporaryDirectory() as tmp:
        others = IMPORTABLE if mode == "replace" else REFERS[staged.table]
        database = _database_parquet(data, Path(tmp),
                                     tuple(n for n in others if n != staged.table))
        paths = {**database, staged.table: staged.path}
        currency, year_start_month = _plan_currency()
        result = load_tables(paths, _table_map(staged), LoadOptions(
            on_error=on_error, currency=currency, year_start_month=year_start_month,
            money_whole_digits=WEB_MONEY_WHOLE_DIGITS, encoding=staged.encoding or None))
    mine = str(staged.path)
    by_path = {str(path): name for name, path in database.items()}
    shown = []
    for d in result.diagnostics:
        if d.source is not None and d.source.path != mine:
            if d.severity != "error":
                continue
            # A database row that the upload would break (e.g. a deal of a removed payee):
            # it blocks too; name the table, not the temporary file it was checked from.
            table = by_path.get(d.source.path, d.source.path)
            where = type(d.source)(f"{table} in the database")
        else:
            where = type(d.source)(staged.file_name, d.source.line, d.source.column) \
                if d.source is not None else None
        shown.append(Diagnostic(d.code, _ours(d.message, database, staged), where,
                                _ours(d.hint, database, staged) if d.hint else d.hint,
                                d.severity))
    validation = Validation(shown, errors=sum(d.severity == "error" for d in shown))
    if result.dataset is not None and staged.table in result.dataset.tables:
        validation.table = result.dataset[staged.table]
        validation.kept, validation.rejected = result.counts.get(staged.table, (0, 0))
        if staged.table == "teams":  # a leader changes from the import's day: say so
            validation.notes = [c.words() for c in leader_changes(validation.table.to_pylist())]
        rejects = result.rejects.get(staged.table)
        if rejects is not None:
            reasons = [_ours(r or "", database, staged)
                       for r in rejects["reason"].to_pylist()]
            rejects = rejects.set_column(rejects.schema.get_field_index("reason"), "reason",
                                         pa.array(reasons, pa.string()))
        validation.rejects = rejects
        validation.changes = import_diff.changes(staged.table, mode, data.get(staged.table),
                                                 validation.table, _names(data, validation))
    return validation


def _names(data: Any, validation: Validation) -> dict[str, str]:
    """Payee id -> name, from the database and (a payees import) the file."""
    names: dict[str, str] = {}
    for table in (data.get("payees"), validation.table):
        if table is not None and {"payee_id", "name"} <= set(table.column_names):
            names.update(zip(table["payee_id"].to_pylist(), table["name"].to_pylist(),
                             strict=True))
    return names


def _ours(text: str, database: dict[str, Path], staged: Staged) -> str:
    """Name the database's tables and the uploaded file as the user knows them, not by the
    temporary files they were checked from; and the import form's Encoding field where the
    loader would name --encoding."""
    text = text.replace(ENCODING_HINT, WEB_ENCODING_HINT).replace(
        "--encoding", "the import form's Encoding field")  # D049: how the file was read
    for name, path in database.items():
        text = text.replace(str(path), f"the database's {name}")
        text = text.replace(path.name, f"the database's {name}")
    text = text.replace(str(staged.path), staged.file_name)
    text = text.replace(str(staged.directory), "").replace(str(uploads_dir()), "")
    return text.replace(staged.path.name, staged.file_name)


def rejects_csv(table: pa.Table | None) -> str:
    if table is None or table.num_rows == 0:
        return ""
    return csv_text(table)


def full_disk_validation() -> Validation:
    return Validation([Diagnostic("D050", "the server's disk is full, so the import could not "
                                  "be stored; nothing was changed", None,
                                  "ask the administrator to free space, then try again")],
                      errors=1)


def is_disk_full(exc: Exception) -> bool:
    """An OSError ENOSPC, or the database saying the same (SQLite: 'database or disk is
    full'; PostgreSQL: DiskFull, 'could not extend file', 'No space left on device')."""
    return disk.is_disk_full(exc)


def apply(staged: Staged, mode: str, on_error: str, user: User,
          confirmed: int | None = None) -> tuple[Import | None, Validation]:
    """Validate again and write; nothing is written unless everything (or, with
    ``reject``, every kept row) is good. A full disk (D050) changes nothing either.

    ``confirmed`` (the page's typed count): a replace that would remove more than a few
    rows is written only if it equals the number it removes; otherwise nothing is, and
    ``Validation.unconfirmed`` says how many. ``None`` (the API, whose caller chose
    ``mode=replace`` explicitly) skips the question."""
    try:
        return _apply(staged, mode, on_error, user, confirmed)
    except (OSError, DatabaseError) as exc:
        if not is_disk_full(exc):
            raise
        return None, full_disk_validation()


def _apply(staged: Staged, mode: str, on_error: str, user: User,
           confirmed: int | None) -> tuple[Import | None, Validation]:
    validation = validate(staged, mode, on_error)
    if validation.table is None or validation.errors:
        return None, validation
    changes = validation.changes
    if confirmed is not None and changes is not None and changes.needs_confirmation \
            and confirmed != changes.removed:
        validation.unconfirmed = changes.removed
        return None, validation
    try:
        with transaction.atomic():
            imp = Import.objects.create(table=staged.table, mode=mode,
                                        file_name=staged.file_name, created_by=user,
                                        rows_rejected=validation.rejected,
                                        reject_csv=rejects_csv(validation.rejects),
                                        report=[d.to_dict() for d in validation.diagnostics])
            before = import_diff.snapshot(staged.table)
            imp.rows_imported = write_table(staged.table, validation.table, mode, imp)
            imp.save()
            summary = (f"{user.username} imported {staged.file_name} into {staged.table} "
                       f"({mode}): {import_diff.count(imp.rows_imported)}, "
                       f"{imp.rows_rejected:,} rejected")
            details: dict[str, Any] = {}
            if before is not None:  # targets and memberships: name each changed row
                described, details = import_diff.describe(
                    staged.table, before, import_diff.snapshot(staged.table) or {})
                summary += f"; {described}"
            elif changes is not None:  # the others: counts, and changed rows before -> after
                summary += f"; {changes.words()}"
                if changes.examples:
                    summary += f": {changes.detail()}"
                details = {"added": changes.added, "changed": changes.changed,
                           "removed": changes.removed, "kept": changes.kept,
                           "changes": changes.examples}
            record(user, "import", "import", imp.pk, summary, **details)
    except StoreError as exc:
        validation.diagnostics.append(Diagnostic("D007", str(exc), None,
                                                 "import the referenced rows first"))
        validation.errors += 1
        return None, validation
    discard(staged)
    return imp, validation


def diagnostics_text(diagnostics: list[Diagnostic]) -> str:
    return Diagnostics(diagnostics).render()
