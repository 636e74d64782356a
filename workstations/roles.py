"""The three roles, as Django groups, and the questions later code asks about a user.

District administrators manage everything in Django admin; workstation staff are
linked to their workstations through `Workstation.staff`; members are linked to
their `Member` row. Every query that must be scoped asks here first.
"""

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser, Group, Permission
from django.db.models import QuerySet

ADMINISTRATORS = "district-administrators"
STAFF = "workstation-staff"
MEMBERS = "members"

# Model permissions each group carries; administrators get every permission of
# the project's apps and user management.
# "audit" for reading the audit log, "axes" for unlocking locked-out logins.
_ADMIN_APPS = (
    "workstations",
    "members",
    "visits",
    "workdays",
    "audit",
    "axes",
    "activities",
    "points",
)
_ADMIN_AUTH_MODELS = ("user", "group")
_STAFF_PERMISSIONS = (
    "visits.add_visit",
    "visits.view_visit",
    "visits.add_case",
    "visits.view_case",
    "visits.change_case",
    "visits.view_referral",
    "members.view_dutyshift",
    "members.change_dutyassignment",
    "activities.add_activity",
    "activities.change_activity",
    "activities.view_activity",
    "activities.view_proposal",
    "activities.add_proposal",
)
_MEMBER_PERMISSIONS = ("members.view_dutyshift", "visits.view_case")


def _permissions(codes) -> QuerySet[Permission]:
    pairs = [code.split(".") for code in codes]
    perms = Permission.objects.none()
    for app_label, codename in pairs:
        perms |= Permission.objects.filter(content_type__app_label=app_label, codename=codename)
    return perms


def ensure_groups() -> None:
    """Create the role groups with their permissions; safe to run any number of times."""
    admin_perms = Permission.objects.filter(content_type__app_label__in=_ADMIN_APPS) | (
        Permission.objects.filter(
            content_type__app_label="auth", content_type__model__in=_ADMIN_AUTH_MODELS
        )
    )
    for name, perms in (
        (ADMINISTRATORS, admin_perms),
        (STAFF, _permissions(_STAFF_PERMISSIONS)),
        (MEMBERS, _permissions(_MEMBER_PERMISSIONS)),
    ):
        group, _created = Group.objects.get_or_create(name=name)
        group.permissions.set(perms)


def _in_group(user: AbstractBaseUser | AnonymousUser, name: str) -> bool:
    if not user.is_authenticated:
        return False
    # One query per request at most: the group names are cached on the user object.
    if not hasattr(user, "_role_groups"):
        user._role_groups = set(user.groups.values_list("name", flat=True))
    return name in user._role_groups


def is_administrator(user: AbstractBaseUser | AnonymousUser) -> bool:
    return (
        user.is_authenticated
        and user.is_active
        and (user.is_superuser or _in_group(user, ADMINISTRATORS))
    )


def is_workstation_staff(user: AbstractBaseUser | AnonymousUser) -> bool:
    return user.is_authenticated and user.is_active and _in_group(user, STAFF)


def is_member(user: AbstractBaseUser | AnonymousUser) -> bool:
    return user.is_authenticated and user.is_active and _in_group(user, MEMBERS)


def staffed_workstation_ids(user: AbstractBaseUser | AnonymousUser) -> set[int]:
    """The workstations whose visits and cases this user handles (empty for non-staff)."""
    if not is_workstation_staff(user):
        return set()
    # Asked several times per request; the user object lives for one request.
    if not hasattr(user, "_staffed_ids"):
        user._staffed_ids = set(user.staffed_workstations.values_list("pk", flat=True))
    return user._staffed_ids
