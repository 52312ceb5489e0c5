"""Sending plan letters and recording their acceptance (the views call these; access is
checked by the caller through teamquota.web.comp.access).

A letter's content is made once, when it is sent, and stored with its sha256: the letter
a payee reads and accepts is exactly the one sent, whatever changes later (a plan change is
a new version anyway, and a new version needs a new letter and a new acceptance)."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from django.db import IntegrityError, transaction

from teamquota.web.comp.models import (
    LetterAcceptance,
    Payee,
    PlanLetter,
    PlanVersion,
    User,
    record,
)
from teamquota.web.comp.services.import_diff import count
from teamquota.web.comp.services.pdf import Document


def content_hash(content: dict[str, Any]) -> str:
    """sha256 of the content's canonical JSON (sorted keys, no spaces): the same letter
    always hashes the same, on any database."""
    text = json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def assigned_payees(version: PlanVersion) -> list[Payee]:
    """Everyone the version's plan is assigned to (any dates), by name."""
    return list(Payee.objects.filter(assignments__plan_id=version.plan_id).distinct()
                .order_by("name", "payee_id"))


def send_letters(user: User, version: PlanVersion,
                 content_of: Callable[[Payee, PlanVersion], dict[str, Any]]) -> list[PlanLetter]:
    """A letter of ``version`` for each assigned payee who has none yet (a letter once sent
    is never rewritten: sending again reaches only payees assigned since). Audited as
    ``plan.letters_sent`` with the payees reached; nothing new, nothing recorded."""
    have = set(version.letters.values_list("payee_id", flat=True))
    sent = []
    with transaction.atomic():
        for payee in assigned_payees(version):
            if payee.pk in have:
                continue
            content = content_of(payee, version)
            sent.append(PlanLetter.objects.create(
                version=version, payee=payee, content=content,
                content_hash=content_hash(content), sent_by=user))
        if sent:
            ids = [letter.payee.payee_id for letter in sent]
            record(user, "plan.letters_sent", "plan_version", version.pk,
                   f"{user.username} sent the letters of {version.plan.plan_id} "
                   f"v{version.number} to {count(len(sent), 'payee')}: "
                   + ", ".join(f"{ln.payee.name} ({ln.payee.payee_id})" for ln in sent),
                   payees=ids,
                   plan=version.plan.plan_id, number=version.number)
    return sent


def accept_letter(user: User, letter: PlanLetter) -> tuple[LetterAcceptance, bool]:
    """The payee's acceptance of ``letter`` (the caller has checked it is their own);
    accepting again changes nothing and records nothing. Returns (acceptance, new)."""
    found = LetterAcceptance.objects.filter(letter=letter).first()
    if found is not None:
        return found, False
    try:
        with transaction.atomic():
            acceptance = LetterAcceptance.objects.create(
                letter=letter, version=letter.version, accepted_by=user,
                content_hash=letter.content_hash)
            record(user, "plan.accept", "plan_letter", letter.pk,
                   f"{user.username} accepted the letter of {letter.version.plan.plan_id} "
                   f"v{letter.version.number} (sha256 {letter.content_hash[:12]})",
                   payee=letter.payee.payee_id, version=letter.version_id,
                   content_hash=letter.content_hash)
    except IntegrityError:  # a second click that raced the first: one record stands
        return LetterAcceptance.objects.get(letter=letter), False
    return acceptance, True


@dataclass
class LetterStatus:
    """One assigned payee's letter of a version: not sent, sent, or accepted."""

    payee: Payee
    letter: PlanLetter | None
    accepted_at: datetime | None

    @property
    def state(self) -> str:
        if self.letter is None:
            return "not sent"
        return "accepted" if self.accepted_at else "not yet accepted"


def version_status(version: PlanVersion) -> list[LetterStatus]:
    """Every assigned payee (and anyone sent a letter since unassigned), with their letter
    of ``version`` and its acceptance: the not-accepted first, then by name."""
    letters = {letter.payee_id: letter for letter in
               version.letters.select_related("payee", "acceptance", "sent_by")}
    payees = {p.pk: p for p in assigned_payees(version)}
    payees.update({pk: letter.payee for pk, letter in letters.items()})
    rows = []
    for pk, payee in payees.items():
        letter = letters.get(pk)
        acceptance = getattr(letter, "acceptance", None) if letter else None
        rows.append(LetterStatus(payee, letter, acceptance.accepted_at if acceptance else None))
    order = {"not yet accepted": 0, "not sent": 1, "accepted": 2}
    return sorted(rows, key=lambda r: (order[r.state], r.payee.name, r.payee.payee_id))


def counts(rows: list[LetterStatus]) -> dict[str, int]:
    """{'sent': ..., 'accepted': ..., 'waiting': ..., 'not_sent': ...} of a status list."""
    sent = sum(1 for r in rows if r.letter is not None)
    accepted = sum(1 for r in rows if r.accepted_at is not None)
    return {"sent": sent, "accepted": accepted, "waiting": sent - accepted,
            "not_sent": len(rows) - sent}


def letter_pdf(letter: PlanLetter, *, compress: bool = True) -> bytes:
    """The letter as sent, as a PDF: the same content as its page, curves drawn."""
    c = letter.content
    doc = Document(f"Plan letter - {c['payee']['name']} - {c['plan']} v{c['version']}",
                   compress=compress)
    doc.heading(f"Plan letter - {c['payee']['name']}")
    doc.paragraph(f"{c['plan_name']} ({c['plan']}), version {c['version']}; plan sha256 "
                  f"{c['version_sha256'][:12]}; sent {letter.sent_at:%Y-%m-%d}", muted=True)
    doc.paragraph(f"Your target incentive: {c['ti_shown']} {c['ti_currency']} a year, paid per "
                  f"{c['period']} in {c['currency']}.")
    spans = [f"from {e['start']} to {e['end'] or 'open end'}" for e in c["effective"]]
    doc.paragraph("Effective " + ("; ".join(spans) if spans else "(not assigned)") + ".")
    doc.heading("How you are paid", 2)
    for comp in c["components"]:
        doc.heading(f"{comp['name']} ({comp['id']})", 3)
        doc.bullets(comp["facts"])
        if comp["rule"]:
            doc.paragraph(comp["rule"], size=9)
        if comp["points"]:
            rows = [list(p) for p in comp["points"]]
            if comp["cap"]:
                rows.append(["cap", comp["cap"]])
            doc.table(["Attainment", "Payout factor"], rows, (1, 1), numeric=(0, 1),
                      width=80)
        if comp.get("chart"):
            chart = comp["chart"]
            doc.curve([Decimal(x) for x in chart["x"]], [Decimal(y) for y in chart["y"]],
                      f"Curve of {comp['name']}")
    doc.heading("Your targets", 2)
    if c["targets"]:
        doc.table(["Period", "Component", "Whose", "Target"],
                  [[t["period"], t["component"], t["whose"], t["shown"]] for t in c["targets"]],
                  (1, 1.4, 1.4, 1), numeric=(3,))
    else:
        doc.paragraph("No targets set yet for the periods of this plan.", muted=True)
    acceptance = LetterAcceptance.objects.filter(letter=letter).first()
    if acceptance is not None:
        doc.paragraph(f"Accepted by {acceptance.accepted_by.username} on "
                      f"{acceptance.accepted_at:%Y-%m-%d %H:%M} UTC.")
    doc.paragraph(f"Letter #{letter.pk}; content sha256 {letter.content_hash}", size=8,
                  muted=True)
    return doc.output()
