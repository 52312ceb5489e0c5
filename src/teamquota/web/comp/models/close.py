"""The finance close workbench: per-team sign-off and rejection of a period's numbers."""

from __future__ import annotations
