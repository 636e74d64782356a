from django import template

from workstations.people import describe, name_of

register = template.Library()


@register.filter
def person(user) -> str:
    """联络员 张三 · 西一路街道 for a user (see workstations.people)."""
    return describe(user)


@register.filter
def person_name(user) -> str:
    """The user's name alone (张三), for where the role and unit go without saying."""
    return name_of(user)
