"""The header's count of unread messages, kept in the session and read again at most
once a minute (or at once when the user opens or reads their inbox): a signed-in page
already loads and saves its session, so the count costs no query of its own."""

import time

from .access import inbox_of

SESSION_KEY = "notices_unread"
REFRESH_SECONDS = 60


def unread_count(request) -> int:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return 0
    kept = request.session.get(SESSION_KEY)
    if kept and time.time() - kept[1] < REFRESH_SECONDS:
        return kept[0]
    return refresh(request)


def refresh(request) -> int:
    count = inbox_of(request.user).filter(read_at__isnull=True).count()
    request.session[SESSION_KEY] = (count, time.time())
    return count
