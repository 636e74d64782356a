from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = _("Accounts")

    def ready(self) -> None:
        from django.contrib.auth.signals import user_logged_in

        from . import checks, second_factor  # noqa: F401 (checks registers itself)

        # A password alone does not finish signing in an account that needs a second factor.
        user_logged_in.connect(second_factor.on_logged_in, dispatch_uid="second_factor_due")
