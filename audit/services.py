"""Writing the audit log. Personal data never goes into `detail`: only what was done."""

import ipaddress

from django.conf import settings
from django.http import HttpRequest
from django.utils.translation import gettext

from .models import AuditEntry


def client_address(request: HttpRequest) -> str | None:
    """The client's address: REMOTE_ADDR, or the header a trusted reverse proxy sets
    (settings.CLIENT_IP_HEADER). Used by the audit log and the login lockout alike."""
    for header in (settings.CLIENT_IP_HEADER, "REMOTE_ADDR"):
        # X-Forwarded-For style headers list the client first.
        address = (request.META.get(header) or "").split(",")[0].strip()
        try:
            # What is not an address would fail to save (PostgreSQL's inet): a 500 at sign-in.
            return str(ipaddress.ip_address(address))
        except ValueError:
            continue
    return None


def audit_record(
    request: HttpRequest | None, action: str, target: str = "", detail: str = "", *, user=None
) -> AuditEntry:
    """One row of the audit log: who (the request's user unless `user` is given), from
    where, did what to which record. Without a request (a management command), nobody
    from nowhere."""
    user = user or getattr(request, "user", None)
    return AuditEntry.objects.create(
        user=user if user is not None and user.is_authenticated else None,
        ip_address=None if request is None else client_address(request),
        action=action,
        target=target,
        detail=detail[:300],
    )


def search_shape(term: str) -> tuple[str, int]:
    """What a search term looks like, "number" or "text", and its length: all that may
    be kept or shown of it, since a name or phone typed into a search box is personal
    data."""
    # Seven digits or more: a phone, an ID number (or a tracking number).
    kind = "number" if sum(c.isdigit() for c in term) >= 7 else "text"
    return kind, len(term)


def search_words(term: str) -> str:
    """A search term as an export's title and the audit log tell it: "a number, 11
    characters", "text, 3 characters"."""
    kind, length = search_shape(term)
    if kind == "number":
        return gettext("a number, %(length)d characters") % {"length": length}
    return gettext("text, %(length)d characters") % {"length": length}
