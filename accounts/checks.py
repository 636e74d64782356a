from django.conf import settings
from django.core import checks


@checks.register(checks.Tags.security, deploy=True)
def administrators_sign_in_with_a_second_factor(app_configs, **kwargs):
    if settings.SECOND_FACTOR_FOR_ADMINISTRATORS:
        return []
    return [
        checks.Warning(
            "SECOND_FACTOR_FOR_ADMINISTRATORS is off: administrators sign in with a password "
            "alone.",
            hint="Leave SECOND_FACTOR_FOR_ADMINISTRATORS unset (or true) in production.",
            id="accounts.W001",
        )
    ]
