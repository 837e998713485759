"""Test override: a fast password hasher, in-memory mail, no real secrets."""

from config.settings import *  # noqa: F403

# The tests seed demo and bulk data even when the environment (or .env) turns DEBUG off.
if "devdata" not in INSTALLED_APPS:  # noqa: F405
    INSTALLED_APPS = [*INSTALLED_APPS, "devdata"]  # noqa: F405

# Links in the tests' pages and mails read the same address whatever HOST/PORT the shell exports.
SITE_URL = env.str("SITE_URL", default="").rstrip("/") or "http://127.0.0.1:8000"  # noqa: F405
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
MAILERS = {"default": {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"}}
STORAGES["staticfiles"] = {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}  # noqa: F405
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "tests"}}
SESSION_ENGINE = "django.contrib.sessions.backends.db"
MEDIA_ROOT = BASE_DIR / "var" / "test-media"  # noqa: F405
SECURE_SSL_REDIRECT = False
# No demo CA or seal from var/demo-ca: tests that need them make their own.
CA_TRUST_BUNDLE = ""
CA_CRL_SOURCES = []
NOTICE_SEAL_DIR = ""
NOTICE_SEAL_PKCS12 = ""
SESSION_COOKIE_SECURE = False
CSRF_COOKIE_SECURE = False
AXES_ENABLED = True
LOGGING = {"version": 1, "disable_existing_loggers": False}
# Tasks run where they are enqueued, so a test sees their effect; tests of the queue itself
# override this with the database backend.
TASKS = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}
# Every request reads the publication version (tests clear the cache between them and expect
# the next page to know it); tests/public/test_cache_memo.py tests the per-process second.
PUBLIC_VERSION_CHECK_SECONDS = 0
# Many tests search the list from one address; the per-client limit has its own tests.
PUBLIC_SEARCHES_PER_MINUTE = 0
