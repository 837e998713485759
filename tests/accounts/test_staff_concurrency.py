"""Two admins removing each other at once must not leave the institution without an admin."""

import threading

import pytest
from django.db import connection, connections

from accounts.enums import Position
from accounts.models import User
from accounts.services import staff_disable
from tests import factories as F

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL row locking"),
]


def _run_together(*jobs):
    barrier = threading.Barrier(len(jobs))
    results = [None] * len(jobs)

    def runner(i, job):
        try:
            barrier.wait()
            results[i] = job()
        except Exception as exc:  # noqa: BLE001 - the outcome is what the test compares
            results[i] = exc
        finally:
            connections.close_all()

    threads = [threading.Thread(target=runner, args=(i, job)) for i, job in enumerate(jobs)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    return results


def test_staff_two_admins_disabling_each_other_at_once_leave_one_admin(world):
    first = world.admin
    second = F.user(institution=world.unit, positions=[Position.INSTITUTION_ADMIN])

    results = _run_together(
        lambda: staff_disable(actor=first, staff=[User.objects.get(pk=second.pk)]),
        lambda: staff_disable(actor=second, staff=[User.objects.get(pk=first.pk)]),
    )

    active = list(User.objects.filter(pk__in=[first.pk, second.pk], is_active=True))
    assert len(active) == 1
    assert sorted(type(r).__name__ for r in results) == ["StaffRuleError", "list"]
