"""The pieces of a staff form the templates draw: a label's colon, and the summary of
everything a refused form asks to correct (templates/includes/_error_summary.html)."""

from dataclasses import dataclass

from django import forms, template
from django.utils.translation import gettext

from base import forms as base_forms

register = template.Library()

_SENTENCE_ENDS = frozenset("。？！.?!")


@register.filter
def label_suffix(label) -> str:
    """The colon after `label`, none after punctuation: "事项：", not "要求撤回。："."""
    return base_forms.label_suffix(label)


@dataclass(frozen=True)
class Problem:
    """One line of the summary: what to correct, and where (the field's id, if any)."""

    message: str
    label: str = ""
    target: str = ""


def _field_problems(form: forms.BaseForm, prefix: str = "") -> list[Problem]:
    problems = [Problem(str(message), prefix) for message in form.non_field_errors()]
    hidden = False
    for field in form:
        if not field.errors:
            continue
        if field.is_hidden:
            # A hidden field the page filled in itself: the user can only send it again.
            hidden = True
            continue
        # A label that is a sentence (a box to tick) is left out: the message says it all.
        own = "" if str(field.label).rstrip()[-1:] in _SENTENCE_ENDS else str(field.label)
        label = " · ".join(part for part in (prefix, own) if part)
        problems += [Problem(str(m), label, field.auto_id or "") for m in field.errors]
    if hidden:
        problems.insert(
            0,
            Problem(
                gettext("The form was incomplete; please check the entries and save again."),
                prefix,
            ),
        )
    return problems


def problems_of(*forms_or_sets) -> list[Problem]:
    """What the given forms and formsets ask to correct, in the order they are shown."""
    problems: list[Problem] = []
    for item in forms_or_sets:
        if not item or not getattr(item, "is_bound", False):
            continue
        if isinstance(item, forms.BaseFormSet):
            target = item.prefix
            problems += [Problem(str(m), target=target) for m in item.non_form_errors()]
            for index, form in enumerate(item.forms):
                label = item.item_label(index) if hasattr(item, "item_label") else ""
                problems += _field_problems(form, label)
        else:
            problems += _field_problems(item)
    return problems


@register.inclusion_tag("includes/_error_summary_list.html")
def error_summary(*forms_or_sets, id=""):
    """`{% error_summary form formset %}` at the top of a form (through the partial
    includes/_error_summary.html): each problem of a refused form, linked to its field."""
    problems = problems_of(*forms_or_sets)
    return {"problems": problems, "summary_id": id or "error-summary"}
