"""One anonymous visitor cannot block everyone's filtered downloads: a date the filter cannot use
is refused, a failed build never stays pending, and the caps hold per client and in total, even
for requests at once."""

import pytest
from django.db import connection
from django.tasks import task_backends
from django.test import Client
from django.urls import reverse

from accounts.network import address_key
from public import downloads, filtered
from public.filtered import FilteredDownloadsBusy
from public.models import FilteredDownload
from tests.public.conftest import make_notice

pytestmark = pytest.mark.django_db
URL = reverse("public:download_csv")
RECORDING = {"default": {"BACKEND": "django.tasks.backends.dummy.DummyBackend"}}


@pytest.fixture
def recorded(settings):
    settings.TASKS = RECORDING
    backend = task_backends["default"]
    backend.clear()
    return backend.results


def _from(address: str) -> Client:
    return Client(raise_request_exception=False, REMOTE_ADDR=address)


def test_a_download_filtered_to_9999_12_31_is_refused_and_records_nothing(world, recorded):
    response = _from("192.0.2.1").get(URL, {"date_to": "9999-12-31", "q": "k0"})

    assert response.status_code == 400
    assert FilteredDownload.objects.count() == 0 and recorded == []


def test_a_failed_build_is_not_kept_pending(world, monkeypatch):
    make_notice(institution=world.unit, title="物业公告")

    def crash(rows, out):
        raise OverflowError("date value out of range")

    monkeypatch.setitem(filtered.DOWNLOADS, "csv", type("Crashing", (), {"write": staticmethod(crash)}))
    response = _from("192.0.2.1").get(URL, {"q": "物业"})

    assert response.status_code == 202
    assert FilteredDownload.objects.count() == 0


def test_one_client_is_capped_and_others_still_get_their_files(world, recorded, settings):
    settings.FILTERED_XLSX_MAX_PENDING = 20
    settings.FILTERED_XLSX_MAX_PENDING_PER_CLIENT = 3
    attacker, visitor = _from("192.0.2.66"), _from("198.51.100.7")

    answers = [attacker.get(URL, {"q": f"k{i}"}).status_code for i in range(6)]
    theirs = visitor.get(URL, {"q": "物业"})

    assert answers == [202, 202, 202, 503, 503, 503]
    assert theirs.status_code == 202 and "正在生成" in theirs.content.decode()
    assert FilteredDownload.objects.filter(client="192.0.2.66").count() == 3


def test_one_client_asks_for_a_limited_number_of_new_files_an_hour(world, settings):
    settings.FILTERED_XLSX_MAX_PER_CLIENT_HOUR = 4
    make_notice(institution=world.unit, title="物业公告")
    client = _from("192.0.2.66")

    built = [client.get(URL, {"q": f"物业 {i}"}).status_code for i in range(6)]

    assert built == [200, 200, 200, 200, 503, 503]


def test_ipv6_clients_are_capped_per_64_network(world, recorded, settings):
    settings.FILTERED_XLSX_MAX_PENDING_PER_CLIENT = 2

    answers = [_from(f"2001:db8:1:2::{i:x}").get(URL, {"q": f"k{i}"}).status_code for i in range(1, 4)]

    assert answers == [202, 202, 503]
    assert address_key("2001:db8:1:2::ff") == "2001:db8:1:2::/64"
    assert address_key("::ffff:192.0.2.1") == "192.0.2.1"


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_thirty_requests_at_once_never_pass_the_total_cap(world, settings):
    from tests.concurrency import run_together

    if connection.vendor != "postgresql":
        pytest.skip("needs threads with their own connections")
    settings.TASKS = RECORDING
    settings.FILTERED_XLSX_MAX_PENDING = 20
    settings.FILTERED_XLSX_MAX_PENDING_PER_CLIENT = 100

    def request(i):
        return lambda: downloads.filtered_download_request(
            params={"q": f"k{i}"}, ext="csv", client=f"10.0.0.{i}"
        )

    results = run_together(*[request(i) for i in range(30)])

    assert sum(isinstance(r, FilteredDownloadsBusy) for r in results) == 10
    assert FilteredDownload.objects.filter(built_at=None).count() == 20
