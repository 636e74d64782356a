"""Rows that are written once and never changed or removed: timelines and audit logs.

The model refuses in Python; on PostgreSQL a trigger refuses in the database as well,
so that neither raw SQL nor another program with the site's credentials rewrites
history. SQLite, the embedded default, has one writer, the site: there the model's
refusal is the only one.
"""

from django.db import models
from django.db.migrations.operations.base import Operation

# Audit rows are kept this long at least, whatever the setting says: the trigger lets the
# purge command delete only rows older than this by the database's clock.
AUDIT_RETENTION_FLOOR_DAYS = 183

# The transaction-local setting with which the purge command says up to when it deletes.
PURGE_SETTING = "xincheng.purge_audit_before"


class AppendOnlyQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise TypeError(f"{self.model.__name__} rows are append-only.")

    def delete(self):
        raise TypeError(f"{self.model.__name__} rows are append-only.")


class AppendOnlyModel(models.Model):
    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise TypeError(f"{type(self).__name__} rows are append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise TypeError(f"{type(self).__name__} rows are append-only.")


class RefuseChanges(Operation):
    """A trigger on PostgreSQL that refuses every UPDATE and DELETE of a model's rows;
    nothing elsewhere. With `purgeable`, a DELETE passes for a row whose `at` is older
    than both the purge command's transaction-local PURGE_SETTING and the retention
    floor. Row triggers do not fire on TRUNCATE, with which the tests empty tables."""

    reduces_to_sql = False
    reversible = True

    def __init__(self, model_name: str, purgeable: bool = False):
        self.model_name = model_name
        self.purgeable = purgeable

    def deconstruct(self):
        kwargs = {"model_name": self.model_name}
        if self.purgeable:
            kwargs["purgeable"] = True
        return type(self).__qualname__, [], kwargs

    def state_forwards(self, app_label, state):
        pass

    def _names(self, app_label, state) -> tuple[str, str]:
        table = state.apps.get_model(app_label, self.model_name)._meta.db_table
        return table, f"{table}_append_only"

    def _purge_clause(self) -> str:
        if not self.purgeable:
            return ""
        return f"""
    IF TG_OP = 'DELETE'
       AND OLD.at < NULLIF(current_setting('{PURGE_SETTING}', true), '')::timestamptz
       AND OLD.at < now() - interval '{AUDIT_RETENTION_FLOOR_DAYS} days' THEN
        RETURN OLD;
    END IF;"""

    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor != "postgresql":
            return
        table, name = self._names(app_label, to_state)
        schema_editor.execute(
            f"""CREATE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN{self._purge_clause()}
    RAISE EXCEPTION '% rows are append-only: % refused', TG_TABLE_NAME, TG_OP;
END;
$$""",
            # The body's % are RAISE's placeholders, not the driver's.
            params=None,
        )
        schema_editor.execute(
            f"CREATE TRIGGER {name} BEFORE UPDATE OR DELETE ON {table} "
            f"FOR EACH ROW EXECUTE FUNCTION {name}()"
        )

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor != "postgresql":
            return
        table, name = self._names(app_label, from_state)
        schema_editor.execute(f"DROP TRIGGER {name} ON {table}")
        schema_editor.execute(f"DROP FUNCTION {name}()")

    def describe(self) -> str:
        return f"Refuse UPDATE and DELETE of {self.model_name} rows on PostgreSQL"

    @property
    def migration_name_fragment(self) -> str:
        return f"{self.model_name.lower()}_append_only"
