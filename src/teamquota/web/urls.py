"""The project's URLs: everything lives in the ``comp`` app."""

from django.urls import include, path

urlpatterns = [path("", include("teamquota.web.comp.urls"))]
