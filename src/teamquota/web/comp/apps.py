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
