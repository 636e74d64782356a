"""What the web servers' database sessions carry that the commands and the task worker do
not: a limit on each statement (PostgreSQL's statement_timeout), so that a slow query
fails fast with the 503 page (base/errors.py) instead of holding a worker while its
visitor gives up. A migration, a backup, a bulk load or a rebuild of the tallies may run
long; they are not served by config/wsgi.py, which alone installs this.
"""

from django.conf import settings
from django.db.backends.signals import connection_created


def limit_statements(sender, connection, **kwargs) -> None:
    seconds = settings.WEB_STATEMENT_TIMEOUT
    if connection.vendor == "postgresql" and seconds:
        with connection.cursor() as cursor:
            # set_config takes a parameter where SET does not.
            cursor.execute("SELECT set_config('statement_timeout', %s, false)", [f"{seconds}s"])


def install() -> None:
    connection_created.connect(limit_statements, dispatch_uid="web_statement_timeout")
