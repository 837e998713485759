"""The app servers' gunicorn answers (config/gunicorn_conf.py): each answer's head leaves in the same
send as its first body bytes, so an app server killed mid-answer leaves nginx a whole answer or
nothing (which nginx retries on the other server), and the bytes are exactly gunicorn's own."""

import pytest
from gunicorn.config import Config
from gunicorn.http.message import Request
from gunicorn.http.unreader import IterUnreader

from config import gunicorn_conf

STOCK_RESPONSE = gunicorn_conf.WholeHeadResponse.__mro__[1]


class Wire:
    """A socket that keeps each send apart."""

    def __init__(self):
        self.sends: list[bytes] = []

    def sendall(self, data):
        self.sends.append(bytes(data))


def answer(response_class, request_line: bytes, status: str, body: list[bytes]) -> list[bytes]:
    cfg = Config()
    request = Request(cfg, IterUnreader([request_line + b"Host: app\r\n\r\n"]), ("127.0.0.1", 1), 1)
    wire = Wire()
    response = response_class(request, wire, cfg)
    response.start_response(status, [("Content-Type", "text/plain")])
    for part in body:
        response.write(part)
    response.close()
    return wire.sends


@pytest.mark.parametrize(
    ("request_line", "status", "body"),
    [
        (b"GET /healthz HTTP/1.0\r\n", "200 OK", [b"ok"]),  # what nginx sends upstream
        (b"GET /feed HTTP/1.1\r\n", "200 OK", [b"<feed>", b"</feed>"]),  # chunked
        (b"GET /old HTTP/1.0\r\n", "302 Found", [b""]),  # a redirect: no body bytes
        (b"GET /empty HTTP/1.1\r\n", "200 OK", []),  # an empty iterable, chunked
        (b"HEAD / HTTP/1.1\r\n", "200 OK", [b"dropped"]),
    ],
)
def test_head_leaves_with_the_first_body_bytes_and_the_bytes_are_gunicorns(request_line, status, body):
    assert gunicorn_conf.wsgi.Response is gunicorn_conf.WholeHeadResponse  # what gunicorn builds

    held = answer(gunicorn_conf.WholeHeadResponse, request_line, status, body)
    stock = answer(STOCK_RESPONSE, request_line, status, body)

    strip_date = [line for line in b"".join(held).split(b"\r\n") if not line.startswith(b"Date:")]
    assert strip_date == [line for line in b"".join(stock).split(b"\r\n") if not line.startswith(b"Date:")]
    head, _, first_body = held[0].partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.")
    assert len(held) == max(1, len(stock) - 1)  # the head's own send is gone, nothing else changed
    if any(body) and not request_line.startswith(b"HEAD"):
        assert body[0] in first_body
