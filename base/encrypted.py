"""Personal data encrypted at rest (PIPL art. 51; 等保 2.0 数据保密性): a text field whose
column holds only a Fernet token (AES-128-CBC with an HMAC-SHA256 tag, from the
`cryptography` library), and, because each token is randomised, a keyed hash in a
companion column by which a record is found again (HMAC-SHA256, never the value).

Keys come from settings.FIELD_ENCRYPTION_KEYS (env FIELD_ENCRYPTION_KEY, a comma-separated
list of long random strings, newest first): the first encrypts, every one decrypts, so a
new key goes in front and an old one stays until no row uses it. Each is stretched by
HKDF into the Fernet key. The hash key is derived the same way, under another label, from
settings.FIELD_HASH_KEY or else from the last (oldest) key of the list: adding a key in
front leaves every hash as it was. Without a key, production fails the system check
(base.E001) and the field refuses to read or write.
"""

import base64
import hashlib
import hmac
from collections.abc import Callable
from functools import lru_cache

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django import forms
from django.conf import settings
from django.core import checks
from django.core.exceptions import ImproperlyConfigured
from django.db import models

SHORTEST_KEY = 32


def _derive(secret: str, label: bytes) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=label).derive(secret.encode())


def _keys() -> tuple[str, ...]:
    keys = tuple(settings.FIELD_ENCRYPTION_KEYS)
    if not keys:
        raise ImproperlyConfigured("FIELD_ENCRYPTION_KEY is not set: personal data cannot be kept.")
    return keys


@lru_cache(maxsize=8)
def _fernet(keys: tuple[str, ...]) -> MultiFernet:
    return MultiFernet(
        [Fernet(base64.urlsafe_b64encode(_derive(k, b"xincheng field encryption"))) for k in keys]
    )


def encrypt(value: str) -> str:
    """A token of `value` under the first key: different on every call."""
    return _fernet(_keys()).encrypt(value.encode()).decode("ascii")


def decrypt(token: str) -> str:
    """The value of a token made under any of the keys; a loud error if none opens it (a
    key was removed too early, or the column was written by something else)."""
    try:
        return _fernet(_keys()).decrypt(token.encode("ascii")).decode()
    except InvalidToken:
        raise ImproperlyConfigured(
            "An encrypted value opens with none of FIELD_ENCRYPTION_KEY's keys."
        ) from None


def rotate(token: str) -> str:
    """The same value's token under the first key (for re-encrypting after a new key)."""
    return _fernet(_keys()).rotate(token.encode("ascii")).decode("ascii")


def keyed_hash(value: str) -> str:
    """The HMAC-SHA256 of `value` (hex) under the hash key: equal values, equal hashes, so
    a column of them finds records by the value without holding it."""
    secret = settings.FIELD_HASH_KEY or _keys()[-1]
    key = _derive(secret, b"xincheng lookup hash")
    return hmac.new(key, value.encode(), hashlib.sha256).hexdigest()


class EncryptedTextField(models.TextField):
    """Text kept as a token (see the module). Read back it is the plain text; in a query
    it allows `isnull` only, as an equal value never makes an equal token: look records
    up by `hash_field`, the name of a CharField(max_length=64) declared after this one,
    which every save keeps equal to `keyed_hash` of the value ("" for none). `normalise`
    turns a value into the form kept (and hashed) before each save."""

    def __init__(
        self, *args, hash_field: str = "", normalise: Callable[[str], str] | None = None, **kwargs
    ):
        self.hash_field, self.normalise = hash_field, normalise
        super().__init__(*args, **kwargs)

    def deconstruct(self):
        name, path, args, kwargs = super().deconstruct()
        if self.hash_field:
            kwargs["hash_field"] = self.hash_field
        if self.normalise is not None:
            kwargs["normalise"] = self.normalise
        return name, path, args, kwargs

    def to_python(self, value):
        value = super().to_python(value)
        return self.normalise(value) if self.normalise and value else value

    def from_db_value(self, value, expression, connection):
        return decrypt(value) if value else ""

    def get_prep_value(self, value):
        value = super().get_prep_value(value)
        return encrypt(value) if value else ""

    def pre_save(self, model_instance, add):
        value = self.to_python(getattr(model_instance, self.attname)) or ""
        setattr(model_instance, self.attname, value)
        if self.hash_field:
            setattr(model_instance, self.hash_field, keyed_hash(value) if value else "")
        return value

    def formfield(self, **kwargs):
        # Short values, typed on one line, kept out of the browser's autofill.
        attrs = {"autocomplete": "off", "spellcheck": "false"}
        return super().formfield(**{"widget": forms.TextInput(attrs=attrs), **kwargs})

    def get_lookup(self, lookup_name):
        return super().get_lookup(lookup_name) if lookup_name == "isnull" else None


def companion_fields(model: type[models.Model], update_fields) -> frozenset[str] | None:
    """`update_fields` with the hash fields of the encrypted fields it names: a save of
    the value alone would leave its hash behind."""
    if update_fields is None:
        return None
    names = set(update_fields)
    for field in model._meta.concrete_fields:
        if isinstance(field, EncryptedTextField) and field.hash_field and field.name in names:
            names.add(field.hash_field)
    return frozenset(names)


def encryption_keys_set(app_configs, **kwargs) -> list[checks.CheckMessage]:
    keys = settings.FIELD_ENCRYPTION_KEYS
    if not keys:
        return [
            checks.Error(
                "FIELD_ENCRYPTION_KEY is not set: ID numbers cannot be encrypted at rest.",
                hint="Set FIELD_ENCRYPTION_KEY to a long random string (.env.example).",
                id="base.E001",
            )
        ]
    if any(len(key) < SHORTEST_KEY for key in keys):
        return [
            checks.Error(
                f"A key of FIELD_ENCRYPTION_KEY is shorter than {SHORTEST_KEY} characters.",
                id="base.E002",
            )
        ]
    return []
