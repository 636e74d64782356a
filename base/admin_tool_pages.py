"""The pages a model admin adds of its own (an import, a generator, a step's form): they
render in the admin's frame like its change list and change pages."""

from django.contrib.admin.helpers import AdminForm
from django.http import HttpRequest
from django.template.response import TemplateResponse


def tool_page(
    model_admin, request: HttpRequest, template: str, *, title: str, **context
) -> TemplateResponse:
    """`template` with the admin site's context (its header, the user's apps), the model's
    options for the breadcrumbs, the page's title and the view's own `context`.

    A `form` that declares admin `fieldsets` is laid out as the admin lays out its own
    (`adminform`, admin/includes/tool_form.html), its widgets' `media` loaded with the
    admin's JavaScript catalog."""
    form = context.get("form")
    if getattr(form, "fieldsets", None):
        context.setdefault("adminform", AdminForm(form, form.fieldsets, {}))
        context.setdefault("media", form.media)
    return TemplateResponse(
        request,
        template,
        {
            **model_admin.admin_site.each_context(request),
            "opts": model_admin.opts,
            "title": title,
            **context,
        },
    )
