"""Slow work of accounts, run by the task worker (django.tasks; django-tasks-db in production)."""

from django.tasks import task

from .inbox import messages_purge


@task
def purge_messages() -> int:
    """Delete in-app messages past their retention age."""
    return messages_purge()
