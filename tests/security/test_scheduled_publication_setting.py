"""定时发布 reads the district's 区发布设置 at publication time: a unit's notice approved for later,
whose district then chose "file to the department only", is not published on its own."""

from datetime import timedelta

import pytest
from django.utils import timezone

from accounts.enums import UnitPublishing
from announcements.enums import PublishMode, State
from announcements.models import Announcement
from announcements.tasks import publish_due_task
from tests import factories as F
from tests.public.conftest import make_notice

pytestmark = pytest.mark.django_db


def _approved_for_later(institution) -> Announcement:
    notice = make_notice(institution=institution, state=State.FINANCE_REVIEW)
    Announcement.objects.filter(pk=notice.pk).update(
        publish_mode=PublishMode.SCHEDULED,
        scheduled_at=timezone.now() - timedelta(minutes=1),
        approved_at=timezone.now() - timedelta(days=1),
        published_at=None,
    )
    return notice


@pytest.fixture
def school(world):
    return F.institution(name="甲中学", competent_unit=world.other_unit)


def test_a_units_scheduled_notice_is_held_once_its_district_files_to_the_department(school):
    notice = _approved_for_later(school)
    district = school.district
    district.unit_publishing = UnitPublishing.DEPARTMENT
    district.save(update_fields=["unit_publishing"])

    lines = publish_due_task.call()

    notice.refresh_from_db()
    assert notice.state == State.FINANCE_REVIEW and notice.published_at is None
    assert lines == [f"held {notice.pk} {notice.title} (files to the department only)", "0 published"]


def test_with_the_district_still_publishing_units_the_notice_is_published(school):
    notice = _approved_for_later(school)

    publish_due_task.call()

    notice.refresh_from_db()
    assert notice.state == State.PUBLISHED
