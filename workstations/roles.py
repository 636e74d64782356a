"""The roles, as Django groups, and the questions later code asks about a user.

District administrators manage everything in Django admin; workstation staff are
linked to their workstations through `Workstation.staff`; members are linked to
their `Member` row; department liaisons to their departments through
`Department.liaisons`. Every query that must be scoped asks here first.

The duties of administration are separated (三员, 等保 2.0): the district
administrators are the system administrators (users, settings and the network's
records); security administrators lift lockouts, end sessions, reset second factors and
review the reveals of personal data; auditors read the audit log and nothing else. No
account holds two of the three (`refuse_combined_duties`); the superuser is the
break-glass account, whose every sign-in is audited (audit/break_glass.py).
"""

from dataclasses import dataclass

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser, Group, Permission
from django.core.exceptions import ValidationError
from django.db.models import F, QuerySet, Value
from django.utils.translation import gettext as _

from .models import Department, Workstation

ADMINISTRATORS = "district-administrators"
STAFF = "workstation-staff"
MEMBERS = "members"
DEPARTMENT_LIAISONS = "department-liaisons"
SECURITY_ADMINISTRATORS = "security-administrators"
AUDITORS = "auditors"
SEPARATED_DUTIES = (ADMINISTRATORS, SECURITY_ADMINISTRATORS, AUDITORS)
ROLE_GROUPS = (*SEPARATED_DUTIES, STAFF, MEMBERS, DEPARTMENT_LIAISONS)

# Model permissions are admin's, and admin is for the three administrators only
# (`admin_site.py`). District administrators get every permission of the project's
# domain apps and of user management; the security administrator those of django-axes
# (lockouts), a read of the users (to end their sessions, reset their second factor) and
# of the audit log's security lines (`audit.AuditEntry` without "read_whole_log"); the
# auditor the whole audit log, read only. Liaisons and members carry none: their pages
# ask the questions below.
_ADMIN_APPS = (
    "workstations",
    "members",
    "rosters",
    "visits",
    "workdays",
    "activities",
    "points",
    "notices",
    "privacy",
)
_ADMIN_AUTH_MODELS = ("user", "group")


def _duty_permissions() -> dict[str, QuerySet[Permission]]:
    perms = Permission.objects.all()
    return {
        ADMINISTRATORS: perms.filter(content_type__app_label__in=_ADMIN_APPS)
        | perms.filter(content_type__app_label="auth", content_type__model__in=_ADMIN_AUTH_MODELS),
        # Lockouts read and lifted (an attempt deleted), never the sign-in records wiped.
        SECURITY_ADMINISTRATORS: perms.filter(
            content_type__app_label="axes", codename__startswith="view_"
        )
        | perms.filter(content_type__app_label="axes", codename="delete_accessattempt")
        | perms.filter(content_type__app_label="auth", codename="view_user")
        | perms.filter(content_type__app_label="audit", codename="view_auditentry"),
        AUDITORS: perms.filter(
            content_type__app_label="audit", codename__in=["view_auditentry", "read_whole_log"]
        ),
    }


def ensure_groups() -> None:
    """Create the role groups with their permissions (and none for liaisons and members,
    whatever was added by hand); safe to run any number of times."""
    for name, perms in (
        *_duty_permissions().items(),
        (STAFF, Permission.objects.none()),
        (MEMBERS, Permission.objects.none()),
        (DEPARTMENT_LIAISONS, Permission.objects.none()),
    ):
        group, _created = Group.objects.get_or_create(name=name)
        group.permissions.set(perms)


def combined_duties(group_names) -> list[str]:
    """The separated duties among `group_names` when they are more than one (else [])."""
    names = set(group_names)
    held = [name for name in SEPARATED_DUTIES if name in names]
    return held if len(held) > 1 else []


