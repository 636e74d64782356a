"""The lookup code a citizen follows their case with on /track/, whichever way the case
came in: random (never derived from the tracking number), shown once, stored only as a
password hash."""

import secrets

from django.contrib.auth.hashers import make_password
from django.db import transaction

from .models import Case

# No 0/O, 1/I/L: codes are read off paper and typed on phones.
LOOKUP_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
LOOKUP_LENGTH = 10


def new_lookup_code() -> str:
    return "".join(secrets.choice(LOOKUP_ALPHABET) for _ in range(LOOKUP_LENGTH))


def lookup_code_hash(code: str) -> str:
    return make_password(code)


@transaction.atomic
def case_lookup_code_renew(*, case: Case) -> str:
    """Give the case a new lookup code, for a citizen who lost the slip: the old code
    stops working at once. Returns the new code, which is nowhere else in clear."""
    code = new_lookup_code()
    locked = Case.objects.select_for_update().get(pk=case.pk)
    locked.lookup_code = lookup_code_hash(code)
    locked.save(update_fields=["lookup_code"])
    case.lookup_code = locked.lookup_code
    return code
