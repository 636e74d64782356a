"""Two app servers (gunicorn, on two ports) against one database and one Redis, as two
machines behind a proxy would be: a rate limit counted on one holds on the other, and a
session signed in on one is signed in on the other. Nothing is kept in a process."""

import http.cookiejar
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request

import gunicorn
import pytest

from public import throttle

from .processes import ROOT, environment, run
from .signing import app_code

OFFICE_KEY = "3132333435363738393031323334353637383930"  # RFC 6238's test key, in hex
PASSWORD = "two-servers-only-9f3k"


def free_ports(count: int) -> list[int]:
    probes = [socket.socket() for _ in range(count)]
    try:
        for probe in probes:  # all held at once: no port is handed out twice
            probe.bind(("127.0.0.1", 0))
        return [probe.getsockname()[1] for probe in probes]
    finally:
        for probe in probes:
            probe.close()


def wait_until_up(base: str, server: subprocess.Popen, logs) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise AssertionError(
                "the server stopped:\n"
                + "".join(log.read_text() for log in logs.glob("server-*.log"))
            )
        try:
            with urllib.request.urlopen(f"{base}/healthz", timeout=2) as answer:
                if answer.status == 200:
                    return
        except OSError:
            time.sleep(0.2)
    raise AssertionError(f"{base} did not answer")


@pytest.fixture
def servers(database_url, redis_url, tmp_path):
    env = environment(
        database_url,
        CACHE_URL=redis_url,
        SECRET_KEY="two-servers-" + "q8Zr2" * 10,
        ALLOWED_HOSTS="127.0.0.1",
        SECURE_SSL_REDIRECT="false",
        SESSION_COOKIE_SECURE="false",
        CSRF_COOKIE_SECURE="false",
        STATIC_MANIFEST="false",
        DJANGO_SUPERUSER_PASSWORD=PASSWORD,
    )
    run(env, "manage.py", "migrate", "--noinput", "-v", "0")
    run(env, "manage.py", "createsuperuser", "--noinput", "--username", "office",
        "--email", "office@example.gov.cn")  # fmt: skip
    # The office's authenticator app, with a key the test knows, for the second step.
    run(env, "manage.py", "shell", "-c",
        "from django.contrib.auth.models import User; "
        "from django_otp.plugins.otp_totp.models import TOTPDevice; "
        "TOTPDevice.objects.create(user=User.objects.get(username='office'), "
        f"name='authenticator', key='{OFFICE_KEY}')")  # fmt: skip
    ports = free_ports(2)
    processes = [start_server(env, port, tmp_path / f"server-{port}.log") for port in ports]
    bases = [f"http://127.0.0.1:{port}" for port in ports]
    try:
        for base, process in zip(bases, processes, strict=True):
            wait_until_up(base, process, tmp_path)
        yield bases
    finally:
        for process in processes:
            process.terminate()
            process.wait(timeout=30)


def start_server(env: dict, port: int, log) -> subprocess.Popen:
    command = [sys.executable, "-m", "gunicorn", "--config", "config/gunicorn.py",
               "--bind", f"127.0.0.1:{port}", "--workers", "1", "config.wsgi"]  # fmt: skip
    with open(log, "w") as output:
        return subprocess.Popen(command, cwd=ROOT, env=env, stdout=output, stderr=output)


class Browser:
    """Cookies kept across both servers (one host, two ports: a cookie is per host)."""

    def __init__(self):
        self.cookies = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(self.cookies), NoRedirects()
        )

    def get(self, url: str):
        return self.send(urllib.request.Request(url))

    def post(self, url: str, fields: dict):
        token = next(c.value for c in self.cookies if c.name == "csrftoken")
        body = urllib.parse.urlencode({"csrfmiddlewaretoken": token, **fields}).encode()
        return self.send(urllib.request.Request(url, data=body, method="POST"))

    def send(self, request):
        try:
            with self.opener.open(request, timeout=30) as answer:
                return answer.status, answer.headers, answer.read().decode()
        except urllib.error.HTTPError as refused:
            return refused.code, refused.headers, refused.read().decode()


class NoRedirects(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def test_a_session_signed_in_on_one_server_is_signed_in_on_the_other(servers):
    one, other = servers
    browser = Browser()
    assert browser.get(f"{one}/login/")[0] == 200
    status, headers, _ = browser.post(f"{one}/login/", {"username": "office", "password": PASSWORD})
    assert status == 302, "not signed in"
    assert headers["Location"] != "/login/"
    # The second step on the other server, then admin on the first: one session throughout.
    status, headers, _ = browser.post(
        f"{other}/login/second-factor/", {"code": app_code(OFFICE_KEY)}
    )
    assert status == 302 and not headers["Location"].startswith("/login/")

    status, _, page = browser.get(f"{other}/admin/")
    assert status == 200
    assert "/admin/logout/" in page

    # A stranger's browser, on the same server, is not.
    status, headers, _ = Browser().get(f"{other}/admin/")
    assert status == 302
    assert headers["Location"].startswith("/admin/login/")


def raw_answer(base: str, request: bytes) -> str:
    """What the server sends back for `request`, byte for byte (a malformed request never
    reaches Django: gunicorn answers it)."""
    host, port = urllib.parse.urlsplit(base).netloc.split(":")
    with socket.create_connection((host, int(port)), timeout=10) as connection:
        connection.sendall(request)
        answer = b""
        while chunk := connection.recv(65536):
            answer += chunk
    return answer.decode("latin-1")


def test_no_answer_says_which_server_software_runs_or_its_version(servers):
    one, _ = servers
    served = [
        raw_answer(
            one, f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n".encode()
        )
        for path in ("/healthz", "/nowhere/")
    ]
    refused = raw_answer(one, b"NOT HTTP AT ALL\r\n\r\n")  # answered by gunicorn itself

    assert [answer.split(" ", 2)[1] for answer in [*served, refused]] == ["200", "404", "400"]
    for answer in served:
        assert "\r\nServer: xincheng\r\n" in answer
    for answer in [*served, refused]:
        assert "gunicorn" not in answer.lower()
        assert gunicorn.__version__ not in answer


def test_a_rate_limit_counted_on_one_server_holds_on_the_other(servers):
    one, other = servers
    browser = Browser()
    browser.get(f"{one}/track/")

    def look_up(base: str, n: int) -> int:
        # A different unknown number each time: only the per-address limit is reached.
        return browser.post(f"{base}/track/", {"number": f"XC-2026-{n:06d}", "code": "WRONGCODE2"})[
            0
        ]

    limit = throttle.LOOKUPS.count
    # The servers count in windows of the real clock (they run outside this test's):
    # start well inside one, so that the count is not cut in two.
    window = throttle.LOOKUPS.seconds
    if time.time() % window > window - 30:
        time.sleep(window - time.time() % window + 1)
    answers = [look_up(one if n % 3 else other, n) for n in range(limit)]
    assert answers == [400] * limit  # counted, wherever they landed, and none refused yet
    assert look_up(other, limit) == 429
    assert look_up(one, limit + 1) == 429
