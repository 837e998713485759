"""The rules of staff management, enforced in accounts.services."""

import pytest
from django.contrib.auth.models import Group
from django.http import Http404

from accounts.enums import POSITION_GROUP_NAMES, InstitutionKind, Perm, Position, StaffAction
from accounts.models import User
from accounts.rules import user_holds
from accounts.services import (
    StaffRuleError,
    staff_create,
    staff_delete,
    staff_disable,
    staff_enable,
    staff_restore,
    staff_set_positions,
    staff_update,
)
from tests import factories as F

pytestmark = pytest.mark.django_db


def _positions(user):
    return sorted(user.groups.values_list("name", flat=True))


def test_staff_create_sets_institution_and_first_login_flag(world):
    user = staff_create(actor=world.admin, username="newbie", full_name="新员工", password="Tiger-lily-2026")

    assert (user.institution, user.must_change_password, user.check_password("Tiger-lily-2026")) == (
        world.unit,
        True,
        True,
    )
    change = user.changes.get()
    assert (change.actor, change.action) == (world.admin, StaffAction.CREATE)


def test_staff_create_by_non_admin_is_refused(world):
    with pytest.raises(Http404):
        staff_create(actor=world.handler, username="sneaky", full_name="某人", password="Tiger-lily-2026")
    assert not User.objects.filter(username="sneaky").exists()


def test_staff_update_records_old_and_new_values(world):
    staff_update(actor=world.admin, staff=world.handler2, full_name="经办人丙", phone="13800138000")

    world.handler2.refresh_from_db()
    assert (world.handler2.full_name, world.handler2.phone) == ("经办人丙", "13800138000")
    detail = world.handler2.changes.get().detail
    assert "经办人乙 → 经办人丙" in detail
    assert "- → 13800138000" in detail


def test_staff_disable_self_is_refused(world):
    with pytest.raises(StaffRuleError) as error:
        staff_disable(actor=world.admin, staff=[world.admin, world.handler])

    assert "不能停用自己的账号" in error.value.messages[0]
    world.handler.refresh_from_db()
    assert world.handler.is_active is True  # the whole batch is refused


def test_staff_delete_self_is_refused(world):
    with pytest.raises(StaffRuleError):
        staff_delete(actor=world.admin, staff=world.admin)
    world.admin.refresh_from_db()
    assert world.admin.is_deleted is False


def test_staff_last_admin_cannot_lose_position(world):
    with pytest.raises(StaffRuleError) as error:
        staff_set_positions(actor=world.admin, staff=[world.admin], positions=[Position.HANDLER])

    assert "至少保留一名" in error.value.messages[0]
    assert _positions(world.admin) == ["机构管理员"]
    assert world.admin.changes.count() == 0


def test_staff_admin_can_drop_own_admin_position_when_another_remains(world):
    second = F.user(institution=world.unit, positions=[Position.INSTITUTION_ADMIN])

    staff_set_positions(actor=world.admin, staff=[world.admin], positions=[Position.HANDLER])

    assert _positions(world.admin) == ["项目采购经办岗"]
    assert user_holds(world.admin, Perm.MANAGE_STAFF) is False  # the cache was dropped
    assert user_holds(second, Perm.MANAGE_STAFF) is True


@pytest.fixture
def single_grant_admin(world):
    """An admin by single permission only, so the only 机构管理员 position holder can be targeted."""
    boss = F.user(institution=world.unit)
    staff_set_positions(actor=world.admin, staff=[boss], positions=[], perms=[Perm.MANAGE_STAFF])
    return boss


def test_staff_last_admin_cannot_be_disabled(world, single_grant_admin):
    with pytest.raises(StaffRuleError):
        staff_disable(actor=single_grant_admin, staff=[world.admin])
    world.admin.refresh_from_db()
    assert world.admin.is_active is True


def test_staff_last_admin_cannot_be_deleted(world, single_grant_admin):
    with pytest.raises(StaffRuleError):
        staff_delete(actor=single_grant_admin, staff=world.admin)
    world.admin.refresh_from_db()
    assert world.admin.is_deleted is False


def test_staff_disabled_admin_does_not_count_as_remaining(world, single_grant_admin):
    other_admin = F.user(institution=world.unit, positions=[Position.INSTITUTION_ADMIN], is_active=False)

    with pytest.raises(StaffRuleError):
        staff_delete(actor=single_grant_admin, staff=world.admin)
    assert other_admin.is_active is False


