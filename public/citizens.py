"""The citizen's pages: send an opinion (/submit/), read the receipt once, follow the case
(/track/), add information and give the follow-up. None of them is cached, and none is
kept by a browser: they carry a case's progress or a fresh lookup code."""

import hashlib
import math
import time
from collections.abc import Callable

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST, require_safe

from base.mappings import dataclass_from
from visits.lifecycle import Action, CaseError, citizen_actions, follow_up_action
from visits.models import Case
from visits.online import (
    Submission,
    case_lookup,
    citizen_add,
    citizen_follow_up,
    merged_destination,
    online_submit,
    public_timeline,
    stop_messages,
)
from visits.receipts import receipt_context
from visits.services import DuplicateSubmission

from . import throttle
from .forms import CONSENT_VERSION, AddForm, FollowUpForm, LookupForm, SubmitForm

RECEIPT = "public_receipt"
RECEIPT_SECONDS = 15 * 60
TRACKED = "public_tracked_case"


@never_cache
def submit(request: HttpRequest) -> HttpResponse:
    if request.method not in ("GET", "HEAD", "POST"):
        return HttpResponse(status=405, headers={"Allow": "GET, HEAD, POST"})
    form = SubmitForm(request.POST or None)
    if request.method != "POST":
        return render(request, "public/submit.html", {"form": form})
    address = throttle.address(request)
    if throttle.exceeded(throttle.SUBMISSIONS, address):
        form.add_error(None, _("Too many submissions from your network. Please try again later."))
        return render(request, "public/submit.html", {"form": form}, status=429)
    throttle.count(throttle.SUBMISSIONS, address)
    if form.is_robot:
        form.add_error(None, _("Your opinion could not be accepted."))
    elif form.is_valid():
        try:
            agreed = {**form.cleaned_data, "consent_version": CONSENT_VERSION}
            receipt = online_submit(dataclass_from(Submission, agreed))
        except DuplicateSubmission:
            return redirect("public:receipt")  # the first submit's receipt, if not yet read
        request.session.cycle_key()
        request.session[RECEIPT] = {
            "number": receipt.number,
            "code": receipt.lookup_code,
            "until": time.time() + RECEIPT_SECONDS,
        }
        return redirect("public:receipt")
    return render(request, "public/submit.html", {"form": form}, status=400)


@require_safe
@never_cache
def receipt(request: HttpRequest) -> HttpResponse:
    """The lookup code, to this browser only, for a few minutes after sending (a reload,
    a switch to large text or English keeps it); then it is gone from the session, and
    only its hash remains anywhere."""
    shown = request.session.get(RECEIPT)
    if shown is not None and time.time() > shown["until"]:
        del request.session[RECEIPT]
        shown = None
    context = {"receipt": shown}
    case = Case.objects.filter(number=shown["number"]).first() if shown else None
    if case is not None:
        context |= receipt_context(request, case)
    return render(request, "public/receipt.html", context)


def _code_mark(case: Case) -> str:
    # Which code opened the case: a new code (a lost slip) ends every session the old one
    # opened. A digest of the stored hash, so the session holds nothing that checks a code.
    return hashlib.sha256(case.lookup_code.encode()).hexdigest()[:16]


def _tracked(request: HttpRequest) -> Case | None:
    tracked = request.session.get(TRACKED)
    if not isinstance(tracked, dict):
        return None
    case = Case.objects.select_related("workstation", "visit").filter(pk=tracked.get("pk")).first()
    if case is None or tracked.get("code") != _code_mark(case):
        request.session.pop(TRACKED, None)
        return None
    return case


