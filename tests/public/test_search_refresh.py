import pytest
from django.core.management import call_command
from django.urls import reverse

from announcements.models import Announcement
from tests.public.conftest import make_notice

pytestmark = pytest.mark.django_db


def test_refresh_fills_search_fields_of_notices_written_directly(client, world):
    notice = make_notice(institution=world.unit, title="直接写入的公告", rows=[("绿化养护服务", "1", "1")])
    Announcement.objects.filter(pk=notice.pk).update(search_text="", search_grams="")
    assert list(client.get(reverse("public:list"), {"q": "绿化"}).context["notices"]) == []

    call_command("public_search_refresh", stdout=open("/dev/null", "w"))

    found = client.get(reverse("public:list"), {"q": "绿化"})
    assert [n.title for n in found.context["notices"]] == ["直接写入的公告"]
