"""Index types the models declare, so that Django's migration state knows every index."""

from django.contrib.postgres.indexes import GinIndex, OpClass
from django.contrib.postgres.search import SearchVector
from django.db.models import Index, TextField
from django.db.models.functions import Cast, Upper


class TrigramIndex(GinIndex):
    """A pg_trgm GIN index on UPPER(field), the expression `icontains` compares on
    PostgreSQL: a substring search (Chinese text included) reads the index instead of
    the table. Other databases have no trigram index; there an ordinary index on the
    same expression, under the same name, keeps the schema the same shape."""

    def __init__(self, *, field: str, name: str):
        self.field = field
        super().__init__(OpClass(Upper(Cast(field, TextField())), name="gin_trgm_ops"), name=name)

    def deconstruct(self):
        path, _args, _kwargs = super().deconstruct()
        return path, (), {"field": self.field, "name": self.name}

    def create_sql(self, model, schema_editor, using="", **kwargs):
        if schema_editor.connection.vendor == "postgresql":
            return super().create_sql(model, schema_editor, using=using, **kwargs)
        plain = Index(Upper(Cast(self.field, TextField())), name=self.name)
        return plain.create_sql(model, schema_editor, **kwargs)


class FullTextIndex(GinIndex):
    """A GIN index over `to_tsvector(config, field)` on PostgreSQL, the expression
    `SearchVector(field, config=config)` compares on. SQLite searches an FTS5 table
    instead; there an ordinary index on the primary key, under the same name, keeps the
    schema the same shape."""

    def __init__(self, *, field: str, config: str, name: str):
        self.field, self.config = field, config
        super().__init__(SearchVector(field, config=config), name=name)

    def deconstruct(self):
        path, _args, _kwargs = super().deconstruct()
        return path, (), {"field": self.field, "config": self.config, "name": self.name}

    def create_sql(self, model, schema_editor, using="", **kwargs):
        if schema_editor.connection.vendor == "postgresql":
            return super().create_sql(model, schema_editor, using=using, **kwargs)
        plain = Index(fields=[model._meta.pk.name], name=self.name)
        return plain.create_sql(model, schema_editor, **kwargs)
