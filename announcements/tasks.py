"""Periodic work of the workflow, on Django's task queue (cron only enqueues it)."""

from django.tasks import task

from .workflow import publish_due


@task
def publish_due_task() -> list[str]:
    """定时发布: publish the approved notices whose time has come. Idempotent and safe with two
    workers: each publication is a conditional update (see `publish_due`)."""
    lines = [f"published {a.public_id} {a.title}" for a in publish_due()]
    return [*lines, f"{len(lines)} published"]
