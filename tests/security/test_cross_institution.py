"""Every console URL that names an object, tried by staff of another institution, answers 404."""

import re
from urllib.parse import urlsplit

import pytest

from accounts.enums import Position
from accounts.models import Institution
from tests import factories

from .crawler import crawl, route_of, unique_forms

STARTS = ["/console/", "/console/notices/", "/console/staff/", "/console/oversight/"]
# Staff of the demo unit (普陀区) and its district's finance bureau: everything they reach is theirs.
OWNERS = ["demo-handler", "demo-admin", "demo-reviewer", "demo-finance"]
OBJECT_URL = re.compile(r"/(?:[0-9a-f]{32}|\d+)(?:/|\.|$)")


@pytest.fixture
def outsiders(demo):
    """青浦区: a unit's staff holding every unit position, and the district's finance reviewer."""
    qingpu_unit = Institution.objects.get(name="上海市青浦区朱家角镇人民政府")
    staff = factories.user(
        institution=qingpu_unit,
        positions=[Position.INSTITUTION_ADMIN, Position.HANDLER, Position.PURCHASER_REVIEWER],
        username="qingpu-all-positions",
    )
    return {"qingpu unit staff": staff, "qingpu finance": demo["demo-qp-finance"]}


@pytest.mark.django_db
def test_object_urls_of_another_institution_answer_404(demo, outsiders, client_for):
    urls = {}
    for role in OWNERS:
        pages, forms = crawl(client_for(demo[role]), STARTS, max_pages=120, per_route=3)
        candidates = [(p.url, "get") for p in pages if p.status == 200]
        candidates += [(f.action, "post") for f in unique_forms(forms) if f.method == "post"]
        for url, method in candidates:
            path = urlsplit(url).path
            if path.startswith("/console/") and OBJECT_URL.search(path):
                urls.setdefault((route_of(path), method), (url, method))
    assert len(urls) >= 5, "the crawler found too few object URLs"

    leaks = []
    for who, user in outsiders.items():
        client = client_for(user)
        for url, method in urls.values():
            response = client.get(url) if method == "get" else client.post(url, {"comment": "x"})
            if response.status_code != 404:
                leaks.append(f"{who} {method.upper()} {url}: {response.status_code}")

    assert leaks == []


@pytest.mark.django_db
def test_own_notice_url_with_another_institutions_sub_ids_answers_404(
    demo, outsiders, client_for, settings, tmp_path
):
    """An outsider puts their OWN notice id in the URL and someone else's attachment (or other
    sub-object) id after it: still 404."""
    from django.core.files.base import ContentFile

    from announcements.enums import State
    from announcements.models import Announcement, Attachment

    theirs = Announcement.objects.filter(
        state=State.DRAFT, institution=demo["demo-handler"].institution
    ).first()
    pdf = b"%PDF-1.4 someone else's attachment %%EOF"
    Attachment.objects.create(
        announcement=theirs,
        file=ContentFile(pdf, name="a.pdf"),
        original_name="他人附件.pdf",
        size=len(pdf),
        content_type="application/pdf",
    )
    own = Announcement.objects.create(
        institution=outsiders["qingpu unit staff"].institution,
        district=outsiders["qingpu unit staff"].institution.district,
        year=2019,
        title="青浦外单位自己的草稿",
        created_by=outsiders["qingpu unit staff"],
    )
    nested = {}
    for role in OWNERS:
        pages, forms = crawl(client_for(demo[role]), STARTS, max_pages=120, per_route=3)
        candidates = [(p.url, "get") for p in pages if p.status == 200]
        candidates += [(f.action, "post") for f in forms if f.method == "post"]
        for url, method in candidates:
            path = urlsplit(url).path
            if re.search(r"/console/notices/[0-9a-f]{32}/[a-z_]+/\d+/", path):
                nested.setdefault((route_of(path), method), (path, method))

    client = client_for(outsiders["qingpu unit staff"])
    answers = {}
    for path, method in nested.values():
        swapped = re.sub(r"[0-9a-f]{32}", own.public_id, path, count=1)
        response = client.get(swapped) if method == "get" else client.post(swapped)
        answers[f"{method.upper()} {swapped}"] = response.status_code

    assert answers, "no nested object URL was found"
    assert all(code == 404 for code in answers.values()), answers
