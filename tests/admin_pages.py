"""Helpers for tests that drive Django admin's pages as a browser would."""

from django.contrib.auth.models import Group, Permission
from django.db.models import Model
from django.forms import MultiWidget
from django.urls import reverse

from visits.models import Visit
from workstations import roles

from .factories import UserFactory


def admin_url(model: type[Model], view: str, *args) -> str:
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{view}", args=args)


def management_data(response) -> dict[str, str]:
    """The inlines of an admin form page as the browser posts them untouched: each
    management form, and the hidden fields (id, parent) of the rows already there."""
    data = {}
    for inline in response.context["inline_admin_formsets"]:
        formset = inline.formset
        for form in [formset.management_form, *formset.initial_forms]:
            for field in form.hidden_fields():
                value = field.value()
                data[field.html_name] = "" if value is None else str(value)
    return data


def add_visit(client, workstation, **fields):
    """Post the admin's add form of a visit as a browser would: a walk-in at the
    workstation on 2 November 2026, and `fields`."""
    add_page = client.get(admin_url(Visit, "add"))
    data = {
        "workstation": workstation.pk,
        "visited_at_0": "2026-11-02",
        "visited_at_1": "10:00:00",
        "channel": Visit.Channel.WALK_IN,
        "visitor_name": "赵女士",
        "visitor_phone": "13900001111",
        "visitor_count": "1",
        "summary": "咨询养老服务",
        **management_data(add_page),
    }
    return client.post(admin_url(Visit, "add"), data | fields)


def administrator_without(*codenames: str):
    """An administrator whose role lacks these permissions: admin's own checks behind the
    site's (which lets administrators only in)."""
    group = Group.objects.get(name=roles.ADMINISTRATORS)
    group.permissions.remove(*Permission.objects.filter(codename__in=codenames))
    return UserFactory(username="limited-admin", is_staff=True, role=roles.ADMINISTRATORS)


def change_form_data(page) -> dict:
    """What an admin change page posts when saved untouched: the values of its form and
    of its inlines' rows as the browser sends them (a split date and time in two fields,
    an unticked box not at all), and the inlines' management forms."""
    forms = [page.context["adminform"].form]
    for inline in page.context["inline_admin_formsets"]:
        forms += inline.formset.initial_forms
    data = {}
    for form in forms:
        for field in form:
            data |= _posted(field)
    return data | management_data(page)


def _posted(field) -> dict:
    value, widget = field.value(), field.field.widget
    if isinstance(widget, MultiWidget):
        parts = widget.decompress(value)
        return {f"{field.html_name}_{i}": "" if p is None else str(p) for i, p in enumerate(parts)}
    if value is True:
        return {field.html_name: "on"}
    if isinstance(value, list | tuple):
        return {field.html_name: [str(v) for v in value]}
    return {} if value in (None, False) else {field.html_name: str(value)}
