"""The inbox (own notices, mark read) and each user's notification preferences."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from teamquota.web.comp import access
from teamquota.web.comp.models.notifications import KINDS
from teamquota.web.comp.services.notify import Preference, preferences, save_preferences

INBOX_SIZE = 200


@access.signed_in
def inbox(request: HttpRequest) -> HttpResponse:
    shown = request.GET.get("show", "")
    if shown not in ("", "unread"):
        messages.error(request, f"unknown filter {shown[:40]!r}: showing every notice")
        shown = ""
    notices = access.notifications_visible_to(request.user)
    if shown == "unread":
        notices = notices.filter(read_at__isnull=True)
    return render(request, "comp/inbox.html", {
        "notices": notices[:INBOX_SIZE], "shown": shown,
        "unread": access.notifications_visible_to(request.user)
        .filter(read_at__isnull=True).count()})


@require_POST
@access.signed_in
def notification_read(request: HttpRequest, notification_id: int) -> HttpResponse:
    """Mark one notice read; with ``open``, go on to what it is about."""
    notice = get_object_or_404(access.notifications_visible_to(request.user),
                               pk=notification_id)
    if notice.read_at is None:
        notice.read_at = timezone.now()
        notice.save(update_fields=["read_at"])
    if "open" in request.POST and notice.link and url_has_allowed_host_and_scheme(
            notice.link, allowed_hosts=None):  # a path of this app only
        return redirect(notice.link)
    return redirect("inbox")


@require_POST
@access.signed_in
def notifications_read_all(request: HttpRequest) -> HttpResponse:
    count = access.notifications_visible_to(request.user).filter(
        read_at__isnull=True).update(read_at=timezone.now())
    messages.success(request, f"{count} notice{'' if count == 1 else 's'} marked read")
    return redirect("inbox")


@access.signed_in
def notification_prefs(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        # a checkbox left unticked is absent from the form: absent means off
        save_preferences(request.user, {
            kind: Preference(in_app=request.POST.get(f"{kind}-in_app") == "on",
                             email=request.POST.get(f"{kind}-email") == "on")
            for kind in KINDS})
        messages.success(request, "Notification preferences saved")
        return redirect("notification_prefs")
    current = preferences(request.user)
    rows = [(kind, spec.label, current[kind]) for kind, spec in KINDS.items()]
    return render(request, "comp/notification_prefs.html", {"rows": rows})
