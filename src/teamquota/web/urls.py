"""The project's URLs: everything lives in the ``comp`` app."""

from django.urls import include, path

urlpatterns = [path("", include("teamquota.web.comp.urls"))]

# JSON under /api/ (unknown paths, /api/runs/abc/, a crash), Django's pages elsewhere
handler400 = "teamquota.web.comp.api.errors.handler400"
handler403 = "teamquota.web.comp.api.errors.handler403"
handler404 = "teamquota.web.comp.api.errors.handler404"
handler500 = "teamquota.web.comp.api.errors.handler500"
