"""API tokens (stored hashed), failed-login records for throttling, and the password rule
Django's validators lack (no password of only spaces)."""

from __future__ import annotations

import hashlib
import secrets

from django.conf import settings
from django.db import models


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class ApiToken(models.Model):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                             related_name="api_tokens")
    name = models.CharField(max_length=100)
    digest = models.CharField(max_length=64, unique=True)
    prefix = models.CharField(max_length=8)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)

    @classmethod
    def issue(cls, user: object, name: str) -> tuple[ApiToken, str]:
        """Create a token; the clear text is returned once and never stored."""
        token = "tq_" + secrets.token_urlsafe(32)
        return cls.objects.create(user=user, name=name, digest=hash_token(token),
                                  prefix=token[3:11]), token


class NotBlankPasswordValidator:
    """Refuses a password made only of white space (ten spaces passed the length rule)."""

    def validate(self, password: str, user: object = None) -> None:
        if not password.strip():
            from django.core.exceptions import ValidationError
            raise ValidationError("This password is only spaces: use letters, digits or "
                                  "symbols.", code="password_blank")

    def get_help_text(self) -> str:
        return "Your password cannot be only spaces."


class LoginFailure(models.Model):
    """A sign-in attempt for a (normalised) username from an address: inserted before the
    password is checked (so parallel tries count each other), kept when it failed,
    deleted when it was refused unchecked; a success clears the username's rows."""

    username = models.CharField(max_length=150, db_index=True)
    address = models.CharField(max_length=64, db_index=True)
    at = models.DateTimeField(auto_now_add=True, db_index=True)
