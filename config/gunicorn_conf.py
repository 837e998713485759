"""gunicorn's configuration file for `make serve` and the cluster rehearsal (`-c config/gunicorn_conf.py`).

It changes one thing: each answer's status line and headers leave in the same write as the first
bytes of its body. Why: nginx moves an idempotent request to the other app server when its own
dies before answering (proxy_next_upstream), but not once headers have reached the reader.
gunicorn writes the headers, then the body, in two sends; a server killed between them (another
thread may hold the GIL there for milliseconds) leaves nginx with headers and no body, and the
reader with a cut page — the cluster rehearsal saw one in a few thousand GETs. Sent together, a
killed server leaves nginx a whole answer or nothing, and nothing is retried on the other server.
"""

from gunicorn.http import wsgi


class WholeHeadResponse(wsgi.Response):
    """A gunicorn Response that holds its head until the first body bytes (or the end)."""

    _held_head: bytes | None = None

    def send_headers(self):
        if not self.headers_sent:
            self._held_head = self._written(super().send_headers)

    def _emit_body(self, data):
        self._send_with_head(super()._emit_body, data)

    def close(self):
        # An answer without body bytes (HEAD, 304, a redirect): the head, with the last chunk if
        # chunked, in one write.
        if not self.headers_sent:
            self.send_headers()
        self._send_with_head(super().close)

    def can_sendfile(self):
        # sendfile() writes the head itself, then the file by descriptor, past the held head. Files
        # go through _emit_body instead (nginx serves the large ones).
        return False

    def _send_with_head(self, write, *args):
        head, self._held_head = self._held_head, None
        if head is None:
            write(*args)
        else:
            self.sock.sendall(head + self._written(write, *args))

    def _written(self, write, *args) -> bytes:
        """What gunicorn's own `write(*args)` would send, built exactly as it builds it."""
        sock, parts = self.sock, []
        self.sock = _Recorder(parts)
        try:
            write(*args)
        finally:
            self.sock = sock
        return b"".join(parts)


class _Recorder:
    def __init__(self, parts: list[bytes]):
        self.parts = parts

    def sendall(self, data):
        self.parts.append(bytes(data))


# gunicorn builds each HTTP/1 answer with `wsgi.Response` (looked up when each request starts);
# HTTP/2 passes its own class and is unaffected.
wsgi.Response = WholeHeadResponse