def _track_page(request: HttpRequest, *, lookup=None, add=None, follow_up=None, status=200):
    case = _tracked(request)
    context = {"lookup_form": lookup or LookupForm(), "case": case}
    if case is not None:
        allowed = citizen_actions(case)
        # A merged opinion is followed as the case it joined, read without the other
        # citizen's details or anyone's notes.
        merged_into = merged_destination(case)
        context |= {
            "timeline": public_timeline(case),
            "add_form": (add or AddForm()) if Action.NOTE in allowed else None,
            "follow_up_form": (follow_up or FollowUpForm()) if Action.CLOSE in allowed else None,
            "merged_into": merged_into,
            "merged_timeline": public_timeline(merged_into, own=False) if merged_into else [],
        }
    return render(request, "public/track.html", context, status=status)


@never_cache
def track(request: HttpRequest) -> HttpResponse:
    if request.method not in ("GET", "HEAD", "POST"):
        return HttpResponse(status=405, headers={"Allow": "GET, HEAD, POST"})
    if request.method != "POST":
        return _track_page(request)
    if "forget" in request.POST:
        request.session.pop(TRACKED, None)
        return redirect("public:track")
    if "stop_sms" in request.POST:
        case = _tracked(request)
        if case is not None:
            stop_messages(case)
            messages.success(request, _("No more SMS will be sent to you about this case."))
        return redirect("public:track")
    form = LookupForm(request.POST)
    if not form.is_valid():
        return _track_page(request, lookup=form, status=400)
    number = form.cleaned_data["number"].strip().upper()
    address = throttle.address(request)
    if throttle.exceeded(throttle.LOOKUPS, address) or throttle.exceeded(
        throttle.FAILED_LOOKUPS_PER_NUMBER, f"{number}|{address}"
    ):
        form.add_error(None, _("Too many attempts. Please try again later."))
        return _track_page(request, lookup=form, status=429)
    wait = throttle.slow_lane_wait(number, address)
    if wait:
        minutes = math.ceil(wait / 60)
        form.add_error(
            None,
            ngettext(
                "Many wrong codes were sent for this tracking number. Please try again in %(minutes)d minute.",
                "Many wrong codes were sent for this tracking number. Please try again in %(minutes)d minutes.",
                minutes,
            )
            % {"minutes": minutes},
        )
        return _track_page(request, lookup=form, status=429)
    throttle.count(throttle.LOOKUPS, address)
    case = case_lookup(number, form.cleaned_data["code"])
    if case is None:
        throttle.count_failed_lookup(number, address)
        # The same answer for an unknown number and a wrong code.
        form.add_error(None, _("No case matches this tracking number and lookup code."))
        return _track_page(request, lookup=form, status=400)
    request.session.cycle_key()
    request.session[TRACKED] = {"pk": case.pk, "code": _code_mark(case)}
    return redirect("public:track")


def _act(
    request: HttpRequest, form_class, act, field: str, success: Callable[[dict], str]
) -> HttpResponse:
    case = _tracked(request)
    if case is None:
        return redirect("public:track")
    form = form_class(request.POST)
    if not form.is_valid():
        return _track_page(request, status=400, **{field: form})
    if throttle.exceeded(throttle.ADDITIONS, case.number):
        messages.error(request, _("Too many additions to this case. Please try again later."))
        return redirect("public:track")
    throttle.count(throttle.ADDITIONS, case.number)
    try:
        act(case, form.cleaned_data)
    except CaseError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, success(form.cleaned_data))
    return redirect("public:track")


@require_POST
@never_cache
def track_add(request: HttpRequest) -> HttpResponse:
    return _act(
        request,
        AddForm,
        lambda case, data: citizen_add(case, data["text"]),
        "add",
        lambda data: _("Thank you: your information was added to the case."),
    )


@require_POST
@never_cache
def track_follow_up(request: HttpRequest) -> HttpResponse:
    return _act(
        request,
        FollowUpForm,
        lambda case, data: citizen_follow_up(case, data["satisfaction"], data["comment"]),
        "follow_up",
        _followed_up,
    )


def _followed_up(data: dict) -> str:
    if follow_up_action(data["satisfaction"]) == Action.REOPEN:
        return _("Thank you for your feedback: the workstation takes your case up again.")
    return _("Thank you for your feedback.")
