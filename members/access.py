"""Who a user is among the members. Role logic for this app lives here only; the other
apps ask here for "the member this user is"."""

from workstations import roles

from .models import Member


def member_for_user(user) -> Member | None:
    """The user's own Member row, if the user is an active member: whose duties, cases,
    proposals and report card are their own. Asking costs a query only for members."""
    return getattr(user, "member", None) if roles.is_member(user) else None
