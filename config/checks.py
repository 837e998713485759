"""System checks for production settings that Django's own `check --deploy` does not know."""

from django.conf import settings
from django.core import checks

PER_PROCESS_CACHES = {
    "django.core.cache.backends.locmem.LocMemCache",
    "django.core.cache.backends.dummy.DummyCache",
}


@checks.register(checks.Tags.caches)
def shared_cache_in_production(app_configs, **kwargs):
    """With DEBUG off the cache must be shared by every worker: a per-process cache keeps a
    revoked notice's page alive on the other workers (the version bump reaches one process)."""
    if settings.DEBUG:
        return []
    backend = settings.CACHES.get("default", {}).get("BACKEND", "")
    if backend in PER_PROCESS_CACHES:
        return [
            checks.Error(
                f"The default cache ({backend}) lives inside one process.",
                hint="Set CACHE_URL to a shared cache, e.g. redis://host:6379/1 (docs/production.md).",
                id="config.E001",
            )
        ]
    return []


@checks.register(checks.Tags.security)
def sessions_do_not_depend_on_the_cache(app_configs, **kwargs):
    """Sign-in must work while the cache is down, and a logout must reach every server."""
    if settings.DEBUG:
        return []
    if settings.SESSION_ENGINE in (
        "django.contrib.sessions.backends.cache",
        "django.contrib.sessions.backends.cached_db",
    ):
        return [
            checks.Error(
                f"SESSION_ENGINE {settings.SESSION_ENGINE} depends on the cache.",
                hint="Use django.contrib.sessions.backends.db (the default).",
                id="config.E002",
            )
        ]
    return []


@checks.register(checks.Tags.security)
def site_url_in_production(app_configs, **kwargs):
    """Mails, QR codes and feeds carry absolute links built without a request (the task worker
    has none), and a request's Host header may be forged: production names its address."""
    if settings.DEBUG or settings.SITE_URL:
        return []
    return [
        checks.Error(
            "SITE_URL is not set.",
            hint="Set SITE_URL to the public address, e.g. https://notices.example.gov.cn.",
            id="config.E003",
        )
    ]
