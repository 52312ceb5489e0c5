"""The plan language's structure, validated by pydantic (docs/plan-language.md explains it).

Every number a plan states is a ``Decimal``: YAML floats are re-read from their source text
by the loader, so ``0.6`` is exactly 0.6. Models forbid unknown keys, so a typo is an error
with its line, not a silently ignored setting.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Annotated, Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from teamquota.core.money import ONE, ZERO


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


Identifier = Annotated[str, Field(pattern=r"^[A-Za-z][A-Za-z0-9_\-]*$", max_length=64)]
Scalar = str | int | Decimal | bool | date


class Compare(Strict):
    """A comparison on one column: ``{gte: 1000}``, ``{in: [A, B]}``, ``{ne: Lost}``."""

    eq: Scalar | None = None
    ne: Scalar | None = None
    gt: Scalar | None = None
    gte: Scalar | None = None
    lt: Scalar | None = None
    lte: Scalar | None = None
    in_: list[Scalar] | None = Field(default=None, alias="in")
    not_in: list[Scalar] | None = None

    @model_validator(mode="after")
    def _one_at_least(self) -> Compare:
        if all(v is None for v in self.model_dump().values()):
            raise ValueError("a comparison needs at least one of eq, ne, gt, gte, lt, lte, in, "
                             "not_in")
        return self


# ``where: {stage: Won, product: [GTX Pro, GTX Plus Pro], amount: {gte: 1000}}``
WhereValue = Scalar | list[Scalar] | Compare


class Measure(Strict):
    """A filtered aggregation of credited deals or activities."""

    source: Literal["deals", "activities"] = "deals"
    sum: str | None = Field(default=None, description="column to add up, e.g. amount")
    count: bool = Field(default=False, description="count rows instead of adding a column")
    where: dict[str, WhereValue] = Field(default_factory=dict)

    @model_validator(mode="after")
    def _sum_or_count(self) -> Measure:
        if (self.sum is None) == (not self.count):
            raise ValueError("a measure needs exactly one of 'sum: <column>' or 'count: true'")
        return self


class Tier(Strict):
    """A commission tier: from this threshold upward, credited value pays ``rate``."""

    from_: Decimal = Field(alias="from", ge=0)
    rate: Decimal = Field(ge=0)


class Pool(Strict):
    """A team pool: ``rate`` x the team's measure, split among eligible members."""

    rate: Decimal = Field(gt=0)
    split: Literal["equal", "ti_share", "contribution", "weights"] = "equal"
    weights: dict[str, Decimal] | None = Field(
        default=None, description="payee id -> weight, with split: weights")

    @model_validator(mode="after")
    def _weights_given(self) -> Pool:
        if self.split == "weights" and not self.weights:
            raise ValueError("split: weights needs a 'weights' mapping of payee id -> weight")
        if self.split != "weights" and self.weights:
            raise ValueError(f"'weights' is only used with split: weights, not {self.split}")
        return self


