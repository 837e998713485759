"""Certificates' slow work, on Django's task queue (settings.TASKS; `manage.py db_worker`)."""

from django.tasks import task


@task
def crl_refresh_task() -> int:
    """Fetch and cache every certificate revocation list (CA_CRL_SOURCES); returns how many.
    Idempotent. Enqueue it on a schedule (docs/production.md: `manage.py crl_refresh`)."""
    from .services import revocation_lists_refresh

    return revocation_lists_refresh()
