"""The staff menu, which links the pages of several apps: each link is offered by the
access module of the page it opens, so the menu and the pages cannot disagree."""

from activities import access as activity_access
from departments import access as department_access
from notices import inbox
from points import access as card_access
from rosters import access as roster_access
from visits import access as case_access
from workstations import roles


def navigation(request) -> dict:
    """What the staff menu offers the signed-in user."""
    user = getattr(request, "user", None)
    # Callables: evaluated only by templates that show the menu, from the role groups
    # the page has already read (no query of their own).
    return {
        "may_log_visits": lambda: user is not None and case_access.may_log_visits(user),
        "may_keep_rosters": lambda: user is not None and roster_access.may_keep_rosters(user),
        "may_record_activities": lambda: (
            user is not None and activity_access.may_record_activities(user)
        ),
        "may_see_year_cards": lambda: user is not None and card_access.may_see_year_cards(user),
        "may_see_department_record": lambda: (
            user is not None and department_access.may_see_department_record(user)
        ),
        "is_member": lambda: user is not None and roles.is_member(user),
        "is_administrator": lambda: user is not None and roles.is_administrator(user),
        "is_department_liaison": lambda: user is not None and roles.is_department_liaison(user),
        "may_list_cases": lambda: user is not None and case_access.may_list_cases(user),
        # From the session (notices.inbox): no query of its own on most pages.
        "unread_messages": lambda: inbox.unread_count(request),
    }
