"""Setting one target in the app (sales ops), next to importing a targets file.

The value is checked as the loader checks a targets row (a known payee or team, a period
label, a measure, an amount of at most two decimals and not negative); the change is
audited with its before and after and recorded as an ``edit`` of the targets table, so
its author cannot approve the payouts it produces. It takes effect at the next run.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from django.db import transaction

from teamquota.core.periods import parse_period
from teamquota.data.limits import (
    MAX_LENGTHS,
    WEB_MONEY_LIMIT,
    WEB_MONEY_MAX,
    WEB_MONEY_WHOLE_DIGITS,
)
from teamquota.web.comp.models import Import, Payee, Target, Team, User, record
from teamquota.web.comp.services.org import OrgError


def _amount(text: str) -> Decimal:
    try:
        amount = Decimal(text.strip().replace(",", ""))
    except InvalidOperation:
        raise OrgError(f"amount: '{text}' is not a number; write e.g. 65000.00") from None
    if amount.is_finite() and amount >= WEB_MONEY_LIMIT:  # 1e17 broke every run; SQLite
        # keeps 15 significant digits (data.limits)
        raise OrgError(f"amount: '{text}' has more than {WEB_MONEY_WHOLE_DIGITS} digits "
                       f"before the point; the largest target is {WEB_MONEY_MAX}")
    if not amount.is_finite() or amount < 0 or amount != amount.quantize(Decimal("0.01")):
        raise OrgError(f"amount: '{text}' must be zero or more, with at most two decimals")
    return amount.quantize(Decimal("0.01"))


def set_target(user: User, subject_type: str, subject_id: str, measure: str, period: str,
               amount_text: str) -> str:
    """Create or change the target of (subject, measure, period); returns the summary."""
    subject_id, measure, period = subject_id.strip(), measure.strip(), period.strip()
    if subject_type not in ("payee", "team"):
        raise OrgError(f"subject type: '{subject_type}' is neither payee nor team")
    model = Payee if subject_type == "payee" else Team
    key = "payee_id" if subject_type == "payee" else "team_id"
    if not model.objects.filter(**{key: subject_id}).exists():
        raise OrgError(f"{subject_type}: no {subject_type} has the id '{subject_id}'")
    if not measure:
        raise OrgError("measure: name the component (or its target.measure), e.g. personal")
    if len(measure) > MAX_LENGTHS[("targets", "measure")] or "\x00" in measure:
        raise OrgError(f"measure: at most {MAX_LENGTHS[('targets', 'measure')]} characters "
                       "(a component id)")
    try:
        parse_period(period)
    except ValueError as exc:
        raise OrgError(f"period: {exc}") from None
    amount = _amount(amount_text)
    with transaction.atomic():
        found = Target.objects.select_for_update().filter(
            subject_type=subject_type, subject_id=subject_id, measure=measure,
            period=period).first()
        before = f"{found.amount:.2f}" if found else "none"
        if found is None:
            Target.objects.create(subject_type=subject_type, subject_id=subject_id,
                                  measure=measure, period=period, amount=amount)
        else:
            found.amount = amount
            found.save(update_fields=["amount"])
        summary = (f"{user.username} set the {measure} target of {subject_type} {subject_id} "
                   f"for {period}: {before} -> {amount:.2f}")
        imp = Import.objects.create(table="targets", mode="edit", file_name=summary[:300],
                                    created_by=user, rows_imported=1)
        record(user, "target.set", subject_type, subject_id, summary, measure=measure,
               period=period, before=before, after=f"{amount:.2f}", edit=imp.pk)
    return summary
