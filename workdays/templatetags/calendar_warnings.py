"""The calendar's gaps for pages that have no view of their own to ask (the admin index)."""

from django import template

from workdays.calendar import CalendarGap, calendar_gaps

register = template.Library()


@register.simple_tag(name="calendar_gaps")
def coming_calendar_gaps() -> list[CalendarGap]:
    """This year's and next year's gaps."""
    return calendar_gaps()
