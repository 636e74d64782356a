"""The second step of signing in and each account's own second-factor page."""

from base64 import b32encode
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponseRedirect
from django.shortcuts import redirect, render, resolve_url
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from audit.models import AuditAction
from audit.services import audit_record
from base.qr import qr_svg

from . import second_factor
from .forms import SecondFactorForm, SetUpForm


def _next(request) -> str:
    """Where the user was going, if it is on this site."""
    wanted = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(
        wanted, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return wanted
    return resolve_url(settings.LOGIN_REDIRECT_URL)


def _with_next(name: str, request) -> str:
    wanted = request.POST.get("next") or request.GET.get("next")
    return reverse(name) + (f"?{urlencode({'next': wanted})}" if wanted else "")


def _target(user) -> str:
    return f"user {user.pk}"


def _audit_wrong_code(request, form) -> None:
    if form.has_error("code", "wrong"):
        audit_record(request, AuditAction.DENIED, _target(request.user), "wrong second-factor code")


@login_required
def second_factor_step(request):
    if not second_factor.is_due(request):
        return HttpResponseRedirect(_next(request))
    if not second_factor.has_factor(request.user):
        # An administrator's first sign-in: the factor is set up before anything else.
        return redirect(_with_next("accounts:set_up", request))
    form = SecondFactorForm(request.user, request.POST or None)
    if request.method == "POST":
        if form.is_valid():
            second_factor.mark_passed(request, form.device)
            audit_record(request, AuditAction.SIGN_IN, _target(request.user), "second factor")
            return HttpResponseRedirect(_next(request))
        _audit_wrong_code(request, form)
    return render(
        request,
        "accounts/second_factor_step.html",
        {"form": form, "next": request.POST.get("next") or request.GET.get("next", "")},
    )


def _security_page(request, remove_form=None, status=200):
    user = request.user
    has_factor = second_factor.has_factor(user)
    return render(
        request,
        "accounts/security.html",
        {
            "has_factor": has_factor,
            "must_have": second_factor.must_have(user),
            "codes_left": second_factor.recovery_codes_left(user) if has_factor else 0,
            "remove_form": remove_form or SecondFactorForm(user, auto_id="remove_%s"),
        },
        status=status,
    )


@login_required
@require_GET
def security(request):
    return _security_page(request)


def _base_template(request) -> str:
    # Not yet fully signed in: no staff menu, whose pages would only send them back here.
    return "base.html" if second_factor.is_due(request) else "staff_base.html"


@login_required
def set_up(request):
    user = request.user
    due = second_factor.is_due(request)
    if due and second_factor.has_factor(user):
        # The password alone may not add a factor to an account that has one.
        return redirect(_with_next("accounts:second_factor", request))
    device = second_factor.device_being_set_up(request.session, user)
    form = SetUpForm(request.session, device, request.POST or None)
    if request.method == "POST":
        if form.is_valid():
            if due:
                second_factor.mark_passed(request, device)
            request.session[second_factor.NEW_RECOVERY_CODES] = form.recovery_codes
            audit_record(request, AuditAction.SECURITY, _target(user), "second factor set up")
            return redirect(_with_next("accounts:recovery_codes", request))
        _audit_wrong_code(request, form)
    secret = b32encode(device.bin_key).decode()
    return render(
        request,
        "accounts/set_up.html",
        {
            "base_template": _base_template(request),
            "form": form,
            "qr": qr_svg(device.config_url, title=_("Code for your authenticator app")),
            "secret": " ".join(secret[i : i + 4] for i in range(0, len(secret), 4)),
            "replacing": second_factor.has_factor(user),
            "next": request.POST.get("next") or request.GET.get("next", ""),
        },
    )


@login_required
def recovery_codes(request):
    """GET: the codes just made, once. POST: new codes replacing the old ones."""
    user = request.user
    if request.method == "POST":
        if second_factor.is_due(request) or not second_factor.has_factor(user):
            return redirect("accounts:security")
        request.session[second_factor.NEW_RECOVERY_CODES] = second_factor.new_recovery_codes(user)
        audit_record(request, AuditAction.SECURITY, _target(user), "new recovery codes")
        return redirect("accounts:recovery_codes")
    codes = request.session.pop(second_factor.NEW_RECOVERY_CODES, None)
    if not codes:
        return redirect("accounts:security")
    return render(
        request,
        "accounts/recovery_codes.html",
        {
            "codes": [second_factor.shown_in_groups(code) for code in codes],
            "next": _next(request),
        },
    )


@login_required
@require_POST
def remove(request):
    user = request.user
    if second_factor.must_have(user):
        messages.error(request, _("Administrators must keep a second factor."))
        return redirect("accounts:security")
    form = SecondFactorForm(user, request.POST, auto_id="remove_%s")
    if not form.is_valid():
        _audit_wrong_code(request, form)
        return _security_page(request, form, status=400)
    second_factor.remove(user)
    audit_record(request, AuditAction.SECURITY, _target(user), "second factor removed")
    messages.success(request, _("The second factor was removed: your password alone signs in."))
    return redirect("accounts:security")
