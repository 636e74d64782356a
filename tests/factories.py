"""factory_boy factories for the domain. Cases are opened through the lifecycle."""

import datetime

import factory
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.utils import timezone

from activities.models import Activity, ActivityKind
from activities.services import activity_record
from members.models import ActivityGroup, Member, Sector
from rosters.models import DutyAssignment, DutyShift
from visits.lifecycle import Action, case_open
from visits.models import Case, Visit
from visits.services import visit_save
from workstations.models import Department, Workstation


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ["username"]
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    password = factory.django.Password("correct horse battery staple")

    @factory.post_generation
    def role(user, create, extracted, **kwargs):
        if create and extracted:
            user.groups.add(Group.objects.get(name=extracted))


class WorkstationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Workstation

    street = factory.Sequence(lambda n: f"第{n}街道")
    name = factory.LazyAttribute(lambda o: f"{o.street}委员工作室")
    slug = factory.Sequence(lambda n: f"street-{n}")
    address = "新城区某路1号"


class DepartmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Department

    name = factory.Sequence(lambda n: f"区第{n}局")


class SectorFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Sector
        django_get_or_create = ["name"]

    name = "法律界"


class ActivityGroupFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ActivityGroup
        django_get_or_create = ["name"]

    name = "法制组"


class MemberFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Member

    name = factory.Sequence(lambda n: f"委员{n}")
    sector = factory.SubFactory(SectorFactory)
    activity_group = factory.SubFactory(ActivityGroupFactory)
    home_workstation = factory.SubFactory(WorkstationFactory)


class DutyShiftFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = DutyShift

    workstation = factory.SubFactory(WorkstationFactory)
    date = factory.LazyFunction(timezone.localdate)
    starts_at = datetime.time(9)
    ends_at = datetime.time(12)
    holding_group = factory.SubFactory(ActivityGroupFactory)


class DutyAssignmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = DutyAssignment

    shift = factory.SubFactory(DutyShiftFactory)
    member = factory.SubFactory(MemberFactory)


class VisitFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Visit

    workstation = factory.SubFactory(WorkstationFactory)
    visitor_name = "王小明"
    visitor_phone = "13812345678"
    visitor_address = "新城区西一路8号"
    summary = "反映小区物业问题"

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        # As the product writes a visit: counted in the figures' tallies.
        return visit_save(model_class(*args, **kwargs))


def open_case(
    *,
    workstation=None,
    visit=None,
    actor=None,
    now=None,
    action=Action.REGISTER,
    note="",
    **fields,
) -> Case:
    """A case opened through the lifecycle: registered by staff unless `action` says
    SUBMIT (a citizen online) or ANSWER (answered on the spot, needs a satisfaction)."""
    visit = visit or VisitFactory(workstation=workstation or WorkstationFactory())
    case = Case(
        workstation=visit.workstation,
        visit=visit,
        title=fields.pop("title", "小区物业不作为"),
        category=fields.pop("category", Case.Category.PROPERTY),
        **fields,
    )
    return case_open(case=case, actor=actor, action=action, note=note, now=now)


def community_visit(organiser, workstation) -> Activity:
    """A community visit (进社区听民意) today, recorded by `organiser` for `workstation`."""
    return activity_record(
        activity=Activity(
            kind=ActivityKind.COMMUNITY_VISIT, title="进社区听民意", date=timezone.localdate()
        ),
        workstations=[workstation],
        organiser=organiser,
    )
