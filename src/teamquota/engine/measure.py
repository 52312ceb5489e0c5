"""Measures: a component's filtered aggregation of credits per subject and period.

All components are measured in one scan of the credits (conditional sums), so adding a
component costs an extra column, not an extra pass over the deals.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import ibis
import ibis.expr.types as ir

from teamquota.core.diagnostics import Diagnostics
from teamquota.plan.loader import LoadedPlan
from teamquota.plan.model import Compare, Component

VALUE = "decimal(38,10)"
# a measure table's count of credit rows: an incremental recalculation learns from it
# that a subject has no credit left
CREDIT_ROWS = "__credit_rows"
ZERO_VALUE = ibis.literal(0, type=VALUE)


def _literal(value: Any, column: ir.Value) -> Any:
    if isinstance(value, Decimal | int) and not isinstance(value, bool):
        if column.type().is_decimal() or column.type().is_numeric():
            return ibis.literal(Decimal(value), type=column.type())
        return str(value)
    if isinstance(value, date):
        return ibis.literal(value, type="date")
    return value


def _predicate(column: ir.Value, rule: Any) -> ir.BooleanValue:
    if isinstance(rule, Compare):
        parts = []
        for op, value in (("eq", rule.eq), ("ne", rule.ne), ("gt", rule.gt),
                          ("gte", rule.gte), ("lt", rule.lt), ("lte", rule.lte)):
            if value is not None:
                lit = _literal(value, column)
                parts.append({"eq": column == lit, "ne": column != lit, "gt": column > lit,
                              "gte": column >= lit, "lt": column < lit,
                              "lte": column <= lit}[op])
        if rule.in_ is not None:
            parts.append(column.isin([_literal(v, column) for v in rule.in_]))
        if rule.not_in is not None:
            parts.append(~column.isin([_literal(v, column) for v in rule.not_in]))
        result = parts[0]
        for part in parts[1:]:
            result = result & part
        return result
    if isinstance(rule, list):
        return column.isin([_literal(v, column) for v in rule])
    return column == _literal(rule, column)


def component_filter(table: ir.Table, component: Component) -> ir.BooleanValue:
    condition: ir.BooleanValue = ibis.literal(True)
    for column, rule in component.measure.where.items():
        condition = condition & _predicate(table[column], rule).fill_null(False)
    return condition


def component_value(table: ir.Table, component: Component) -> ir.Value:
    """What one credit row adds to the measure: the credited amount, a column x share, or
    (for counts) the share, so a half-credited deal counts one half."""
    measure = component.measure
    if measure.count:
        return table.share.cast(VALUE)
    if measure.source == "deals" and measure.sum == "amount":
        return table.amount_credited.cast(VALUE)
    column = table[measure.sum].cast("decimal(20,10)")
    return (column * table.share.cast("decimal(20,10)")).cast(VALUE)


def check_columns(plan: LoadedPlan, columns: dict[str, set[str]],
                  diagnostics: Diagnostics) -> None:
    """Every column a measure filters or sums on must exist in its source table (E001)."""
    for component in plan.plan.components:
        source = component.measure.source
        available = columns.get(source)
        if available is None:
            diagnostics.error("E002", f"component '{component.id}' measures {source}, but "
                              f"no {source} table was loaded",
                              plan.component_source(component.id, "measure", "source"),
                              f"load a {source} file or change the measure's source")
            continue
        wanted = list(component.measure.where)
        if component.measure.sum:
            wanted.append(component.measure.sum)
        for column in wanted:
            if column not in available:
                key = "sum" if column == component.measure.sum else "where"
                diagnostics.error(
                    "E001", f"component '{component.id}' uses column '{column}', which the "
                    f"{source} table does not have",
                    plan.component_source(component.id, "measure", key),
                    f"{source} columns: {', '.join(sorted(available))}")


def measure_table(credits: ir.Table, components: list[Component]) -> ir.Table:
    """(period, subject_type, subject_id, <component id>...) with each component's sum of
    the credit rows of its scope that pass its filter (activities; deal measures are
    staged in :mod:`teamquota.engine.deal_measures`, tested against this definition)."""
    metrics = {}
    for component in components:
        condition = (credits.subject_type == component.scope) & \
            component_filter(credits, component)
        metrics[component.id] = ibis.cases((condition, component_value(credits, component)),
                                           else_=ZERO_VALUE).sum()
    return credits.group_by(["period", "subject_type", "subject_id"]).aggregate(**metrics)