def test_staff_batch_disable_of_both_admins_is_refused(world, single_grant_admin):
    second = F.user(institution=world.unit, positions=[Position.INSTITUTION_ADMIN])

    with pytest.raises(StaffRuleError):
        staff_disable(actor=single_grant_admin, staff=[world.admin, second])
    assert set(
        User.objects.filter(pk__in=[world.admin.pk, second.pk]).values_list("is_active", flat=True)
    ) == {True}


def test_staff_admin_of_other_institution_is_refused_in_services(world):
    with pytest.raises(Http404):
        staff_disable(actor=world.outsider_admin, staff=[world.handler])
    with pytest.raises(Http404):
        staff_set_positions(actor=world.outsider_admin, staff=[world.handler], positions=[])
    world.handler.refresh_from_db()
    assert (world.handler.is_active, _positions(world.handler)) == (True, ["项目采购经办岗"])


def test_staff_enable_and_disable_record_each_change(world):
    staff_disable(actor=world.admin, staff=[world.handler, world.handler2])
    changed = staff_enable(actor=world.admin, staff=[world.handler, world.handler2, world.reviewer])

    assert sorted(u.pk for u in changed) == sorted([world.handler.pk, world.handler2.pk])
    assert list(world.handler.changes.values_list("action", flat=True)) == [
        StaffAction.ENABLE,
        StaffAction.DISABLE,
    ]
    assert world.reviewer.changes.count() == 0


def test_staff_set_positions_records_what_was_set(world):
    staff_set_positions(
        actor=world.admin,
        staff=[world.handler],
        positions=[Position.HANDLER, Position.PURCHASER_REVIEWER],
        perms=[Perm.MANAGE_STAFF],
    )

    assert _positions(world.handler) == ["采购人审核岗", "项目采购经办岗"]
    assert user_holds(world.handler, Perm.MANAGE_STAFF) is True
    change = world.handler.changes.get()
    assert change.action == StaffAction.SET_POSITIONS
    assert change.detail == "岗位：项目采购经办岗、采购人审核岗；单项权限：管理员工和岗位"


def test_staff_set_positions_refuses_position_that_does_not_fit(world):
    with pytest.raises(StaffRuleError) as error:
        staff_set_positions(actor=world.admin, staff=[world.handler], positions=[Position.FINANCE_REVIEWER])

    assert "财政审核岗" in error.value.messages[0]
    assert _positions(world.handler) == ["项目采购经办岗"]


def test_staff_finance_bureau_cannot_grant_purchaser_reviewer(world):
    finance_admin = F.user(institution=world.putuo_finance, positions=[Position.INSTITUTION_ADMIN])

    with pytest.raises(StaffRuleError):
        staff_set_positions(
            actor=finance_admin, staff=[world.finance], positions=[Position.PURCHASER_REVIEWER]
        )
    with pytest.raises(StaffRuleError):
        staff_set_positions(
            actor=finance_admin, staff=[world.finance], positions=[], perms=[Perm.SUBMIT_NOTICE]
        )
    assert world.putuo_finance.kind == InstitutionKind.FINANCE_BUREAU
    assert _positions(world.finance) == ["财政审核岗"]


def test_staff_set_positions_keeps_permissions_outside_accounts(world):
    from django.contrib.auth.models import Permission

    foreign = Permission.objects.exclude(content_type__app_label="accounts").first()
    world.handler.user_permissions.add(foreign)

    staff_set_positions(actor=world.admin, staff=[world.handler], positions=[Position.HANDLER], perms=[])

    assert list(world.handler.user_permissions.all()) == [foreign]


def test_staff_delete_and_restore(world):
    staff_delete(actor=world.admin, staff=world.handler)
    world.handler.refresh_from_db()
    assert (world.handler.is_deleted, world.handler.deleted_by) == (True, world.admin)
    assert world.handler.deleted_at is not None
    assert user_holds(world.handler, Perm.SUBMIT_NOTICE) is False

    staff_restore(actor=world.admin, staff=world.handler)
    world.handler.refresh_from_db()
    assert (world.handler.is_deleted, world.handler.deleted_at, world.handler.deleted_by) == (
        False,
        None,
        None,
    )
    assert list(world.handler.changes.values_list("action", flat=True)) == [
        StaffAction.RESTORE,
        StaffAction.DELETE,
    ]


def test_staff_groups_exist_for_every_position(db):
    assert set(Group.objects.values_list("name", flat=True)) >= set(POSITION_GROUP_NAMES.values())
