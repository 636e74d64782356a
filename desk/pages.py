"""The case page, drawn from the case, its timeline and referrals, the steps and
corrections this user may take, and the proposals drafted from it."""

from django.db.models import prefetch_related_objects
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone

from activities import access as proposal_access
from activities.forms import ProposalDraftForm
from visits import access, lifecycle
from visits.actions import ACTION_FORMS
from visits.corrections import CORRECTION_FORMS
from visits.masking import visitor_contact, visitor_id_number
from visits.models import Case, CaseEvent
from visits.supervising import ContactShareForm, answer_entries
from workstations.people import read_people


def _next_step(case: Case, action_forms: list, *, refused) -> tuple:
    """The form of the step the case expects now (or None), and the other forms. A form
    refused on this request is shown where it stands, whatever the case moved to since."""
    offered = [f.action for f in action_forms if f.action not in refused or f.is_available(case)]
    expected = lifecycle.expected_action(case.status, offered)
    next_step = next((f for f in action_forms if f.action == expected), None)
    return next_step, [f for f in action_forms if f is not next_step]


def _steps(request: HttpRequest, case: Case, forms: dict) -> dict:
    """The steps and corrections this user may take, the forms posted on this request
    (`forms`, refused) among them: the one the case expects first, the others folded."""
    allowed = access.actions_for_user(request.user, case)
    action_forms = [
        forms.get(action) or form_class(case=case, user=request.user)
        for action, form_class in ACTION_FORMS.items()
        # A refused form stays on the page to say why, even when its step no longer fits.
        if action in forms or (action in allowed and form_class.is_available(case))
    ]
    next_step, other_steps = _next_step(case, action_forms, refused=forms.keys())
    may_correct = access.may_correct_case(request.user, case)
    correction_forms = [
        forms.get(correction) or form_class(case=case, user=request.user)
        for correction, form_class in CORRECTION_FORMS.items()
        if correction in forms or (may_correct and form_class.is_available(case))
    ]
    # Where a refused form says why: the page opens at its top, far from it on a phone.
    refused = [(f"action-{f.action}-errors", f) for f in action_forms if f.is_bound] + [
        (f"correction-{f.action}-errors", f) for f in correction_forms if f.is_bound
    ]
    return {
        "action_forms": action_forms,
        "next_step": next_step,
        "other_steps": [f for f in other_steps if not f.destructive],
        "ending_steps": [f for f in other_steps if f.destructive],
        "other_steps_open": any(f.is_bound for f in other_steps),
        "refused": refused[0] if refused else None,
        "correction_forms": correction_forms,
    }


def _referrals(request: HttpRequest, case: Case, share: ContactShareForm | None) -> list:
    """The case's referrals; for the office, each open one not yet sharing the citizen's
    contact details carries the form that shares them (`share`, refused, where it was)."""
    referrals = case.referrals_in_order
    may_share = access.may_supervise(request.user)
    for referral in referrals:
        if share is not None and share.referral.pk == referral.pk:
            referral.share_form = share
        elif may_share and referral.is_open and not referral.shares_contact_details:
            referral.share_form = ContactShareForm(referral=referral)
        else:
            referral.share_form = None
    return referrals


def _supervision(request: HttpRequest, case: Case, answer) -> dict:
    """The office's supervisions of the case, each with the answer form this user may
    send; for the office, whether it may supervise the case's step and which referrals it
    supervises already (no second supervision is offered)."""
    entries = answer_entries(
        request.user,
        case.supervisions.select_related("referral__department", "case").order_by(
            "opened_at", "pk"
        ),
        url=lambda s: reverse("desk:supervision_answer", args=[case.number, s.pk]),
        bound=answer,
    )
    waiting = {s.referral_id for s, _form in entries if s.is_open}
    return {
        "supervisions": entries,
        "may_supervise": access.may_supervise(request.user)
        and case.status not in lifecycle.TERMINAL,
        "supervised_referrals": waiting - {None},
        "step_supervised": None in waiting,
    }


def _timeline(case: Case) -> list[CaseEvent]:
    events = list(
        CaseEvent.objects.filter(case=case)
        .select_related("actor", "referral__department")
        .order_by("at", "pk")
    )
    read_people(event.actor for event in events)
    return events


def case_page(
    request: HttpRequest,
    case: Case,
    *,
    forms=None,
    revealed=False,
    status=200,
    proposal_form=None,
    answer=None,
    share=None,
) -> HttpResponse:
    visit = case.visit
    # The page lists them and the form that corrects them starts from them: read once.
    prefetch_related_objects([case], "handling_members")
    may_reveal = access.may_see_personal_data(request.user, case)
    return render(
        request,
        "desk/case_detail.html",
        {
            "case": case,
            "visit": visit,
            **{
                f"visitor_{part}": value
                for part, value in visitor_contact(visit, revealed=revealed).items()
            },
            "visitor_id_number": visitor_id_number(
                visit, revealed=revealed and access.may_see_id_number(request.user, case)
            ),
            "revealed": revealed,
            "may_reveal": may_reveal and not revealed,
            "may_hand_out_lookup_code": access.may_hand_out_lookup_code(request.user, case),
            "events": _timeline(case),
            "referrals": _referrals(request, case, share),
            **_supervision(request, case, answer),
            "members": case.handling_members.all(),
            **_steps(request, case, forms or {}),
            "proposals": proposal_access.proposals_of_case(request.user, case),
            "proposal_form": proposal_form
            or (
                ProposalDraftForm(case=case)
                if proposal_access.may_draft_proposal(request.user, case)
                else None
            ),
            "today": timezone.localdate(),
        },
        status=status,
    )