def refuse_combined_duties(sender, instance, action, reverse, pk_set, **kwargs) -> None:
    """m2m_changed of the users' groups: adding a duty to an account that holds another,
    from admin, the shell or a script, is refused before it is written. Admin's form says
    so beside the field first (`admin.SeparatedDutiesUserForm`)."""
    if action != "pre_add" or not pk_set:
        return
    memberships = Group.user_set.through.objects
    if reverse:  # group.user_set.add(users): the group is the instance
        if instance.name not in SEPARATED_DUTIES:
            return
        clash = memberships.filter(user_id__in=pk_set, group__name__in=SEPARATED_DUTIES).exclude(
            group=instance
        )
        combined = clash.exists()
    else:
        added = Group.objects.filter(pk__in=pk_set).values_list("name", flat=True)
        held = memberships.filter(user_id=instance.pk).values_list("group__name", flat=True)
        combined = bool(combined_duties([*added, *held]))
    if combined:
        raise ValidationError(
            _("One account holds one duty of administration only."), code="combined_duties"
        )


@dataclass(frozen=True)
class Held:
    """What a user holds: their role groups, the workstations they staff and the
    departments they are a liaison of, each as (id, name, active), in their order."""

    groups: frozenset[str]
    workstations: tuple[tuple[int, str, bool], ...]
    departments: tuple[tuple[int, str, bool], ...]

    @classmethod
    def of(cls, rows) -> "Held":
        """From (kind, name, id, active) rows, in order."""
        return cls(
            groups=frozenset(name for kind, name, _id, _active in rows if kind == "group"),
            workstations=tuple((n, name, a) for k, name, n, a in rows if k == "workstation"),
            departments=tuple((n, name, a) for k, name, n, a in rows if k == "department"),
        )


def holdings(user: AbstractBaseUser) -> Held:
    """What `user` holds. Read once per user object (one query), which lives for one
    request; a page naming many people reads them all at once first (`read_holdings`)."""
    held = getattr(user, "_held", None)
    if held is None:
        prefetched = getattr(user, "_prefetched_objects_cache", {})
        if {"groups", "staffed_workstations", "liaison_departments"} <= prefetched.keys():
            # Admin's lists prefetch them (`people.PeopleAdminMixin`).
            held = Held.of(
                [("group", g.name, 0, True) for g in user.groups.all()]
                + [("workstation", w.street, w.pk, w.is_active)
                   for w in user.staffed_workstations.all()]
                + [("department", d.name, d.pk, d.is_active)
                   for d in user.liaison_departments.all()]
            )  # fmt: skip
            user._held = held
        else:
            read_holdings([user])
            held = user._held
    return held


def read_holdings(users) -> None:
    """Read what each of `users` holds in one query for them all, and keep it on each."""
    waiting: dict[int, list] = {}
    for user in users:
        if user is not None and getattr(user, "_held", None) is None:
            waiting.setdefault(user.pk, []).append(user)
    if not waiting:
        return
    rows: dict[int, list] = {pk: [] for pk in waiting}
    for user_id, *row in _held_rows(list(waiting)):
        rows[user_id].append(row)
    for pk, copies in waiting.items():
        held = Held.of(rows[pk])
        for user in copies:  # the same person on several rows of a page
            user._held = held


def _held_rows(user_ids: list[int]) -> list[tuple]:
    """(user id, kind, name, id, active) of everything the users hold, in one query, in
    the order of each kind (workstations as the office orders them, departments by name)."""

    def rows(objects, through: str, kind: str, name, number, active, order):
        return (
            objects.filter(**{f"{through}__in": user_ids})
            .annotate(
                held_user=F(through), held_kind=Value(kind), held_name=name,
                held_number=number, held_active=active, held_order=order,
            )
            .order_by()
            .values_list("held_user", "held_kind", "held_name", "held_number", "held_active",
                         "held_order")
        )  # fmt: skip

    return [
        row[:5]
        for row in rows(Group.objects, "user", "group", F("name"), Value(0), Value(True),
                        Value(0)).union(
            rows(Workstation.objects, "staff", "workstation", F("street"), F("pk"),
                 F("is_active"), F("ordering")),
            rows(Department.objects, "liaisons", "department", F("name"), F("pk"),
                 F("is_active"), Value(0)),
            all=True,
        ).order_by("held_user", "held_kind", "held_order", "held_name", "held_number")
    ]  # fmt: skip


