"""The SMS backends: the console one keeps what it sends; the Alibaba Cloud adapter is checked
against a local fake provider that verifies the signature as the real API does."""

import json
import threading
import urllib.parse
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest

from accounts import sms
from accounts.models import OutboxMessage
from accounts.outbox import sms_code_queue

SECRET = "test-secret-not-real"


class FakeAliyun(BaseHTTPRequestHandler):
    answer = {"Code": "OK", "Message": "OK", "RequestId": "req-1", "BizId": "biz-1"}
    status = 200
    received: list = []

    def do_GET(self):
        params = dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(self.path).query))
        signature = params.pop("Signature", "")
        FakeAliyun.received.append(params)
        if signature != sms.aliyun_signature(params, SECRET):
            body, status = {"Code": "SignatureDoesNotMatch", "Message": "bad signature"}, 400
        else:
            body, status = FakeAliyun.answer, FakeAliyun.status
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args):
        pass


@pytest.fixture
def provider(settings):
    server = HTTPServer(("127.0.0.1", 0), FakeAliyun)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    FakeAliyun.received = []
    FakeAliyun.answer = {"Code": "OK", "Message": "OK", "RequestId": "req-1"}
    FakeAliyun.status = 200
    settings.SMS_URL = f"http://127.0.0.1:{server.server_port}/"
    settings.SMS_ACCESS_KEY_ID = "test-key"
    settings.SMS_ACCESS_KEY_SECRET = SECRET
    settings.SMS_SIGN_NAME = "中小企业预留公告"
    settings.SMS_TEMPLATE_CODE = "SMS_0001"
    settings.SMS_TIMEOUT = 2
    yield FakeAliyun
    server.shutdown()
    server.server_close()


def test_console_backend_is_the_default_and_keeps_the_message(
    db, settings, caplog, django_capture_on_commit_callbacks
):
    settings.SMS_URL = ""
    sms.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        sms_code_queue(phone="13812345678", code="123456", minutes=10)

    assert isinstance(sms.get_backend(), sms.ConsoleBackend)
    assert [(m.phone, m.code) for m in sms.outbox] == [("13812345678", "123456")]
    assert "[SMS to 13812345678] 您的验证码为123456，10分钟内有效" in caplog.text
    sent = OutboxMessage.objects.get()
    assert (sent.state, sent.body) == (OutboxMessage.State.SENT, "")  # the plain code is gone once sent


def test_the_code_never_sits_in_the_task_table(db, settings, django_capture_on_commit_callbacks):
    from django.tasks import task_backends

    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.dummy.DummyBackend"}}
    queued = task_backends["default"].results
    queued.clear()
    with django_capture_on_commit_callbacks(execute=True):
        waiting = sms_code_queue(phone="13812345678", code="246810", minutes=10)

    assert [r.kwargs for r in queued] == [{"message_id": waiting.pk}]
    assert "246810" not in str(queued[0].args) + str(queued[0].kwargs)


def test_sms_url_selects_the_provider_adapter_which_signs_the_request(
    db, provider, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        sms_code_queue(phone="13812345678", code="654321", minutes=10)

    assert isinstance(sms.get_backend(), sms.AliyunBackend)
    [params] = provider.received
    assert (params["Action"], params["PhoneNumbers"], params["TemplateCode"], params["SignName"]) == (
        "SendSms",
        "13812345678",
        "SMS_0001",
        "中小企业预留公告",
    )
    assert json.loads(params["TemplateParam"]) == {"code": "654321"}


def test_provider_refusal_raises(provider):
    provider.answer = {"Code": "isv.BUSINESS_LIMIT_CONTROL", "Message": "limit"}

    with pytest.raises(sms.SmsError, match="BUSINESS_LIMIT_CONTROL"):
        sms.get_backend().send_code(phone="13812345678", code="111111", minutes=10)


def test_wrong_secret_is_refused_by_the_provider(provider, settings):
    settings.SMS_ACCESS_KEY_SECRET = "another-secret"

    with pytest.raises(sms.SmsError, match="HTTP 400"):
        sms.get_backend().send_code(phone="13812345678", code="111111", minutes=10)


def test_unreachable_provider_raises(settings):
    settings.SMS_URL = "http://127.0.0.1:6399/"  # nothing listens there
    settings.SMS_TIMEOUT = 1

    with pytest.raises(sms.SmsError, match="unreachable"):
        sms.get_backend().send_code(phone="13812345678", code="111111", minutes=10)


def test_signature_matches_alibaba_documented_example():
    # The example of Alibaba Cloud's RPC signature documentation (v1, HMAC-SHA1, secret "testsecret").
    params = {
        "AccessKeyId": "testid",
        "Action": "DescribeRegions",
        "Format": "XML",
        "SignatureMethod": "HMAC-SHA1",
        "SignatureNonce": "3ee8c1b8-83d3-44af-a94f-4e0ad82fd6cf",
        "SignatureVersion": "1.0",
        "Timestamp": "2016-02-23T12:46:24Z",
        "Version": "2014-05-26",
    }

    assert sms.aliyun_signature(params, "testsecret") == "OLeaidS1JvxuMvnyHOwuJ+uX5qY="
