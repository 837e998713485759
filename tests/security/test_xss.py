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

from announcements import workflow
from announcements.enums import State
from announcements.models import Announcement

from .conftest import DEMO_ROLES
from .crawler import Form, crawl, unique_forms

MARK = "xssmark"
# Breaks out of attributes and text alike; one number per injection so a leak names its field.
PAYLOAD = (
    '"\'><script>alert("{mark}{n}")</script><img src=x onerror=alert({n})>'
    '<a href="javascript:alert({n})">x</a>'
)
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


@pytest.mark.django_db(transaction=True)
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
                check(form.action, _submit(client, form, {name: PAYLOAD.format(mark=MARK, n=n)}))
            if len(keys) > 1:
                n += 1
                injected[n] = f"{role} {form.method.upper()} {urlsplit(form.action).path} (all fields)"
                overrides = {name: PAYLOAD.format(mark=MARK, n=n) for name in keys.values()}
                check(form.action, _submit(client, form, overrides))

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

    # 3. Every page again, as every role and as the public, plus the feeds, API and exports.
    for role in [*DEMO_ROLES, None]:
        client = client_for(demo[role] if role else None)
        pages, _ = crawl(client, STARTS + PUBLIC_EXTRA, max_pages=200, per_route=4)
        for page in pages:
            if page.status >= 500:
                problems.append(f"{role} {page.url}: {page.status}")
            problems.extend(_leaks(page.url, page.content_type, page.body))
        anon = client_for(None)
        check("/notices/?q=payload", anon.get("/notices/", {"q": PAYLOAD.format(mark=MARK, n=0)}))

    stored = set()
    for role in [*DEMO_ROLES, None]:
        client = client_for(demo[role] if role else None)
        pages, _ = crawl(client, STARTS + PUBLIC_EXTRA, max_pages=200, per_route=4)
        for page in pages:
            stored |= {int(m) for m in re.findall(rf"{MARK}(\d+)", page.body.decode("utf-8", "replace"))}
    print(f"XSS: {n} injections, {len(responses)} form responses, {len(stored)} payloads shown escaped")
    assert sorted(set(problems)) == [], "\n".join(sorted(set(problems))[:40])
    assert n >= 10, "too few text fields found: the crawler saw almost no forms"
    # The payloads were stored and shown (escaped), not just refused everywhere.
    assert len(stored - {0}) >= 5, sorted(injected[i] for i in stored if i in injected)
