"""Sign in (with throttling) and sign out."""

from __future__ import annotations

from django.contrib.auth import views as auth_views
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse

from teamquota.web.comp import throttle


class ThrottledAuthenticationForm(AuthenticationForm):
    def clean(self) -> dict[str, object]:
        username = str(self.data.get("username", ""))
        address = throttle.client_address(self.request)
        attempt = throttle.begin_attempt(username, address)
        if attempt is None:
            raise ValidationError("Too many failed sign-ins; wait 15 minutes and try again.",
                                  code="throttled")
        try:
            cleaned = super().clean()
        except ValidationError:
            raise  # the attempt stays: it is a failure
        if self.user_cache is None:
            throttle.forget_attempt(attempt)  # a field was empty: nothing was checked
        else:
            throttle.clear(username)
        return cleaned


class LoginView(auth_views.LoginView):
    form_class = ThrottledAuthenticationForm
    template_name = "registration/login.html"
    redirect_authenticated_user = True


def login(request: HttpRequest) -> HttpResponse:
    return LoginView.as_view()(request)
