"""One env-driven settings module (django-environ).

Every setting that differs between a laptop and production comes from the environment;
`.env.example` lists them and the README's configuration table explains each.
The embedded default needs no service: SQLite, local-memory cache, local media.
"""

import sys
from pathlib import Path

import environ
from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

DEBUG = env.bool("DEBUG", default=True)

SECRET_KEY = env.str("SECRET_KEY", default="")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off.")
    SECRET_KEY = "dev-only-insecure-key-do-not-use-in-production"

ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "[::1]"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])
# The public address of the site, used in feeds, QR codes, e-mails and canonical links. In
# development it follows the address `make run` serves (its HOST and PORT reach runserver and the
# task worker, which builds mails outside any request); production must name it (config.E003).
SITE_URL = env.str("SITE_URL", default="").rstrip("/")
if not SITE_URL and DEBUG:
    SITE_URL = f"http://{env.str('HOST', default='127.0.0.1')}:{env.str('PORT', default='8000')}"

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.postgres",
    "django.contrib.sitemaps",
    "django.contrib.humanize",
    "django_tables2",
    "django_filters",
    "axes",
    "django_tasks_db",
    "config.apps.SiteConfig",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "accounts",
    # Digital certificates (CA管理, 证书登录, the seal's signing): reads accounts only.
    "certificates",
    "reservations",
    "announcements",
    "public",
    "oversight",
    # Last: operations (backup/restore commands) may read every app; no app reads it.
    "ops",
]
if DEBUG:
    # Demo and benchmark data (seed_demo, seed_bulk): on a laptop, in the tests and for the
    # benchmark's seeding step (DEBUG=true), never in production, where demo accounts with a
    # known password must not be one command away.
    INSTALLED_APPS.append("devdata")

MIDDLEWARE = [
    # Outermost: it times and logs every response, redirects and error pages included.
    "config.middleware.RequestLogMiddleware",
    "config.middleware.RejectNulMiddleware",
    "config.middleware.ApiReadOnlyMiddleware",
    "config.middleware.DatabaseUnavailableMiddleware",
    "config.middleware.PrivatePagesMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Public pages kept whole for readers without cookies, before the session and the user
    # are looked at (public.front).
    "public.front.FrontPageCacheMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "config.routers.ReplicaReadsMiddleware",
    "config.middleware.PublicTimeBudgetMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "accounts.middleware.ForcePasswordChangeMiddleware",
    "accounts.middleware.RequireSecondFactorMiddleware",
    "certificates.middleware.RequireCertificateMiddleware",
    # Last: it must see the credentials after authentication has run.
    "axes.middleware.AxesMiddleware",
]
# With DEBUG on, a missing page shows the site's own 404 page (as users will see it);
# DEBUG_TECHNICAL_404=1 shows Django's technical page with the URL patterns instead.
DEBUG_TECHNICAL_404 = env.bool("DEBUG_TECHNICAL_404", default=False)
if DEBUG and not DEBUG_TECHNICAL_404:
    MIDDLEWARE.insert(
        MIDDLEWARE.index("django.middleware.csp.ContentSecurityPolicyMiddleware") + 1,
        "config.debug_pages.SiteNotFoundPageMiddleware",
    )

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
                "django.template.context_processors.i18n",
                "django.template.context_processors.csp",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "accounts.context_processors.console",
            ],
            # `html_datetime` for <time datetime>, in every template without a {% load %}.
            "builtins": ["accounts.templatetags.html_values"],
        },
    },
]

DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
# Django's PostgreSQL backend with a health check that sends nothing while the connection is
# quiet (config/postgresql/base.py): the check's SELECT 1 was half the SQL of a public page.
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    DATABASES["default"]["ENGINE"] = "config.postgresql"
# Persistent connections are the default (a PostgreSQL page ran 10x faster with them); the
# health check drops a connection that died while idle instead of failing the next request.
DATABASES["default"].setdefault("CONN_MAX_AGE", env.int("CONN_MAX_AGE", default=60))
DATABASES["default"]["CONN_HEALTH_CHECKS"] = env.bool("CONN_HEALTH_CHECKS", default=True)