class Payout(Strict):
    """How a component pays. Exactly one kind:

    * ``curve`` — target incentive x weight x curve(attainment), optionally capped;
    * ``rate`` or ``tiers`` — commission on credited value (tier ``mode`` and ``basis``);
    * ``pool`` — a team pool split among members;
    * ``per_deal`` — a SPIF: a fixed amount for each qualifying deal.
    """

    curve: list[tuple[Decimal, Decimal]] | None = None
    cap: Decimal | None = Field(default=None, gt=0,
                                description="highest curve factor paid, e.g. 2.0 = 200%")
    rate: Decimal | None = Field(default=None, ge=0)
    tiers: list[Tier] | None = None
    mode: Literal["marginal", "whole", "zero_until_quota", "per_deal"] = "marginal"
    basis: Literal["attainment", "amount"] = "attainment"
    pool: Pool | None = None
    per_deal: Decimal | None = Field(default=None, gt=0)

    @property
    def kind(self) -> Literal["curve", "commission", "pool", "spif"]:
        if self.curve is not None:
            return "curve"
        if self.pool is not None:
            return "pool"
        if self.per_deal is not None:
            return "spif"
        return "commission"

    @field_validator("curve")
    @classmethod
    def _curve_ordered(cls, points: list[tuple[Decimal, Decimal]] | None
                       ) -> list[tuple[Decimal, Decimal]] | None:
        if points is None:
            return points
        if len(points) < 2:
            raise ValueError("a curve needs at least two [attainment, payout] points")
        for (x0, _), (x1, _) in zip(points, points[1:], strict=False):
            if x1 <= x0:
                raise ValueError(
                    f"curve points must have strictly increasing attainment; {x1} follows {x0}")
        if any(x < 0 or y < 0 for x, y in points):
            raise ValueError("curve points must not be negative")
        return points

    @field_validator("tiers")
    @classmethod
    def _tiers_ordered(cls, tiers: list[Tier] | None) -> list[Tier] | None:
        if tiers is None:
            return tiers
        if not tiers:
            raise ValueError("tiers must list at least one tier")
        for a, b in zip(tiers, tiers[1:], strict=False):
            if b.from_ <= a.from_:
                raise ValueError(f"tiers must start at increasing thresholds; {b.from_} "
                                 f"follows {a.from_}")
        return tiers

    @model_validator(mode="after")
    def _one_kind(self) -> Payout:
        kinds = [name for name, given in (
            ("curve", self.curve is not None),
            ("rate", self.rate is not None),
            ("tiers", self.tiers is not None),
            ("pool", self.pool is not None),
            ("per_deal", self.per_deal is not None),
        ) if given]
        if len(kinds) != 1:
            found = ", ".join(kinds) if kinds else "none"
            raise ValueError("a payout needs exactly one of curve, rate, tiers, pool, per_deal;"
                             f" found: {found}")
        if self.cap is not None and self.curve is None:
            raise ValueError("'cap' limits a curve's factor; use the component's cap_amount "
                             "to cap a commission")
        return self


class MinActivity(Strict):
    type: str
    count: Decimal = Field(gt=0)


class Gate(Strict):
    """Conditions under which a component pays at all (all given conditions must hold)."""

    team_attainment_at_least: Decimal | None = Field(default=None, ge=0)
    personal_attainment_at_least: Decimal | None = Field(default=None, ge=0)
    min_contribution_share: Decimal | None = Field(
        default=None, ge=0, le=1,
        description="free-rider guard: the member's share of the team measure")
    min_activity: MinActivity | None = None
    personal_component: str | None = Field(
        default=None, description="component whose attainment the personal gate reads; "
                                  "defaults to the plan's first payee-scope component")


class TargetRule(Strict):
    """Where a component's targets come from.

    ``file`` (default): rows of the targets table whose ``measure`` is this component's id
    (or ``measure``). ``sum_of_members``: a team's target is the sum of its members' targets
    for component ``of``. ``from_team``: each member gets the team's target split by
    ``by`` (``ti_share``, ``equal`` or ``weights``).
    """

    source: Literal["file", "sum_of_members", "from_team"] = "file"
    measure: str | None = Field(default=None, description="targets-table measure name")
    of: str | None = Field(default=None, description="component id whose targets are used")
    by: Literal["ti_share", "equal"] = "ti_share"


class Component(Strict):
    id: Identifier
    name: str | None = None
    scope: Literal["payee", "team"]
    weight: Decimal | None = Field(default=None, ge=0, le=1,
                                   description="share of target incentive (curve payouts)")
    measure: Measure
    target: TargetRule = Field(default_factory=TargetRule)
    payout: Payout
    gate: Gate | None = None
    cap_amount: Decimal | None = Field(default=None, gt=0)
    accumulate: Literal["period", "ytd"] = "period"

    @model_validator(mode="after")
    def _weight_for_curve(self) -> Component:
        if self.payout.kind == "curve" and self.weight is None:
            raise ValueError(f"component '{self.id}' pays by curve, so it needs a weight "
                             "(its share of target incentive)")
        if self.payout.kind == "pool" and self.scope != "team":
            raise ValueError(f"component '{self.id}' pays a pool, so its scope must be team")
        return self


class Rounding(Strict):
    mode: Literal["half_up", "half_even", "down", "up"] = "half_up"
    places: int | None = Field(default=None, ge=0, le=6,
                               description="default: the payout currency's minor unit")


class Distribution(Strict):
    """How annual targets become period targets."""

    method: Literal["equal", "days", "custom"] = "equal"
    custom: list[Decimal] | None = Field(default=None, description="one share per period")

    @model_validator(mode="after")
    def _custom_sums(self) -> Distribution:
        if self.method == "custom":
            if not self.custom:
                raise ValueError("method: custom needs a 'custom' list of shares")
            if sum(self.custom, ZERO) != ONE:
                raise ValueError(f"custom shares must sum to 1, not {sum(self.custom, ZERO)}")
        return self


