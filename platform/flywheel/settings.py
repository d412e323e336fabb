"""Flywheel settings: one module, driven by the environment.

With nothing set, everything runs on one machine with embedded defaults (SQLite in WAL mode
and Kombu's filesystem transport under ``var/``). With ``DATABASE_URL`` and
``CELERY_BROKER_URL`` set, the same code runs on PostgreSQL and Redis.
See docs/architecture.md ("Settings") for every variable.
"""

from pathlib import Path

import environ
from django.core.exceptions import ImproperlyConfigured

from flywheel.embedded import (
    broker_transport_options,
    filesystem_result_backend,
    sqlite_database,
)

BASE_DIR = Path(__file__).resolve().parents[2]
VAR_DIR = Path(environ.Env().str("FLYWHEEL_VAR_DIR", default=str(BASE_DIR / "var")))

env = environ.Env()

# Production is the default. Development (DEBUG on, the public development SECRET_KEY) needs
# the explicit flag FLYWHEEL_DEVELOPMENT=true, which `make run` and the test suite set: an image
# or a server started without it runs with DEBUG off and refuses to start without a real
# SECRET_KEY and ALLOWED_HOSTS, so it can never serve with DEBUG on or a key anyone can read.
DEVELOPMENT = env.bool("FLYWHEEL_DEVELOPMENT", default=False)
DEBUG = env.bool("DEBUG", default=DEVELOPMENT)
INSECURE_DEV_KEY = "django-insecure-flywheel-development-key-never-use-in-production"
SECRET_KEY = env.str("SECRET_KEY", default=INSECURE_DEV_KEY)
ALLOWED_HOSTS = env.list(
    "ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "[::1]", "testserver"] if DEBUG else []
)
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

if DEBUG and not DEVELOPMENT:
    raise ImproperlyConfigured(
        "DEBUG is on but FLYWHEEL_DEVELOPMENT is not set: DEBUG is for development only. "
        "Set FLYWHEEL_DEVELOPMENT=true for a local run (make run does), or DEBUG=false."
    )
if not (DEBUG and DEVELOPMENT):
    if SECRET_KEY == INSECURE_DEV_KEY or len(SECRET_KEY) < 50 or len(set(SECRET_KEY)) < 5:
        raise ImproperlyConfigured(
            "DEBUG is off: set SECRET_KEY to a random string of at least 50 characters "
            "(or FLYWHEEL_DEVELOPMENT=true for a local development run)."
        )
    if not ALLOWED_HOSTS:
        raise ImproperlyConfigured("DEBUG is off: set ALLOWED_HOSTS (comma-separated host names).")

# The simulation (bots) is an app like the others, on by default; FLYWHEEL_BOTS=false runs the
# site without it (nothing of the site imports it: its ideal arm plugs into feeds.arms).
FLYWHEEL_BOTS = env.bool("FLYWHEEL_BOTS", default=True)

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "oauth2_provider",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_celery_beat",
    "django_htmx",
    "flywheel.apps.FlywheelConfig",
    "accounts.apps.AccountsConfig",
    "social.apps.SocialConfig",
    "events.apps.EventsConfig",
    "feeds.apps.FeedsConfig",
    "ads.apps.AdsConfig",
    "analytics.apps.AnalyticsConfig",
    *(["bots.apps.BotsConfig"] if FLYWHEEL_BOTS else []),
    "mastodon_api.apps.MastodonApiConfig",
    "corsheaders",
    # Last, as its documentation asks: deletes an upload once the row that held it is
    # deleted or points at another file, after the transaction commits.
    "django_cleanup.apps.CleanupConfig",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Before CommonMiddleware, as its documentation asks; answers only CORS_URLS_REGEX.
    "corsheaders.middleware.CorsMiddleware",
    "flywheel.middleware.RejectNulCharactersMiddleware",
    "flywheel.middleware.DatabaseUnavailableMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "flywheel.middleware.MethodNotAllowedPageMiddleware",
]

