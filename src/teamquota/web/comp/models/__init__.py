"""All models of the app, split by concept; import them from here."""

from teamquota.web.comp.models.audit import AuditEvent, record
from teamquota.web.comp.models.data import DataTable, Deal, Import, Target
from teamquota.web.comp.models.disputes import Dispute, DisputeMessage
from teamquota.web.comp.models.insights import LeaderRating
from teamquota.web.comp.models.org import Leadership, Membership, Payee, Team, User
from teamquota.web.comp.models.plans import Plan, PlanAssignment, PlanVersion
from teamquota.web.comp.models.results import (
    AttainmentRow,
    CreditRow,
    PayoutLine,
    Period,
    PeriodReview,
    PeriodSnapshot,
    Run,
    TeamSummary,
)
from teamquota.web.comp.models.security import ApiToken, LoginFailure

__all__ = [
    "ApiToken", "AttainmentRow", "AuditEvent", "CreditRow", "DataTable", "Deal", "Dispute",
    "DisputeMessage", "Import", "LeaderRating", "Leadership", "LoginFailure", "Membership",
    "Payee", "PayoutLine", "Period", "PeriodReview", "PeriodSnapshot", "Plan", "PlanAssignment",
    "PlanVersion", "Run", "Target", "Team", "TeamSummary", "User", "record",
]

# One section per feature (each owned by its own work; add imports and names only inside it).
# --- close workbench: models/close.py ---
from teamquota.web.comp.models.close import TeamDecision  # noqa: E402

__all__ += ["TeamDecision"]
# --- end close workbench ---
# --- plan letters: models/letters.py ---
from teamquota.web.comp.models.letters import LetterAcceptance, PlanLetter  # noqa: E402

__all__ += ["LetterAcceptance", "PlanLetter"]
# --- end plan letters ---
# --- notifications: models/notifications.py ---
from teamquota.web.comp.models.notifications import (  # noqa: E402
    Notification,
    NotificationPreference,
)

__all__ += ["Notification", "NotificationPreference"]
# --- end notifications ---
