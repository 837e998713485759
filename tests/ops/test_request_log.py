import json
import logging
from types import SimpleNamespace

from config.log import JsonFormatter, RequestIdFilter


def _access_records(caplog):
    return [r for r in caplog.records if r.name == "config.request"]


def test_request_gets_an_id_echoed_in_the_response(client, db):
    response = client.get("/healthz")

    assert len(response["X-Request-ID"]) == 32


def test_request_keeps_a_sane_id_from_the_proxy_and_drops_a_forged_one(client, db):
    kept = client.get("/healthz", headers={"X-Request-ID": "lb-1234.abc"})
    dropped = client.get("/healthz", headers={"X-Request-ID": 'x"\n{"level": "ERROR"}'})

    assert kept["X-Request-ID"] == "lb-1234.abc"
    assert "\n" not in dropped["X-Request-ID"] and len(dropped["X-Request-ID"]) == 32


def test_access_log_has_one_record_per_request_with_status_duration_and_user(
    login, world, caplog, monkeypatch
):
    client = login(world.handler)
    # The middleware's clock reads 100 s when the request arrives and 101.2345 s when it is answered.
    readings = iter([100.0, 101.2345])
    monkeypatch.setattr("config.middleware.time", SimpleNamespace(perf_counter=lambda: next(readings)))
    with caplog.at_level(logging.INFO, logger="config.request"):
        response = client.get("/console/")

    (record,) = _access_records(caplog)
    assert (record.status, record.method, record.path) == (200, "GET", "/console/")
    assert response.status_code == 200
    assert record.user_id == world.handler.pk
    assert record.duration_ms == 1234.5
    assert record.request_id == response["X-Request-ID"]


def test_access_log_anonymous_request_has_no_user(client, db, caplog):
    with caplog.at_level(logging.INFO, logger="config.request"):
        client.get("/no-such-page/")

    (record,) = _access_records(caplog)
    assert (record.status, record.user_id) == (404, None)


def test_json_formatter_writes_one_line_with_request_fields():
    record = logging.makeLogRecord(
        {
            "name": "config.request",
            "levelname": "INFO",
            "levelno": 20,
            "msg": "GET /a\nforged line",
            "status": 200,
            "duration_ms": 1.5,
            "user_id": 7,
        }
    )
    RequestIdFilter().filter(record)

    line = JsonFormatter().format(record)

    assert "\n" not in line
    entry = json.loads(line)
    assert entry["message"] == "GET /a\nforged line"
    assert (entry["status"], entry["user_id"], entry["duration_ms"], entry["request_id"]) == (
        200,
        7,
        1.5,
        "-",
    )
    assert entry["level"] == "INFO" and entry["time"].endswith("+00:00")


def test_json_formatter_includes_exception_text():
    try:
        raise ValueError("bad thing")
    except ValueError:
        import sys

        record = logging.makeLogRecord({"msg": "failed", "exc_info": sys.exc_info(), "levelname": "ERROR"})

    entry = json.loads(JsonFormatter().format(record))

    assert "ValueError: bad thing" in entry["exception"]
