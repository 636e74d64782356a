"""Settings for the workstation network, read from the environment.

Every key is documented in `.env.example`. Without DATABASE_URL the project
runs on a SQLite file so that a newcomer needs nothing else.
"""

from datetime import timedelta
from pathlib import Path

import environ
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

DEBUG = env.bool("DEBUG", default=False)

# A development key only exists when DEBUG is on; production must set its own.
SECRET_KEY = env(
    "SECRET_KEY", default="django-insecure-development-only" if DEBUG else environ.Env.NOTSET
)

# Keys of the personal data encrypted at rest (base/encrypted.py: ID numbers), newest
# first: the first encrypts, every one decrypts. A development key, derived from the
# development SECRET_KEY, exists only when DEBUG is on; production without one fails the
# system check. The lookup hashes' key is FIELD_HASH_KEY, or else the list's last key.
FIELD_ENCRYPTION_KEYS = env.list(
    "FIELD_ENCRYPTION_KEY", default=[f"development-only:{SECRET_KEY}"] if DEBUG else []
)
FIELD_HASH_KEY = env("FIELD_HASH_KEY", default="")

ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost"] if DEBUG else [])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    # Django admin, for district administrators only.
    "workstations.apps.DistrictAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    # Its index expressions (OpClass) for the trigram indexes; harmless on SQLite.
    "django.contrib.postgres",
    "base.apps.SignInLockoutsConfig",
    # The second factor of signing in (accounts/second_factor.py).
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "csp",
    "base",
    "audit",
    "workstations",
    "members",
    "rosters",
    "visits",
    "workdays",
    "public",
    "activities",
    "points",
    "desk",
    "departments",
    "privacy",
    "accounts",
    "django_tasks",
    "django_tasks_db",
    "notices",
    "demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "base.idle_sessions.IdleSessionMiddleware",
    "base.middleware.ChineseByDefaultMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    # Django's, ending a session past its absolute lifetime first (base/session_lifetime.py).
    "base.session_lifetime.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "accounts.middleware.SecondFactorMiddleware",
    "base.middleware.KeptInputMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "base.middleware.NoStoreForSignedInMiddleware",
    # Logs the 404s of records that exist but are not the user's (audit.denials).
    "audit.denials.DeniedAccessMiddleware",
    # Axes last, as its documentation asks: it answers locked-out logins with 429.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "config.context_processors.navigation",
                "base.context_processors.session_keeping",
            ],
        },
    },
]

DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}")}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL and immediate transactions keep concurrent writers from "database is locked".
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
else:
    # Reconnecting per request made a signed-in page 5.5x slower on PostgreSQL.
    DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
    # A database that does not answer is a 503 page within 2 seconds (base/errors.py),
    # not a worker waiting on a dead host.
    DATABASES["default"].setdefault("OPTIONS", {}).setdefault("connect_timeout", 2)
# The web servers' statements are cut off after this many seconds (base/web_database.py;
# 0: never). Commands and the task worker are not limited.
WEB_STATEMENT_TIMEOUT = env.int("WEB_STATEMENT_TIMEOUT", default=10)

# A read replica for the public pages (base/replica.py), if there is one: a PostgreSQL
# standby of the primary above, with the same options.
if env("REPLICA_URL", default=""):
    DATABASES["replica"] = {**DATABASES["default"], **env.db("REPLICA_URL")}
    DATABASE_ROUTERS = ["base.replica.ReplicaRouter"]

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# The shared cache: public pages and rate limits, seen alike by every server process.
# The database cache needs nothing more (its table comes with the migrations);
# CACHE_URL=redis://127.0.0.1:6379/0 uses Redis instead.
CACHES = {"default": env.cache("CACHE_URL", default="dbcache://django_cache")}
if CACHES["default"]["BACKEND"].endswith("DatabaseCache"):
    # Room for every public page in both languages and both display modes, and the counters.
    CACHES["default"].setdefault("OPTIONS", {}).setdefault("MAX_ENTRIES", 5000)

