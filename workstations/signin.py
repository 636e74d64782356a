"""How the sign-in lockout (django-axes, AXES_USERNAME_CALLABLE) names an attempt."""

from axes.conf import settings
from django.contrib.auth import get_user_model
from django.http import HttpRequest


def lockout_username(request: HttpRequest, credentials: dict | None = None) -> str | None:
    """The username typed, cut to the longest an account can have (150 characters).

    axes saves it in a 255-character column, and a longer one failed to save on
    PostgreSQL: a 500 at sign-in. No account's name is cut, so lockouts stay per account."""
    field = settings.AXES_USERNAME_FORM_FIELD
    username = (credentials or request.POST).get(field)
    if not isinstance(username, str):
        return username
    model = get_user_model()
    return username[: model._meta.get_field(model.USERNAME_FIELD).max_length]
