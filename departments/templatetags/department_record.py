"""The departments' record's numbers, as the public statistics print them."""

from django import template

from visits.department_figures import percent as as_percent

register = template.Library()


@register.filter
def percent(share: float | None) -> str:
    """A share between 0 and 1 as 82.0%, or a dash when there was nothing to divide."""
    return as_percent(share)


@register.filter
def count_of(row, figure: str) -> int:
    """A department's count of one figure (`row|count_of:"returned"`)."""
    return row[figure]
