"""The pages of a department's liaison: the referrals sent to their department, each
with what the department needs to answer it, and the steps a department takes itself —
sign for it (签收), reply, send it back with a reason. They see no case page, no list of
cases and no citizen's contact details (visits.access)."""

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST, require_safe

from audit.denials import Refused
from audit.models import AuditAction
from audit.services import audit_record
from visits import access, selectors
from visits.actions import AcknowledgeForm, ExtendForm, ReplyForm, ReturnForm, take_step
from visits.lifecycle import Action
from visits.masking import visitor_contact
from visits.models import CaseEvent, EventKind, Referral
from visits.supervising import SupervisionAnswerForm, answer_entries
from workstations import roles

# The steps a department takes on its own referral, each with the desk's form for it.
DEPARTMENT_FORMS = {
    Action.ACKNOWLEDGE: AcknowledgeForm,
    Action.REPLY: ReplyForm,
    Action.RETURN: ReturnForm,
    ExtendForm.action: ExtendForm,
}
# What each step is called on the department's side.
STEP_LABELS = {
    Action.ACKNOWLEDGE: _("Sign for this referral (签收)"),
    Action.REPLY: _("Send our reply"),
    Action.RETURN: _("Send it back, with the reason (退回)"),
    ExtendForm.action: ExtendForm.label,
}
# What the confirmation says once the department took the step.
STEP_DONE = {
    Action.ACKNOWLEDGE: _("Signed for this referral"),
    Action.REPLY: _("Our reply was sent"),
    Action.RETURN: _("Sent back to the workstation"),
}
# Open referrals first, those awaiting the signature before those awaiting the reply.
STATE_ORDER = [Referral.State.SENT, Referral.State.ACKNOWLEDGED]


def _offered(request: HttpRequest, referral: Referral, bound: dict | None = None) -> dict:
    """The forms of the steps the liaison may take on the referral now, for this referral
    alone (its choice hidden); `bound` replaces the one that was just refused."""
    allowed = access.department_actions(request.user, referral)
    bound = bound or {}
    forms = {}
    for action, form_class in DEPARTMENT_FORMS.items():
        offered = action in allowed and form_class.is_available(referral.case)
        if action == Action.ACKNOWLEDGE and referral.state != Referral.State.SENT:
            offered = False
        if action == ExtendForm.action and ExtendForm.waiting(referral):
            offered = False
        # A refused step stays on the page, with its reason, even if no longer offered.
        if not (offered or action in bound):
            continue
        form = bound.get(action) or form_class(case=referral.case, user=request.user)
        form.label = STEP_LABELS[action]
        forms[action] = for_one_referral(form, referral)
    return forms


def for_one_referral(form, referral: Referral):
    """The desk's form of a step, for this referral only: whatever its state, so that a
    step it no longer allows (signed for twice, answered meanwhile) is refused by the
    lifecycle with its reason rather than by the form."""
    form.done_text = STEP_DONE.get(form.action)
    field = form.fields["referral"]
    field.queryset = Referral.objects.filter(pk=referral.pk).select_related("department")
    field.widget = field.hidden_widget()
    form.initial["referral"] = referral.pk
    return form


@require_safe
@login_required
def referral_list(request: HttpRequest) -> HttpResponse:
    if not roles.is_department_liaison(request.user):
        raise Http404
    referrals = list(
        access.referrals_for_liaison(request.user)
        .annotate(supervised=selectors.under_supervision())
        .select_related("case__workstation", "department")
        .order_by("-sent_at", "-pk")[:200]
    )
    waiting = [r for r in referrals if r.is_open]
    waiting.sort(key=lambda r: (STATE_ORDER.index(r.state), r.next_due_on, r.pk))
    return render(
        request,
        "departments/referral_list.html",
        {
            "waiting": waiting,
            "answered": [r for r in referrals if not r.is_open],
            "today": timezone.localdate(),
        },
    )


def _page(
    request: HttpRequest,
    referral: Referral,
    bound=None,
    status=200,
    *,
    answer: SupervisionAnswerForm | None = None,
    revealed=False,
) -> HttpResponse:
    sent_with = (
        CaseEvent.objects.filter(referral=referral, kind=EventKind.REFERRED)
        .values_list("note", flat=True)
        .first()
    )
    visit = referral.case.visit
    return render(
        request,
        "departments/referral_detail.html",
        {
            "referral": referral,
            "case": referral.case,
            "sent_with": sent_with,
            "notes": access.notes_for_departments(referral),
            "may_reveal": access.may_see_shared_contact(request.user, referral) and not revealed,
            "revealed": revealed,
            "visitor": visitor_contact(visit, revealed=revealed),
            "supervisions": answer_entries(
                request.user,
                referral.supervisions.select_related("referral", "case").order_by(
                    "opened_at", "pk"
                ),
                url=lambda s: reverse("departments:supervision_answer", args=[s.pk]),
                bound=answer,
            ),
            "forms": _offered(request, referral, bound),
            "extensions": referral.extensions.select_related("requested_by").order_by(
                "requested_at", "pk"
            ),
            "today": timezone.localdate(),
        },
        status=status,
    )


@require_safe
@login_required
def referral_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _page(request, access.referral_for_liaison(request.user, pk))


@require_POST
@login_required
def referral_reveal(request: HttpRequest, pk: int) -> HttpResponse:
    """The citizen's contact details, once the office shared them with the department for
    a recorded reason; each reveal is in the audit log."""
    referral = access.referral_for_liaison(request.user, pk)
    if not access.may_see_shared_contact(request.user, referral):
        raise Refused(referral.case.number, "reveal of the visitor's contact details")
    detail = gettext("visitor's contact details")
    audit_record(
        request, AuditAction.REVEAL, referral.case.number, f"{detail} · {referral.department}"
    )
    return _page(request, referral, revealed=True)


@require_POST
@login_required
def supervision_answer(request: HttpRequest, pk: int) -> HttpResponse:
    """The department's answer to the office's supervision of its referral."""
    supervision = access.supervision_for_liaison(request.user, pk)
    if not access.may_answer_supervision(request.user, supervision):
        raise Http404
    referral = access.referral_for_liaison(request.user, supervision.referral_id)
    form = SupervisionAnswerForm(request.POST, supervision=supervision)
    if form.is_valid() and take_step(request, referral.case, form, "answer_supervision"):
        return redirect("departments:referral_detail", pk=referral.pk)
    return _page(request, referral, answer=form, status=400)


@require_POST
@login_required
def referral_act(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    referral = access.referral_for_liaison(request.user, pk)
    form_class = DEPARTMENT_FORMS.get(action)
    if form_class is None:
        raise Http404
    form = for_one_referral(
        form_class(request.POST, case=referral.case, user=request.user), referral
    )
    if form.is_valid() and take_step(request, referral.case, form, action):
        return redirect("departments:referral_detail", pk=referral.pk)
    referral.refresh_from_db()
    return _page(request, referral, bound={action: form}, status=400)
