"""Score facts when they happen: after the transaction that changed a source row
commits, its entries are brought in line with its facts (`ledger.sync`).

The receivers are connected in `PointsConfig.ready`, each for its own senders only, so
a save anywhere else in the project never reaches the ledger."""

from django.db import transaction
from django.db.models.signals import m2m_changed, post_delete, post_save

from activities.models import Activity, Proposal
from rosters.models import DutyAssignment, DutyShift
from visits.models import Case, Visit

from . import ledger

SOURCES = (DutyAssignment, Visit, Case, Activity, Proposal)
MEMBER_LISTS = (
    Visit.receiving_members.through,
    Case.handling_members.through,
    Activity.participants.through,
)


def _sync_on_commit(model, pk: int) -> None:
    transaction.on_commit(lambda: ledger.sync({model: [pk]}))


_UID = "points_ledger"  # with the sender, it keeps a second connect() from scoring twice


def connect() -> None:
    """Connect each receiver to the models it scores: the sources, the shifts their
    duties take their dates from, and the member lists."""
    for source in SOURCES:
        post_save.connect(source_changed, sender=source, dispatch_uid=_UID)
        post_delete.connect(source_changed, sender=source, dispatch_uid=_UID)
    post_save.connect(shift_moved, sender=DutyShift, dispatch_uid=_UID)
    for through in MEMBER_LISTS:
        m2m_changed.connect(members_changed, sender=through, dispatch_uid=_UID)


def source_changed(sender, instance, **kwargs) -> None:
    _sync_on_commit(sender, instance.pk)


def shift_moved(sender, instance, created, **kwargs) -> None:
    # A duty's date is its shift's: moving the shift moves (or re-years) its facts.
    if not created:
        pks = list(instance.assignments.values_list("pk", flat=True))
        transaction.on_commit(lambda: ledger.sync({DutyAssignment: pks}))


def members_changed(sender, instance, action, reverse, model, pk_set, **kwargs) -> None:
    if not reverse:
        if action.startswith("post_"):
            _sync_on_commit(type(instance), instance.pk)
    elif action == "pre_clear":
        # Changed from the member's side, all at once: the rows are known only before.
        pks = list(getattr(instance, _accessor(sender, model)).values_list("pk", flat=True))
        transaction.on_commit(lambda: ledger.sync({model: pks}))
    elif action in ("post_add", "post_remove"):
        for pk in pk_set:
            _sync_on_commit(model, pk)


def _accessor(through, model) -> str:
    """The member's side of a member list, e.g. `visits_received` for a visit's members."""
    field = next(f for f in model._meta.many_to_many if f.remote_field.through is through)
    return field.remote_field.get_accessor_name()
