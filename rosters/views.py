"""Members' pages: calendar feeds, roster weeks and months with attendance, leave and swaps,
my duties."""

from datetime import date, timedelta

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import patch_cache_control
from django.utils.dateparse import parse_date
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe
from icalendar import Calendar

from members.models import Member
from workdays.calendar import calendar_gaps, day_marks
from workstations.models import Workstation

from . import access, feeds
from .calendars import FIRST_DAY, LAST_DAY, grid, month_bounds, week_start, with_people
from .duties import DutyError, assignment_mark_attendance, assignment_take_leave, assignments_swap
from .forms import AttendanceForm, LeaveForm, SwapForm
from .models import DutyAssignment, DutyShift

# Calendar apps poll every few minutes to hours; five minutes of caching spares the database.
FEED_MAX_AGE = 300


def _ics(calendar: Calendar, *, public: bool) -> HttpResponse:
    response = HttpResponse(calendar.to_ical(), content_type="text/calendar; charset=utf-8")
    if public:
        patch_cache_control(response, public=True, max_age=FEED_MAX_AGE)
    else:
        patch_cache_control(response, private=True, max_age=FEED_MAX_AGE)
        # The address is the secret: keep it out of search engines if it ever leaks.
        response["X-Robots-Tag"] = "noindex, nofollow"
    return response


@require_safe
def member_calendar(request: HttpRequest, token: str) -> HttpResponse:
    """A member's duties; the unguessable token is the only credential. An unknown or
    revoked token is a plain 404."""
    member = get_object_or_404(Member, calendar_token=token)
    return _ics(feeds.member_duties_calendar(member), public=False)


@require_safe
def workstation_calendar(request: HttpRequest, slug: str) -> HttpResponse:
    """The public roster of an active workstation."""
    workstation = get_object_or_404(Workstation, slug=slug, is_active=True)
    return _ics(feeds.workstation_shifts_calendar(workstation), public=True)


@require_safe
@login_required
def rosters(request: HttpRequest) -> HttpResponse:
    """The menu's roster link: straight to the week of a liaison's one workstation."""
    workstations = list(access.roster_workstations(request.user))
    if not workstations:
        raise Http404
    if len(workstations) == 1:
        return redirect("rosters:roster_week", slug=workstations[0].slug)
    return render(request, "rosters/rosters.html", {"workstations": workstations})


def _day(request: HttpRequest) -> date:
    """The day asked for with ?date=, or today; a day that is no date (2026-02-30) or lies
    outside the years a roster holds is today's too, with a message."""
    asked = request.GET.get("date", "")
    if not asked:
        return timezone.localdate()
    try:
        day = parse_date(asked)
    except ValueError:  # well formed but impossible
        day = None
    if day is None or not FIRST_DAY <= day <= LAST_DAY:
        messages.warning(
            request,
            _("That date cannot be shown: choose a day from %(first)s to %(last)s.")
            % {"first": FIRST_DAY.isoformat(), "last": LAST_DAY.isoformat()},
        )
        return timezone.localdate()
    return day


@require_safe
@login_required
def roster_week(request: HttpRequest, slug: str) -> HttpResponse:
    workstation = access.roster_workstation_for_user(request.user, slug)
    first = week_start(_day(request))
    return _roster_page(
        request,
        "rosters/roster_week.html",
        workstation,
        first,
        first + timedelta(days=6),
        previous=first - timedelta(days=7),
        next=first + timedelta(days=7),
        attendance_form=AttendanceForm(),
    )


@require_safe
@login_required
def roster_month(request: HttpRequest, slug: str) -> HttpResponse:
    """The month's shifts, its public holidays and make-up working days marked."""
    workstation = access.roster_workstation_for_user(request.user, slug)
    first, last = month_bounds(_day(request))
    return _roster_page(
        request,
        "rosters/roster_month.html",
        workstation,
        first,
        last,
        previous=(first - timedelta(days=1)).replace(day=1),
        next=last + timedelta(days=1),
        calendar_notes=_calendar_notes(first, last),
    )


def _calendar_notes(first: date, last: date) -> list[str]:
    """What a roster cannot mark: a year the working-day calendar does not know (no
    holiday marked at all), or knows without its make-up working days confirmed."""
    notes = []
    for gap in calendar_gaps(first, last):
        if gap.entered:
            note = _(
                "The working-day calendar for %(year)s is not complete: make-up working "
                "days may be missing here."
            )
        else:
            note = _(
                "The working-day calendar for %(year)s has not been entered: its public "
                "holidays and make-up working days are not marked."
            )
        notes.append(note % {"year": gap.year})
    return notes


def _roster_page(request, template, workstation, first, last, **context) -> HttpResponse:
    """The workstation's shifts from `first` to `last`, week by week, as of today; the
    view adds its links (`previous`, `next`) and forms."""
    return render(
        request,
        template,
        {
            "workstation": workstation,
            "weeks": grid(
                DutyShift.objects.filter(workstation=workstation),
                first,
                last,
                day_marks(first, last),
            ),
            "first": first,
            "last": last,
            "today": timezone.localdate(),
            **context,
        },
    )


