"""The public column (新城政协工作专栏): the workstations, who is on duty, published
results, and the members who chose to be published. No sign-in; cached for visitors.

Everything on these pages was typed by someone: the templates autoescape it all, and
nothing here marks a string safe.
"""

from functools import wraps

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_safe

from base.replica import reads_from_replica

from . import figures, selectors
from .cache import cached_for_visitors
from .preferences import care_mode


def _public_page(template: str):
    """A page of the column: GET and HEAD only, cached for visitors, as of today. The view
    is given today's date and the URL's arguments and returns the page's context, to which
    `today` is added."""

    def decorate(view):
        @require_safe
        @cached_for_visitors
        @reads_from_replica
        @wraps(view)
        def page(request, *args, **kwargs):
            today = timezone.localdate()
            return render(request, template, {**view(today, *args, **kwargs), "today": today})

        return page

    return decorate


@require_safe
@cached_for_visitors
@reads_from_replica
def column(request: HttpRequest) -> HttpResponse:
    """Today's duty first, the workstations in brief, then the published results; this
    week's duty and the workstations' addresses one click away. In care mode (适老化) the
    shortest page: the three things a citizen comes for and today's duty in brief."""
    today = timezone.localdate()
    workstations = selectors.workstations_today(today)
    on_duty = [place for place in workstations if place.duties]
    context = {"today": today, "workstations": workstations, "on_duty": on_duty}
    if care_mode(request):
        return render(request, "public/column_care.html", context)
    top = figures.headline(today.year)
    context |= {
        "cases": selectors.published_cases(),
        "headline": top,
        "participation": figures.participation(today.year),
        "statuses": [(label, count) for label, count in figures.status_rows(top) if count],
        "labels": figures.LABELS,
    }
    return render(request, "public/column.html", context)


@_public_page("public/duty_week.html")
def duty_week(today) -> dict:
    return {"days": selectors.week_duty(today)}


@_public_page("public/workstation_list.html")
def workstation_list(today) -> dict:
    return {"workstations": selectors.workstations_today(today)}


@_public_page("public/workstation.html")
def workstation(today, slug: str) -> dict:
    place = selectors.workstation_for_public(slug)
    return {
        "workstation": place,
        "shifts": selectors.workstation_shifts(place, today),
        "members": selectors.workstation_members(place),
    }


@_public_page("public/member.html")
def member(today, pk: int) -> dict:
    person = selectors.member_for_public(pk)
    return {"member": person, "duties": selectors.member_duties(person, today)}
