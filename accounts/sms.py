"""Text messages (短信) with a pluggable backend, chosen by settings.

- `ConsoleBackend` (the default: `make run` and tests): writes the message to the log and keeps
  the last ones in `outbox`, so a developer reads the code in the `make run` terminal and a test
  reads it from `sms.outbox`.
- `AliyunBackend`: Alibaba Cloud's SMS API (dysmsapi `SendSms`, RPC signature v1, HMAC-SHA1),
  selected when `SMS_URL` is set. The key and secret come from the environment only.

Codes are sent by the outbox's one send task `accounts.tasks.outbox_send_task` (queued by
`accounts.outbox.sms_code_queue`, the code waiting in its `OutboxMessage` row, never in the
task's arguments), never inside a request: a slow or failing provider does not hold up a page,
and a refusal is retried like any mail, then recorded on the row and the task.
"""

import base64
import hashlib
import hmac
import json
import logging
import urllib.error
import urllib.parse
import urllib.request
import uuid
from collections import deque
from dataclasses import dataclass
from datetime import UTC, datetime

from django.conf import settings
from django.utils import translation
from django.utils.module_loading import import_string
from django.utils.translation import gettext

logger = logging.getLogger("accounts.sms")

# What the console backend has sent, newest last (tests read it; bounded for `make run`).
outbox: deque = deque(maxlen=100)


class SmsError(Exception):
    """The provider did not accept the message."""


@dataclass(frozen=True)
class SmsMessage:
    phone: str
    code: str
    text: str


def code_text(code: str, minutes: int) -> str:
    with translation.override(settings.LANGUAGE_CODE):
        return gettext(
            "Your verification code is %(code)s, valid for %(minutes)d minutes. Do not tell it to anyone."
        ) % {"code": code, "minutes": minutes}


class BaseBackend:
    def send_code(self, *, phone: str, code: str, minutes: int) -> None:
        raise NotImplementedError


class ConsoleBackend(BaseBackend):
    def send_code(self, *, phone: str, code: str, minutes: int) -> None:
        message = SmsMessage(phone=phone, code=code, text=code_text(code, minutes))
        outbox.append(message)
        # WARNING, so that the code shows in the `make run` terminal at the default log level.
        logger.warning("[SMS to %s] %s", phone, message.text)


def _percent(value: str) -> str:
    # Alibaba's "percentEncode": RFC 3986 unreserved characters stay, the space is %20.
    return urllib.parse.quote(value, safe="-_.~")


def aliyun_signature(params: dict[str, str], secret: str, method: str = "GET") -> str:
    """The RPC signature (v1) of Alibaba Cloud's APIs over the sorted, percent-encoded parameters."""
    canonical = "&".join(f"{_percent(k)}={_percent(v)}" for k, v in sorted(params.items()))
    to_sign = f"{method}&{_percent('/')}&{_percent(canonical)}"
    digest = hmac.new(f"{secret}&".encode(), to_sign.encode(), hashlib.sha1).digest()
    return base64.b64encode(digest).decode()


class AliyunBackend(BaseBackend):
    """dysmsapi SendSms: a template (SMS_TEMPLATE_CODE) with a `code` parameter and a signature
    name (SMS_SIGN_NAME) approved at the provider."""

    def __init__(self):
        self.url = settings.SMS_URL
        self.key_id = settings.SMS_ACCESS_KEY_ID
        self.secret = settings.SMS_ACCESS_KEY_SECRET
        self.sign_name = settings.SMS_SIGN_NAME
        self.template = settings.SMS_TEMPLATE_CODE
        self.timeout = settings.SMS_TIMEOUT

    def send_code(self, *, phone: str, code: str, minutes: int) -> None:
        params = {
            "AccessKeyId": self.key_id,
            "Action": "SendSms",
            "Format": "JSON",
            "PhoneNumbers": phone,
            "RegionId": "cn-hangzhou",
            "SignName": self.sign_name,
            "SignatureMethod": "HMAC-SHA1",
            "SignatureNonce": uuid.uuid4().hex,
            "SignatureVersion": "1.0",
            "TemplateCode": self.template,
            "TemplateParam": json.dumps({"code": code}),
            "Timestamp": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
            "Version": "2017-05-25",
        }
        params["Signature"] = aliyun_signature(params, self.secret)
        url = f"{self.url.rstrip('/')}/?{urllib.parse.urlencode(params, quote_via=urllib.parse.quote)}"
        try:
            with urllib.request.urlopen(url, timeout=self.timeout) as response:  # noqa: S310 (URL from settings)
                body = json.loads(response.read().decode("utf-8"))
        except urllib.error.HTTPError as error:
            raise SmsError(f"SMS provider answered HTTP {error.code}") from error
        except (OSError, ValueError) as error:
            raise SmsError(f"SMS provider unreachable or unreadable: {error}") from error
        if body.get("Code") != "OK":
            raise SmsError(f"SMS provider refused: {body.get('Code')} {body.get('Message')}")
        logger.info("SMS sent to %s (request %s)", phone[:3] + "****" + phone[-4:], body.get("RequestId"))


def get_backend() -> BaseBackend:
    """SMS_BACKEND names a class explicitly; otherwise SMS_URL selects the provider adapter."""
    path = getattr(settings, "SMS_BACKEND", "")
    if path:
        return import_string(path)()
    if getattr(settings, "SMS_URL", ""):
        return AliyunBackend()
    return ConsoleBackend()
