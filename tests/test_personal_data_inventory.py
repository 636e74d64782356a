"""The inventory of personal information (audit/personal_data.py) covers every model: a
field whose name says it may be personal is either listed with its purpose and retention
or marked not personal with a reason; every entry names a field that exists."""

import re

from django.apps import apps
from django.utils import translation

from audit.personal_data import INVENTORY, NOT_PERSONAL
from base.encrypted import EncryptedTextField

# What a personal field's name, or its label, usually has in it.
LOOKS_PERSONAL = re.compile(
    r"name|phone|mobile|address|e-?mail|openid|ip_|id_number|identity|contact|birth|photo"
    r"|wechat|citizen|visitor|passport|姓名|电话|手机|住址|身份证",
    re.IGNORECASE,
)


def _fields():
    for model in apps.get_models():
        for field in model._meta.concrete_fields:
            yield f"{model._meta.label}.{field.name}", field


@translation.override("en")
def test_every_field_that_looks_personal_is_in_the_inventory_or_said_not_to_be():
    listed = {entry.label for entry in INVENTORY} | set(NOT_PERSONAL)
    unlisted = [
        label
        for label, field in _fields()
        if (LOOKS_PERSONAL.search(field.name) or LOOKS_PERSONAL.search(str(field.verbose_name)))
        and label not in listed
    ]

    assert unlisted == [], "add these to audit/personal_data.py"


def test_every_entry_names_a_field_that_exists():
    existing = {label for label, _field in _fields()}

    assert [e.label for e in INVENTORY if e.label not in existing] == []
    assert [label for label in NOT_PERSONAL if label not in existing] == []


def test_each_entry_says_whose_it_is_why_and_for_how_long():
    labels = [entry.label for entry in INVENTORY]
    assert len(labels) == len(set(labels))
    assert not set(labels) & set(NOT_PERSONAL)
    for entry in INVENTORY:
        assert entry.subject and entry.purpose and entry.retention, entry.label


def test_the_citizens_contact_details_are_masked_by_default():
    masked = {entry.label for entry in INVENTORY if entry.masked}

    assert {
        "visits.Visit.visitor_name",
        "visits.Visit.visitor_phone",
        "visits.Visit.visitor_address",
    } <= masked


def test_the_citizens_id_number_is_masked_and_encrypted_at_rest():
    (entry,) = [e for e in INVENTORY if e.label == "visits.Visit.visitor_id_number"]

    assert entry.masked and entry.encrypted


def test_a_field_is_said_encrypted_exactly_when_it_is():
    fields = dict(_fields())

    for entry in INVENTORY:
        assert entry.encrypted == isinstance(fields[entry.label], EncryptedTextField), entry.label
