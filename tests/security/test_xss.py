"""Stored and reflected XSS: a payload in every text field of every form the crawler finds comes
out escaped on every page, export, feed and API response (whatever pages and forms exist)."""

import io
import json
import re
import xml.etree.ElementTree as ET
from urllib.parse import urlsplit

import openpyxl
import pytest
from django.core.cache import cache
from django.db.models import Q

from accounts.models import User
from announcements import workflow
from announcements.enums import State
from announcements.models import Announcement

from .conftest import DEMO_ROLES
from .crawler import Form, crawl, refreshed, unique_forms

MARK = "xssmark"
# Breaks out of attributes and text alike; one number per injection so a leak names its field.
PAYLOAD = (
    '"\'><script>alert("{mark}{n}")</script><img src=x onerror=alert({n})>'
    '<a href="javascript:alert({n})">x</a>'
)
# Shorter payloads for fields with a small maxlength (names, departments), so they are stored too.
SHORT_PAYLOADS = ['"><img src=x onerror=alert({n})>{mark}{n}', "<script>alert({n})</script>{mark}{n}"]


def payload_for(form: Form, name: str, n: int) -> str:
    limits = [f.maxlength for f in form.fields if f.name == name and f.maxlength]
    for template in [PAYLOAD, *SHORT_PAYLOADS]:
        value = template.format(mark=MARK, n=n)
        if not limits or len(value) <= limits[0]:
            return value
    return value


# Only the live forms: the escaped payload (&lt;img src=x onerror=…) still contains the words.
LEAKS = [re.compile(p, re.I) for p in (r"<script>alert\(", r"<img [^>]*onerror", r'href="javascript:alert')]
HTML_IN_XML = {"description", "encoded", "summary", "content"}  # elements feed readers render as HTML
ROLE_ORDER = [
    "demo-handler",
    "demo-admin",
    "demo-reviewer",
    "demo-finance",
    "demo-supervisor",
    "demo-qp-finance",
]
STARTS = ["/console/", "/console/notices/", "/console/staff/", "/console/oversight/", "/"]
PUBLIC_EXTRA = [
    "/notices/feed/",
    "/api/notices/",
    "/api/ocds/releases/",
    "/notices/download/rows.csv",
    "/notices/download/rows.xlsx",
    "/sitemap.xml",
]


def _field_key(name: str) -> str:
    # rows-3-name and rows-0-name are one field of a formset: inject into one row only.
    return re.sub(r"-\d+-", "-N-", name)


def _submit(client, form: Form, overrides: dict):
    data = {k: v for k, v in form.data(overrides).items() if "__prefix__" not in k}
    if form.method == "get":
        return client.get(form.action, data)
    return client.post(form.action, data)


