"""The session engine (SESSION_ENGINE): Django's database sessions, each row naming the
user signed in to it (`base.models.Session`), written with the session as it is saved
anyway: no query of its own. Django itself finds a user's sessions only by decoding
every row, which does not scale; here ending them is one statement."""

from django.contrib.auth import SESSION_KEY, get_user_model
from django.contrib.sessions.backends import db
from django.utils import timezone

from .models import Session


class SessionStore(db.SessionStore):
    @classmethod
    def get_model_class(cls) -> type[Session]:
        return Session

    def create_model_instance(self, data: dict) -> Session:
        session = super().create_model_instance(data)
        signed_in = data.get(SESSION_KEY)
        session.user_id = (
            None if signed_in is None else get_user_model()._meta.pk.to_python(signed_in)
        )
        return session


def end_sessions(user_ids, *, keep: str | None = None) -> int:
    """End the live sessions of these users, all but `keep` (the acting request's own):
    each one's next request is anonymous. Returns how many were ended."""
    ended, _by_model = (
        Session.objects.filter(user_id__in=user_ids, expire_date__gt=timezone.now())
        .exclude(session_key=keep)
        .delete()
    )
    return ended
