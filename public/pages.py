"""The public column (新城政协工作专栏): the workstations, who is on duty, published
results, and the members who chose to be published. No sign-in; cached for visitors.

Everything on these pages was typed by someone: the templates autoescape it all, and
nothing here marks a string safe.
"""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_safe

from . import figures, selectors
from .cache import cached_for_visitors


@require_safe
@cached_for_visitors
def column(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    top = figures.headline(today.year)
    context = {
        "workstations": selectors.workstations_with_week(today),
        "cases": selectors.published_cases(),
        "headline": top,
        "participation": figures.participation(today.year),
        "statuses": [(label, count) for label, count in figures.status_rows(top) if count],
        "labels": figures.LABELS,
        "today": today,
    }
    return render(request, "public/column.html", context)


@require_safe
@cached_for_visitors
def workstation(request: HttpRequest, slug: str) -> HttpResponse:
    today = timezone.localdate()
    place = selectors.workstation_for_public(slug)
    context = {
        "workstation": place,
        "shifts": selectors.workstation_shifts(place, today),
        "members": selectors.workstation_members(place),
        "today": today,
    }
    return render(request, "public/workstation.html", context)


@require_safe
@cached_for_visitors
def member(request: HttpRequest, pk: int) -> HttpResponse:
    today = timezone.localdate()
    person = selectors.member_for_public(pk)
    context = {
        "member": person,
        "duties": selectors.member_duties(person, today),
        "today": today,
    }
    return render(request, "public/member.html", context)
