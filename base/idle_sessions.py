"""An idle session ends SESSION_COOKIE_AGE after its last request, but its row is written
again at most once every SESSION_REFRESH_SECONDS, not on every request: a page costs no
write, and a user's concurrent requests do not queue on one row. The idle limit is kept
to within that minute. The time of the last write is kept in the session itself."""

import time

from django.conf import settings

REFRESHED_AT = "_refreshed_at"


def keep_alive(session) -> None:
    """Push the session's end back now (it is saved with the response)."""
    session[REFRESHED_AT] = int(time.time())


def is_due(session) -> bool:
    """Whether this request writes the session to keep it alive (the header's cached
    figures are read again then, for no write of their own)."""
    refreshed_at = session.get(REFRESHED_AT)
    return refreshed_at is None or time.time() - refreshed_at >= settings.SESSION_REFRESH_SECONDS


def keep_alive_if_due(session) -> None:
    if not session.session_key or not session.accessed:
        return
    if not any(key != REFRESHED_AT for key in session.keys()):  # noqa: SIM118 (no __iter__)
        # Emptied by the page (a citizen's lookup forgotten): let the session go.
        session.pop(REFRESHED_AT, None)
        return
    if session.modified or is_due(session):
        keep_alive(session)  # when written anyway, the mark costs nothing


def on_logged_in(sender, request, user, **kwargs) -> None:
    # Signing in writes the session: the next minute's requests need not.
    keep_alive(request.session)


class IdleSessionMiddleware:
    """After SessionMiddleware (so that its save sees the mark)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        session = getattr(request, "session", None)
        if session is not None:
            keep_alive_if_due(session)
        return response