# Background work (notifications) on Django's Tasks framework, here the django-tasks
# backport: by default the tasks wait in the database for `manage.py db_worker`, so the
# embedded set-up needs nothing more. Any number of workers, on any number of machines,
# may run against one PostgreSQL database. TASKS_BACKEND=rq puts them on RQ over Redis
# instead (RQ_URL), run by `manage.py rqworker --with-scheduler`.
TASK_BACKENDS = {"database": "django_tasks_db.DatabaseBackend", "rq": "django_tasks_rq.RQBackend"}
TASKS_BACKEND = env("TASKS_BACKEND", default="database")
TASKS = {
    "default": {"BACKEND": TASK_BACKENDS.get(TASKS_BACKEND, TASKS_BACKEND), "QUEUES": ["default"]}
}
if TASKS["default"]["BACKEND"] == TASK_BACKENDS["rq"]:
    INSTALLED_APPS += ["django_rq", "django_tasks_rq"]
    # A message's delivery is quick: a task stuck past this is the provider hanging.
    RQ_QUEUES = {
        "default": {
            "URL": env("RQ_URL", default="redis://127.0.0.1:6379/0"),
            "DEFAULT_TIMEOUT": 120,
        }
    }
# Which backend sends each channel (notices.channels): the console backend keeps what
# would have been sent in the outbox table (the demo's and the tests'); e-mail goes
# through Django's e-mail backend (EMAIL_URL; the console by default).
NOTICE_BACKENDS = {
    "sms": env("NOTICE_SMS_BACKEND", default="notices.channels.ConsoleBackend"),
    "wechat": env("NOTICE_WECHAT_BACKEND", default="notices.channels.ConsoleBackend"),
    "email": env("NOTICE_EMAIL_BACKEND", default="notices.channels.EmailBackend"),
}
# The real adapters (docs/notices-providers.md): NOTICE_SMS_BACKEND set to
# notices.providers.aliyun.AliyunSmsBackend or notices.providers.tencent.TencentSmsBackend,
# NOTICE_WECHAT_BACKEND to notices.providers.wechat.WechatTemplateBackend. Timeouts in
# seconds; each CALLBACK_TOKEN is the secret in the report and reply URLs given to the
# provider (empty: those URLs refuse everything).
NOTICE_ALIYUN_SMS = {
    "ACCESS_KEY_ID": env("NOTICE_ALIYUN_ACCESS_KEY_ID", default=""),
    "ACCESS_KEY_SECRET": env("NOTICE_ALIYUN_ACCESS_KEY_SECRET", default=""),
    "SIGN_NAME": env("NOTICE_ALIYUN_SIGN_NAME", default=""),
    "ENDPOINT": env("NOTICE_ALIYUN_ENDPOINT", default="https://dysmsapi.aliyuncs.com"),
    "TIMEOUT": env.float("NOTICE_ALIYUN_TIMEOUT", default=10.0),
    "CALLBACK_TOKEN": env("NOTICE_ALIYUN_CALLBACK_TOKEN", default=""),
}
NOTICE_TENCENT_SMS = {
    "SECRET_ID": env("NOTICE_TENCENT_SECRET_ID", default=""),
    "SECRET_KEY": env("NOTICE_TENCENT_SECRET_KEY", default=""),
    "SDK_APP_ID": env("NOTICE_TENCENT_SMS_SDK_APP_ID", default=""),
    "SIGN_NAME": env("NOTICE_TENCENT_SIGN_NAME", default=""),
    "REGION": env("NOTICE_TENCENT_REGION", default="ap-guangzhou"),
    "ENDPOINT": env("NOTICE_TENCENT_ENDPOINT", default="https://sms.tencentcloudapi.com"),
    "TIMEOUT": env.float("NOTICE_TENCENT_TIMEOUT", default=10.0),
    "CALLBACK_TOKEN": env("NOTICE_TENCENT_CALLBACK_TOKEN", default=""),
}
NOTICE_WECHAT = {
    "APP_ID": env("NOTICE_WECHAT_APP_ID", default=""),
    "APP_SECRET": env("NOTICE_WECHAT_APP_SECRET", default=""),
    "API": env("NOTICE_WECHAT_API", default="https://api.weixin.qq.com").rstrip("/"),
    "TIMEOUT": env.float("NOTICE_WECHAT_TIMEOUT", default=10.0),
}
globals().update(env.email("EMAIL_URL", default="consolemail://"))
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", default="noreply@xincheng-cppcc.local")
# The site's address as citizens reach it, for the links in their messages.
SITE_URL = env("SITE_URL", default="http://127.0.0.1:8000").rstrip("/")

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    # No password built from the district's, its streets' or the project's own words.
    {"NAME": "base.passwords.DistrictWordsValidator"},
]

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", _("Simplified Chinese")), ("en", _("English"))]
# Ours, then the hand-written Chinese of third-party apps that ship none (axes).
LOCALE_PATHS = [BASE_DIR / "locale", BASE_DIR / "vendor_locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
# A form's text may be at most this large (files aside: each upload checks its own size);
# more is answered 413 with what to do (base/errors.py). nginx refuses bodies over 12 MB.
DATA_UPLOAD_MAX_MEMORY_SIZE = 2_500_000
# The signed hash manifest of templates and static files (base/manifest.py).
INTEGRITY_MANIFEST = env.path("INTEGRITY_MANIFEST", default=BASE_DIR / "integrity-manifest.txt")
MEDIA_URL = "media/"
MEDIA_ROOT = env.path("MEDIA_ROOT", default=BASE_DIR / "media")
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if env.bool("STATIC_MANIFEST", default=not DEBUG)
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "desk:dashboard"
LOGOUT_REDIRECT_URL = "login"

# An idle session ends after 30 minutes: a request pushes the expiry forward, writing the
# session at most once a minute (base/idle_sessions.py). A staff form being filled in
# keeps it alive, and one saved too late is kept through signing in again
# (base/kept_input.py).
SESSION_COOKIE_AGE = 30 * 60
SESSION_REFRESH_SECONDS = 60
# However active, a session ends 10 hours after signing in (base/session_lifetime.py).
SESSION_ABSOLUTE_SECONDS = 10 * 3600
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
# Database sessions that know their user, so that an administrator can end a user's
# sessions (base/sessions.py). Django's own table (django.contrib.sessions, kept for its
# clearsessions command) is no longer used.
SESSION_ENGINE = "base.sessions"

# Administrators sign in with a second factor (an authenticator app's code) after their
# password; anyone may choose to (accounts/second_factor.py). Off by default only for the
# local demo (DEBUG), so that a newcomer's first sign-in needs no phone.
SECOND_FACTOR_FOR_ADMINISTRATORS = env.bool("SECOND_FACTOR_FOR_ADMINISTRATORS", default=not DEBUG)
# The name an authenticator app shows above the account's codes.
OTP_TOTP_ISSUER = "新城区政协委员工作室"
# Wrong codes are slowed by our own count (five, then a pause), for both kinds of code.
OTP_TOTP_THROTTLE_FACTOR = 0
OTP_STATIC_THROTTLE_FACTOR = 0

# Five failed logins for one username from one address lock that pair for 15 minutes.
AXES_FAILURE_LIMIT = 5
AXES_COOLOFF_TIME = timedelta(minutes=15)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_RESET_ON_SUCCESS = True
AXES_VERBOSE = False
AXES_CLIENT_IP_CALLABLE = "audit.services.client_address"
AXES_USERNAME_CALLABLE = "base.signin.lockout_username"
# axes' own, with every reset of a lockout in the audit log (audit/lockouts.py).
AXES_HANDLER = "audit.lockouts.AuditedAxesHandler"
# Behind a reverse proxy, the request header that carries the client's address
# (e.g. HTTP_X_REAL_IP), or every citizen and liaison shares the proxy's address.
CLIENT_IP_HEADER = env("CLIENT_IP_HEADER", default="REMOTE_ADDR")

# Hosts a public page may link to (`manage.py check_public_site`, public/integrity.py): any
# other is reported as a planted link. Empty: the site links only to itself.
PUBLIC_LINK_HOSTS = env.list("PUBLIC_LINK_HOSTS", default=[])

CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}