# Every database wait is bounded. Web processes (gunicorn, runserver, tests) get short limits so
# that a hung or locked database answers the 503 page in seconds instead of freezing workers;
# management commands and the task worker (bulk files, imports, migrations) get longer ones.
_COMMAND = sys.argv[1] if len(sys.argv) > 1 and Path(sys.argv[0]).name == "manage.py" else ""
IS_WEB_PROCESS = _COMMAND in ("", "runserver")
if IS_WEB_PROCESS:
    DB_STATEMENT_TIMEOUT_MS = env.int("DB_STATEMENT_TIMEOUT_MS", default=5_000)
    DB_LOCK_TIMEOUT_MS = env.int("DB_LOCK_TIMEOUT_MS", default=3_000)
else:
    DB_STATEMENT_TIMEOUT_MS = env.int("DB_COMMAND_STATEMENT_TIMEOUT_MS", default=600_000)
    DB_LOCK_TIMEOUT_MS = env.int("DB_COMMAND_LOCK_TIMEOUT_MS", default=60_000)
DB_CONNECT_TIMEOUT = env.int("DB_CONNECT_TIMEOUT", default=5)
# Public pages' queries get a much shorter budget (config.middleware.PublicTimeBudgetMiddleware):
# a search too broad to answer in time says so at once instead of holding a worker.
PUBLIC_STATEMENT_TIMEOUT_MS = env.int("PUBLIC_STATEMENT_TIMEOUT_MS", default=300)
# Searches one client (IPv4 address, IPv6 /64) may have answered from the database per minute
# (public.limits; 0: no limit): a burst of random words cannot keep the list from its readers.
PUBLIC_SEARCHES_PER_MINUTE = env.int("PUBLIC_SEARCHES_PER_MINUTE", default=60)
_db_options = DATABASES["default"].setdefault("OPTIONS", {})
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets readers and the one writer work at once on the embedded default.
    _db_options["init_command"] = "PRAGMA journal_mode=WAL;"
    _db_options.setdefault("transaction_mode", "IMMEDIATE")
    # How long a writer waits for SQLite's one write lock (seconds).
    _db_options.setdefault("timeout", max(1, DB_LOCK_TIMEOUT_MS // 1000))
elif DATABASES["default"]["ENGINE"] == "config.postgresql":
    _db_options.setdefault("connect_timeout", DB_CONNECT_TIMEOUT)
    _db_options.setdefault(
        "options", f"-c statement_timeout={DB_STATEMENT_TIMEOUT_MS} -c lock_timeout={DB_LOCK_TIMEOUT_MS}"
    )
    # A peer that vanished (network cut, failover) is noticed within about a minute.
    _db_options.setdefault("keepalives", 1)
    _db_options.setdefault("keepalives_idle", 30)
    _db_options.setdefault("keepalives_interval", 10)
    _db_options.setdefault("keepalives_count", 3)

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"

# A read replica for the anonymous public pages (config/routers.py); writes and console pages
# stay on the primary.
if env.str("DATABASE_REPLICA_URL", default=""):
    DATABASES["replica"] = env.db("DATABASE_REPLICA_URL")
    if DATABASES["replica"]["ENGINE"] == "django.db.backends.postgresql":
        DATABASES["replica"]["ENGINE"] = "config.postgresql"
    DATABASES["replica"]["CONN_MAX_AGE"] = DATABASES["default"]["CONN_MAX_AGE"]
    DATABASES["replica"]["CONN_HEALTH_CHECKS"] = DATABASES["default"].get("CONN_HEALTH_CHECKS", False)
    DATABASES["replica"]["OPTIONS"] = {
        **DATABASES["default"].get("OPTIONS", {}),
        **DATABASES["replica"].get("OPTIONS", {}),
    }
DATABASE_ROUTERS = ["config.routers.PrimaryReplicaRouter"]
# An unreachable replica is left alone this long (per process) while public reads use the primary.
REPLICA_RETRY_SECONDS = env.float("REPLICA_RETRY_SECONDS", default=5.0)

# The cache is an accelerator: with Redis, config.cache.DegradingRedisCache turns a refused or
# slow connection into a miss (short socket timeouts), so the site serves without it. Production
# must name a shared cache: the system check config.E001 refuses a per-process one when DEBUG is off.
CACHES = {"default": env.cache("CACHE_URL", default="locmemcache://sme-notices")}
if CACHES["default"]["BACKEND"] == "django.core.cache.backends.redis.RedisCache":
    CACHES["default"]["BACKEND"] = "config.cache.DegradingRedisCache"
    _cache_timeout = env.float("CACHE_SOCKET_TIMEOUT", default=0.25)
    CACHES["default"].setdefault("OPTIONS", {}).update(
        {
            "socket_connect_timeout": _cache_timeout,
            "socket_timeout": _cache_timeout,
            "DEGRADE_SECONDS": env.float("CACHE_DEGRADE_SECONDS", default=5.0),
        }
    )

# EMAIL_URL (django-environ's URL form) becomes Django 6.1's MAILERS setting.
_email = env.email("EMAIL_URL", default="consolemail://")
_email_options = {
    option: _email[key]
    for key, option in {
        "EMAIL_HOST": "host",
        "EMAIL_PORT": "port",
        "EMAIL_HOST_USER": "username",
        "EMAIL_HOST_PASSWORD": "password",
        "EMAIL_USE_TLS": "use_tls",
        "EMAIL_USE_SSL": "use_ssl",
        "EMAIL_FILE_PATH": "file_path",
    }.items()
    if _email.get(key) not in (None, "")
}
if _email["EMAIL_BACKEND"] != "django.core.mail.backends.smtp.EmailBackend":
    # Only the SMTP backend takes connection options.
    _email_options = {k: v for k, v in _email_options.items() if k == "file_path"}
MAILERS = {"default": {"BACKEND": _email["EMAIL_BACKEND"], "OPTIONS": _email_options}}
# Slow work (mail, bulk files, reminders) runs on Django's task framework. The default queue
# lives in the project's own database (django-tasks-db), so `make run` needs no other service;
# `manage.py db_worker` runs the tasks (make run starts one beside the web server).
TASKS = {
    "default": {
        "BACKEND": env.str("TASKS_BACKEND", default="django_tasks_db.DatabaseBackend"),
        "QUEUES": ["default"],
    }
}
# Text messages (verification codes): the console backend unless SMS_URL names the provider's
# endpoint (Alibaba Cloud SMS, e.g. https://dysmsapi.aliyuncs.com/); the key pair comes from the
# environment only. SMS_BACKEND (a class path) overrides the choice.
SMS_BACKEND = env.str("SMS_BACKEND", default="")
SMS_URL = env.str("SMS_URL", default="")
SMS_ACCESS_KEY_ID = env.str("SMS_ACCESS_KEY_ID", default="")
SMS_ACCESS_KEY_SECRET = env.str("SMS_ACCESS_KEY_SECRET", default="")
SMS_SIGN_NAME = env.str("SMS_SIGN_NAME", default="")
SMS_TEMPLATE_CODE = env.str("SMS_TEMPLATE_CODE", default="")
SMS_TIMEOUT = env.float("SMS_TIMEOUT", default=10)
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="noreply@sme-notices.localhost")
# A mail or text message refused by its server is retried after this many seconds, then twice as
# long each time (the outbox's one send task, accounts.tasks: 5 attempts).
MAIL_RETRY_SECONDS = env.int("MAIL_RETRY_SECONDS", default=60)

# Sessions live in the database only: sign-in and logout never depend on the cache, and a
# logout or a disabled account ends the session on every app server at once.
SESSION_ENGINE = env.str("SESSION_ENGINE", default="django.contrib.sessions.backends.db")
# Idle sessions expire: every request pushes the expiry forward.
SESSION_COOKIE_AGE = env.int("SESSION_COOKIE_AGE", default=2 * 60 * 60)
SESSION_SAVE_EVERY_REQUEST = True

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "accounts.backends.ActiveStaffBackend",
    "certificates.backends.CertificateBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "accounts:console"
LOGOUT_REDIRECT_URL = "public:list"

# django-axes: lock an account, and an address, after repeated failures.
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = env.float("AXES_COOLOFF_HOURS", default=0.5)
# Per address only: a per-account lockout let anyone lock any account for half an
# hour with five wrong passwords from five addresses. The trade-off: a slow guessing attack on one
# account spread over many addresses is bounded by the password rules and by each address's own
# limit, not by an account limit (docs/production.md, "Sign-in lockout").
AXES_LOCKOUT_PARAMETERS = ["ip_address"]
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_RESET_ON_SUCCESS = True
AXES_IPWARE_PROXY_COUNT = env.int("PROXY_COUNT", default=0)
# The client address behind PROXY_COUNT proxies (python-ipware is not installed, so axes would
# otherwise see only the proxy's REMOTE_ADDR): the same function records 登录记录.
AXES_CLIENT_IP_CALLABLE = "accounts.ipregion.client_address"
# Successful sign-ins (AccessLog) and every failure (AccessFailureLog) are kept for the admin.
AXES_ENABLE_ACCESS_FAILURE_LOG = True

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]