ROOT_URLCONF = "flywheel.urls"
WSGI_APPLICATION = "flywheel.wsgi.application"
ASGI_APPLICATION = "flywheel.asgi.application"

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
                "social.context_processors.notifications",
                "social.context_processors.surface",
            ],
        },
    },
]

# --- Database ---------------------------------------------------------------------------
# Persistent connections with health checks: reconnecting on every request costs about 5x
# throughput on a 2-core machine.
CONN_MAX_AGE = env.int("CONN_MAX_AGE", default=600)
if env.str("DATABASE_URL", default=""):
    DATABASES = {"default": env.db_url("DATABASE_URL")}
else:
    DATABASES = {"default": sqlite_database(VAR_DIR / "flywheel.sqlite3")}
# Behind PgBouncer in transaction pooling (docs/scaling.md), a client's session lives only as
# long as its transaction: no server-side cursors held across transactions (.iterator() then
# fetches in chunks client-side), no named prepared statements (flywheel.prepared), and no
# startup options, which PgBouncer refuses (set jit=off on the server instead).
DATABASE_TRANSACTION_POOLING = env.bool("DATABASE_TRANSACTION_POOLING", default=False)
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    if DATABASE_TRANSACTION_POOLING:
        DATABASES["default"]["DISABLE_SERVER_SIDE_CURSORS"] = True
    else:
        # JIT compilation pays off for long analytical queries, not for page queries: a feed
        # query with a high cost estimate spent a second compiling to run in a quarter of one.
        # Generic plans apply to prepared statements only (flywheel.prepared): planned once
        # per connection, where PostgreSQL's own choice kept re-planning the home feed's
        # candidate statement (8 ms) on every first page.
        DATABASES["default"].setdefault("OPTIONS", {}).setdefault(
            "options", "-c jit=off -c plan_cache_mode=force_generic_plan"
        )
        # Django's own cursors bind on the client and are never prepared; this lets the
        # statements of flywheel.prepared be (Django passes prepare_threshold=None, under
        # which psycopg prepares nothing even when asked).
        DATABASES["default"]["OPTIONS"].setdefault("prepare_threshold", 5)
DATABASES["default"]["CONN_MAX_AGE"] = CONN_MAX_AGE
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
DATABASES["default"].setdefault("TEST", {})
if env.str("TEST_DATABASE_NAME", default=""):
    DATABASES["default"]["TEST"]["NAME"] = env.str("TEST_DATABASE_NAME")
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Cache (rate limits, feed snapshots) ------------------------------------------------
CACHES = {"default": env.cache_url("CACHE_URL", default=f"filecache://{VAR_DIR / 'cache'}")}
if CACHES["default"]["BACKEND"] == "django.core.cache.backends.redis.RedisCache":
    # Django's Redis cache that falls back to this process's memory while Redis is away, so
    # a lost cache slows pages down instead of failing them (flywheel/resilient_cache.py).
    CACHES["default"]["BACKEND"] = "flywheel.resilient_cache.ResilientRedisCache"
# How long a cache call may wait for Redis, and how soon a process tries a Redis that failed.
CACHE_SOCKET_TIMEOUT = env.float("CACHE_SOCKET_TIMEOUT", default=0.5)
CACHE_RETRY_SECONDS = env.float("CACHE_RETRY_SECONDS", default=5.0)
CACHE_FALLBACK_ENTRIES = env.int("CACHE_FALLBACK_ENTRIES", default=5000)
# Web processes across all hosts (gunicorn's workers times hosts). While the cache is away
# each process counts rate limits alone and allows its share, 1/RATE_LIMIT_PROCESSES of
# each limit, so together they never allow more than the limit (flywheel/ratelimit.py).
RATE_LIMIT_PROCESSES = env.int("RATE_LIMIT_PROCESSES", default=env.int("WEB_WORKERS", default=2))

AUTH_USER_MODEL = "accounts.User"
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 8},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "accounts:login"

