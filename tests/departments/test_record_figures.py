"""The departments' record counted by hand: every figure of 区住建局 and 区消防救援大队
over March 2026, as of 15 April (tests/departments/conftest.py, `record_scene`)."""

from datetime import date

from departments import figures
from departments.figures import Period
from public import figures as public_figures

from .conftest import TODAY

MARCH = Period(date(2026, 3, 1), date(2026, 3, 31))


def by_name(rows) -> dict:
    return {row.department.name: row for row in rows}


def test_every_figure_of_a_department_over_the_period(record_scene):
    housing = by_name(figures.records(MARCH, today=TODAY))["区住建局"]

    assert housing.counts == {
        "received": 5,  # A B C D E; F was sent in April
        "as_lead": 4,
        "acknowledgements_due": 5,  # A B D signed; C and E unsigned past their limit
        "acknowledged_on_time": 3,  # A D, and C sent back at once; B signed late
        "responded": 4,  # all but E
        "replied": 2,  # A D
        "on_time": 1,  # A; D replied after its due date
        "overdue": 2,  # B (after its extension) and E, still open
        "returned": 1,  # C
        "rated": 1,
        "pleased": 1,
        "resolved": 1,  # A
        "extensions": 2,
        "extensions_granted": 1,
        "extensions_refused": 1,
        "supervisions": 2,  # B's and D's referrals; B's case's own is the workstation's
        "supervisions_answered_in_time": 1,  # D's
    }
    assert housing.acknowledgement_rate == 3 / 5
    assert housing.on_time_rate == 1 / 4
    assert housing.response_rate == 4 / 5
    assert housing.resolution_rate == 1 / 5
    assert housing.satisfaction_rate == 1.0


def test_a_department_that_never_signed_for_its_referral(record_scene):
    fire = by_name(figures.records(MARCH, today=TODAY))["区消防救援大队"]

    assert (fire["received"], fire["acknowledgements_due"], fire["acknowledged_on_time"]) == (
        1,
        1,
        0,
    )
    assert fire.response_rate == 0.0
    assert fire.satisfaction_rate is None  # nobody followed up: nothing to divide


def test_a_limit_not_yet_passed_is_not_owed(record_scene):
    """On 2 April F's signature is not due yet: it is neither on time nor late."""
    april = Period(date(2026, 4, 1), date(2026, 4, 30))
    housing = by_name(figures.records(april, today=date(2026, 4, 2)))["区住建局"]

    assert (housing["received"], housing["acknowledgements_due"]) == (1, 0)
    assert housing.acknowledgement_rate is None


def test_the_role_filter_leaves_out_the_other_role(record_scene):
    co = by_name(figures.records(MARCH, role="co", today=TODAY))
    lead = by_name(figures.records(MARCH, role="lead", today=TODAY))

    assert (co["区住建局"]["received"], lead["区住建局"]["received"]) == (1, 4)
    assert co["区消防救援大队"]["received"] == 0


def test_the_rates_are_the_public_statistics_for_the_lead_referrals_of_a_year(record_scene):
    year = Period(date(2026, 1, 1), date(2026, 12, 31))
    record = {
        row.department.pk: row.answers for row in figures.records(year, role="lead", today=TODAY)
    }
    public = {row.department_id: row for row in public_figures.departments(2026, today=TODAY)}

    assert record[record_scene.housing.pk] == public[record_scene.housing.pk]
    assert record[record_scene.fire.pk] == public[record_scene.fire.pk]
