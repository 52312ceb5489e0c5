"""Plan letters: a payee's plan document per plan version, and its acceptance."""

from __future__ import annotations
