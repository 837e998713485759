"""Django's PostgreSQL backend with a health check that costs no round trip while the
connection is quiet.

Django's CONN_HEALTH_CHECKS sends `SELECT 1` before the first query of every request that
reuses a connection: on a public page of one query that is a second round trip to the server,
as much again as the page's own SQL. Here the check first asks the socket, without sending
anything, whether the server has said something since the last request. An idle connection in
good health has nothing to read; one that the server closed (a restart, pg_terminate_backend, a
failover, a proxy cutting it) is readable (its "terminating connection" message, or end of
file), and only then does the real `SELECT 1` run and the broken connection get replaced. A
peer that vanished without a word (a network cut) is what the TCP keepalives in settings.py
find. So the connection stays as honest as with Django's check, at the price of one poll().
"""

import select

from django.db.backends.postgresql import base


class DatabaseWrapper(base.DatabaseWrapper):
    def close_if_health_check_failed(self):
        if self.connection is None or not self.health_check_enabled or self.health_check_done:
            return
        if self.pool:  # the pool only hands out healthy connections
            return
        if self._server_spoke_while_idle() and not self.is_usable():
            self.close()
        self.health_check_done = True

    def _server_spoke_while_idle(self) -> bool:
        try:
            poller = select.poll()
            poller.register(self.connection.fileno(), select.POLLIN | select.POLLPRI)
            return bool(poller.poll(0))
        except (OSError, ValueError, base.Database.Error):  # no usable socket: check for real
            return True
