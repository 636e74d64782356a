"""Posting the case page's correction forms (details, handling members, workstation) and
reading back what a correction may have changed."""

from visits.models import Case


def correct(client, case: Case, correction: str, *, seen_status: str | None = None, **fields):
    """Post a correction form as the case page would, with the status the user saw."""
    seen = seen_status or Case.objects.get(pk=case.pk).status
    data = {f"{correction}-seen_status": seen}
    for name, value in fields.items():
        data[f"{correction}-{name}"] = value
    return client.post(f"/cases/{case.number}/{correction}/", data)


def record(case: Case) -> tuple:
    """What a correction changes: the details, the workstation, the visit's workstation,
    the handling members and the timeline."""
    case = Case.objects.select_related("visit").get(pk=case.pk)
    return (
        case.title,
        case.category,
        case.description,
        case.workstation_id,
        case.visit.workstation_id,
        sorted(case.handling_members.values_list("pk", flat=True)),
        case.events.count(),
    )
