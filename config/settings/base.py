"""Settings shared by every run mode. The environment is read here, through one `env`."""

import ipaddress
import re
from pathlib import Path

import environ
from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP

BASE_DIR = Path(__file__).resolve().parent.parent.parent

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

DEBUG = env.bool("DJANGO_DEBUG", default=False)
SECRET_KEY = env("DJANGO_SECRET_KEY", default="")
ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS", default=["127.0.0.1", "localhost"])
# The site's canonical origin (scheme and host, e.g. https://salvo.example.org): absolute
# links in cached responses (the API's `next` and Link header, feeds) are built from it,
# whatever Host a request named. Unset: from the request, and the cache keeps each host apart.
SITE_URL = env("SITE_URL", default="").rstrip("/")
if SITE_URL and not re.fullmatch(r"https?://[^/?#\s]+", SITE_URL):
    raise ImproperlyConfigured(
        f"SITE_URL: {SITE_URL!r} is not an origin such as https://salvo.example.org "
        "(a scheme and a host, no path)."
    )
# Addresses or networks of the reverse proxies in front of Salvo. Only from these is
# X-Forwarded-For believed, to find the client's address (core/clients.py) for the
# throttles, the login lockout and the logs. None by default: the peer's own address.
TRUSTED_PROXIES = env.list("DJANGO_TRUSTED_PROXIES", default=[])
for _proxy in TRUSTED_PROXIES:
    try:
        ipaddress.ip_network(_proxy, strict=False)
    except ValueError:
        raise ImproperlyConfigured(
            f"DJANGO_TRUSTED_PROXIES: {_proxy!r} is not an IP address or network."
        ) from None

INSTALLED_APPS = [
    "core.apps.AdminConfig",  # django.contrib.admin, on the site of core.admin
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.contrib.postgres",
    "django.contrib.sitemaps",
    "rest_framework",
    "rest_framework.authtoken",
    "django_filters",
    "drf_spectacular",
    "simple_history",
    "axes",
    "corsheaders",
    "core",
    "editorial",
    "timeline",
    "reactions",
    "imports",
    "explore",
    "webhooks",
    "desk",
]

# The apps whose records readers see: a write to one of them can change a cached response.
READER_DATA_APPS = {"timeline", "reactions"}

MIDDLEWARE = [
    "core.logging.RequestIdMiddleware",
    # Before anything that reads the database: it decides where this request's reads go.
    "core.replicas.ReplicaMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Before CommonMiddleware, as django-cors-headers asks: it answers preflights itself.
    "core.cors.ReadOnlyCorsMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    # Before the database check and the cache: their answers carry the headers too.
    "core.throttling.RateLimitHeadersMiddleware",
    # Inside the session and the two above, outside the cache: embeds may be framed, cached or not.
    "core.framing.EmbedMiddleware",
    "core.health.DatabaseUnavailableMiddleware",
    "core.caching.PublicResponseCacheMiddleware",
    # After the cache: what it serves costs no query and is not counted.
    "core.throttling.PageThrottleMiddleware",
    # Last, as django-axes asks: it turns a locked-out login into its own response.
    "axes.middleware.AxesMiddleware",
]

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
# Brute-force protection on the admin login: five failures lock that user name from that
# client address (the one the throttles see, behind TRUSTED_PROXIES) for an hour.
AXES_FAILURE_LIMIT = env.int("DJANGO_LOGIN_FAILURE_LIMIT", default=5)
AXES_CLIENT_IP_CALLABLE = "core.clients.client_address"
AXES_COOLOFF_TIME = 1
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_VERBOSE = False

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
                "django.template.context_processors.csp",
            ],
        },
    },
]

