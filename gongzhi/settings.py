"""The one settings module. Everything a deployment changes comes from environment variables
(see ``docs/deploy.md``); the defaults give a newcomer a working SQLite site with no setup."""

import datetime
from pathlib import Path

import dj_database_url
from django.utils.translation import gettext_lazy as _

from gongzhi.env import env_bool, env_int, env_list, env_str

BASE_DIR = Path(__file__).resolve().parent.parent
(BASE_DIR / "var").mkdir(exist_ok=True)

# "production" switches on every transport-security default (HSTS, secure cookies, HTTPS redirect,
# hashed static files); each can still be set on its own through its variable.
GONGZHI_ENV = env_str("GONGZHI_ENV", "development")
PRODUCTION = GONGZHI_ENV == "production"

DEBUG = env_bool("DEBUG", False)
SECRET_KEY = env_str("SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG and env_str("GONGZHI_ENV", "development") == "production":
        from django.core.exceptions import ImproperlyConfigured

        raise ImproperlyConfigured("SECRET_KEY (or SECRET_KEY_FILE) must be set in production")
    SECRET_KEY = "development-only-key-never-use-in-production"  # noqa: S105

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost,testserver")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", "")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rules.apps.AutodiscoverRulesConfig",
    "gongzhi.core",
    "gongzhi.places",
    "gongzhi.orgs",
    "gongzhi.accounts",
    "gongzhi.indicators",
    "gongzhi.cases",
    "gongzhi.notifications",
    "gongzhi.open311",
    "gongzhi.meetings",
    "gongzhi.oversight",
    "gongzhi.elections",
    "gongzhi.funds",
    "gongzhi.volunteers",
    "gongzhi.reports",
    "gongzhi.privacy",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Response headers for every answer, the phone's report below included.
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "gongzhi.core.middleware.SecurityHeadersMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    # A phone's report with its app token is answered here; what follows is for browsers.
    "gongzhi.cases.phone.ReportMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "gongzhi.core.middleware.NumberOutOfRangeMiddleware",
    # Last, as django-axes requires: turns a locked-out login into the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "gongzhi.urls"
WSGI_APPLICATION = "gongzhi.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "gongzhi" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "gongzhi.core.context_processors.navigation",
                "gongzhi.notifications.context_processors.unread_notifications",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        env_str("DATABASE_URL", f"sqlite:///{BASE_DIR / 'var' / 'gongzhi.sqlite3'}"),
        conn_max_age=env_int("DATABASE_CONN_MAX_AGE", 60),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets readers and the one writer work at once; the busy timeout waits for the writer
    # instead of failing at once.
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }
    DATABASES["default"]["CONN_MAX_AGE"] = 0

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"

AUTHENTICATION_BACKENDS = [
    # First: refuses a locked-out login before any password is checked (django-axes).
    "gongzhi.core.auth.LockoutBackend",
    "rules.permissions.ObjectPermissionBackend",
    "django.contrib.auth.backends.ModelBackend",
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "home"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", _("简体中文")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "gongzhi" / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = Path(env_str("STATIC_ROOT", str(BASE_DIR / "var" / "static")))
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
STATICFILES_DIRS = [BASE_DIR / "gongzhi" / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(env_str("MEDIA_ROOT", str(BASE_DIR / "var" / "media")))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "gongzhi.core.staticfiles.StaticFilesStorage"
            if env_bool("STATIC_MANIFEST", PRODUCTION)
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}

EMAIL_BACKEND = env_str("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "gongzhi@localhost")

# Notification channels besides the in-app inbox (see gongzhi/notifications/senders.py).
GONGZHI_NOTIFICATION_SENDERS = {"email": {"BACKEND": "gongzhi.notifications.senders.EmailSender"}}
if env_str("GONGZHI_NOTIFICATION_WEBHOOK_URL", ""):
    GONGZHI_NOTIFICATION_SENDERS["webhook"] = {
        "BACKEND": "gongzhi.notifications.senders.WebhookSender",
        "URL": env_str("GONGZHI_NOTIFICATION_WEBHOOK_URL", ""),
        "SECRET": env_str("GONGZHI_NOTIFICATION_WEBHOOK_SECRET", ""),
    }

# --- Transport and browser security (all on in production; see docs/deploy.md). ---
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_AGE = env_int("SESSION_COOKIE_AGE", 60 * 60 * 12)
SESSION_COOKIE_SECURE = env_bool("SECURE_COOKIES", PRODUCTION)
CSRF_COOKIE_SECURE = env_bool("SECURE_COOKIES", PRODUCTION)
CSRF_COOKIE_SAMESITE = "Lax"
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", PRODUCTION)
# The load balancer asks /healthz over plain HTTP on the private network.
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 60 * 60 * 24 * 365 if PRODUCTION else 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", PRODUCTION)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", PRODUCTION)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# Behind nginx (or another proxy that terminates TLS) the app sees plain HTTP; trust the proxy's
# X-Forwarded-Proto only when told the proxy sets it, never by default.
BEHIND_PROXY = env_bool("BEHIND_PROXY", False)
if BEHIND_PROXY:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    USE_X_FORWARDED_HOST = env_bool("USE_X_FORWARDED_HOST", False)
# Content-Security-Policy (gongzhi.core.middleware): no inline scripts anywhere; charts set inline
# styles, so styles may be inline. CSP_REPORT_ONLY=true sends it as report-only while trying a change.
CONTENT_SECURITY_POLICY = env_str(
    "CONTENT_SECURITY_POLICY",
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; "
    "font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; "
    "frame-ancestors 'none'",
)
CSP_REPORT_ONLY = env_bool("CSP_REPORT_ONLY", False)
# Uploaded files: the size a request body may have in memory before it goes to a temporary file.
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = env_int("DATA_UPLOAD_MAX_MEMORY_SIZE", 20 * 1024 * 1024)

# --- Cache: Redis when REDIS_URL is set (shared by all workers), else one per process. ---
REDIS_URL = env_str("REDIS_URL", "")
CACHES = {
    "default": (
        {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL, "KEY_PREFIX": "gongzhi"}
        if REDIS_URL
        else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "gongzhi"}
    )
}

