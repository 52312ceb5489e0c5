"""Template context: the navigation a user's roles allow (menus only mirror access.py),
with the number of unread notices on the Inbox item."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.urls import reverse

from teamquota.web.comp import access


def navigation(request: HttpRequest) -> dict[str, Any]:
    user = request.user
    if not user.is_authenticated:
        return {"nav": []}
    items = [("Dashboard", reverse("teams"))]
    if user.payee_id or user.has_role("leader", "finance", "sales_ops"):
        items.append(("Statements", reverse("statements")))
    if user.payee_id:
        items.append(("Estimator", reverse("estimator")))
    items.append(("Periods", reverse("periods")))
    items.append(("Disputes", reverse("disputes")))
    if user.has_role("leader", "finance", "sales_ops") or user.payee_id:
        items.append(("Plans", reverse("plans")))
    if user.payee_id or user.has_role("finance", "sales_ops"):
        items.append(("Letters", reverse("letters")))
    if user.has_role("finance", "sales_ops"):
        items.append(("Runs", reverse("runs")))
    if user.has_role("sales_ops"):
        items.append(("Imports", reverse("imports")))
        items.append(("Organisation", reverse("org")))
        items.append(("Users", reverse("users")))
    if user.has_role("finance", "sales_ops"):
        items.append(("Audit log", reverse("audit")))
    items.append(("API", reverse("api_tokens")))
    unread = access.notifications_visible_to(user).filter(read_at__isnull=True).count()
    items.append((f"Inbox ({unread})", reverse("inbox")))
    # the active item: the one whose address the page's starts with
    return {"nav": [(label, url, request.path.startswith(url)) for label, url in items],
            "unread_notices": unread}
