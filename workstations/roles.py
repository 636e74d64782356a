"""The four roles, as Django groups, and the questions later code asks about a user.

District administrators manage everything in Django admin; workstation staff are
linked to their workstations through `Workstation.staff`; members are linked to
their `Member` row; department liaisons to their departments through
`Department.liaisons`. Every query that must be scoped asks here first.
"""

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser, Group, Permission
from django.db.models import QuerySet

from .models import Workstation

ADMINISTRATORS = "district-administrators"
STAFF = "workstation-staff"
MEMBERS = "members"
DEPARTMENT_LIAISONS = "department-liaisons"

# Model permissions are admin's, and admin is for administrators only
# (`admin_site.py`): they get every permission of the project's apps and user
# management ("audit" for reading the audit log, "axes" for unlocking locked-out
# logins). Liaisons and members carry none: their pages ask the questions below.
_ADMIN_APPS = (
    "workstations",
    "members",
    "rosters",
    "visits",
    "workdays",
    "audit",
    "axes",
    "activities",
    "points",
    "notices",
)
_ADMIN_AUTH_MODELS = ("user", "group")


def ensure_groups() -> None:
    """Create the role groups with their permissions (and none for liaisons and members,
    whatever was added by hand); safe to run any number of times."""
    admin_perms = Permission.objects.filter(content_type__app_label__in=_ADMIN_APPS) | (
        Permission.objects.filter(
            content_type__app_label="auth", content_type__model__in=_ADMIN_AUTH_MODELS
        )
    )
    for name, perms in (
        (ADMINISTRATORS, admin_perms),
        (STAFF, Permission.objects.none()),
        (MEMBERS, Permission.objects.none()),
        (DEPARTMENT_LIAISONS, Permission.objects.none()),
    ):
        group, _created = Group.objects.get_or_create(name=name)
        group.permissions.set(perms)


def _in_group(user: AbstractBaseUser | AnonymousUser, name: str) -> bool:
    if not user.is_authenticated:
        return False
    # One query per request at most: the group names are cached on the user object.
    # A page naming many users prefetches their groups (`people.PERSON_PREFETCH`).
    if not hasattr(user, "_role_groups"):
        if "groups" in getattr(user, "_prefetched_objects_cache", {}):
            user._role_groups = {group.name for group in user.groups.all()}
        else:
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


def is_department_liaison(user: AbstractBaseUser | AnonymousUser) -> bool:
    return user.is_authenticated and user.is_active and _in_group(user, DEPARTMENT_LIAISONS)


def liaison_department_ids(user: AbstractBaseUser | AnonymousUser) -> set[int]:
    """The departments whose referrals this user signs for and answers (empty for others)."""
    if not is_department_liaison(user):
        return set()
    if not hasattr(user, "_department_ids"):
        user._department_ids = set(user.liaison_departments.values_list("pk", flat=True))
    return user._department_ids


def staffed_workstation_ids(user: AbstractBaseUser | AnonymousUser) -> set[int]:
    """The workstations whose visits and cases this user handles (empty for non-staff)."""
    if not is_workstation_staff(user):
        return set()
    # Asked several times per request; the user object lives for one request.
    if not hasattr(user, "_staffed_ids"):
        user._staffed_ids = set(user.staffed_workstations.values_list("pk", flat=True))
    return user._staffed_ids


def workstations_worked_for(user: AbstractBaseUser | AnonymousUser) -> QuerySet[Workstation]:
    """The active workstations a user works for (logs visits, records activities, keeps
    rosters): every one for administrators, those they staff for staff, none otherwise.
    A deactivated workstation is worked for by nobody; its past records stay visible
    through `staffed_workstation_ids`."""
    workstations = Workstation.objects.filter(is_active=True)
    if is_administrator(user):
        return workstations
    return workstations.filter(pk__in=staffed_workstation_ids(user))


def handles_workstation(user: AbstractBaseUser | AnonymousUser, workstation_id: int) -> bool:
    """Whether the user acts for this workstation's records: administrators for all,
    staff for the workstations they staff."""
    return is_administrator(user) or workstation_id in staffed_workstation_ids(user)
