"""gunicorn's settings for this project (`make serve`; in production
`gunicorn --config config/gunicorn.py config.wsgi`).

The access log is on (to standard output) in the usual combined format, but neither it
nor the error log ever holds a query string: staff search and export addresses carry
phone numbers and names (config/logfilters.py). The referring page is cut the same way.
"""

import os

from gunicorn.glogging import Logger
from gunicorn.http import wsgi

from config.logfilters import QueryStringFilter

# Every response names its server: not the software and its version (gunicorn/23.0.0),
# a scanner's first question. The proxy in front says nothing either (server_tokens off).
wsgi.SERVER = "xincheng"

accesslog = "-"
# Sync workers, gunicorn's rule of thumb from the cores this process may use (a container's
# share, not the host's), at most 17: each holds a database connection. WEB_CONCURRENCY
# (or --workers) says otherwise.
workers = int(os.environ.get("WEB_CONCURRENCY", min(2 * len(os.sched_getaffinity(0)) + 1, 17)))


class RedactingLogger(Logger):
    """gunicorn's logger, with every query string cut out of what it writes."""

    def setup(self, cfg) -> None:
        super().setup(cfg)
        for log in (self.error_log, self.access_log):
            if not any(isinstance(f, QueryStringFilter) for f in log.filters):
                log.addFilter(QueryStringFilter())

    def atoms(self, resp, req, environ, request_time) -> dict:
        atoms = super().atoms(resp, req, environ, request_time)
        # %(q)s and {query_string}e are a query string without its "?": never written.
        for key in ("q", "{query_string}e"):
            if atoms.get(key):
                atoms[key] = "…"
        return atoms


logger_class = RedactingLogger
