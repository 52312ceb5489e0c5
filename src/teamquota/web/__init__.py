"""teamquota's web app: a Django project whose views call the same library as the CLI.

``teamquota.web.settings`` configures it from the environment; ``teamquota.web.comp`` is the
one Django app (models, access rules, views); ``teamquota.web.server`` starts it.
"""
