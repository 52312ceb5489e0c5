"""Django app config for :mod:`teamquota.web.comp`."""

from django.apps import AppConfig


class CompConfig(AppConfig):
    name = "teamquota.web.comp"
    label = "comp"
    verbose_name = "teamquota"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from teamquota.web.comp import exact_sum
        exact_sum.register()
        self._connect_notifications()

    @staticmethod
    def _connect_notifications() -> None:
        """Notices follow the audit trail and runs finishing (services/notify_events.py)."""
        from django.db.models.signals import post_save

        from teamquota.web.comp.models import AuditEvent
        from teamquota.web.comp.services import notify_events, runs
        post_save.connect(notify_events.audit_saved, sender=AuditEvent,
                          dispatch_uid="teamquota.notify.audit")
        runs.run_done.connect(notify_events.run_done, dispatch_uid="teamquota.notify.run")
