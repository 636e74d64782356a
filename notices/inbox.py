"""The header's count of unread messages, kept in the session and read again when the
session is written to keep it alive, at most once a minute (base.idle_sessions), or at
once when the user opens or reads their inbox: a signed-in page already loads its
session, so the count costs no query and no write of its own."""

from base import idle_sessions

from .access import inbox_of

SESSION_KEY = "notices_unread"


def unread_count(request) -> int:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return 0
    kept = request.session.get(SESSION_KEY)
    if kept is not None and not idle_sessions.is_due(request.session):
        return kept
    return refresh(request)


def refresh(request) -> int:
    count = inbox_of(request.user).filter(read_at__isnull=True).count()
    request.session[SESSION_KEY] = count
    return count