# Brute-force protection: failures counted per account and per client address over a window.
LOGIN_FAILURES_PER_ACCOUNT = env.int("LOGIN_FAILURES_PER_ACCOUNT", default=5)
LOGIN_FAILURES_PER_ADDRESS = env.int("LOGIN_FAILURES_PER_ADDRESS", default=30)
LOGIN_LOCKOUT_SECONDS = env.int("LOGIN_LOCKOUT_SECONDS", default=15 * 60)
# Number of reverse proxies in front of the site whose X-Forwarded-For can be trusted.
# 0 means the client address is REMOTE_ADDR and X-Forwarded-For is ignored (cannot be forged).
NUM_PROXIES = env.int("NUM_PROXIES", default=0)

LANGUAGE_CODE = "en-us"
TIME_ZONE = env.str("TIME_ZONE", default="UTC")
USE_I18N = True
USE_TZ = True

# --- Static and media -------------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = Path(env.str("STATIC_ROOT", default=str(VAR_DIR / "static")))
STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # whitenoise warns about a missing folder
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(env.str("MEDIA_ROOT", default=str(VAR_DIR / "media")))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if not DEBUG
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
# Object storage (S3-compatible: AWS S3, MinIO) through django-storages, so web and worker can
# run on different hosts: MEDIA_BUCKET for uploads, MODEL_BUCKET for model artifacts (each
# host then keeps fetched versions in its MODEL_ROOT). Unset, both stay in local folders.
# Credentials: AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, read by boto3.
S3_ENDPOINT_URL = env.str("S3_ENDPOINT_URL", default="") or None
S3_REGION = env.str("S3_REGION", default="us-east-1")
MEDIA_BUCKET = env.str("MEDIA_BUCKET", default="")
MODEL_BUCKET = env.str("MODEL_BUCKET", default="")


def s3_storage(bucket: str, **options) -> dict:
    return {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": bucket,
            "endpoint_url": S3_ENDPOINT_URL,
            "region_name": S3_REGION,
            # Private objects: media is served through flywheel.media, which checks access.
            "default_acl": None,
            "querystring_auth": True,
            **options,
        },
    }


if MEDIA_BUCKET:
    # Upload names are chosen by the server and never reused (flywheel.images).
    STORAGES["default"] = s3_storage(MEDIA_BUCKET, file_overwrite=False)
if MODEL_BUCKET:
    STORAGES["models"] = s3_storage(MODEL_BUCKET, file_overwrite=True)
MAX_IMAGE_BYTES = env.int("MAX_IMAGE_BYTES", default=5 * 1024 * 1024)
MAX_IMAGE_PIXELS = env.int("MAX_IMAGE_PIXELS", default=40_000_000)
DATA_UPLOAD_MAX_MEMORY_SIZE = env.int("DATA_UPLOAD_MAX_MEMORY_SIZE", default=10 * 1024 * 1024)

