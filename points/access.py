"""Who may see report cards. Role logic for this app lives here only.

Administrators see every card, the year's table and its workbook, and the queries on
every card. A member sees their own card and asks about its lines. Once the office
publishes a year, anyone sees that year's cards (not the queries). Anything else is a 404.
"""

from django.http import Http404

from audit.denials import not_found
from members.access import member_for_user
from members.models import Member
from workstations import roles

from .models import PointEntry


def may_see_year_cards(user) -> bool:
    """The year's table of every card and its workbook: administrators only."""
    return roles.is_administrator(user)


def check_may_see_year_cards(user) -> None:
    if not may_see_year_cards(user):
        raise Http404


def may_see_card(user, member: Member, *, published: bool) -> bool:
    """A member's own card, any card for administrators, every card of a published year."""
    return published or roles.is_administrator(user) or is_own_card(user, member)


def is_own_card(user, member: Member) -> bool:
    own = member_for_user(user)
    return own is not None and own.pk == member.pk


def may_see_card_queries(user, *, own: bool) -> bool:
    """Queries and answers are between the member and the office."""
    return own or roles.is_administrator(user)


def own_entry(user, pk: int) -> PointEntry:
    """A line of the user's own card, which they may ask the office about; 404 otherwise."""
    member = member_for_user(user)
    try:
        return PointEntry.objects.get(pk=pk, member=member)
    except PointEntry.DoesNotExist:
        raise not_found(PointEntry.objects.filter(pk=pk), f"pointentry {pk}") from None
