import os
from types import SimpleNamespace

import pytest

from accounts.enums import InstitutionKind, Position
from tests import factories

# Playwright's sync API runs an event loop in the test thread; ORM calls in tests need this.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    # Debian's Chromium; never a downloaded browser (no internet here).
    return {
        **browser_type_launch_args,
        "executable_path": "/usr/bin/chromium",
        "args": [
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
            "--disable-quic",
        ],
    }


@pytest.fixture(autouse=True)
def _own_media(settings, tmp_path):
    # Bulk files (public.bulk: a manifest and its files) and uploads of one test never reach
    # another: a stale manifest would serve an earlier test's rows.
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture(autouse=True)
def _fresh_memos():
    # Every per-process memo (page shells, near copies of cached pages, the publication version,
    # view windows and totals) and the test cache (local memory, so per process too) start empty:
    # no test reads what an earlier one left behind. A publication inside a test's transaction
    # bumps no version (on_commit never runs), so a page cached by the previous test would match.
    from django.core.cache import cache

    from accounts.memos import forget_all

    forget_all()
    cache.clear()
    yield
    forget_all()
    cache.clear()


@pytest.fixture
def world(db):
    """One budget unit in 普陀区 with a user per position, its finance bureau, another 普陀区 unit,
    an outsider unit and finance bureau in 青浦区, and the municipal supervision."""
    F = factories
    unit = F.institution(name="上海市普陀区测试街道社区服务中心", district_code="310107")
    other_unit = F.institution(name="上海市普陀区另一单位", district_code="310107")
    outsider = F.institution(name="上海市青浦区外单位", district_code="310118")
    putuo_finance = F.institution(
        name="普陀区财政局", district_code="310107", kind=InstitutionKind.FINANCE_BUREAU
    )
    qingpu_finance = F.institution(
        name="青浦区财政局", district_code="310118", kind=InstitutionKind.FINANCE_BUREAU
    )
    supervision = F.institution(name="市监督局", district_code="319900", kind=InstitutionKind.SUPERVISION)
    return SimpleNamespace(
        unit=unit,
        other_unit=other_unit,
        outsider=outsider,
        putuo_finance=putuo_finance,
        qingpu_finance=qingpu_finance,
        supervision=supervision,
        admin=F.user(institution=unit, positions=[Position.INSTITUTION_ADMIN], full_name="管理员甲"),
        handler=F.user(institution=unit, positions=[Position.HANDLER], full_name="经办人甲"),
        handler2=F.user(institution=unit, positions=[Position.HANDLER], full_name="经办人乙"),
        reviewer=F.user(institution=unit, positions=[Position.PURCHASER_REVIEWER], full_name="审核人甲"),
        other_handler=F.user(institution=other_unit, positions=[Position.HANDLER], full_name="他单位经办"),
        outsider_admin=F.user(
            institution=outsider, positions=[Position.INSTITUTION_ADMIN], full_name="外单位管理员"
        ),
        outsider_handler=F.user(institution=outsider, positions=[Position.HANDLER], full_name="外单位经办"),
        finance=F.user(institution=putuo_finance, positions=[Position.FINANCE_REVIEWER], full_name="财政甲"),
        qp_finance=F.user(
            institution=qingpu_finance, positions=[Position.FINANCE_REVIEWER], full_name="青浦财政"
        ),
        supervisor=F.user(institution=supervision, positions=[Position.SUPERVISOR], full_name="监督甲"),
    )


@pytest.fixture
def login(client):
    """Sign a user in on the test client and return the client."""

    def _login(user):
        client.force_login(user, backend="accounts.backends.ActiveStaffBackend")
        return client

    return _login


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup):
    """Make the data that serialized_rollback restores (districts, position groups) visible in
    every context. Playwright's sync API runs the test body in another context, where
    `django.db.connections` hands out a fresh connection object without
    `_test_serialized_contents`; a transactional browser test after a plain test then found an
    empty district table. Kept on the wrapper class, every connection object sees it."""
    from django.db import connections

    for alias in connections:
        contents = getattr(connections[alias], "_test_serialized_contents", None)
        if contents is not None:
            type(connections[alias])._test_serialized_contents = contents
    yield


def _is_transactional(item) -> bool:
    mark = item.get_closest_marker("django_db")
    return bool(mark and mark.kwargs.get("transaction")) or bool(
        {"transactional_db", "live_server"} & set(getattr(item, "fixturenames", ()))
    )


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_teardown(item, nextitem):
    """Put back what migrations loaded (districts, positions, content types) once a transactional
    test has emptied the database. Run alone, pytest-django orders those tests last, so nothing
    notices; under pytest-xdist each worker runs whole files in turn and the next file's plain
    tests would find no districts."""
    yield
    if nextitem is None or not _is_transactional(item):
        return
    from django.db import connections
    from pytest_django.plugin import blocking_manager_key

    with item.config.stash[blocking_manager_key].unblock():
        for alias in connections:
            contents = getattr(connections[alias], "_test_serialized_contents", None)
            if contents:
                connections[alias].creation.deserialize_db_from_string(contents)


def pytest_collection_modifyitems(items):
    # A transactional test empties the database afterwards; without serialized_rollback the
    # districts and positions that migrations load are gone for every test after it, and the
    # next serialized test collides with the content types that post_migrate recreated.
    careless = [
        item.nodeid
        for item in items
        if (mark := item.get_closest_marker("django_db"))
        and mark.kwargs.get("transaction")
        and not mark.kwargs.get("serialized_rollback")
    ]
    if careless:
        raise pytest.UsageError("transaction=True needs serialized_rollback=True: " + ", ".join(careless))
