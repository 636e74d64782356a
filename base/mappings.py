"""Dataclasses filled from mappings: a form's cleaned data, a row of `values()`."""

from collections.abc import Mapping
from dataclasses import fields


def dataclass_from(cls, mapping: Mapping, **keys: str):
    """An instance of the dataclass `cls` whose fields are read from `mapping`, each under
    its own name or under the key `keys` gives for it (`name="department__name"`). Keys
    the dataclass does not have are left; a field the mapping lacks is a KeyError."""
    return cls(**{f.name: mapping[keys.get(f.name, f.name)] for f in fields(cls) if f.init})
