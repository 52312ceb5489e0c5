"""The Content-Security-Policy: everything from the app itself, no inline script.

Pages keep no inline script, event handler or style attribute (chart data travels in
``<script type="application/json">`` blocks, which are data, not code), so ``script-src
'self'`` holds and an injected ``<script>`` or ``onerror=`` in any shown value cannot run.
Two kinds of ``<style>`` element come from Plotly and are allowed by their SHA-256 alone:
the empty one it creates and then fills through the CSSOM (``insertRule``, which the policy
does not govern), and the stylesheets bundled in ``plotly.min.js`` that it inserts whole
(hashed from the installed file, so an upgrade keeps the policy exact).
"""

from __future__ import annotations

import base64
import hashlib
import re
from functools import lru_cache
from pathlib import Path

import plotly

PLOTLY_JS = Path(plotly.__file__).resolve().parent / "package_data" / "plotly.min.js"
# a bundled stylesheet: createElement("style") ... .textContent='<css>'
_BUNDLED_CSS = re.compile(r"""createElement\("style"\).{0,300}?\.textContent='([^'\\]*)'""",
                          re.S)


def _hash(text: str) -> str:
    return "'sha256-" + base64.b64encode(hashlib.sha256(text.encode()).digest()).decode() + "'"


@lru_cache(maxsize=1)
def plotly_style_hashes() -> tuple[str, ...]:
    try:
        source = PLOTLY_JS.read_text("utf-8")
    except OSError:
        source = ""
    return (_hash(""), *sorted({_hash(css) for css in _BUNDLED_CSS.findall(source)}))


def content_security_policy() -> str:
    return "; ".join([
        "default-src 'self'", "script-src 'self'",
        "style-src 'self' " + " ".join(plotly_style_hashes()),
        "img-src 'self' data:",  # data: is Plotly's "download as PNG"
        "font-src 'self'", "connect-src 'self'", "object-src 'none'", "base-uri 'none'",
        "form-action 'self'", "frame-ancestors 'none'"])
