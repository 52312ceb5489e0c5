"""Delivering notifications: each user's preferences, the in-app row, the e-mail.

:func:`notify` is the one way a notice is made (:mod:`.notify_events` decides who gets
which). It writes the in-app rows in the caller's transaction, so an approval that rolls
back leaves no notice behind, and queues the e-mails only once that transaction commits
(``transaction.on_commit``): a mail is never sent for something that did not happen.

E-mail goes through the task queue the runs use (django-tasks; a ``teamquota worker``
executes it, ``TEAMQUOTA_RUNS_INLINE`` runs it at once): a slow or unreachable SMTP server
then delays a worker, never the approving user's request, and a failure to send is
logged there, never a 500. Django's e-mail framework sends it (``EMAIL_BACKEND``:
console by default, SMTP when ``TEAMQUOTA_EMAIL_HOST`` is set; settings.py).
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django_tasks import task

from teamquota.web.comp.models import Notification, NotificationPreference, User
from teamquota.web.comp.models.notifications import KINDS

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Preference:
    in_app: bool
    email: bool


def preferences(user: User) -> dict[str, Preference]:
    """Every kind's delivery for ``user``: the stored choice, else the default (in-app
    on; e-mail as :data:`KINDS` says)."""
    found = {p.kind: Preference(p.in_app, p.email)
             for p in NotificationPreference.objects.filter(user=user)}
    return {kind: found.get(kind, Preference(True, spec.email_default))
            for kind, spec in KINDS.items()}


def save_preferences(user: User, chosen: dict[str, Preference]) -> None:
    with transaction.atomic():
        for kind, pref in chosen.items():
            NotificationPreference.objects.update_or_create(
                user=user, kind=kind, defaults={"in_app": pref.in_app, "email": pref.email})


def address_of(user: User) -> str:
    """The user's e-mail address: the login's, else their payee record's."""
    if user.email:
        return user.email
    payee = user.payee if user.payee_id else None
    return payee.email if payee is not None else ""


def notify(users: Iterable[User], kind: str, title: str, body: str, link: str,
           key: str = "") -> list[Notification]:
    """Notify each (active, distinct) user once per ``key``, as their preferences say.
    Returns the in-app rows made."""
    made: list[Notification] = []
    mails: list[tuple[str, str, str]] = []
    seen: set[int] = set()
    for user in users:
        if user.pk in seen or not user.is_active:
            continue
        seen.add(user.pk)
        if key and Notification.objects.filter(recipient=user, key=key).exists():
            continue  # already told (the inbox row is kept once read)
        pref = preferences(user)[kind]
        if pref.in_app:
            made.append(Notification.objects.create(recipient=user, kind=kind, title=title,
                                                    body=body, link=link, key=key))
        address = address_of(user)
        if pref.email and address:
            mails.append((address, title, _mail_text(body, link)))
    for address, subject, text in mails:
        transaction.on_commit(lambda a=address, s=subject, t=text: _queue(a, s, t))
    return made


def _mail_text(body: str, link: str) -> str:
    base = getattr(settings, "TEAMQUOTA_BASE_URL", "").rstrip("/")
    where = f"\n\n{base}{link}" if link and base else (f"\n\nIn teamquota: {link}"
                                                       if link else "")
    return (f"{body}{where}\n\n-- \nteamquota. Choose which notices you get by e-mail "
            "on the Notifications page of your account.")


def _queue(address: str, subject: str, text: str) -> None:
    """After commit: hand the mail to the task queue; a queue that fails is logged."""
    try:
        send_email_task.enqueue(address, subject, text)
    except Exception:  # noqa: BLE001 - a notice must never fail what it reports
        log.exception("could not queue the e-mail %r to %s", subject, address)


@task()
def send_email_task(address: str, subject: str, text: str) -> bool:
    """Send one notice by e-mail; False (logged) when the backend refuses it."""
    try:
        # one line: a name with a line break must not make the subject a header injection
        send_mail(" ".join(subject.split())[:200], text, None, [address],
                  fail_silently=False)
    except Exception:  # noqa: BLE001 - SMTP errors, timeouts, a misconfigured backend
        log.exception("could not send the e-mail %r to %s", subject, address)
        return False
    return True
