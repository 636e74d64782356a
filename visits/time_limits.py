"""The time limits a case is held to, and the due dates counted from them.

The district office sets the limits per year in admin (`TimeLimit`), for every category
or for one; a step the office has not set for the year takes the default from settings.
A due date is counted once, when the clock starts, and kept on the case or referral:
changing a limit later moves no date already promised.
"""

from datetime import date

from django.conf import settings

from workdays.calendar import CalendarMissing, add_working_days

from .models import TimeLimit, TimeLimitStep

Step = TimeLimitStep

# The settings each step falls back to when the office set no limit for the year.
_DEFAULT_SETTINGS = {
    Step.ACCEPT: "ACCEPTANCE_WORKING_DAYS",
    Step.FIRST_HANDLING: "FIRST_HANDLING_WORKING_DAYS",
    Step.CONSULTATION: "CONSULTATION_WORKING_DAYS",
    Step.ACKNOWLEDGE: "ACKNOWLEDGEMENT_WORKING_DAYS",
    Step.REPLY: "REFERRAL_REPLY_WORKING_DAYS",
    Step.RESOLUTION: "RESOLUTION_WORKING_DAYS",
    Step.FOLLOW_UP: "FOLLOW_UP_WORKING_DAYS",
}


def default_working_days(step: str) -> int:
    return getattr(settings, _DEFAULT_SETTINGS[step])


def working_days(step: str, *, on: date, category: str = "") -> int:
    """The working days `step` may take when its clock starts on `on`: the office's limit
    for the case's category that year, else its limit for every category, else the default."""
    limits = dict(
        TimeLimit.objects.filter(year=on.year, step=step, category__in={category, ""}).values_list(
            "category", "working_days"
        )
    )
    return limits.get(category) or limits.get("") or default_working_days(step)


def due_after(step: str, *, start: date, category: str = "") -> date | None:
    """The last day for `step` when its clock starts on `start`; None while the working-day
    calendar of those days has not been entered (a due date is never guessed)."""
    try:
        return add_working_days(start, working_days(step, on=start, category=category))
    except CalendarMissing:
        return None
