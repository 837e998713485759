"""Very long inputs, non-UTF-8 bytes and NUL characters in every form field and query parameter
give a validation error or are ignored: never a 500 (PostgreSQL refuses NUL in text, for one)."""

import re
from urllib.parse import quote_from_bytes, urlencode, urlsplit

import pytest

from .crawler import crawl, unique_forms

ROLES = ["demo-handler", "demo-admin", "demo-reviewer", "demo-finance", "demo-supervisor", None]
STARTS = ["/console/", "/console/notices/", "/console/staff/", "/console/oversight/", "/"]
BAD_VALUES = {
    "long": "长" * 20_000,
    "nul": "a\x00b",
    "control": "\x01\x02\x1b[31m\ufffe",
}


def _forms_by_role(demo, client_for):
    for role in ROLES:
        client = client_for(demo[role] if role else None)
        _, forms = crawl(client, STARTS, max_pages=80)
        yield role, client, [f for f in unique_forms(forms) if f.text_fields()]


@pytest.mark.django_db
def test_bad_text_in_every_form_field_never_gives_a_500(demo, client_for):
    failures, tried = [], 0
    for role, client, forms in _forms_by_role(demo, client_for):
        for form in forms:
            for label, value in BAD_VALUES.items():
                overrides = {name: value for name in form.text_fields() if "__prefix__" not in name}
                data = {k: v for k, v in form.data(overrides).items() if "__prefix__" not in k}
                response = (
                    client.get(form.action, data) if form.method == "get" else client.post(form.action, data)
                )
                tried += 1
                if response.status_code >= 500:
                    failures.append(f"{role} {form.method} {form.action} {label}: {response.status_code}")

    assert failures == [], "\n".join(failures)
    assert tried >= 30


@pytest.mark.django_db
def test_non_utf8_bytes_in_every_form_never_give_a_500(demo, client_for):
    failures = []
    for role, client, forms in _forms_by_role(demo, client_for):
        for form in forms:
            data = {k: v for k, v in form.data().items() if "__prefix__" not in k}
            body = urlencode(data, doseq=True)
            for name in form.text_fields():
                body += "&" + name + "=" + quote_from_bytes(b"\xff\xfe\xc3(\xa0\xa1\xe2\x28\xa1")
            if form.method == "get":
                response = client.get(f"{urlsplit(form.action).path}?{body}")
            else:
                response = client.generic(
                    "POST", form.action, body.encode(), content_type="application/x-www-form-urlencoded"
                )
            if response.status_code >= 500:
                failures.append(f"{role} {form.method} {form.action}: {response.status_code}")

    assert failures == [], "\n".join(failures)


NUL_MESSAGE = "提交的内容包含无效字符（NUL），请删除后重试。"


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("query", "status", "says"),
    [
        ("q=%FF%FE", 200, "没有符合条件的公告。"),
        ("q=%00", 400, NUL_MESSAGE),
        ("q=" + "%E9%95%BF" * 5000, 400, "最多填写100个字（您填写了5000个）。"),
        ("page=99999999999999999999", 200, "本页没有公告"),
        ("year=%00", 400, NUL_MESSAGE),
        ("q=%C0%AF..%C0%AF", 200, "没有符合条件的公告。"),
    ],
)
def test_public_list_with_bad_query_says_why_instead_of_a_500(demo, client_for, query, status, says):
    response = client_for(None).get(f"/notices/?{query}")

    assert response.status_code == status
    assert says in response.content.decode()


@pytest.mark.django_db
def test_public_list_ignores_a_page_number_that_is_not_one(demo, client_for):
    client = client_for(None)

    first_page = client.get("/notices/")
    bad_page = client.get("/notices/?page=%FF")

    assert bad_page.status_code == 200
    assert _notice_links(bad_page) == _notice_links(first_page) != []


def _notice_links(response) -> list[str]:
    return re.findall(r'href="(/notices/[0-9a-f]{32}/)"', response.content.decode())


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/notices/%FF%FE/", "/api/notices/%FF/", "/notices/" + "a" * 5000 + "/"])
def test_public_object_urls_with_bad_ids_answer_404(demo, client_for, path):
    response = client_for(None).get(path)

    assert response.status_code == 404
    if path.startswith("/api/"):
        assert response.json() == {"detail": "未找到。"}
    else:
        assert "页面不存在" in response.content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize("url", ["/notices/%00/", "/console/notices/%00/", "/notices/?q=a%00b"])
def test_nul_in_the_url_gets_the_400_page(demo, client_for, url):
    # PostgreSQL cannot compare text with NUL: config.middleware.RejectNulMiddleware answers first.
    response = client_for(demo["demo-handler"]).get(url)

    assert response.status_code == 400
    assert "请求无法处理" in response.content.decode()
    assert "无效字符" in response.content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize("url", ["/api/notices/%00/", "/api/notices/?q=a%00b"])
def test_nul_in_an_api_url_gets_a_json_400(demo, client_for, url):
    response = client_for(None).get(url)

    assert response.status_code == 400
    assert response["Content-Type"].startswith("application/json")
    assert "无效字符" in response.json()["errors"]["request"][0]
