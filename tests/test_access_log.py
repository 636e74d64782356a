"""The servers' logs never hold what a query string carried (a phone number searched
for, a name): Django's development server and request loggers, and gunicorn's access
and error logs as `make serve` runs it (config/gunicorn.py)."""

import io
import logging
from datetime import timedelta
from pathlib import Path
from types import SimpleNamespace

import pytest
from django.conf import settings
from gunicorn.app.wsgiapp import WSGIApplication

from config.logfilters import redact_query_strings

PHONE = "13912345678"
SEARCH = f"/cases/export.csv?q={PHONE}&status=registered"


def _formatted_by(handler: logging.Handler, record: logging.LogRecord) -> str:
    """What `handler` writes for `record`, its filters included."""
    stream = io.StringIO()
    previous = handler.setStream(stream)
    try:
        handler.handle(record)
    finally:
        handler.setStream(previous)
    return stream.getvalue()


def _configured(logger: str, handler: str) -> logging.Handler:
    """The handler settings.LOGGING put on `logger` (pytest adds its own beside it)."""
    return next(h for h in logging.getLogger(logger).handlers if h.name == handler)


def _record(name: str, msg: str, *args, level=logging.INFO) -> logging.LogRecord:
    return logging.getLogger(name).makeRecord(name, level, __file__, 1, msg, args, None)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (f'"GET {SEARCH} HTTP/1.1" 200 512', '"GET /cases/export.csv?… HTTP/1.1" 200 512'),
        (f"http://127.0.0.1:8000/cases/?q={PHONE}", "http://127.0.0.1:8000/cases/?…"),
        ("GET /cases/?13912345678 HTTP/1.1", "GET /cases/?… HTTP/1.1"),
        ('"GET /cases/ HTTP/1.1" 200 512', '"GET /cases/ HTTP/1.1" 200 512'),
        ("Is it done? Yes.", "Is it done? Yes."),
    ],
)
def test_every_query_string_in_a_log_line_is_cut_out(text, expected):
    assert redact_query_strings(text) == expected


def test_the_development_servers_line_for_a_phone_search_holds_no_phone_number():
    handler = _configured("django.server", "django.server")
    record = _record("django.server", '"%s" %s %s', f"GET {SEARCH} HTTP/1.1", "200", "512")
    record.server_time = "01/Dec/2026 10:00:00"

    line = _formatted_by(handler, record)

    assert "/cases/export.csv" in line and '" 200 512' in line
    assert PHONE not in line and "registered" not in line


def test_a_request_logged_by_django_holds_no_query_string_values():
    handler = _configured("", "console")
    record = _record("django.request", "Not Found: %s", SEARCH, level=logging.WARNING)

    line = _formatted_by(handler, record)

    assert "Not Found: /cases/export.csv" in line
    assert PHONE not in line


def test_djangos_own_loggers_pass_through_the_filtered_handlers_only():
    assert settings.LOGGING["loggers"]["django"] == {"handlers": [], "propagate": True}
    assert logging.getLogger("django").handlers == []


# --- gunicorn --------------------------------------------------------------------------


@pytest.fixture
def gunicorn_logger(monkeypatch):
    """gunicorn's logger, configured the way `make serve` starts gunicorn."""
    config = Path(settings.BASE_DIR, "config", "gunicorn.py")
    monkeypatch.setattr("sys.argv", ["gunicorn", "--config", str(config), "config.wsgi"])
    app = WSGIApplication()
    return app.cfg.logger_class(app.cfg)


def _capture(log: logging.Logger) -> io.StringIO:
    stream = io.StringIO()
    for handler in log.handlers:
        handler.setStream(stream)
    return stream


def test_the_make_serve_target_starts_gunicorn_with_the_project_configuration():
    makefile = Path(settings.BASE_DIR, "Makefile").read_text()

    assert "gunicorn --config config/gunicorn.py config.wsgi" in makefile


def test_gunicorns_access_line_for_a_phone_search_holds_no_phone_number(gunicorn_logger):
    stream = _capture(gunicorn_logger.access_log)
    environ = {
        "REQUEST_METHOD": "GET",
        "RAW_URI": SEARCH,
        "PATH_INFO": "/cases/export.csv",
        "QUERY_STRING": f"q={PHONE}&status=registered",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "REMOTE_ADDR": "10.0.0.5",
        "HTTP_REFERER": f"https://xc.example/cases/?q={PHONE}",
        "HTTP_USER_AGENT": "Mozilla/5.0",
    }
    response = SimpleNamespace(status="200 OK", sent=512, headers=[])
    request = SimpleNamespace(headers=[("REFERER", environ["HTTP_REFERER"])])

    gunicorn_logger.access(response, request, environ, timedelta(milliseconds=12))

    line = stream.getvalue()
    assert '"GET /cases/export.csv?… HTTP/1.1" 200 512 "https://xc.example/cases/?…"' in line
    assert "10.0.0.5" in line
    assert PHONE not in line


def test_gunicorns_error_log_holds_no_query_string_values(gunicorn_logger):
    stream = _capture(gunicorn_logger.error_log)

    gunicorn_logger.error("Error handling request %s", SEARCH)

    assert "Error handling request /cases/export.csv?…" in stream.getvalue()
    assert PHONE not in stream.getvalue()
