"""The API's request and response types; the OpenAPI document is generated from them.

Money is a JSON string (``"12720.00"``), never a float, so no client loses a cent. Inputs
and targets have two places; a payout amount (a line, a total) is written at its
currency's places and any finer place it was paid to, as stored (``models.results
.PAYOUT_MONEY``, at most 3): ``"12720.00"`` USD, ``"10.006"`` KWD, ``"1000"`` JPY.
Ratios and measures are plain decimal strings (``"1.530000000000"``), never in exponent
form.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Any, Literal

from ninja import Schema
from pydantic import BaseModel, ConfigDict, Field

from teamquota.web.comp.services.money import plain

MONEY_PATTERN = r"^-?[0-9]+(\.[0-9]{1,3})?$"
DECIMAL_PATTERN = r"^-?[0-9]+(\.[0-9]+)?$"
Money = Annotated[str, Field(pattern=MONEY_PATTERN, examples=["12720.00", "10.006", "1000"],
                             description="an amount as a string: two places, or a payout's "
                                         "currency's places (0 for JPY, 3 for KWD) and any "
                                         "finer place it was paid to")]
DecimalText = Annotated[str, Field(pattern=DECIMAL_PATTERN, examples=["1.53"],
                                   description="an exact decimal as a string")]


def money(value: Decimal | None) -> str | None:
    return None if value is None else f"{value:.2f}"


def paid(value: Decimal | None, currency: str) -> str | None:
    """A payout amount: ``"10.00"`` USD, ``"10.006"`` KWD, ``"1000"`` JPY, never rounded
    again (``services.money.plain``)."""
    return None if value is None else plain(value, currency)


def decimal_text(value: Decimal | None) -> str | None:
    return None if value is None else format(value, "f")


class ErrorDetail(Schema):
    loc: list[str] = Field(description="where the request is wrong: ['query', 'limit'], "
                                       "['body', 'file'], ...")
    message: str
    code: str | None = Field(None, description="a diagnostic code (D003, ...) when one "
                                               "names the problem")


class Error(Schema):
    """Every error answer under /api/ (4xx and 5xx)."""

    error: str = Field(description="what went wrong, for a person")
    code: str | None = Field(None, description="a stable reason when there is one: a "
                                               "diagnostic code (D028, D050), 'sod', 'scope', "
                                               "'csrf', 'role', 'state'")
    details: list[ErrorDetail] | None = Field(None, description="the inputs at fault")


class PeriodRef(Schema):
    label: str = Field(examples=["2017-Q1"])
    status: Literal["open", "calculated", "reviewed", "approved", "locked"]
    run: int | None = Field(description="the run whose numbers the period shows")


class Line(Schema):
    id: int
    period: str
    payee_id: str
    plan_id: str
    component_id: str
    line_type: str
    team_id: str | None
    deal_id: str | None
    measure_value: DecimalText | None
    target_amount: Money | None
    attainment: DecimalText | None
    factor: DecimalText | None
    amount: Money
    currency: str
    rule: str
    explanation: str
    adjusts_period: str | None
    cause: str | None


class PayeeRef(Schema):
    payee_id: str
    name: str


class DealCredit(Schema):
    deal_id: str
    amount: Money | None
    rule: str
    close_date: date | None


class Statement(Schema):
    payee: PayeeRef
    period: PeriodRef
    total: Money
    currency: str
    lines: list[Line]
    deals: list[DealCredit]


class PayeeTotal(Schema):
    payee_id: str
    currency: str
    amount: Money


class Results(Schema):
    period: PeriodRef
    totals: list[PayeeTotal] = Field(description="one row per payee and currency, over "
                                                 "all pages")
    count: int = Field(description="lines over all pages")
    offset: int
    limit: int
    lines: list[Line] = Field(description="this page, ordered by payee id, then line id")
    next: str | None = Field(description="the next page's URL; null on the last page")


class Diagnostic(Schema):
    code: str
    severity: Literal["error", "warning", "info"]
    message: str
    source: str | None = Field(description="file:line:column")
    hint: str | None


class RunOut(Schema):
    id: int
    status: Literal["queued", "running", "done", "failed"]
    progress: str
    started_at: datetime
    finished_at: datetime | None
    started_by: str | None
    periods: list[str]
    plans: list[str]
    diagnostics: list[dict[str, Any]]


class RunList(Schema):
    runs: list[RunOut] = Field(description="the newest 100, newest first")


class RunStart(BaseModel):
    """A request body: a plain pydantic model (ninja's Schema reads any object's
    attributes, so ``[1]`` would pass as an empty body)."""

    model_config = ConfigDict(extra="forbid")
    note: str = Field("", max_length=300, description="shown in the run list")


class TeamDecisionIn(BaseModel):
    """A sign-off's comment (optional) or a rejection's reason (required)."""

    model_config = ConfigDict(extra="forbid")
    text: str = Field("", max_length=2000,
                      description="the comment (sign-off) or the reason (rejection)")


class PeriodOut(Schema):
    label: str
    status: Literal["open", "calculated", "reviewed", "approved", "locked"]
    run: int | None
    approved_by: str | None
    approved_at: datetime | None
    locked_by: str | None
    locked_at: datetime | None


class ColumnMapping(Schema):
    column: str
    source: str
    required: bool
    state: Literal["mapped", "constant", "missing", "blank"]


class ImportReport(Schema):
    """What an upload would do (dry run) or did (applied)."""

    table: str
    mode: Literal["replace", "upsert"]
    dry_run: bool
    applied: bool
    import_id: int | None = Field(description="the import made (applied only)")
    rows: int = Field(description="rows in the file")
    kept: int = Field(description="rows that pass (would be, or were, written)")
    rejected: int = Field(description="rows refused (with on_error=reject)")
    errors: int
    mapping: list[ColumnMapping]
    diagnostics: list[Diagnostic]
    notes: list[str]
    changes: str | None = Field(None, description="what applying does (did), by the "
                                "table's key: '1 deal added, 0 changed; 8,800 kept' or "
                                "'Replace: 8,800 deals removed, 1 added'")
