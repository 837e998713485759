"""Background work of the public site (Django's task framework; django-tasks-db in production)."""

from django.tasks import task

from .services import view_counts_flush


@task
def flush_view_counts() -> int:
    """Write the view counts gathered in Redis to the database (public.services)."""
    return view_counts_flush()
