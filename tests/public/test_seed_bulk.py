import pytest
from django.core.management import call_command
from django.urls import reverse

from announcements.models import Announcement
from announcements.selectors import announcements_published
from reservations.models import ReservedProject

pytestmark = pytest.mark.django_db


def test_seed_bulk_makes_searchable_published_notices_with_rows(client):
    call_command("seed_bulk", notices=30, rows=3, batch=12, revoked_share=0, stdout=open("/dev/null", "w"))

    published = announcements_published()
    assert published.count() == 30
    assert ReservedProject.objects.filter(report__announcement__in=published).count() == 90
    notice = published.select_related("district").first()
    assert notice.title.endswith("年面向中小企业预留项目执行情况公告")
    assert notice.title.startswith("上海市")
    word = ReservedProject.objects.filter(report=notice.report).first().name[5:7]
    found = client.get(reverse("public:list"), {"q": word, "district": notice.district.code})
    assert notice.public_id in [n.public_id for n in found.context["notices"]]
    assert Announcement.objects.filter(search_grams="").count() == 0
