"""Serve the pages over a large database with gunicorn and measure them with wrk.

    python bench/serve.py                     # PostgreSQL database bench_seed, 1,000,000 cases
    DATABASE_URL=sqlite:////tmp/b.sqlite3 python bench/serve.py --cases 100000

Fills the database with `seed_demo --scale` when it holds fewer cases than asked (and
prints how long that took), starts gunicorn (sync workers, production settings but
plain HTTP), signs in a workstation liaison, a department's liaison and an
administrator by creating sessions, and prints per page the requests per second and
their ratio to a trivial Django view, p50/p99 latency, and the queries one request runs
(counted in this process, caches emptied first). Needs `wrk` (Debian package).
Loopback only.
"""

import argparse
import os
import re
import shutil
import signal
import subprocess
import sys
import time
import urllib.request
import warnings
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/bench_seed")
os.environ.setdefault("SECRET_KEY", "bench-only-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz")
os.environ.setdefault("ALLOWED_HOSTS", "127.0.0.1")
os.environ["SECURE_SSL_REDIRECT"] = "false"
os.environ["SESSION_COOKIE_SECURE"] = "false"
os.environ["CSRF_COOKIE_SECURE"] = "false"
os.environ["STATIC_MANIFEST"] = "false"
os.environ["DJANGO_SETTINGS_MODULE"] = "bench.settings"


def setup(cases: int) -> dict[str, str]:
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from visits.models import Case

    have = Case.objects.count()
    if have < cases:
        print(f"database has {have:,} cases; adding {cases - have:,} (this takes minutes)")
        started = time.monotonic()
        call_command("seed_demo", cases=0, scale=cases - have)
        print(f"seeded in {time.monotonic() - started:.0f} s")
    return _urls()


def _urls() -> dict[str, str]:
    from django.contrib.auth import get_user_model
    from django.db.models import Q

    from visits.forms import CaseFilterForm
    from visits.models import Case
    from visits.selectors import _encode

    staff = get_user_model().objects.get(username="staff-xiyilu")
    admin = get_user_model().objects.get(username="admin")
    department = get_user_model().objects.get(username="dept-housing")
    workstation = staff.staffed_workstations.get()
    mine = Case.objects.filter(workstation=workstation)
    deep_row = mine.order_by("-created_at", "-pk")[mine.count() // 2]
    deep_admin = Case.objects.order_by("-created_at", "-pk")[Case.objects.count() // 2]
    case = mine.filter(~Q(referrals=None)).order_by("-created_at").first()
    assert CaseFilterForm.SORTS["newest"][0] == "-created_at"
    return {
        "staff_cookie": _session(staff),
        "admin_cookie": _session(admin),
        "department_cookie": _session(department),
        "deep": _encode(deep_row.created_at, deep_row.pk),
        "deep_admin": _encode(deep_admin.created_at, deep_admin.pk),
        "case": case.number,
    }


def _session(user) -> str:
    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY

    from base.session_lifetime import SIGNED_IN_AT
    from base.sessions import SessionStore

    session = SessionStore()
    session[SESSION_KEY] = str(user.pk)
    session[SIGNED_IN_AT] = int(time.time())
    session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session.create()
    return f"{settings.SESSION_COOKIE_NAME}={session.session_key}"


def queries(path: str, cookie: str) -> int:
    """The queries one request for `path` runs, its caches (the page cache) emptied."""
    from django.core.cache import cache
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client(HTTP_HOST="127.0.0.1")
    if cookie:
        name, value = cookie.split("=", 1)
        client.cookies[name] = value
    client.get(path)  # warm: content types, translations
    cache.clear()
    with CaptureQueriesContext(connection) as run:
        response = client.get(path)
    assert response.status_code == 200, f"{path}: {response.status_code}"
    return len(run)


def wrk(url: str, cookie: str, seconds: int, connections: int) -> dict[str, float]:
    command = ["wrk", "-t2", f"-c{connections}", f"-d{seconds}s", "--latency", url]
    if cookie:
        command[1:1] = ["-H", f"Cookie: {cookie}"]
    out = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)

    def pct(p):
        value, unit = re.search(rf"\s{p}%\s+([\d.]+)(us|ms|s)", out).groups()
        return float(value) * {"us": 0.001, "ms": 1, "s": 1000}[unit]

    return {
        "rps": rps,
        "p50": pct(50),
        "p99": pct(99),
        "errors": int(non2xx.group(1)) if non2xx else 0,
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--cases", type=int, default=1_000_000)
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--workers", type=int, default=3)
    parser.add_argument("--port", type=int, default=8811)
    args = parser.parse_args()
    # The in-process counts run without collectstatic; whitenoise says so at each client.
    warnings.filterwarnings("ignore", message="No directory at")
    if not shutil.which("wrk"):
        sys.exit("wrk is not installed: apt-get install wrk")
    urls = setup(args.cases)
    base = f"http://127.0.0.1:{args.port}"
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "bench.wsgi", f"--bind=127.0.0.1:{args.port}",
         f"--workers={args.workers}", "--log-level=warning"],
        cwd=ROOT,
    )  # fmt: skip
    try:
        for _ in range(100):
            try:
                urllib.request.urlopen(f"{base}/bench/trivial", timeout=1)
                break
            except OSError:
                time.sleep(0.2)
        staff, admin = urls["staff_cookie"], urls["admin_cookie"]
        department = urls["department_cookie"]
        pages = [
            ("trivial Django view", "/bench/trivial", ""),
            ("public column page (visitor, page cache)", "/", ""),
            ("public statistics page (visitor, page cache)", "/stats/", ""),
            ("public column page (signed in: never cached)", "/", staff),
            ("public statistics page (signed in: never cached)", "/stats/", staff),
            ("dashboard (liaison)", "/dashboard/", staff),
            ("case list, first page (liaison)", "/cases/", staff),
            ("case list, deep page (liaison)", f"/cases/?after={urls['deep']}", staff),
            ("case list, first page (administrator, all cases)", "/cases/", admin),
            ("case list, deep page (administrator)", f"/cases/?after={urls['deep_admin']}", admin),
            ("case list, filtered search (liaison)", "/cases/?q=%E5%8A%A0%E8%A3%85%E7%94%B5%E6%A2%AF&status=referred", staff),
            ("case detail (liaison)", f"/cases/{urls['case']}/", staff),
            ("department's referrals (department liaison)", "/department/", department),
            ("office: supervision (administrator)", "/office/supervision/", admin),
            ("office: the departments' record (administrator)", "/office/departments/", admin),
        ]  # fmt: skip
        print(f"\n{'page':50} {'req/s':>8} {'x trivial':>10} {'p50 ms':>8} {'p99 ms':>8} "
              f"{'queries':>8}")  # fmt: skip
        ceiling = None
        for name, path, cookie in pages:
            result = wrk(base + path, cookie, args.seconds, args.connections)
            ceiling = ceiling or result["rps"]
            flag = f"  ({result['errors']} non-2xx!)" if result["errors"] else ""
            counted = queries(path, cookie) if path != "/bench/trivial" else 0
            print(
                f"{name:50} {result['rps']:8.0f} {result['rps'] / ceiling:10.3f} "
                f"{result['p50']:8.1f} {result['p99']:8.1f} {counted:8d}{flag}"
            )
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=30)


if __name__ == "__main__":
    main()
