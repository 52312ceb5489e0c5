"""How static assets are stored once collected: hashed names and compressed copies.

``teamquota serve`` runs ``collectstatic``, which writes each asset under a name holding a
hash of its content (``plotly.min.<hash>.js``) with gzip copies beside it (and brotli ones
when the ``brotli`` package is installed). WhiteNoise serves the compressed copy to a
browser that accepts it and lets browsers keep a hashed file for years: a new version has
a new name. plotly.min.js is 4.8 MB as is and about 1.4 MB gzipped.
"""

from __future__ import annotations

from whitenoise.storage import CompressedManifestStaticFilesStorage


class AssetStorage(CompressedManifestStaticFilesStorage):
    """Hashed, compressed assets; before ``collectstatic`` has run (tests, a fresh
    checkout) pages name the plain file, which the finders serve as it is."""

    manifest_strict = False

    def stored_name(self, name: str) -> str:
        try:
            return str(super().stored_name(name))
        except ValueError:  # not collected yet: no hashed copy exists to name
            return name
