"""Notifications: the in-app inbox and each user's delivery preferences."""

from __future__ import annotations
