from axes.apps import AppConfig as AxesConfig
from django.apps import AppConfig
from django.contrib.auth.signals import user_logged_in, user_login_failed
from django.core import checks
from django.utils.translation import gettext_lazy as _


class BaseConfig(AppConfig):
    """Project-wide pieces no domain owns: sign-in, sessions, middleware, health check,
    spreadsheets, index types. One model, the sessions; every app may import it."""

    # Chosen for "base" among the configs this module holds (axes' is imported here).
    default = True
    name = "base"
    verbose_name = _("Project-wide parts")

    def ready(self) -> None:
        # Failures for an account from any address slow its sign-in (signin.py).
        from . import encrypted, idle_sessions, session_lifetime, signin

        checks.register(encrypted.encryption_keys_set, checks.Tags.security)

        user_login_failed.connect(signin.on_login_failed, dispatch_uid="signin_slowdown_count")
        user_logged_in.connect(signin.on_logged_in, dispatch_uid="signin_slowdown_clear")
        user_logged_in.connect(idle_sessions.on_logged_in, dispatch_uid="idle_session_mark")
        user_logged_in.connect(session_lifetime.on_logged_in, dispatch_uid="session_signed_in_at")


class SignInLockoutsConfig(AxesConfig):
    """django-axes under a name the office reads (its strings: vendor_locale/)."""

    default = False
    verbose_name = _("Sign-in lockouts")