def _in_group(user: AbstractBaseUser | AnonymousUser, name: str) -> bool:
    return user.is_authenticated and name in holdings(user).groups


def _holds_duty(user: AbstractBaseUser | AnonymousUser, name: str) -> bool:
    """One of the three duties of administration, which the superuser holds all of."""
    return user.is_authenticated and user.is_active and (user.is_superuser or _in_group(user, name))


def is_administrator(user: AbstractBaseUser | AnonymousUser) -> bool:
    return _holds_duty(user, ADMINISTRATORS)


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
    return {pk for pk, _name, _active in holdings(user).departments}


def staffed_workstation_ids(user: AbstractBaseUser | AnonymousUser) -> set[int]:
    """The workstations whose visits and cases this user handles (empty for non-staff)."""
    if not is_workstation_staff(user):
        return set()
    return {pk for pk, _name, _active in holdings(user).workstations}


def workstations_worked_for(user: AbstractBaseUser | AnonymousUser) -> QuerySet[Workstation]:
    """The active workstations a user works for (logs visits, records activities, keeps
    rosters): every one for administrators, those they staff for staff, none otherwise.
    A deactivated workstation is worked for by nobody; its past records stay visible
    through `staffed_workstation_ids`."""
    workstations = Workstation.objects.filter(is_active=True)
    if is_administrator(user):
        return workstations
    return workstations.filter(pk__in=staffed_workstation_ids(user))


def works_for_a_workstation(user: AbstractBaseUser | AnonymousUser) -> bool:
    """Whether `workstations_worked_for(user)` holds any, without a query for staff."""
    if is_administrator(user):
        return Workstation.objects.filter(is_active=True).exists()
    return is_workstation_staff(user) and any(
        active for _pk, _name, active in holdings(user).workstations
    )


def handles_workstation(user: AbstractBaseUser | AnonymousUser, workstation_id: int) -> bool:
    """Whether the user acts for this workstation's records: administrators for all,
    staff for the workstations they staff."""
    return is_administrator(user) or workstation_id in staffed_workstation_ids(user)


def is_security_administrator(user: AbstractBaseUser | AnonymousUser) -> bool:
    return _holds_duty(user, SECURITY_ADMINISTRATORS)


def is_auditor(user: AbstractBaseUser | AnonymousUser) -> bool:
    return _holds_duty(user, AUDITORS)


def administers(user: AbstractBaseUser | AnonymousUser) -> bool:
    """Whether the user holds one of the three duties of administration (or is the
    superuser): who may use admin, and who must give a second factor."""
    return is_administrator(user) or is_security_administrator(user) or is_auditor(user)


def oversees_only(user: AbstractBaseUser | AnonymousUser) -> bool:
    """The security administrator or the auditor, not the district office: their work is
    in admin; the network's cases, rosters and people are not theirs to read."""
    return (is_security_administrator(user) or is_auditor(user)) and not is_administrator(user)


def oversees_the_office(user: AbstractBaseUser) -> bool:
    """Whether this account watches the district office (a security administrator, an
    auditor, the superuser; disabled or not): the office may not change, disable, delete
    it or set its password, nor appoint one. Only the superuser does."""
    return user.is_superuser or bool(holdings(user).groups & {SECURITY_ADMINISTRATORS, AUDITORS})


def may_end_sessions(user: AbstractBaseUser | AnonymousUser) -> bool:
    """Whether the user may end other users' sessions (admin's "End sessions")."""
    return is_security_administrator(user)


def may_reset_second_factors(user: AbstractBaseUser | AnonymousUser) -> bool:
    """Whether the user may reset another's second factor (a lost phone)."""
    return is_security_administrator(user)
