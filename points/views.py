"""Report cards: a member's own card, any card for the office (and for the public once the
office publishes the year), the year's table and workbook, and a member's query about a
line of their card."""

import io

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe
from openpyxl import Workbook

from audit.models import AuditAction
from audit.services import audit_record
from base.spreadsheets import title_line, write_sheet
from members.models import Member

from . import access, cards
from .models import FIRST_YEAR, LAST_YEAR, Category, PointQuery, ScoringYear


class QueryForm(forms.ModelForm):
    class Meta:
        model = PointQuery
        fields = ["text"]


def _card_page(request: HttpRequest, member: Member, year: int, *, own: bool) -> HttpResponse:
    return render(
        request,
        "points/card.html",
        {
            "card": cards.card(member, year),
            "member": member,
            "own": own,
            "show_queries": access.may_see_card_queries(request.user, own=own),
            "years": ScoringYear.objects.values_list("year", flat=True) if own else (),
        },
    )


@require_safe
@login_required
def my_card(request: HttpRequest) -> HttpResponse:
    member = access.member_for_user(request.user)
    if member is None:
        raise Http404
    try:
        year = int(request.GET.get("year", ""))
    except ValueError:
        year = timezone.localdate().year
    if not FIRST_YEAR <= year <= LAST_YEAR:
        year = timezone.localdate().year
    return _card_page(request, member, year, own=True)


@require_safe
def member_card(request: HttpRequest, year: int, member_pk: int) -> HttpResponse:
    """Administrators see every card, members their own; anyone, once the office has
    published the year's cards."""
    published = ScoringYear.objects.filter(year=year, cards_published=True).exists()
    if not published and not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    member = get_object_or_404(Member.objects.select_related("activity_group"), pk=member_pk)
    if not access.may_see_card(request.user, member, published=published):
        raise Http404
    return _card_page(request, member, year, own=access.is_own_card(request.user, member))


@require_safe
@login_required
def year_cards(request: HttpRequest, year: int) -> HttpResponse:
    access.check_may_see_year_cards(request.user)
    categories = cards.year_categories(year)
    labels = [Category(category).label for category in categories]
    # Each total with its category's name: a cell on a phone is labelled by its heading.
    rows = [
        (row, list(zip(labels, row.totals_in(categories), strict=True)))
        for row in cards.year_totals(year)
    ]
    return render(
        request,
        "points/year_cards.html",
        {
            "year": year,
            # The neighbours the converter can address; the first and last years lack one.
            "previous": year - 1 if year > FIRST_YEAR else None,
            "next": year + 1 if year < LAST_YEAR else None,
            "scoring_year": ScoringYear.objects.filter(year=year).first(),
            "categories": labels,
            "rows": rows,
        },
    )


def _workbook(year: int) -> Workbook:
    categories = cards.year_categories(year)
    labels = [str(Category(category).label) for category in categories]
    book = Workbook(write_only=True)
    subject = _("Report cards %(year)s") % {"year": year}
    exported_at = timezone.now()
    write_sheet(
        book,
        subject,
        title=title_line(subject, exported_at=exported_at),
        header=[_("Rank"), _("Member"), _("Activity group"), _("Sector"), _("Workstation"),
                *labels, _("Total"), _("Grade")],
        rows=(
            [row.rank, row.member.name, row.member.activity_group, row.member.sector,
             row.member.home_workstation, *row.totals_in(categories), row.total,
             str(row.grade.label) if row.grade else ""]
            for row in cards.year_totals(year)
        ),
    )  # fmt: skip
    write_sheet(
        book,
        _("Entries"),
        title=title_line(f"{subject} · {_('Entries')}", exported_at=exported_at),
        header=[_("Member"), _("Date"), _("Category"), _("Source"), _("Points"),
                _("Rule version")],
        rows=(
            [entry.member.name, entry.occurred_on, entry.get_category_display(), description,
             entry.points, entry.rule_version]
            for entry, description in cards.year_entries(year)
        ),
    )  # fmt: skip
    return book


@require_safe
@login_required
def year_workbook(request: HttpRequest, year: int) -> HttpResponse:
    access.check_may_see_year_cards(request.user)
    output = io.BytesIO()
    _workbook(year).save(output)
    output.seek(0)
    filename = f"report-cards-{year}.xlsx"
    audit_record(request, AuditAction.EXPORT, filename)
    return FileResponse(output, as_attachment=True, filename=filename)


@require_POST
@login_required
def query_entry(request: HttpRequest, pk: int) -> HttpResponse:
    """A member asks the office about a line of their own card."""
    entry = access.own_entry(request.user, pk)
    form = QueryForm(request.POST)
    if form.is_valid():
        form.instance.entry, form.instance.asked_by = entry, request.user
        form.save()
        messages.success(request, _("Your question has gone to the office."))
    else:
        messages.error(request, _("Write your question, in at most 2000 characters."))
    card_url = reverse("points:my_card")
    return redirect(f"{card_url}?year={entry.year}#entry-{entry.pk}")