# --- Login lockout (django-axes): after AXES_FAILURE_LIMIT wrong passwords for one account from one
# address that account is locked there for AXES_COOLOFF_MINUTES; `manage.py axes_reset_username NAME`
# unlocks at once. ---
AXES_ENABLED = env_bool("AXES_ENABLED", True)
AXES_FAILURE_LIMIT = env_int("AXES_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = datetime.timedelta(minutes=env_int("AXES_COOLOFF_MINUTES", 15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_VERBOSE = False
if BEHIND_PROXY:
    AXES_IPWARE_PROXY_COUNT = 1
    AXES_IPWARE_META_PRECEDENCE_ORDER = ["HTTP_X_FORWARDED_FOR", "REMOTE_ADDR"]

# --- Second factor (django-otp, TOTP): the name an authenticator app shows for the account. ---
OTP_TOTP_ISSUER = env_str("OTP_TOTP_ISSUER", "Gongzhi 共治")

# --- Rate limits (gongzhi.core.ratelimit): "<count>/<s|m|h|d>" per client address and group. The
# test suite turns them off for each test (it sends thousands of requests from one address through
# one process-wide cache); the tests of the limits switch them back on. ---
RATELIMIT_ENABLED = env_bool("RATELIMIT_ENABLED", True)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "WARNING")},
}

# Gongzhi's own settings.
GONGZHI = {
    # Who may reveal full personal data is decided by posts (accounts/posts.py); this only sets
    # how long an import may take before it is refused as too large for one request.
    "IMPORT_MAX_ROWS": env_int("GONGZHI_IMPORT_MAX_ROWS", 200_000),
    # Rate limits of public endpoints, per client address (see gongzhi.core.ratelimit).
    "RATE_LIMITS": {
        "login": env_str("GONGZHI_RATE_LOGIN", "20/m"),
        "case_report": env_str("GONGZHI_RATE_CASE_REPORT", "20/h"),
        "open311_post": env_str("GONGZHI_RATE_OPEN311_POST", "60/h"),
    },
    # How long records holding personal data are kept, in days (0 = kept for ever); applied every
    # day by the periodic job "privacy.apply_retention".
    "RETENTION_DAYS": {
        "login_attempts": env_int("GONGZHI_RETAIN_LOGIN_ATTEMPTS_DAYS", 90),
        "reveal_log": env_int("GONGZHI_RETAIN_REVEAL_LOG_DAYS", 3 * 365),
        "outbox": env_int("GONGZHI_RETAIN_OUTBOX_DAYS", 180),
        "audit": env_int("GONGZHI_RETAIN_AUDIT_DAYS", 0),
    },
    # Where `manage.py backup` writes when no path is given.
    "BACKUP_DIR": env_str("GONGZHI_BACKUP_DIR", str(BASE_DIR / "var" / "backups")),
    # Evaluation (效度联评): an estate whose latest survey satisfaction (%) is below this flags its
    # owners' committee; a party branch rated below this many stars is flagged.
    "OVERSIGHT_UNSATISFACTORY_RATE": env_str("GONGZHI_OVERSIGHT_UNSATISFACTORY_RATE", "60"),
    "OVERSIGHT_BRANCH_MIN_STARS": env_int("GONGZHI_OVERSIGHT_BRANCH_MIN_STARS", 3),
    # Case ledger (see docs/case-rates.md): days a resolved case waits for its review before it is
    # closed as "no review"; hours within which the responsible party must respond (sign or reply)
    # for the response rate; hours before a deadline a case counts as "due soon"; working days
    # overdue after which a case escalates to the head of the organization, the community and the
    # subdistrict; weights of the ratings in the satisfaction rate (cities differ).
    "CASE_REVIEW_DAYS": env_int("GONGZHI_CASE_REVIEW_DAYS", 7),
    "CASE_RESPONSE_HOURS": env_int("GONGZHI_CASE_RESPONSE_HOURS", 24),
    "CASE_DUE_SOON_HOURS": env_int("GONGZHI_CASE_DUE_SOON_HOURS", 24),
    "CASE_ESCALATION_WORKING_DAYS": (0, 1, 3),
    "CASE_RATING_WEIGHTS": {"satisfied": "1", "basically_satisfied": "0.8", "dissatisfied": "0"},
    # Weights of the three rates in the combined score (equal unless a city's rule says otherwise).
    "CASE_RATE_WEIGHTS": {"response": "1", "resolution": "1", "satisfaction": "1"},
    "CASE_PHOTO_MAX_BYTES": env_int("GONGZHI_CASE_PHOTO_MAX_BYTES", 10 * 1024 * 1024),
    "CASE_PHOTO_MAX_COUNT": 6,
    # Dashboards: the responsible parties listed one by one in the case breakdown (most cases
    # first); the others are summed in one line, and the full list is a click away.
    "DASHBOARD_RESPONSIBLE_SHOWN": env_int("GONGZHI_DASHBOARD_RESPONSIBLE_SHOWN", 15),
    # A phone's report is written by one statement that PostgreSQL keeps prepared per connection
    # (parsed and planned once, see docs/case-intake.md). Set to 0 behind a connection pooler in
    # transaction mode that does not carry prepared statements (PgBouncer before 1.21).
    "CASE_PREPARED_WRITE": env_int("GONGZHI_CASE_PREPARED_WRITE", 1),
}
