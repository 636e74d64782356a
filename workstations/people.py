"""A user as the office names them: role, name and unit (联络员 张三 · 西一路街道),
never a login name like `staff-xiyilu`.

A page naming many users reads what they hold in one query first (`read_people`);
admin's lists prefetch `PERSON_PREFETCH` on them. Either way naming costs no query per row.
"""

from django.contrib import admin
from django.contrib.auth.models import AbstractBaseUser
from django.utils.translation import gettext as _

from . import roles

# Lookups from a user (prefix them with the relation, e.g. "actor__groups").
PERSON_PREFETCH = ("groups", "staffed_workstations", "liaison_departments")


def name_of(user: AbstractBaseUser) -> str:
    """The user's name in Chinese order (family name first), or the login name when the
    office has recorded none."""
    return f"{user.last_name}{user.first_name}".strip() or user.get_username()


def describe(user: AbstractBaseUser | None) -> str:
    if user is None:
        return ""
    name = name_of(user)
    if roles.is_administrator(user):
        return _("District office %(name)s") % {"name": name}
    if roles.is_workstation_staff(user):
        streets = "、".join(street for _pk, street, _a in roles.holdings(user).workstations)
        if streets:
            return _("Liaison %(name)s · %(unit)s") % {"name": name, "unit": streets}
        return _("Liaison %(name)s") % {"name": name}
    if roles.is_member(user):
        return _("Member %(name)s") % {"name": name}
    if roles.is_department_liaison(user):
        departments = "、".join(name for _pk, name, _a in roles.holdings(user).departments)
        return _("Department liaison %(name)s · %(unit)s") % {"name": name, "unit": departments}
    return name


def read_people(users) -> None:
    """Read what each of `users` (None allowed) holds, for naming them, in one query."""
    roles.read_holdings(users)


def prefetched(relation: str) -> list[str]:
    """`PERSON_PREFETCH` as lookups through `relation` (a foreign key to the user)."""
    return [f"{relation}__{lookup}" for lookup in PERSON_PREFETCH]


def person_column(field: str, description):
    """An admin list column naming the user in `field` as a person; the admin using it
    prefetches `prefetched(field)` (see PeopleAdminMixin)."""

    @admin.display(description=description, ordering=field)
    def column(obj) -> str:
        return describe(getattr(obj, field)) or "—"

    return column


class PeopleAdminMixin:
    """Prefetches, for the users in `people_fields`, what naming them as people needs."""

    people_fields: tuple[str, ...] = ()

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        return queryset.prefetch_related(*(p for f in self.people_fields for p in prefetched(f)))
