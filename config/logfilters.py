"""Query strings never reach a log: they carry what staff searched for (a phone
number, a name) and a log is kept, copied and read far more widely than the audit log.

One function for every log: Django's (the development server's request lines, the
request and security loggers) through `QueryStringFilter` in settings.LOGGING, and
gunicorn's access and error logs through `config/gunicorn.py`.
"""

import logging
import re

# A "?" right after a path (or a host), up to the next space or quote: a URL's query.
_QUERY = re.compile(r"(?<=[\w/.~%-])\?[^\s\"'<>]+")


def redact_query_strings(text: str) -> str:
    """`text` with the content of every URL's query string cut out (names included: a
    bare `?13912345678` is a query too); the path stays, so the log still says which
    page was asked for."""
    return _QUERY.sub("?…", text)


class QueryStringFilter(logging.Filter):
    """Rewrites a record's message without its query strings (the record is changed, so
    every handler after this one sees the redacted message too)."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        redacted = redact_query_strings(message)
        if redacted != message:
            record.msg, record.args = redacted, ()
        return True
