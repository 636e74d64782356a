from django.conf import settings
from django.contrib.sessions.base_session import AbstractBaseSession
from django.db import models
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _


class Session(AbstractBaseSession):
    """Django's database session, with the user signed in to it (`base.sessions`): a
    user's sessions are found, and ended, without decoding every session there is."""

    # None for a session nobody is signed in to (a citizen's lookup, input kept).
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
    )

    def __str__(self) -> str:
        # Not the key (Django's own): a session key shown on a page is a signed-in browser.
        return gettext("session of user %(user)s") % {"user": self.user_id}

    @classmethod
    def get_session_store_class(cls):
        from .sessions import SessionStore

        return SessionStore