# The dataset export keeps whole microseconds (Django's json format cuts them to milliseconds).
SERIALIZATION_MODULES = {"exactjson": "ops.exact_json"}
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = env.path("STATIC_ROOT", default=BASE_DIR / "staticfiles")
MEDIA_URL = "/media/"
MEDIA_ROOT = env.path("MEDIA_ROOT", default=BASE_DIR / "var" / "media")

# Uploaded files go through Django's storage API: local disk by default, any S3-compatible
# object store when AWS_STORAGE_BUCKET_NAME is set (no state on the app server).
AWS_STORAGE_BUCKET_NAME = env.str("AWS_STORAGE_BUCKET_NAME", default="")
if AWS_STORAGE_BUCKET_NAME:
    default_storage = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": AWS_STORAGE_BUCKET_NAME,
            "endpoint_url": env.str("AWS_S3_ENDPOINT_URL", default=None),
            "region_name": env.str("AWS_S3_REGION_NAME", default=None),
            "default_acl": None,
            "querystring_auth": True,
            "file_overwrite": False,
        },
    }
else:
    default_storage = {"BACKEND": "django.core.files.storage.FileSystemStorage"}
STORAGES = {
    "default": default_storage,
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if not DEBUG
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}

# Uploads: the seed's 50 MB limit per attachment; Excel imports are smaller.
ATTACHMENT_MAX_BYTES = env.int("ATTACHMENT_MAX_BYTES", default=50 * 1024 * 1024)
IMPORT_MAX_BYTES = env.int("IMPORT_MAX_BYTES", default=5 * 1024 * 1024)
# Every workbook import opens the file through accounts.workbooks: what its parts may unpack to
# (批量新增 holds at most 500 people, read inside the request), how many sheet rows are read
# counting empty ones, and how long reading may take (the task; 批量新增 in the request).
IMPORT_MAX_UNPACKED_BYTES = env.int("IMPORT_MAX_UNPACKED_BYTES", default=100 * 1024 * 1024)
STAFF_IMPORT_MAX_UNPACKED_BYTES = env.int("STAFF_IMPORT_MAX_UNPACKED_BYTES", default=10 * 1024 * 1024)
IMPORT_MAX_SHEET_ROWS = env.int("IMPORT_MAX_SHEET_ROWS", default=20_001)
IMPORT_TIME_LIMIT_SECONDS = env.int("IMPORT_TIME_LIMIT_SECONDS", default=600)
IMPORT_REQUEST_TIME_LIMIT_SECONDS = env.int("IMPORT_REQUEST_TIME_LIMIT_SECONDS", default=20)
DATA_UPLOAD_MAX_MEMORY_SIZE = env.int("DATA_UPLOAD_MAX_MEMORY_SIZE", default=5 * 1024 * 1024)
FILE_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
DATA_UPLOAD_MAX_NUMBER_FIELDS = 20_000