def _leaks(url: str, content_type: str, body: bytes) -> list[str]:
    if "spreadsheetml" in content_type:
        # In a workbook the danger is a formula, not markup: every payload must stay text.
        workbook = openpyxl.load_workbook(io.BytesIO(body))
        return [
            f"{url} {sheet.title}!{cell.coordinate}: formula"
            for sheet in workbook.worksheets
            for row in sheet.iter_rows()
            for cell in row
            if cell.data_type == "f" and MARK in str(cell.value)
        ]
    text = body.decode("utf-8", "replace")
    if "html" in content_type:
        return [f"{url}: {p.pattern}" for p in LEAKS if p.search(text)]
    if "xml" in content_type:
        found = []
        try:
            root = ET.fromstring(body)
        except ET.ParseError as exc:
            return [f"{url}: not well-formed XML ({exc})"]
        for element in root.iter():
            local = element.tag.rsplit("}", 1)[-1]
            if local in HTML_IN_XML and element.text:
                found += [f"{url} <{local}>: {p.pattern}" for p in LEAKS if p.search(element.text)]
        return found
    if "json" in content_type:
        json.loads(text)  # well-formed: the payload is inside strings
        return []
    return []


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_xss_payload_in_every_text_field_comes_out_escaped_everywhere(demo, client_for):
    injected, responses, problems, n = {}, [], [], 0

    def check(url, response):
        body = b"".join(response.streaming_content) if response.streaming else response.content
        content_type = response.get("Content-Type", "")
        responses.append(url)
        if response.status_code >= 500:
            problems.append(f"{url}: {response.status_code}")
        problems.extend(_leaks(url, content_type, body))
        if "html" in content_type:
            assert response.get("X-Content-Type-Options") == "nosniff"

    # 1. Every form of every role, a payload in each text field (alone), then in all at once.
    for role in ROLE_ORDER:
        client = client_for(demo[role])
        _, forms = crawl(client, STARTS, max_pages=80)
        for form in unique_forms(forms):
            keys = {}
            for name in form.text_fields():
                if "__prefix__" not in name:
                    keys.setdefault(_field_key(name), name)
            for name in keys.values():
                n += 1
                injected[n] = f"{role} {form.method.upper()} {urlsplit(form.action).path} {name}"
                check(
                    form.action,
                    _submit(client, refreshed(client, form), {name: payload_for(form, name, n)}),
                )
            if len(keys) > 1:
                n += 1
                injected[n] = f"{role} {form.method.upper()} {urlsplit(form.action).path} (all fields)"
                overrides = {name: payload_for(form, name, n) for name in keys.values()}
                check(form.action, _submit(client, refreshed(client, form), overrides))

    # 2. Notices that now carry a payload go through the workflow, so the public site shows them.
    users = {u: demo[u] for u in ("demo-handler", "demo-reviewer", "demo-finance")}
    steps = [
        ("submit", "demo-handler"),
        ("purchaser_approve", "demo-reviewer"),
        ("finance_approve", "demo-finance"),
    ]
    for notice in Announcement.objects.filter(
        state=State.DRAFT, institution=users["demo-handler"].institution
    ):
        for action, who in steps:
            try:
                workflow.apply_action(announcement=notice, action=action, actor=users[who])
            except workflow.WorkflowError:
                break
            notice.refresh_from_db()
    cache.clear()
    marked = Announcement.objects.filter(
        Q(title__contains=MARK)
        | Q(body_html__contains=MARK)
        | Q(report__rows__name__contains=MARK)
        | Q(flow_log__reason__contains=MARK)
    ).distinct()
    object_urls = [
        url
        for public_id in marked.values_list("public_id", flat=True)
        for url in (
            f"/notices/{public_id}/",
            f"/api/notices/{public_id}/",
            f"/console/notices/{public_id}/",
            f"/console/notices/{public_id}/log/",
        )
    ]

    object_urls += [
        f"/console/staff/{pk}/"
        for pk in User.objects.filter(
            Q(full_name__contains=MARK) | Q(title__contains=MARK) | Q(department__name__contains=MARK)
        ).values_list("pk", flat=True)
    ]

    # 3. Every page again, as every role and as the public, plus the feeds, API and exports.
    stored, public_pages = set(), 0
    for role in [*DEMO_ROLES, None]:
        client = client_for(demo[role] if role else None)
        pages, _ = crawl(client, object_urls + STARTS + PUBLIC_EXTRA, max_pages=250, per_route=4)
        for page in pages:
            if page.status >= 500:
                problems.append(f"{role} {page.url}: {page.status}")
            problems.extend(_leaks(page.url, page.content_type, page.body))
            shown = {int(m) for m in re.findall(rf"{MARK}(\d+)", page.body.decode("utf-8", "replace"))}
            stored |= shown
            public_pages += bool(shown) and role is None
    check("/notices/?q=payload", client_for(None).get("/notices/", {"q": PAYLOAD.format(mark=MARK, n=0)}))

    print(f"XSS: {n} injections, {len(stored)} shown back escaped, {public_pages} public responses carry one")
    assert sorted(set(problems)) == [], "\n".join(sorted(set(problems))[:40])
    assert n >= 10, "too few text fields found: the crawler saw almost no forms"
    # The payloads were stored and shown (escaped), not just refused everywhere; some reach the public.
    assert len(stored - {0}) >= 5, sorted(injected[i] for i in stored if i in injected)
    assert public_pages >= 1