# Security: strict by default, relaxed only by DEBUG or explicit environment.
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=not DEBUG)
# Load balancers probe /healthz over plain HTTP.
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
SECURE_PROXY_SSL_HEADER = (
    ("HTTP_X_FORWARDED_PROTO", "https") if env.bool("BEHIND_TLS_PROXY", default=False) else None
)
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=0 if DEBUG else 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=not DEBUG)
SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=not DEBUG)
SESSION_COOKIE_SECURE = env.bool("SESSION_COOKIE_SECURE", default=not DEBUG)
CSRF_COOKIE_SECURE = env.bool("CSRF_COOKIE_SECURE", default=not DEBUG)
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

# No query string reaches a log (config/logfilters.py): staff searches carry phone
# numbers and names. Django's own loggers write through these two handlers only.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"no_query_strings": {"()": "config.logfilters.QueryStringFilter"}},
    "formatters": {
        "django.server": {
            "()": "django.utils.log.ServerFormatter",
            "format": "[{server_time}] {message}",
            "style": "{",
        }
    },
    "handlers": {
        "console": {"class": "logging.StreamHandler", "filters": ["no_query_strings"]},
        "django.server": {
            "class": "logging.StreamHandler",
            "formatter": "django.server",
            "filters": ["no_query_strings"],
        },
    },
    "loggers": {
        # Instead of Django's defaults: a console handler of its own (unfiltered) when
        # DEBUG is on, and e-mail to ADMINS, which this project does not set.
        "django": {"handlers": [], "propagate": True},
        "django.server": {"handlers": ["django.server"], "level": "INFO", "propagate": False},
    },
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", default="INFO")},
}