class Draw(Strict):
    amount: Decimal = Field(gt=0, description="guaranteed or advanced amount per period")
    kind: Literal["recoverable", "non_recoverable"] = "non_recoverable"


class Crediting(Strict):
    split_table: bool = Field(default=True, description="use deal splits when present")
    rollup: bool = Field(default=True, description="credit parent teams with sub-team deals")
    leaders: bool = Field(default=False,
                          description="credit team leaders on their teams' deals (overlay)")
    overlay: bool = Field(default=True, description="credit coverage-table overlay roles")


class Clawback(Strict):
    reduce_attainment: bool = True
    instalments: int = Field(default=1, ge=1, le=12)


DATE_MIN, DATE_MAX = date(1900, 1, 1), date(2199, 12, 31)  # = teamquota.data.limits


class Effective(Strict):
    start: date
    end: date

    @field_validator("start", "end")
    @classmethod
    def _in_window(cls, value: date) -> date:
        if not DATE_MIN <= value <= DATE_MAX:
            raise ValueError(f"{value} is outside the supported dates {DATE_MIN}..{DATE_MAX}")
        return value

    @model_validator(mode="after")
    def _ordered(self) -> Effective:
        if self.end < self.start:
            raise ValueError(f"effective end {self.end} is before start {self.start}")
        return self


class Plan(Strict):
    plan: Identifier
    name: str | None = None
    period: Literal["month", "quarter", "year"] = "quarter"
    year_start_month: int = Field(default=1, ge=1, le=12)
    currency: str = Field(default="USD", pattern=r"^[A-Z]{3}$")
    effective: Effective | None = None
    eligible_roles: list[str] | None = Field(
        default=None, description="payee roles on this plan; default: every payee")
    components: list[Component] = Field(min_length=1)
    crediting: Crediting = Field(default_factory=Crediting)
    target_distribution: Distribution = Field(default_factory=Distribution)
    rounding: Rounding = Field(default_factory=Rounding)
    cap_amount: Decimal | None = Field(default=None, gt=0, description="per payee per period")
    cap_ti_multiple: Decimal | None = Field(default=None, gt=0)
    draw: Draw | None = None
    clawback: Clawback = Field(default_factory=Clawback)
    team_visibility: Literal["members", "totals_only"] = "members"

    @model_validator(mode="after")
    def _consistent(self) -> Plan:
        ids = [c.id for c in self.components]
        dupes = sorted({i for i in ids if ids.count(i) > 1})
        if dupes:
            raise ValueError(f"component ids must be unique; repeated: {', '.join(dupes)}")
        weights = [c.weight for c in self.components if c.weight is not None]
        if weights and sum(weights, ZERO) != ONE:
            listed = " + ".join(f"{c.id} {c.weight}" for c in self.components
                                if c.weight is not None)
            raise ValueError(f"component weights must sum to 1, but {listed} = "
                             f"{sum(weights, ZERO)}")
        for c in self.components:
            for ref in (c.target.of, c.gate.personal_component if c.gate else None):
                if ref is not None and ref not in ids:
                    raise ValueError(f"component '{c.id}' refers to unknown component '{ref}'"
                                     f"; components: {', '.join(ids)}")
        return self

    def component(self, component_id: str) -> Component:
        return next(c for c in self.components if c.id == component_id)

    def to_yaml_dict(self) -> dict[str, Any]:
        """The plan as plain data: Decimals and dates kept as such, tuples as lists."""
        plain: dict[str, Any] = _plain(
            self.model_dump(mode="python", by_alias=True, exclude_defaults=True))
        return plain

    def to_yaml(self) -> str:
        """The plan as YAML text that loads back to an equal plan (numbers stay exact)."""
        return yaml.dump(self.to_yaml_dict(), Dumper=_PlanDumper, sort_keys=False,
                         allow_unicode=True)


def _plain(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return value


class _PlanDumper(yaml.SafeDumper):
    """Writes Decimals as YAML numbers from their exact text (0.6 stays 0.6)."""


_PlanDumper.add_representer(
    Decimal, lambda dumper, value: dumper.represent_scalar(
        "tag:yaml.org,2002:int" if value == value.to_integral_value() and "." not in str(value)
        else "tag:yaml.org,2002:float", str(value)))