# Contract links must point at a contract notice on the procurement website (domain.md §6, §12):
# the host one of these, the path (with its query) matching the pattern, so a homepage is refused.
CONTRACT_LINK_HOSTS = env.list(
    "CONTRACT_LINK_HOSTS",
    default=["www.zfcg.sh.gov.cn", "zfcg.sh.gov.cn", "www.ccgp-shanghai.gov.cn", "www.ccgp.gov.cn"],
)
CONTRACT_LINK_PATH_PATTERN = env.str(
    "CONTRACT_LINK_PATH_PATTERN", default=r"^/(?!(index\.[a-z]+|default\.[a-z]+)?(\?.*)?$)[^?#]+"
)
# Policy rules (reservations.rules): the region whose rules apply when a report has none, an amount
# (万元) above which a figure was surely typed in 元, and how far a 设置专门采购包 amount may be
# from ratio × budget (a fraction of the expected amount) before the editor asks to check it.
POLICY_DEFAULT_REGION = env.str("POLICY_DEFAULT_REGION", default="310000")
RESERVATION_AMOUNT_MAX_WAN = env.int("RESERVATION_AMOUNT_MAX_WAN", default=100_000)
PLAUSIBLE_LOT_TOLERANCE = env.float("PLAUSIBLE_LOT_TOLERANCE", default=0.5)
OCDS_OCID_PREFIX = env.str("OCDS_OCID_PREFIX", default="ocds-shsme1")
# Public site: how long a cached page lives at most (publication and revocation invalidate it
# at once anyway), the window in which one reader's reloads count as one view, and a do-nothing
# view that only the benchmark turns on.
PUBLIC_CACHE_SECONDS = env.int("PUBLIC_CACHE_SECONDS", default=300)
# How long each process serves the publication version it last read before asking Redis again:
# a publication made on another app server shows here at most this much later (public.cache).
PUBLIC_VERSION_CHECK_SECONDS = env.float("PUBLIC_VERSION_CHECK_SECONDS", default=1.0)
PUBLIC_VIEW_WINDOW_SECONDS = env.int("PUBLIC_VIEW_WINDOW_SECONDS", default=30 * 60)
PUBLIC_VIEW_FLUSH_SECONDS = env.int("PUBLIC_VIEW_FLUSH_SECONDS", default=60)
PUBLIC_VIEW_TOTAL_SECONDS = env.float("PUBLIC_VIEW_TOTAL_SECONDS", default=1.0)
PUBLIC_HTTP_MAX_AGE = env.int("PUBLIC_HTTP_MAX_AGE", default=60)
PUBLIC_HTTP_S_MAXAGE = env.int("PUBLIC_HTTP_S_MAXAGE", default=300)
# Filtered downloads (CSV, .xlsx), built by the task queue (public.filtered): how many may wait at
# once, after how long a pending build is enqueued again, how long a built file is kept.
FILTERED_XLSX_MAX_PENDING = env.int("FILTERED_XLSX_MAX_PENDING", default=20)
# Per client (an IPv4 address or an IPv6 /64): builds waiting at once, new files asked for an hour.
FILTERED_XLSX_MAX_PENDING_PER_CLIENT = env.int("FILTERED_XLSX_MAX_PENDING_PER_CLIENT", default=3)
FILTERED_XLSX_MAX_PER_CLIENT_HOUR = env.int("FILTERED_XLSX_MAX_PER_CLIENT_HOUR", default=30)
FILTERED_XLSX_RETRY_SECONDS = env.int("FILTERED_XLSX_RETRY_SECONDS", default=600)
FILTERED_XLSX_KEEP_HOURS = env.int("FILTERED_XLSX_KEEP_HOURS", default=24)