# --- Models (recommender artifacts) -----------------------------------------------------
MODEL_ROOT = Path(env.str("MODEL_ROOT", default=str(VAR_DIR / "models")))
# The feed recommender: implicit's ALS, its evaluation and its quality gate.
FEED_ALS_FACTORS = env.int("FEED_ALS_FACTORS", default=64)
FEED_ALS_REGULARIZATION = env.float("FEED_ALS_REGULARIZATION", default=0.05)
FEED_ALS_ALPHA = env.float("FEED_ALS_ALPHA", default=1.0)
FEED_ALS_ITERATIONS = env.int("FEED_ALS_ITERATIONS", default=15)
FEED_ALS_RANDOM_STATE = env.int("FEED_ALS_RANDOM_STATE", default=42)
# Scoring a person against every post costs about 2 ms at a million posts (implicit's batch
# recommend, BLAS-bound): 1,000 people keep the evaluation near a tenth of the fit.
FEED_EVAL_USERS = env.int("FEED_EVAL_USERS", default=1000)
FEED_EVAL_HOLDOUT = env.float("FEED_EVAL_HOLDOUT", default=0.2)
FEED_GATE_ENABLED = env.bool("FEED_GATE_ENABLED", default=True)
FEED_GATE_BASELINE_LIFT = env.float("FEED_GATE_BASELINE_LIFT", default=1.0)
# The new version must reach this share of the active version's recall@20 on the same hold-out.
FEED_GATE_ACTIVE_RATIO = env.float("FEED_GATE_ACTIVE_RATIO", default=0.9)
# Enough evidence: held-out interactions, and people they come from (see feeds/gates.py). A
# 120-bot `make run` holds out about 700 interactions of 90 people at its first retrain.
FEED_GATE_MIN_HELD_OUT = env.int("FEED_GATE_MIN_HELD_OUT", default=100)
FEED_GATE_MIN_PEOPLE = env.int("FEED_GATE_MIN_PEOPLE", default=30)
# Incremental learning (feeds.matrix_store, feeds.warm_start): the matrix is kept as saved
# cells plus the events after them; events younger than the settle time are read again by the
# next run (a transaction may still commit an event below them). A retrain starts from the
# active version's factors with fewer iterations, and fits from scratch every Nth retrain or
# when the interactions grew by more than the given share since the active version.
FEED_MATRIX_INCREMENTAL = env.bool("FEED_MATRIX_INCREMENTAL", default=True)
# How long an event insert may stay uncommitted: what reads the log up to a mark reads only
# events older than this (events.roll_ups).
EVENT_SETTLE_SECONDS = env.float("EVENT_SETTLE_SECONDS", default=120)
FEED_MATRIX_SETTLE_SECONDS = env.float("FEED_MATRIX_SETTLE_SECONDS", default=EVENT_SETTLE_SECONDS)
FEED_ALS_WARM_START = env.bool("FEED_ALS_WARM_START", default=True)
FEED_ALS_WARM_ITERATIONS = env.int("FEED_ALS_WARM_ITERATIONS", default=3)
FEED_ALS_COLD_EVERY = env.int("FEED_ALS_COLD_EVERY", default=5)
FEED_ALS_COLD_CHANGE_SHARE = env.float("FEED_ALS_COLD_CHANGE_SHARE", default=0.25)
# New posts get vectors every minute (feeds.fresh_posts); a web process looks for them this often.
FEED_FRESH_CHECK_SECONDS = env.float("FEED_FRESH_CHECK_SECONDS", default=10)
# How stale a web process's view of the active model versions and the experiment's arms may be
# (flywheel.recent): read once per period per process instead of on every page.
FEED_SERVING_REFRESH_SECONDS = env.float("FEED_SERVING_REFRESH_SECONDS", default=2.0)
FEED_RETRAIN_AFTER_EVENTS = env.int("FEED_RETRAIN_AFTER_EVENTS", default=5000)
FEED_RETRAIN_MIN_INTERVAL = env.int("FEED_RETRAIN_MIN_INTERVAL", default=900)
FEED_KEEP_VERSIONS = env.int("FEED_KEEP_VERSIONS", default=5)
# Precomputed model candidates (feeds.candidates): how long a record lives in the cache, and
# whose are refreshed: people active in the last N minutes, at most M a run.
FEED_CANDIDATES_SECONDS = env.int("FEED_CANDIDATES_SECONDS", default=6 * 3600)
FEED_PRECOMPUTE_ACTIVE_MINUTES = env.int("FEED_PRECOMPUTE_ACTIVE_MINUTES", default=15)
FEED_PRECOMPUTE_MAX_PEOPLE = env.int("FEED_PRECOMPUTE_MAX_PEOPLE", default=20000)
# Changing the salt reshuffles everyone's home-feed arm (a new experiment).
# The learned ranker (feeds.ranker_*): log the features of what ranked arms serve, and train
# on served posts whose label window has closed.
FEED_RANKER_LOG = env.bool("FEED_RANKER_LOG", default=True)
FEED_RANKER_LABEL_MINUTES = env.int("FEED_RANKER_LABEL_MINUTES", default=60)
FEED_RANKER_DWELL_MS = env.int("FEED_RANKER_DWELL_MS", default=5000)
# Weight each engaged example by its reading time (in FEED_RANKER_DWELL_MS units, at least 1),
# so the ranker orders by expected time well spent, not only by the chance of any engagement.
FEED_RANKER_READING_WEIGHT = env.bool("FEED_RANKER_READING_WEIGHT", default=True)
FEED_RANKER_HOLDOUT = env.float("FEED_RANKER_HOLDOUT", default=0.2)
FEED_RANKER_MAX_EXAMPLES = env.int("FEED_RANKER_MAX_EXAMPLES", default=500_000)
FEED_RANKER_ITERATIONS = env.int("FEED_RANKER_ITERATIONS", default=200)
FEED_RANKER_LEARNING_RATE = env.float("FEED_RANKER_LEARNING_RATE", default=0.1)
FEED_RANKER_LEAVES = env.int("FEED_RANKER_LEAVES", default=15)
FEED_RANKER_RANDOM_STATE = env.int("FEED_RANKER_RANDOM_STATE", default=42)
FEED_RANKER_RETRAIN_AFTER = env.int("FEED_RANKER_RETRAIN_AFTER", default=5000)
FEED_RANKER_RETRAIN_MIN_INTERVAL = env.int("FEED_RANKER_RETRAIN_MIN_INTERVAL", default=900)
FEED_RANKER_GATE_ENABLED = env.bool("FEED_RANKER_GATE_ENABLED", default=True)
FEED_RANKER_GATE_BASELINE_LIFT = env.float("FEED_RANKER_GATE_BASELINE_LIFT", default=1.0)
FEED_RANKER_GATE_ACTIVE_RATIO = env.float("FEED_RANKER_GATE_ACTIVE_RATIO", default=0.98)
FEED_RANKER_GATE_MIN_ENGAGED = env.int("FEED_RANKER_GATE_MIN_ENGAGED", default=50)
FEED_RANKER_GATE_MIN_IGNORED = env.int("FEED_RANKER_GATE_MIN_IGNORED", default=200)