# Domain settings.
# Audit entries are kept this many days at least before `manage.py purge_audit` may
# delete them; fewer than 183 (six months) fails the system check.
AUDIT_RETENTION_DAYS = env.int("AUDIT_RETENTION_DAYS", default=183)
# A case ended (closed, rejected, merged, withdrawn) this many days ago has its visitor's
# personal data anonymised by `manage.py anonymise_closed_cases`; fewer than 365 fails
# the system check.
CLOSED_CASE_RETENTION_DAYS = env.int("CLOSED_CASE_RETENTION_DAYS", default=1095)
# A resolved case must be followed up with the citizen within this many working days.
FOLLOW_UP_WORKING_DAYS = env.int("FOLLOW_UP_WORKING_DAYS", default=5)
# A department's reply is due this many working days after a referral by default.
REFERRAL_REPLY_WORKING_DAYS = env.int("REFERRAL_REPLY_WORKING_DAYS", default=15)
# An online submission is accepted (受理) within this many working days: the limit its
# receipt promises.
ACCEPTANCE_WORKING_DAYS = env.int("ACCEPTANCE_WORKING_DAYS", default=3)
# A registered case is first handled (consulted, referred or answered) within these days.
FIRST_HANDLING_WORKING_DAYS = env.int("FIRST_HANDLING_WORKING_DAYS", default=5)
# A case under consultation is referred or resolved within these days.
CONSULTATION_WORKING_DAYS = env.int("CONSULTATION_WORKING_DAYS", default=10)
# A department signs for (签收) a referral within these days.
ACKNOWLEDGEMENT_WORKING_DAYS = env.int("ACKNOWLEDGEMENT_WORKING_DAYS", default=2)
# A case whose departments have replied is resolved within these days.
RESOLUTION_WORKING_DAYS = env.int("RESOLUTION_WORKING_DAYS", default=5)
# All of the above, and the two before, are the defaults for a year whose time limits the
# office has not set in admin (visits.time_limits); read nowhere else.