# SQLite when DATABASE_URL is unset: the embedded default needs nothing installed.
DATABASES = {
    "default": env.db_url("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
}
# Anonymous GETs are served from the cache until a change to a record they show
# (core/caching.py); 0 turns that off. PUBLIC_CACHE_MAX_AGE: seconds browsers may reuse a
# response without asking (0: they revalidate with the ETag every time).
PUBLIC_CACHE_SECONDS = env.int("PUBLIC_CACHE_SECONDS", default=600)
PUBLIC_CACHE_MAX_AGE = env.int("PUBLIC_CACHE_MAX_AGE", default=0)
# While one request renders a page again after a change, others get the previous copy if it
# went stale less than this many seconds ago; browsers and CDNs may do the same.
STALE_SECONDS = env.int("STALE_SECONDS", default=5)
# How many stale copies may be rendered again at once across the site (fewer than the
# workers: the others keep serving readers from the cache after a publish).
REVALIDATING_AT_ONCE = env.int("REVALIDATING_AT_ONCE", default=1)
# A CDN or Varnish in front (docs/cdn.md): seconds it keeps a response (s-maxage; 0 without
# a purge, which keeps it no longer than a browser), and where each change is purged by the
# keys it bumped. A purge address on a private network (a local Varnish) must be allowed.
CDN_MAX_AGE = env.int("CDN_MAX_AGE", default=0)
CDN_PURGE_URL = env("CDN_PURGE_URL", default="")
CDN_PURGE_METHOD = env("CDN_PURGE_METHOD", default="PURGE")
CDN_PURGE_TOKEN = env("CDN_PURGE_TOKEN", default="")
CDN_PURGE_ALLOW_PRIVATE = env.bool("CDN_PURGE_ALLOW_PRIVATE", default=False)
# Responses larger than this are served but never stored: one entry cannot fill the cache.
PUBLIC_CACHE_MAX_ENTRY_BYTES = env.int("PUBLIC_CACHE_MAX_ENTRY_BYTES", default=1024 * 1024)
# Rendered pieces of pages (core.fragments): kept under a stamp of their data, so only as long
# as memory allows; 0 renders every piece each time.
FRAGMENT_CACHE_SECONDS = env.int("FRAGMENT_CACHE_SECONDS", default=24 * 3600)
# `make bench` only: a file whose bytes /bench/reference serves from memory.
BENCH_REFERENCE_FILE = env("BENCH_REFERENCE_FILE", default="")
# Anonymous page requests that reach the views (cache misses), per client address; the API
# has its own rates below. Empty turns it off.
PAGE_ANON_RATE = env("PAGE_ANON_RATE", default="300/minute") or None
# The cache: local memory in one process by default, Redis when CACHE_URL names it.
CACHE_URL = env("CACHE_URL", default="")
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": CACHE_URL,
        # A Redis that does not answer within a second is served around, not waited for.
        "OPTIONS": {"socket_timeout": 1, "socket_connect_timeout": 1},
    }
    if CACHE_URL.startswith(("redis://", "rediss://"))
    else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
}
# Rendered pieces of pages (core.fragments), apart: hundreds of them a page must never push
# the data version or the throttles' counts out of a local-memory cache.
CACHES["fragments"] = (
    {**CACHES["default"], "KEY_PREFIX": "fragments"}
    if CACHE_URL
    else {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
        "LOCATION": "fragments",
        "OPTIONS": {"MAX_ENTRIES": 5000},
    }
)
# PostgreSQL streaming replicas of DATABASE_URL, comma-separated: anonymous reads go to them
# (core/replicas.py), everything else to the primary. A client that wrote reads from the
# primary for REPLICA_PIN_SECONDS after, long enough for a replica to catch up.
DATABASE_REPLICAS = []
for _number, _url in enumerate(env.list("DATABASE_REPLICA_URLS", default=[])):
    DATABASE_REPLICAS.append(f"replica_{_number}")
    DATABASES[DATABASE_REPLICAS[-1]] = {
        **env.db_url_config(_url),
        # A replica that does not answer is read around (the primary) within seconds.
        "OPTIONS": {"connect_timeout": 2},
        # Tests run on the primary's test database: a replica has no database of its own.
        "TEST": {"MIRROR": "default"},
    }
REPLICA_PIN_SECONDS = env.int("REPLICA_PIN_SECONDS", default=5)
DATABASE_ROUTERS = ["core.replicas.ReplicaRouter"]
for _database in DATABASES.values():
    if _database["ENGINE"] == "django.db.backends.postgresql":
        _database["CONN_MAX_AGE"] = env.int("DJANGO_CONN_MAX_AGE", default=60)
        _database["CONN_HEALTH_CHECKS"] = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en"