# Security headers. CSP is on everywhere so that an inline script or style fails in tests too.
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:"],
    "object-src": [CSP.NONE],
    "base-uri": [CSP.SELF],
    "form-action": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
}
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = False  # the live preview's fetch reads the token from the form, not the cookie
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=not DEBUG)
SESSION_COOKIE_SECURE = env.bool("SESSION_COOKIE_SECURE", default=not DEBUG)
CSRF_COOKIE_SECURE = env.bool("CSRF_COOKIE_SECURE", default=not DEBUG)
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=0 if DEBUG else 31_536_000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=not DEBUG)
SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=not DEBUG)
BEHIND_PROXY = env.bool("BEHIND_PROXY", default=False)
if BEHIND_PROXY:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# Load balancers probe over plain HTTP on the private network: no redirect to HTTPS there.
SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$"]

DJANGO_TABLES2_TEMPLATE = "includes/table.html"
DJANGO_TABLES2_TABLE_ATTRS = {"class": "table"}

DEMO_PASSWORD = env.str("DEMO_PASSWORD", default="demo-pass-2026")

# One JSON object per line in production (LOG_FORMAT=json), readable text on a laptop.
LOG_FORMAT = env.str("LOG_FORMAT", default="text" if DEBUG else "json")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_id": {"()": "config.log.RequestIdFilter"}},
    "formatters": {
        "json": {"()": "config.log.JsonFormatter"},
        "text": {"format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"},
    },
    "handlers": {
        "console": {"class": "logging.StreamHandler", "formatter": LOG_FORMAT, "filters": ["request_id"]},
    },
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {"django.request": {"level": "ERROR"}},
}