FEED_EXPERIMENT_SALT = env.str("FEED_EXPERIMENT_SALT", default="home-feed-1")

# --- Security ---------------------------------------------------------------------------
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=not DEBUG)
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]  # container health checks speak plain HTTP
if env.bool("BEHIND_TLS_PROXY", default=False):
    # The proxy terminates TLS and says so in X-Forwarded-Proto.
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=0 if DEBUG else 31_536_000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=not DEBUG)
SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=not DEBUG)
SESSION_COOKIE_SECURE = env.bool("SESSION_COOKIE_SECURE", default=not DEBUG)
CSRF_COOKIE_SECURE = env.bool("CSRF_COOKIE_SECURE", default=not DEBUG)
SESSION_COOKIE_HTTPONLY = True
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

# /healthz: anonymous callers get the database's state, recomputed at most this often; the
# broker and worker checks need staff or this token (header X-Health-Token).
HEALTH_CACHE_SECONDS = env.float("HEALTH_CACHE_SECONDS", default=5.0)
HEALTH_TOKEN = env.str("HEALTH_TOKEN", default="")

# --- REST framework ---------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "accounts.authentication.BearerTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticatedOrReadOnly"],
    "DEFAULT_SCHEMA_CLASS": "flywheel.schema.AutoSchema",
    "DEFAULT_PAGINATION_CLASS": "flywheel.pagination.KeysetCursorPagination",
    "PAGE_SIZE": 20,
    "DEFAULT_THROTTLE_CLASSES": [
        "flywheel.throttling.AnonRateThrottle",
        "flywheel.throttling.UserRateThrottle",
    ],
    "DEFAULT_THROTTLE_RATES": {
        "anon": env.str("THROTTLE_ANON", default="300/min"),
        "user": env.str("THROTTLE_USER", default="1200/min"),
        "events": env.str("THROTTLE_EVENTS", default="240/min"),
    },
    "NUM_PROXIES": NUM_PROXIES,
    "EXCEPTION_HANDLER": "flywheel.api.exception_handler",
}
# API tokens are django-oauth-toolkit access tokens (accounts/tokens.py): one token system
# for the username-and-password tokens and the OAuth 2 apps. Stored hashed; RFC 9700's
# recommendations on (they become DOT's defaults in 4.0).
_RFC9700_GATES = (
    "IMPLICIT_GRANT", "PASSWORD_GRANT", "PKCE_METHOD", "ACCESS_TOKEN_TRANSPORT",
    "AUTHZ_RESPONSE_ISS", "TOKEN_STORAGE", "REFRESH_TOKEN", "REDIRECT_URI_SCHEME",
    "REDIRECT_URI_MATCHING", "PKCE_REQUIRED",
)  # fmt: skip
API_TOKEN_LIFETIME = env.int("API_TOKEN_LIFETIME", default=30 * 24 * 3600)
# Mastodon's sub-scopes (read:statuses, write:favourites, ...) are listed in accounts/
# oauth_scopes.py; a token's top-level scope grants all of its sub-scopes.
from accounts.oauth_scopes import SCOPES as _OAUTH_SCOPES  # noqa: E402
from accounts.oauth_scopes import pkce_required as _pkce_required  # noqa: E402