# Stored in UTC; each launch is shown in its own local zone with UTC beside it.
TIME_ZONE = env("DJANGO_TIME_ZONE", default="UTC")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
# The published dataset's download files (explore/downloads.py), rebuilt after each publish.
DATA_EXPORT_DIR = env("DATA_EXPORT_DIR", default=str(BASE_DIR / "var" / "data"))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
    "data_export": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": DATA_EXPORT_DIR},
    },
}
# Seconds the download files wait after a publish before they are rebuilt: a burst of
# publications (an import, an editor's afternoon) makes one rebuild, not one per record.
DATA_EXPORT_DELAY_SECONDS = env.int("DATA_EXPORT_DELAY_SECONDS", default=60)
# The licence of the published data: the download files, the data package and the pages
# that cite records name it from here.
DATA_LICENCE = {
    "name": "CC-BY-4.0",
    "title": "Creative Commons Attribution 4.0 International",
    "short": "CC BY 4.0",
    "path": "https://creativecommons.org/licenses/by/4.0/",
}

SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF, CSP.NONCE],
    "style-src": [CSP.SELF, CSP.NONCE],
    "img-src": [CSP.SELF, "data:"],
    "object-src": [CSP.NONE],
    "base-uri": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
    "form-action": [CSP.SELF],
}
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# Only the embeddable timeline may be framed, by any site (core/framing.py).
EMBED_PATH_PREFIXES = ["/embed/"]
EMBED_FRAME_ANCESTORS = ["*"]

# Cross-origin reads of the public API from any site's scripts: GET (and the HEAD and
# OPTIONS a browser sends with it), never credentials, never outside /api/.
CORS_ALLOW_ALL_ORIGINS = True
CORS_ALLOW_CREDENTIALS = False
CORS_ALLOW_METHODS = ["GET", "HEAD", "OPTIONS"]
CORS_URLS_REGEX = r"^/api/.*$"
CORS_EXPOSE_HEADERS = [
    "ETag",
    "Link",
    "Retry-After",
    "RateLimit-Limit",
    "RateLimit-Remaining",
    "RateLimit-Reset",
    "RateLimit-Policy",
]

# Celery: with no broker configured, tasks run inline so the embedded default needs nothing else.
CELERY_BROKER_URL = env("CELERY_BROKER_URL", default="")
CELERY_RESULT_BACKEND = env("CELERY_RESULT_BACKEND", default=CELERY_BROKER_URL or None)
CELERY_TASK_ALWAYS_EAGER = not CELERY_BROKER_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_TIME_LIMIT = 300
CELERY_TASK_SOFT_TIME_LIMIT = 240
CELERY_TIMEZONE = "UTC"
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": [
        "rest_framework.permissions.DjangoModelPermissionsOrAnonReadOnly"
    ],
    "DEFAULT_FILTER_BACKENDS": [
        "core.api.FilterBackend",
        "core.api.StrictOrderingFilter",
    ],
    "DEFAULT_PAGINATION_CLASS": "core.api.CursorPagination",
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
    "DEFAULT_CONTENT_NEGOTIATION_CLASS": "core.api.ContentNegotiation",
    "DEFAULT_RENDERER_CLASSES": [
        "core.renderers.JSONRenderer",
        "core.api.CSVRenderer",
    ],
    "DEFAULT_THROTTLE_CLASSES": [
        "core.throttling.AnonThrottle",
        "core.throttling.TokenThrottle",
    ],
    "DEFAULT_THROTTLE_RATES": {
        "anon": env("API_ANON_RATE", default="120/minute"),
        "user": env("API_TOKEN_RATE", default="600/minute"),
    },
    "EXCEPTION_HANDLER": "core.api.exception_handler",
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DATETIME_FORMAT": "iso-8601",
    "COERCE_DECIMAL_TO_STRING": False,
}
# The docs' Swagger UI assets, served from this site: no CDN, so they work offline.
INSTALLED_APPS += ["drf_spectacular_sidecar"]
SPECTACULAR_SETTINGS = {
    "TITLE": "Salvo API",
    "DESCRIPTION": (
        "Missile launches, the events around them and the world's reactions, as a curated, "
        "citable record.\n\n"
        "**Reading.** Anyone may read published records without a token. Lists are "
        "cursor-paginated (`page_size` up to 200; follow `next`, also given in the `Link` "
        "header) and take the same filters as the site's pages, plus `ordering`. Every list "
        "and record answers with an `ETag`; send it back in `If-None-Match` to get a 304 "
        "when nothing changed. Add `?format=csv` to any list for CSV (cells a spreadsheet "
        "would run as formulas are prefixed with an apostrophe).\n\n"
        "**Syncing.** Every list takes `updated_since` (ISO 8601); `/api/v1/deletions/` "
        "lists what was deleted or withdrawn from publication since a moment.\n\n"
        "**Writing.** Send `Authorization: Token <key>`. Creating and changing records needs "
        "the matching permission; publishing needs an editor's. A token whose user may change "
        "a kind of record also sees its drafts.\n\n"
        "**Errors** are JSON: a `detail` message, or one list of messages per field. "
        "A filter given with an empty value (`?updated_since=`) is a 400 naming it: leave it "
        "out instead. So is a parameter an endpoint does not read (`?outcome=failure` on "
        "launches), and a value that is not one of a filter's choices: the message names what "
        "the endpoint takes. A body over 2.5 MB is a 413. Every response carries "
        "`RateLimit-Limit`, `RateLimit-Remaining`, `RateLimit-Reset` and `RateLimit-Policy`; "
        "clients over their rate get a 429 with `Retry-After`; a 503 with `Retry-After` means "
        "the service is briefly unavailable."
    ),
    "VERSION": "1.0.0",
    "COMPONENT_SPLIT_REQUEST": True,
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    # Without deep links, an operation's path is text, not a link nested in its button; without
    # highlighting, examples are plain text, not colours of too little contrast.
    "SWAGGER_UI_SETTINGS": {"deepLinking": False, "syntaxHighlight": False},
    "ENUM_NAME_OVERRIDES": {
        "LaunchConfidenceEnum": "timeline.models.Confidence",
        "LinkConfidenceEnum": "timeline.models.LinkConfidence",
        # The desk's extraction names quote kinds and stances by word; the records' keep these.
        "QuoteKindEnum": "reactions.models.QuoteKind",
        "StanceEnum": "reactions.models.Stance",
    },
    "SCHEMA_PATH_PREFIX": r"/api/v1",
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "core.schema.document_edge_responses",
    ],
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_id": {"()": "core.logging.RequestIdFilter"}},
    "formatters": {
        "json": {"()": "core.logging.JsonFormatter"},
        "plain": {
            "format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s %(client)s] %(message)s"
        },
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "filters": ["request_id"],
            "formatter": env("DJANGO_LOG_FORMAT", default="plain"),
        }
    },
    "root": {"handlers": ["console"], "level": env("DJANGO_LOG_LEVEL", default="INFO")},
}