# The workbench (工作台). In-app messages older than this are purged (`purge_messages` enqueues
# `messages_purge_task`, daily).
MESSAGE_RETENTION_DAYS = env.int("MESSAGE_RETENTION_DAYS", default=180)
# Warnings (预警): a filing deadline this close, a notice waiting for a reviewer this long, a
# scheduled publication due within these hours.
WARNING_DEADLINE_DAYS = env.int("WARNING_DEADLINE_DAYS", default=7)
WARNING_REVIEW_WAIT_DAYS = env.int("WARNING_REVIEW_WAIT_DAYS", default=3)
WARNING_SCHEDULE_HOURS = env.int("WARNING_SCHEDULE_HOURS", default=24)
# 部门决算 check (oversight): a published notice's SME amount that differs from the unit's 决算
# 授予中小企业合同金额 by more than this % of the latter (read as a Decimal) warns both sides.
FINAL_ACCOUNTS_TOLERANCE_PERCENT = env.str("FINAL_ACCOUNTS_TOLERANCE_PERCENT", default="5")
# Sign-in places: an ip2region .xdb file (IPv4; https://github.com/lionsoul2014/ip2region data,
# read by the py-ip2region package). Unset: public addresses read 未知; private ones 内网 always.
IP_REGION_DB = env.str("IP_REGION_DB", default="")
# Second factor (TOTP, django-otp): the positions that must use it. Production defaults to the
# positions that publish in the government's name, manage accounts or inspect; DEBUG (make run)
# to none, so that the demo accounts sign in with a password.
OTP_REQUIRED_POSITIONS = env.list(
    "OTP_REQUIRED_POSITIONS",
    default=[] if DEBUG else ["finance_reviewer", "institution_admin", "supervisor"],
)
# A superuser holds no position yet reaches everything (the admin site included): production
# requires a second factor of them too.
OTP_REQUIRED_FOR_SUPERUSERS = env.bool("OTP_REQUIRED_FOR_SUPERUSERS", default=not DEBUG)
# 忘记密码 by e-mail answers no sooner than this, known address or not (its timing tells nothing).
PASSWORD_RESET_EMAIL_MIN_SECONDS = env.float("PASSWORD_RESET_EMAIL_MIN_SECONDS", default=0.1)
OTP_TOTP_ISSUER = env.str("OTP_TOTP_ISSUER", default="上海政府采购 中小企业预留公告")
OTP_RECOVERY_CODES = 10
# Digital certificates (CA管理, 证书登录; docs/production.md, "Digital certificates"). A certificate is
# accepted when it chains to a certificate of the CA_TRUST_BUNDLE PEM file and is not revoked by a
# CA_CRL_SOURCES list (files or URLs, cached by crl_refresh_task). With no list at hand
# CA_CRL_UNAVAILABLE=fail_closed refuses every certificate (fail_open accepts it). DEBUG trusts
# the demo CA that seed_demo writes to var/demo-ca/; production trusts nothing unless told.
_DEMO_CA = BASE_DIR / "var" / "demo-ca"
CA_TRUST_BUNDLE = env.str("CA_TRUST_BUNDLE", default=str(_DEMO_CA / "demo-ca.pem") if DEBUG else "")
CA_CRL_SOURCES = env.list("CA_CRL_SOURCES", default=[str(_DEMO_CA / "demo-ca.crl")] if DEBUG else [])
CA_CRL_UNAVAILABLE = env.str("CA_CRL_UNAVAILABLE", default="fail_closed")
CA_CRL_FETCH_TIMEOUT = env.int("CA_CRL_FETCH_TIMEOUT", default=10)
# The header in which the TLS proxy forwards the verified client certificate (URL-encoded PEM);
# read only when BEHIND_PROXY.
CA_CLIENT_CERT_HEADER = env.str("CA_CLIENT_CERT_HEADER", default="HTTP_X_SSL_CLIENT_CERT")
# The positions that must sign in with a certificate: 财政审核岗 in production once a trust
# bundle is configured, none on a laptop.
CA_REQUIRED_POSITIONS = env.list(
    "CA_REQUIRED_POSITIONS", default=["finance_reviewer"] if CA_TRUST_BUNDLE and not DEBUG else []
)
# The sealed notice (电子签章): each publication's PDF is signed with the seal of the finance
# bureau of the notice's district, a PKCS#12 file NOTICE_SEAL_DIR/<district code>.p12, else
# NOTICE_SEAL_PKCS12 for every district (neither: notices are not sealed). DEBUG uses the demo
# seals seed_demo writes. A failed sealing is tried again NOTICE_SEAL_ATTEMPTS times.
NOTICE_SEAL_DIR = env.str("NOTICE_SEAL_DIR", default=str(_DEMO_CA / "seals") if DEBUG else "")
NOTICE_SEAL_PKCS12 = env.str("NOTICE_SEAL_PKCS12", default="")
NOTICE_SEAL_PASSWORD = env.str("NOTICE_SEAL_PASSWORD", default="demo-seal" if DEBUG else "")
NOTICE_SEAL_ATTEMPTS = env.int("NOTICE_SEAL_ATTEMPTS", default=5)
NOTICE_SEAL_RETRY_SECONDS = env.int("NOTICE_SEAL_RETRY_SECONDS", default=60)
# 新增/邀请: how long an invitation link stays valid.
INVITATION_HOURS = env.int("INVITATION_HOURS", default=72)

SITE_NAME = _("SME reserved-project notices")
AXES_VERBOSE = False