OAUTH2_PROVIDER = {
    "SCOPES": _OAUTH_SCOPES,
    "DEFAULT_SCOPES": ["read"],
    "ACCESS_TOKEN_EXPIRE_SECONDS": API_TOKEN_LIFETIME,
    # PKCE for every public client; a confidential client (a Mastodon app registered with
    # POST /api/v1/apps, which holds a secret) may use it, as on Mastodon, whose clients
    # (Mastodon.py among them) mostly do not.
    "PKCE_REQUIRED": _pkce_required,
    "SCOPES_BACKEND_CLASS": "mastodon_api.scopes.AppScopes",
    "OAUTH2_VALIDATOR_CLASS": "mastodon_api.oauth.MastodonValidator",
    "ALLOWED_REDIRECT_URI_SCHEMES": ["https"],
    "REFRESH_TOKEN_REUSE_PROTECTION": True,
    **{f"COMPLIANT_BCP_RFC9700_{gate}": True for gate in _RFC9700_GATES},
}
# Named explicitly so migrations can depend on it (mastodon_api.AppProfile).
OAUTH2_PROVIDER_APPLICATION_MODEL = "oauth2_provider.Application"
SPECTACULAR_SETTINGS = {
    "TITLE": "Flywheel API",
    "DESCRIPTION": "The social network whose data flywheel you can watch.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    # The Mastodon API's OAuth endpoints are DOT's views, described by a hook.
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "mastodon_api.schema.add_oauth_endpoints",
    ],
}

# --- Mastodon client API (mastodon_api/, docs/mastodon.md) ------------------------------
# CORS only on the Mastodon API and its token endpoints, for browser clients: they send
# bearer tokens, never the site's cookies, so any origin may call them.
CORS_URLS_REGEX = r"^/(api/v[12]/|oauth/(token|revoke)$|\.well-known/oauth-authorization-server$)"
CORS_ALLOW_ALL_ORIGINS = True
CORS_ALLOW_CREDENTIALS = False
CORS_EXPOSE_HEADERS = ["Link", "X-RateLimit-Limit", "X-RateLimit-Remaining", "X-RateLimit-Reset"]
CORS_ALLOW_HEADERS = ["authorization", "content-type", "idempotency-key", "accept"]

# --- Celery -----------------------------------------------------------------------------
CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default="filesystem://")
if CELERY_BROKER_URL.startswith("filesystem"):
    CELERY_BROKER_TRANSPORT_OPTIONS = broker_transport_options(VAR_DIR / "broker")
    _default_result_backend = filesystem_result_backend(VAR_DIR / "results")
else:
    # The visibility timeout must exceed the longest task time limit, or Redis redelivers a
    # long training to a second worker while the first is still running it.
    CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 4 * 3600}
    _default_result_backend = CELERY_BROKER_URL
