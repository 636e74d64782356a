"""Who may see the departments' pages. Role logic for this app lives here only.

A department's liaison sees their department's referrals (visits.access). The record of
every department (部门履职情况) is the district office's: administrators only. Anything
else is a 404, never a 403: the page's existence is not revealed.
"""

from django.http import Http404

from workstations import roles


def may_see_department_record(user) -> bool:
    """The departments' record, its drill-downs and its workbook: administrators only."""
    return roles.is_administrator(user)


def check_may_see_department_record(user) -> None:
    if not may_see_department_record(user):
        raise Http404
