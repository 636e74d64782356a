"""Changes to members that are more than editing a form."""

from .models import Member, new_calendar_token


def member_calendar_token_renew(member: Member) -> Member:
    """Give the member a new calendar feed address: the old one is a 404 from now on
    (a lost phone, an address shared by mistake)."""
    member.calendar_token = new_calendar_token()
    member.save(update_fields=["calendar_token"])
    return member