CELERY_RESULT_BACKEND = env.str("CELERY_RESULT_BACKEND", default=_default_result_backend)
CELERY_RESULT_EXPIRES = 3600
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TIMEZONE = TIME_ZONE
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SOFT_TIME_LIMIT = env.int("CELERY_TASK_SOFT_TIME_LIMIT", default=240)
CELERY_TASK_TIME_LIMIT = env.int("CELERY_TASK_TIME_LIMIT", default=300)
TRAINING_TIME_LIMIT = env.int("TRAINING_TIME_LIMIT", default=2 * 3600)
CELERY_TASK_DEFAULT_QUEUE = "default"
CELERY_TASK_ROUTES = {"*.train_*": {"queue": "training"}}
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
CELERY_WORKER_HIJACK_ROOT_LOGGER = False
# On a stop signal, wait this long for running tasks, then hand them back to the queue
# (acks_late) and stop: `make run` sets 3 s so Ctrl-C stops everything at once; 0 (the
# default) keeps Celery's warm shutdown, which waits for every running task.
CELERY_WORKER_SOFT_SHUTDOWN_TIMEOUT = env.float("WORKER_SOFT_SHUTDOWN_TIMEOUT", default=0.0)
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=False)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {"django.db.backends": {"level": "WARNING"}},
}

# Demo admin created by `make run` on first start.
DEMO_ADMIN_USERNAME = env.str("DEMO_ADMIN_USERNAME", default="admin")

# Action limits, modelled on Mastodon's: "count/period" with period s, min, h or day.
ACTION_RATE_LIMITS = {
    "post": env.str("RATE_LIMIT_POSTS", default="300/3h"),
    "follow": env.str("RATE_LIMIT_FOLLOWS", default="400/day"),
    "report": env.str("RATE_LIMIT_REPORTS", default="40/day"),
    "comment": env.str("RATE_LIMIT_COMMENTS", default="600/3h"),
    # Clicks on ads, per person and per client address (/ads/click/ needs no login).
    "ad_click": env.str("RATE_LIMIT_AD_CLICKS", default="60/min"),
    "ad_click_address": env.str("RATE_LIMIT_AD_CLICKS_PER_ADDRESS", default="600/min"),
    # Per client address, one count for the sign-up page and POST /api/auth/signup/.
    "signup": env.str("THROTTLE_SIGNUP", default="30/hour"),
}

# Beacons: impressions and dwell of one post by one person count up to these per hour (as
# many of each, and the dwell up to so many ms); more is left out of the log, so it never
# reaches trends, rollups or training.
BEACON_IMPRESSIONS_PER_POST_HOUR = env.int("BEACON_IMPRESSIONS_PER_POST_HOUR", default=3)
BEACON_DWELL_MS_PER_POST_HOUR = env.int("BEACON_DWELL_MS_PER_POST_HOUR", default=10 * 60 * 1000)

# Raw events older than this are pruned by a periodic task (rollups keep the aggregates).
EVENT_RETENTION_DAYS = env.int("EVENT_RETENTION_DAYS", default=180)

