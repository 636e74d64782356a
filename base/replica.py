"""Reads of the published pages and figures from a read replica, when there is one.

With REPLICA_URL set (a PostgreSQL standby streaming from the primary), the public
column's pages and statistics read the published data (workstations, members, rosters,
cases and their tallies, activities) from the replica, which takes their load off the
primary. Everything else reads where it writes: the staff pages, and on every page the
session, the signed-in user, the cache and the rate limits, which must be seen as they
were just written. Writes always go to the primary.
"""

from contextvars import ContextVar
from functools import wraps

REPLICA = "replica"

# The apps whose rows the public pages show. A replica lags its primary by a moment,
# which a visitor reading the column never notices.
PUBLISHED_APPS = frozenset(
    {"workstations", "members", "rosters", "visits", "workdays", "activities", "points"}
)

_reading = ContextVar("reading_from_replica", default=False)


class ReplicaRouter:
    """Installed only when REPLICA_URL is set (config/settings.py)."""

    def db_for_read(self, model, **hints):
        if _reading.get() and model._meta.app_label in PUBLISHED_APPS:
            return REPLICA
        return None

    def db_for_write(self, model, **hints):
        return None

    def allow_relation(self, obj1, obj2, **hints):
        # The replica is a copy of the primary: a row read from it relates to any other.
        return True

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        return None  # the replica gets its schema by replication, never by migrate


def reads_from_replica(view):
    """Serve `view`'s published data from the replica, if there is one. Its template must be rendered
    within the view (render(), not a TemplateResponse), while the reads are routed."""

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        token = _reading.set(True)  # heeded by the router, if one is installed
        try:
            return view(request, *args, **kwargs)
        finally:
            _reading.reset(token)

    return wrapped
