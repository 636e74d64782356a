"""ID numbers encrypted at rest (base/encrypted.py): the column holds a randomised token,
never the number; a keyed hash beside it finds the visit again; a new key goes in front
and the old ones still decrypt; production without a key fails the system check."""

import pytest
from django.core.exceptions import FieldError, ImproperlyConfigured
from django.db import connection

from base import encrypted
from visits.models import Visit
from visits.selectors import visits_with_id_number

from .factories import VisitFactory

NUMBER = "11010519491231002X"
OTHER = "610102199001011231"
OLD_KEY, NEW_KEY = "old-field-key-" + "a" * 40, "new-field-key-" + "b" * 40


def _raw(visit: Visit) -> tuple[str, str]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT visitor_id_number, visitor_id_number_hash FROM visits_visit WHERE id = %s",
            [visit.pk],
        )
        return cursor.fetchone()


def _holds_the_number(text: str) -> bool:
    return NUMBER in text or NUMBER[6:14] in text or NUMBER[-8:] in text


def test_the_number_reads_back_as_written(workstation):
    visit = VisitFactory(workstation=workstation, visitor_id_number=NUMBER)

    assert Visit.objects.get(pk=visit.pk).visitor_id_number == NUMBER


def test_the_column_holds_a_token_and_a_hash_not_the_number(workstation):
    visit = VisitFactory(workstation=workstation, visitor_id_number=NUMBER)

    token, digest = _raw(visit)
    assert token.startswith("gAAAAA")  # a Fernet token
    assert not _holds_the_number(token) and not _holds_the_number(digest)
    assert digest == encrypted.keyed_hash(NUMBER) and len(digest) == 64


def test_the_same_number_makes_another_token_but_the_same_hash(workstation):
    first, second = VisitFactory.create_batch(2, workstation=workstation, visitor_id_number=NUMBER)

    assert _raw(first)[0] != _raw(second)[0]
    assert _raw(first)[1] == _raw(second)[1]


def test_a_visit_without_a_number_keeps_empty_columns(workstation):
    visit = VisitFactory(workstation=workstation)

    assert _raw(visit) == ("", "")
    assert Visit.objects.get(pk=visit.pk).visitor_id_number == ""


def test_a_lower_case_x_is_kept_upper_case(workstation):
    visit = VisitFactory(workstation=workstation, visitor_id_number=NUMBER.lower())

    assert Visit.objects.get(pk=visit.pk).visitor_id_number == NUMBER
    assert _raw(visit)[1] == encrypted.keyed_hash(NUMBER)


def test_the_office_finds_the_visits_by_the_number(workstation):
    visit = VisitFactory(workstation=workstation, visitor_id_number=NUMBER)
    VisitFactory(workstation=workstation, visitor_id_number=OTHER)
    VisitFactory(workstation=workstation)

    assert list(visits_with_id_number(NUMBER.lower())) == [visit]
    assert not visits_with_id_number("").exists()


def test_saving_the_number_alone_saves_its_hash_too(workstation):
    visit = VisitFactory(workstation=workstation, visitor_id_number=NUMBER)

    visit.visitor_id_number = OTHER
    visit.save(update_fields=["visitor_id_number"])

    assert list(visits_with_id_number(OTHER)) == [visit]
    assert not visits_with_id_number(NUMBER).exists()


def test_the_field_refuses_a_lookup_by_value(workstation):
    with pytest.raises(FieldError):
        Visit.objects.filter(visitor_id_number=NUMBER).exists()


def test_after_a_new_key_in_front_old_tokens_still_open_and_new_ones_use_it(settings, workstation):
    settings.FIELD_ENCRYPTION_KEYS = [OLD_KEY]
    old = VisitFactory(workstation=workstation, visitor_id_number=NUMBER)
    settings.FIELD_ENCRYPTION_KEYS = [NEW_KEY, OLD_KEY]
    new = VisitFactory(workstation=workstation, visitor_id_number=OTHER)

    assert Visit.objects.get(pk=old.pk).visitor_id_number == NUMBER
    assert list(visits_with_id_number(NUMBER)) == [old]  # the hash key did not change
    settings.FIELD_ENCRYPTION_KEYS = [NEW_KEY]
    assert encrypted.decrypt(_raw(new)[0]) == OTHER
    with pytest.raises(ImproperlyConfigured):
        encrypted.decrypt(_raw(old)[0])


def test_rotating_a_token_puts_it_under_the_first_key(settings):
    settings.FIELD_ENCRYPTION_KEYS = [OLD_KEY]
    token = encrypted.encrypt(NUMBER)
    settings.FIELD_ENCRYPTION_KEYS = [NEW_KEY, OLD_KEY]

    rotated = encrypted.rotate(token)

    settings.FIELD_ENCRYPTION_KEYS = [NEW_KEY]
    assert encrypted.decrypt(rotated) == NUMBER


def test_the_hash_key_is_its_own_setting_when_set(settings):
    settings.FIELD_ENCRYPTION_KEYS = [OLD_KEY]
    by_default = encrypted.keyed_hash(NUMBER)
    settings.FIELD_HASH_KEY = OLD_KEY
    settings.FIELD_ENCRYPTION_KEYS = [NEW_KEY]

    assert encrypted.keyed_hash(NUMBER) == by_default
    settings.FIELD_HASH_KEY = NEW_KEY
    assert encrypted.keyed_hash(NUMBER) != by_default


def test_without_a_key_nothing_is_encrypted_and_the_check_fails(settings):
    settings.FIELD_ENCRYPTION_KEYS = []

    with pytest.raises(ImproperlyConfigured):
        encrypted.encrypt(NUMBER)
    assert [e.id for e in encrypted.encryption_keys_set(None)] == ["base.E001"]


def test_a_short_key_fails_the_check(settings):
    settings.FIELD_ENCRYPTION_KEYS = [NEW_KEY, "short"]

    assert [e.id for e in encrypted.encryption_keys_set(None)] == ["base.E002"]
    settings.FIELD_ENCRYPTION_KEYS = [NEW_KEY]
    assert encrypted.encryption_keys_set(None) == []
