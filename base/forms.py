"""What every staff form shares: plain words where Django has its own.

- The empty choice of a select reads "请选择" (Choose…), not Django's "---------".
- Required fields carry the `required` class; the field partial marks them
  (templates/includes/_field.html).
- A label gets its colon unless it already ends in punctuation ("…？", "…。", "…：").
"""

from django import forms
from django.db.models import BLANK_CHOICE_DASH
from django.utils.translation import gettext, pgettext
from django.utils.translation import gettext_lazy as _

# The empty choice of every select on a staff form.
CHOOSE = _("Choose…")

_DASHES = BLANK_CHOICE_DASH[0][1]
# A label ending in one of these takes no colon after it (Chinese and Western punctuation).
_ENDS_A_LABEL = frozenset("：:？?。.！!")


def label_suffix(label) -> str:
    """The colon after a label, in the active language; none after punctuation."""
    text = str(label or "").rstrip()
    if not text or text[-1] in _ENDS_A_LABEL:
        return ""
    return pgettext("after a form label", ":")


def choose_instead_of_dashes(form: forms.BaseForm) -> None:
    """Give the selects of `form` whose empty choice is Django's dashes the word CHOOSE."""
    for field in form.fields.values():
        if isinstance(field, forms.ModelChoiceField):
            if field.empty_label == _DASHES:
                field.empty_label = CHOOSE
        elif isinstance(field, forms.ChoiceField) and not isinstance(
            field, forms.MultipleChoiceField
        ):
            choices = list(field.choices)
            if any(value == "" and label == _DASHES for value, label in choices):
                field.choices = [
                    ("", CHOOSE) if value == "" and label == _DASHES else (value, label)
                    for value, label in choices
                ]


class StaffFormMixin:
    """Mix into a staff form (before forms.Form / forms.ModelForm)."""

    required_css_class = "required"

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        choose_instead_of_dashes(self)


class StaffFormSet(forms.BaseFormSet):
    """A formset whose refusals say what to do, in the words of its items (`item_name`,
    e.g. "issue"), instead of Django's "Please submit at least 1 form."."""

    # Overridden by a subclass, with its own words.
    default_error_messages = {
        "missing_management_form": _(
            "The form was incomplete; please check the entries and save again."
        ),
    }

    def item_label(self, index: int) -> str:
        """What the error summary calls form `index` of the set (“Issue 2”)."""
        return gettext("Item %(n)s") % {"n": index + 1}
