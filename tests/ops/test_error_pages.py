import logging

import pytest
from django.db import OperationalError
from django.template.loader import render_to_string
from django.test import Client


@pytest.fixture
def faults(settings, db):
    settings.ROOT_URLCONF = "tests.ops.urls_faults"
    settings.DEBUG = False
    return Client(raise_request_exception=False)


def test_404_page_in_site_style_and_chinese(client, db):
    response = client.get("/no-such-page/")

    html = response.content.decode()
    assert response.status_code == 404
    assert "页面不存在" in html
    assert 'class="site-header"' in html and "返回公告列表" in html


def test_403_page_in_site_style_and_chinese(faults):
    response = faults.get("/fault/forbidden/")

    assert response.status_code == 403
    assert "无权访问" in response.content.decode()


def test_500_page_hides_the_error_and_keeps_the_site_style(faults, caplog):
    with caplog.at_level(logging.ERROR, logger="django.request"):
        response = faults.get("/fault/boom/")

    html = response.content.decode()
    assert response.status_code == 500
    assert "服务器错误" in html and 'class="site-header"' in html
    assert "secret internal detail" not in html
    # The operator reads the cause in the log instead.
    (logged,) = [r for r in caplog.records if r.name == "django.request"]
    assert (logged.exc_info[0], str(logged.exc_info[1])) == (RuntimeError, "secret internal detail")


@pytest.fixture
def database_down(monkeypatch):
    # The connection check that tells an outage from a bad query: here it finds the server gone.
    monkeypatch.setattr("config.middleware._connections_down", lambda: True)


@pytest.mark.parametrize(
    ("url", "cause"),
    [
        ("/fault/db-down/", 'connection to server at "127.0.0.1", port 5432 failed: Connection refused'),
        ("/fault/db-interface/", "connection already closed"),
    ],
)
def test_database_error_gives_friendly_503_not_a_trace(faults, database_down, caplog, url, cause):
    with caplog.at_level(logging.WARNING, logger="config.middleware"):
        response = faults.get(url)

    html = response.content.decode()
    assert response.status_code == 503
    assert "服务暂时不可用" in html and "系统正在维护或暂时无法访问，请几分钟后再试。" in html
    assert cause not in html and "5432" not in html
    assert response["Retry-After"] == "30"
    assert [r.getMessage() for r in caplog.records if r.name == "config.middleware"] == [
        f"database unavailable: {cause}"
    ]


def test_operational_error_with_the_database_up_is_a_500_not_an_outage(faults):
    # e.g. SQLite's "LIKE or GLOB pattern too complex": a bug to fix, not a reason to say "come back later".
    response = faults.get("/fault/db-down/")

    assert response.status_code == 500
    assert "服务器错误" in response.content.decode()


def test_database_error_inside_middleware_gives_503(faults, world, database_down):
    # A signed-in visitor's session cannot be loaded: the failure happens before any view runs.
    faults.force_login(world.handler, backend="accounts.backends.ActiveStaffBackend")

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(
            "django.contrib.sessions.backends.db.SessionStore.load",
            lambda self: (_ for _ in ()).throw(OperationalError("server closed the connection")),
        )
        response = faults.get("/notices/")

    assert response.status_code == 503
    assert "服务暂时不可用" in response.content.decode()


@pytest.mark.parametrize("template", ["500.html", "503.html"])
def test_500_and_503_templates_render_without_request_or_database(template, django_assert_num_queries, db):
    with django_assert_num_queries(0):
        html = render_to_string(template)

    assert "site-footer" in html and "返回公告列表" in html


def test_410_template_says_withdrawn(rf, db):
    html = render_to_string("410.html", request=rf.get("/"))

    assert "已撤销" in html or "不再提供" in html


def test_csrf_failure_page_explains_in_chinese(db):
    client = Client(enforce_csrf_checks=True)

    response = client.post("/accounts/login/", {"username": "x", "password": "y"})

    assert response.status_code == 403
    assert "页面已过期" in response.content.decode()
