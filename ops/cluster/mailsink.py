"""The rehearsal's mail server: an SMTP listener on 127.0.0.1 that writes each accepted message's
recipients to one JSON line in MAIL_LOG. Production sends through the bureau's SMTP server; here
the scenarios need to count what went out per address.

With a number in the file HANG_FILE, once that many messages were accepted it stops answering at
the next MAIL command (the sender hangs inside its send, where a scenario kills the worker); removing
the file lets the held senders and later connections through again. While a sender hangs, the
file HANGING exists.
"""

import json
import socketserver
import sys
import time
from pathlib import Path


class Server(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True


class Handler(socketserver.StreamRequestHandler):
    def reply(self, line: str) -> None:
        self.wfile.write(f"{line}\r\n".encode())

    def accepted(self) -> int:
        return sum(1 for _ in MAIL_LOG.open()) if MAIL_LOG.exists() else 0

    def hang_now(self) -> bool:
        try:
            return self.accepted() >= int(HANG_FILE.read_text().strip() or "0")
        except (FileNotFoundError, ValueError):
            return False

    def handle(self):
        recipients: list[str] = []
        self.reply("220 cluster-mailsink ESMTP")
        while line := self.rfile.readline():
            verb = line[:4].upper()
            if verb == b"MAIL" and self.hang_now():
                # Hold the connection open without answering until the hang file goes away;
                # HANGING tells a scenario that a sender is stuck here now.
                HANGING.touch()
                while HANG_FILE.exists():
                    time.sleep(0.05)
                # Released: the sender, if it still lives, goes on as if the server had been slow.
            if verb == b"RCPT":
                recipients.append(line.decode().split("<", 1)[1].split(">", 1)[0])
            if verb == b"DATA":
                self.reply("354 go on")
                while self.rfile.readline() not in (b".\r\n", b""):
                    pass
                with MAIL_LOG.open("a") as log:
                    log.write(json.dumps({"to": recipients, "at": time.time()}) + "\n")
                recipients = []
                self.reply("250 queued")
            elif verb == b"QUIT":
                self.reply("221 bye")
                return
            else:
                self.reply("250 ok")


if __name__ == "__main__":
    port, directory = int(sys.argv[1]), Path(sys.argv[2])
    directory.mkdir(parents=True, exist_ok=True)
    MAIL_LOG, HANG_FILE, HANGING = (
        directory / "accepted.jsonl",
        directory / "hang_after",
        directory / "hanging",
    )
    with Server(("127.0.0.1", port), Handler) as server:
        server.serve_forever()