# A source pasted with a URL and no title gets its page's title, fetched under the webhooks'
# address rules: public addresses only unless allowed (tests, which fetch from a local server).
SOURCE_TITLE_TIMEOUT_SECONDS = env.float("SOURCE_TITLE_TIMEOUT_SECONDS", default=5)
SOURCE_TITLE_MAX_BYTES = env.int("SOURCE_TITLE_MAX_BYTES", default=512 * 1024)
SOURCE_TITLE_ALLOW_PRIVATE_ADDRESSES = env.bool(
    "SOURCE_TITLE_ALLOW_PRIVATE_ADDRESSES", default=False
)

# Webhooks: deliveries are retried with backoff for WEBHOOKS_RETRY_FOR_SECONDS; private and
# loopback targets are refused unless allowed (development and tests).
WEBHOOKS_ALLOW_PRIVATE_TARGETS = env.bool("WEBHOOKS_ALLOW_PRIVATE_TARGETS", default=False)
WEBHOOKS_TIMEOUT_SECONDS = env.float("WEBHOOKS_TIMEOUT_SECONDS", default=10)
WEBHOOKS_RETRY_BASE_SECONDS = env.float("WEBHOOKS_RETRY_BASE_SECONDS", default=30)
# Below the Redis transport's visibility timeout (1 h), so a countdown never outlives it.
WEBHOOKS_RETRY_MAX_SECONDS = env.float("WEBHOOKS_RETRY_MAX_SECONDS", default=1800)
WEBHOOKS_RETRY_FOR_SECONDS = env.int("WEBHOOKS_RETRY_FOR_SECONDS", default=24 * 3600)
WEBHOOKS_PAUSE_AFTER_FAILURES = env.int("WEBHOOKS_PAUSE_AFTER_FAILURES", default=50)
WEBHOOKS_SWEEP_GRACE_SECONDS = env.int("WEBHOOKS_SWEEP_GRACE_SECONDS", default=300)

# Trigger suggestions: events this many days before a launch (and events under way on its
# day) are proposed as candidate links, at most SUGGESTION_LIMIT per launch.
SUGGESTION_WINDOW_DAYS = env.int("SUGGESTION_WINDOW_DAYS", default=14)
SUGGESTION_LIMIT = env.int("SUGGESTION_LIMIT", default=10)
