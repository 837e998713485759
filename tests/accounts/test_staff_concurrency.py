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


def _set_positions(actor, target):
    from accounts.services import staff_set_positions

    return staff_set_positions(
        actor=actor, staff=[User.objects.get(pk=target.pk)], positions=[Position.HANDLER]
    )


def _delete(actor, target):
    from accounts.services import staff_delete

    return staff_delete(actor=actor, staff=User.objects.get(pk=target.pk))


def _disable(actor, target):
    return staff_disable(actor=actor, staff=[User.objects.get(pk=target.pk)])


OPERATIONS = {"set_positions": _set_positions, "delete": _delete, "disable": _disable}
PAIRS = [
    ("set_positions", "set_positions"),
    ("set_positions", "delete"),
    ("set_positions", "disable"),
    ("delete", "delete"),
    ("delete", "disable"),
    ("disable", "disable"),
]


def _admins(institution) -> list[int]:
    from accounts.enums import POSITION_GROUP_NAMES

    return list(
        User.objects.filter(
            institution=institution,
            is_active=True,
            is_deleted=False,
            groups__name=POSITION_GROUP_NAMES[Position.INSTITUTION_ADMIN],
        ).values_list("pk", flat=True)
    )


@pytest.mark.parametrize(("first_op", "second_op"), PAIRS, ids=["-vs-".join(p) for p in PAIRS])
@pytest.mark.parametrize("trial", range(1))
def test_staff_two_admins_removing_each_other_by_any_pair_of_operations_leave_one_admin(
    world, first_op, second_op, trial
):
    # Without the institution lock, 0 admins were left in 7 of 10 trials of set-positions
    # against set-positions: each saw the other admin still there.
    first = world.admin
    second = F.user(institution=world.unit, positions=[Position.INSTITUTION_ADMIN])

    results = run_together(
        lambda: OPERATIONS[first_op](first, second),
        lambda: OPERATIONS[second_op](second, first),
    )

    assert len(_admins(world.unit)) == 1, results
    # The loser is refused: by the last-admin rule, or (already demoted by the winner) because it
    # no longer manages staff at all.
    assert sum(type(r).__name__ in ("StaffRuleError", "StaffNotFound") for r in results) == 1, results