@require_POST
@login_required
def assignment_attendance(request: HttpRequest, pk: int) -> HttpResponse:
    assignment = get_object_or_404(
        DutyAssignment.objects.select_related("shift__workstation"), pk=pk
    )
    # A 404 unless the user keeps this workstation's roster.
    access.roster_workstation_for_user(request.user, assignment.shift.workstation.slug)
    form = AttendanceForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose attended, absent or substituted."))
    elif _done(
        request,
        assignment_mark_attendance,
        assignment=assignment,
        attendance=form.cleaned_data["attendance"],
        substitute=form.cleaned_data["substitute"],
    ):
        messages.success(request, _("Attendance recorded."))
    return _shift_week(assignment)


def _done(request: HttpRequest, duty_function, **arguments) -> bool:
    """Call a duty function as the user: True when done, False when it refused (its reason
    shown as an error message; nothing changed)."""
    try:
        duty_function(**arguments, actor=request.user)
    except DutyError as error:
        messages.error(request, str(error))
        return False
    return True


def _shift_week(assignment: DutyAssignment) -> HttpResponse:
    """Back to the week roster that shows the duty's shift."""
    week = reverse("rosters:roster_week", args=[assignment.shift.workstation.slug])
    return redirect(f"{week}?date={assignment.shift.date:%Y-%m-%d}")


def _change_page(
    request: HttpRequest,
    assignment: DutyAssignment,
    *,
    leave_form: LeaveForm | None = None,
    swap_form: SwapForm | None = None,
) -> HttpResponse:
    now = timezone.now()
    # The same guards the services hold; the services enforce them again on POST.
    changeable = assignment.is_open and not assignment.shift.has_started(now)
    context = {"assignment": assignment, "shift": assignment.shift, "changeable": changeable}
    if changeable:
        context["leave_form"] = leave_form or LeaveForm(assignment=assignment)
        context["swap_form"] = swap_form or SwapForm(assignment=assignment, now=now)
    return render(request, "rosters/assignment_change.html", context)


def _after_change(request: HttpRequest, assignment: DutyAssignment, own: bool) -> HttpResponse:
    """Members go back to their duties; staff and administrators to the shift's week."""
    return redirect("rosters:my_duties") if own else _shift_week(assignment)


@require_safe
@login_required
def assignment_change(request: HttpRequest, pk: int) -> HttpResponse:
    """Ask for leave with a substitute, or swap with another member's coming duty."""
    return _change_page(request, access.assignment_for_user(request.user, pk))


@require_POST
@login_required
def assignment_leave(request: HttpRequest, pk: int) -> HttpResponse:
    assignment = access.assignment_for_user(request.user, pk)
    form = LeaveForm(request.POST, assignment=assignment)
    if not form.is_valid():
        return _change_page(request, assignment, leave_form=form)
    own = access.is_own_assignment(request.user, assignment)
    if not _done(
        request,
        assignment_take_leave,
        assignment=assignment,
        substitute=form.cleaned_data["substitute"],
        reason=form.cleaned_data["reason"],
    ):
        return redirect("rosters:assignment_change", pk=assignment.pk)
    messages.success(
        request,
        _("Leave recorded; %(name)s takes the shift.")
        % {"name": form.cleaned_data["substitute"].name},
    )
    return _after_change(request, assignment, own)


@require_POST
@login_required
def assignment_swap(request: HttpRequest, pk: int) -> HttpResponse:
    assignment = access.assignment_for_user(request.user, pk)
    form = SwapForm(request.POST, assignment=assignment, now=timezone.now())
    if not form.is_valid():
        return _change_page(request, assignment, swap_form=form)
    own = access.is_own_assignment(request.user, assignment)
    other = form.cleaned_data["other"]
    reason = form.cleaned_data["reason"]
    if not _done(request, assignments_swap, first=assignment, second=other, reason=reason):
        return redirect("rosters:assignment_change", pk=assignment.pk)
    messages.success(
        request,
        _("Duties swapped; %(name)s takes this shift.") % {"name": other.member.name},
    )
    return _after_change(request, assignment, own)


@require_safe
@login_required
def my_duties(request: HttpRequest) -> HttpResponse:
    member = access.member_for_user(request.user)
    if member is None:
        raise Http404
    today = timezone.localdate()
    shifts = with_people(
        DutyShift.objects.filter(
            Q(assignments__member=member) | Q(assignments__substitute=member),
            date__gte=today - timedelta(days=30),
        ).distinct()
    )[:200]
    feed = request.build_absolute_uri(
        reverse("rosters:member_calendar", args=[member.calendar_token])
    )
    return render(
        request,
        "rosters/my_duties.html",
        {"member": member, "shifts": shifts, "today": today, "feed_url": feed},
    )
