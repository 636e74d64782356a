"""The citizen's forms: an opinion sent online, a progress lookup, additions and the
follow-up. Every limit here is also a database or service rule; the form says it first,
next to the field."""

import hashlib
import uuid

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop

from base.forms import CHOOSE
from visits.lookup_codes import LOOKUP_LENGTH
from visits.models import Case, Satisfaction
from workstations.models import Workstation
from workstations.validators import phone_validator

TEXT_MAX = 2000


# What a citizen agrees to online, as written (the msgids; shown translated).
PROCESSING_CONSENT = gettext_noop(
    "I agree that the committee's member workstations use my name and phone to handle "
    "this opinion and to contact me about it."
)
PUBLICATION_CONSENT = gettext_noop(
    "Once it is resolved, my opinion may be published without my name, phone or address."
)
SMS_CONSENT = gettext_noop(
    "Tell me of the progress by SMS at this phone (you can stop it at any time)."
)


def consent_version(texts=(PROCESSING_CONSENT, PUBLICATION_CONSENT, SMS_CONSENT)) -> str:
    """The version of the consents' wording, kept with each consent (PIPL): a digest of the
    texts, so that any change of wording is a new version without anyone having to
    remember to number it; a version's wording is in this file's history."""
    return hashlib.sha256("\n".join(texts).encode()).hexdigest()[:12]


CONSENT_VERSION = consent_version()


class WorkstationChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Workstation) -> str:
        return f"{obj.street}（{obj.name}）"


class SubmitForm(forms.Form):
    workstation = WorkstationChoiceField(
        label=_("Street"),
        empty_label=CHOOSE,
        queryset=Workstation.objects.filter(is_active=True).order_by("ordering", "pk"),
        help_text=_("The street where the problem is; its member workstation takes it up."),
    )
    category = forms.ChoiceField(label=_("Category"), choices=Case.Category.choices)
    text = forms.CharField(
        label=_("Your opinion"),
        min_length=10,
        max_length=TEXT_MAX,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_("What is the problem, where, and since when? At most 2000 characters."),
    )
    name = forms.CharField(label=_("Your name"), max_length=30)
    phone = forms.CharField(
        label=_("Your phone"),
        max_length=20,
        validators=[phone_validator],
        widget=forms.TextInput(attrs={"type": "tel", "inputmode": "tel", "autocomplete": "tel"}),
        help_text=_("So that the workstation can call you back. It is never published."),
    )
    consent_to_processing = forms.BooleanField(
        label=_(PROCESSING_CONSENT),
        error_messages={"required": _("Without this consent we cannot take up your opinion.")},
    )
    consent_to_publish = forms.BooleanField(
        label=_(PUBLICATION_CONSENT),
        required=False,
    )
    sms_consent = forms.BooleanField(
        label=_(SMS_CONSENT),
        required=False,
    )
    # Hidden from people by the stylesheet; a robot that fills every field fills this.
    website = forms.CharField(
        label=_("Leave this field empty"),
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "off", "tabindex": "-1"}),
    )
    submission_id = forms.UUIDField(widget=forms.HiddenInput)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["name"].widget.attrs["autocomplete"] = "name"
        if not self.is_bound:
            self.initial.setdefault("submission_id", uuid.uuid4())

    @property
    def is_robot(self) -> bool:
        return bool(self.data.get("website"))


class LookupForm(forms.Form):
    number = forms.CharField(label=_("Tracking number"), max_length=20)
    code = forms.CharField(
        label=_("Lookup code"),
        max_length=LOOKUP_LENGTH + 10,
        widget=forms.TextInput(attrs={"autocomplete": "off", "autocapitalize": "characters"}),
    )


class AddForm(forms.Form):
    text = forms.CharField(
        label=_("Your addition"),
        max_length=TEXT_MAX,
        widget=forms.Textarea(attrs={"rows": 4}),
    )


class FollowUpForm(forms.Form):
    satisfaction = forms.ChoiceField(
        label=_("How satisfied are you with how your opinion was handled?"),
        choices=Satisfaction.choices,
        widget=forms.RadioSelect,
    )
    comment = forms.CharField(
        label=_("Comment"),
        max_length=1000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
