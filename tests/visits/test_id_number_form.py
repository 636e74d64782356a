"""The visitor's ID number on the staff visit form (`visits.views.visit_new`): optional,
validated next to the field with nothing saved when wrong, kept encrypted and never in
the address, the audit log or the page after saving; not asked by the public form."""

import pytest

from audit.models import AuditEntry
from public.forms import SubmitForm
from visits.models import Case, Visit

from ..pages import errors_next_to, html
from ..posts import visit_data

pytestmark = pytest.mark.usefixtures("working_calendar", "deadlines")

NUMBER = "11010519491231002X"


def test_the_form_offers_the_id_number_as_optional(client):
    form = client.get("/visits/new/").context["form"]

    assert "visitor_id_number" in form.fields
    assert not form.fields["visitor_id_number"].required


def test_a_visit_without_an_id_number_is_saved(client, workstation):
    response = client.post("/visits/new/", visit_data(workstation))

    assert response.status_code == 302
    assert Visit.objects.get().visitor_id_number == ""


def test_a_visit_with_an_id_number_keeps_it_upper_case_and_tells_it_nowhere(client, workstation):
    response = client.post(
        "/visits/new/", visit_data(workstation, visitor_id_number=f" {NUMBER.lower()} ")
    )

    visit = Visit.objects.get()
    assert visit.visitor_id_number == NUMBER
    assert NUMBER not in response["Location"]
    assert not any(NUMBER[6:14] in e.detail for e in AuditEntry.objects.all())
    assert "1101**********002X" in html(client.get(response["Location"]))


@pytest.mark.parametrize(
    ("number", "message"),
    [
        ("110105194912310020", "does not match the others"),
        ("110105200102291230", "is not a date that has been"),
        ("991234199001011234", "a province's code"),
        ("1101051949123100", "18 characters"),
    ],
)
def test_a_bad_id_number_is_refused_next_to_the_field_and_nothing_is_saved(
    client, workstation, number, message
):
    response = client.post("/visits/new/", visit_data(workstation, visitor_id_number=number))

    assert response.status_code == 200
    (error,) = errors_next_to(response, "id_visitor_id_number")
    assert message in error
    assert not Visit.objects.exists() and not Case.objects.exists()
    assert not AuditEntry.objects.exists()


def test_the_public_form_never_asks_for_it():
    assert not any("id_number" in name or "identity" in name for name in SubmitForm.base_fields)
