"""Two admins removing each other at once must not leave the institution without an admin."""

import pytest
from django.db import connection

from accounts.enums import Position
from accounts.models import User
from accounts.services import staff_disable
from tests import factories as F
from tests.concurrency import run_together

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL row locking"),
]


def test_staff_two_admins_disabling_each_other_at_once_leave_one_admin(world):
    first = world.admin
    second = F.user(institution=world.unit, positions=[Position.INSTITUTION_ADMIN])

    results = run_together(
        lambda: staff_disable(actor=first, staff=[User.objects.get(pk=second.pk)]),
        lambda: staff_disable(actor=second, staff=[User.objects.get(pk=first.pk)]),
    )

    active = list(User.objects.filter(pk__in=[first.pk, second.pk], is_active=True))
    assert len(active) == 1
    assert sorted(type(r).__name__ for r in results) == ["StaffRuleError", "list"]
