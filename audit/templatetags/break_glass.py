"""The latest superuser sign-ins, for the admin index (audit/break_glass.py)."""

from django import template

from audit import break_glass

register = template.Library()


@register.simple_tag
def superuser_sign_ins() -> list:
    return list(break_glass.latest_sign_ins())
