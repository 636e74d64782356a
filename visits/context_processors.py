from workstations import roles

from . import access


def navigation(request) -> dict:
    """What the staff menu offers; decided by the same access rules as the pages."""
    user = getattr(request, "user", None)
    # Callables: evaluated only by templates that show the menu, from the role groups
    # the page has already read (no query of their own).
    return {
        "may_log_visits": lambda: user is not None and access.may_log_visits(user),
        "is_member": lambda: user is not None and roles.is_member(user),
        "is_administrator": lambda: user is not None and roles.is_administrator(user),
    }
