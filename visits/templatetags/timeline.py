from django import template

from visits.models import CaseEvent, EventKind
from workstations import roles

register = template.Library()

# The steps that are a department's own: signing for a referral, replying, sending it back.
DEPARTMENT_STEPS = frozenset({EventKind.ACKNOWLEDGED, EventKind.REPLIED, EventKind.RETURNED})


@register.filter
def entered_for_department(event: CaseEvent) -> bool:
    """Whether the desk recorded a department's step on its behalf (a reply on paper,
    say): the department's own liaison did not."""
    return (
        event.kind in DEPARTMENT_STEPS
        and event.actor is not None
        and not roles.is_department_liaison(event.actor)
    )
