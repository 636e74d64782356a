"""Form fields the staff forms of several apps share."""

from django import forms
from django.core.exceptions import ValidationError

# What an integer column holds, on SQLite and PostgreSQL alike (64-bit signed).
LARGEST_ID = 2**63 - 1


class ModelMultipleChoiceField(forms.ModelMultipleChoiceField):
    """Django's, refusing an id no database column can hold as an invalid value.

    Django's `pk=` lookup finds nothing for such an id but its `pk__in=` does not: SQLite
    raises OverflowError (a 500) before running the query."""

    def _check_values(self, value):
        for pk in value if isinstance(value, list | tuple) else ():
            if _out_of_range(pk):
                raise ValidationError(
                    self.error_messages["invalid_pk_value"],
                    code="invalid_pk_value",
                    params={"pk": pk},
                )
        return super()._check_values(value)


def _out_of_range(pk) -> bool:
    try:
        return abs(int(pk)) > LARGEST_ID
    except (TypeError, ValueError):
        return False  # not a number at all: Django's own check refuses it