# --- Ads ----------------------------------------------------------------------------------
# Money is integer micros (1 currency unit = 1,000,000 micros); ADS_CURRENCY is for display.
ADS_CURRENCY = env.str("ADS_CURRENCY", default="USD")
# Reserve price: no ad serves for less than this per thousand impressions (eCPM), in micros.
ADS_RESERVE_ECPM_MICROS = env.int("ADS_RESERVE_ECPM_MICROS", default=500_000)
# Click probability assumed before the targeter has learnt anything (the cold-start prior).
ADS_PRIOR_CTR = env.float("ADS_PRIOR_CTR", default=0.02)
# A click is charged once per impression; and a person's clicks on one campaign within this
# window are charged once, whichever impressions they came from.
ADS_CLICK_DEDUPE_SECONDS = env.int("ADS_CLICK_DEDUPE_SECONDS", default=3600)
ADS_CLICK_TOKEN_MAX_AGE = env.int("ADS_CLICK_TOKEN_MAX_AGE", default=7 * 24 * 3600)
# Pacing: a campaign may run this share of its daily budget ahead of an even spread.
ADS_PACING_SLACK = env.float("ADS_PACING_SLACK", default=0.05)
# Lookalike targeting: cosine similarity to the people who engage with the advertiser's posts.
ADS_LOOKALIKE_MIN_SIMILARITY = env.float("ADS_LOOKALIKE_MIN_SIMILARITY", default=0.5)
# How stale a web process's view of spend (for pacing) may be; every charge is still decided
# by the database.
ADS_SERVING_REFRESH_SECONDS = env.float("ADS_SERVING_REFRESH_SECONDS", default=2.0)
# The ad targeter: ALS over person x campaign clicks, with a logistic calibration.
ADS_TARGETER_FACTORS = env.int("ADS_TARGETER_FACTORS", default=16)
ADS_TARGETER_ITERATIONS = env.int("ADS_TARGETER_ITERATIONS", default=15)
ADS_TARGETER_REGULARIZATION = env.float("ADS_TARGETER_REGULARIZATION", default=0.1)
ADS_TARGETER_ALPHA = env.float("ADS_TARGETER_ALPHA", default=10.0)
ADS_TARGETER_RANDOM_STATE = env.int("ADS_TARGETER_RANDOM_STATE", default=42)
ADS_EVAL_HOLDOUT = env.float("ADS_EVAL_HOLDOUT", default=0.2)
ADS_GATE_ENABLED = env.bool("ADS_GATE_ENABLED", default=True)
ADS_GATE_BASELINE_LIFT = env.float("ADS_GATE_BASELINE_LIFT", default=1.0)
# The new version must reach this share of the active version's AUC on the same held-out pairs.
ADS_GATE_ACTIVE_RATIO = env.float("ADS_GATE_ACTIVE_RATIO", default=0.95)
# Enough evidence: held-out clicks, and held-out ads shown without a click (feeds/gates.py).
# A 120-bot `make run` clicked 11 ads in its first half hour, 0 to 4 of them in the hold-out;
# with so few, the AUC's interval (which must lie above 0.5) is what keeps a lucky one out.
ADS_GATE_MIN_CLICKS = env.int("ADS_GATE_MIN_CLICKS", default=3)
ADS_GATE_MIN_NON_CLICKS = env.int("ADS_GATE_MIN_NON_CLICKS", default=100)
ADS_RETRAIN_AFTER_EVENTS = env.int("ADS_RETRAIN_AFTER_EVENTS", default=2000)
ADS_RETRAIN_MIN_INTERVAL = env.int("ADS_RETRAIN_MIN_INTERVAL", default=900)

# --- Analytics rollups and dashboards -----------------------------------------------------
# Every minute the last few hours are recomputed (live figures); every 15 minutes the last
# day's hours and the last days (beacons may arrive up to a day late, and are folded in then).
ANALYTICS_RECENT_HOURS = env.int("ANALYTICS_RECENT_HOURS", default=2)
ANALYTICS_LATE_HOURS = env.int("ANALYTICS_LATE_HOURS", default=26)
ANALYTICS_LATE_DAYS = env.int("ANALYTICS_LATE_DAYS", default=2)
# People sampled per day for topic diversity and homogenisation (pairwise Jaccard).
ANALYTICS_SAMPLE_PEOPLE = env.int("ANALYTICS_SAMPLE_PEOPLE", default=500)
# A new creator "reaches an audience" when this many other people saw their posts in a week.
ANALYTICS_AUDIENCE_MIN = env.int("ANALYTICS_AUDIENCE_MIN", default=5)
# How often the flywheel page refreshes itself while it is open.
ANALYTICS_POLL_SECONDS = env.int("ANALYTICS_POLL_SECONDS", default=15)

# --- Bots (simulated users with known tastes; docs/simulation.md) ------------------------
# Their own settings (BOTS_SEED_BOTS, BOTS_SPEEDUP, ...) are read from the environment by
# bots/conf.py, where their defaults are; FLYWHEEL_BOTS (above) leaves them out. The bots
# sign up from one address, so the per-address sign-up limit THROTTLE_SIGNUP applies to them.
