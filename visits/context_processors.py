from . import access


def navigation(request) -> dict:
    """What the staff menu offers; decided by the same access rules as the pages."""
    user = getattr(request, "user", None)
    # A callable: evaluated only by templates that show the menu.
    return {"may_log_visits": lambda: user is not None and access.may_log_visits(user)}
