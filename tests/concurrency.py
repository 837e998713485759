"""Real concurrency for the PostgreSQL tests: each job in its own thread and connection."""

import threading

from django.db import connections


def run_together(*jobs):
    """Run each job in its own thread (own connection), released at the same instant.

    Returns each job's result, or the exception it raised, in order."""
    barrier = threading.Barrier(len(jobs))
    results = [None] * len(jobs)

    def runner(i, job):
        try:
            barrier.wait()
            results[i] = job()
        except Exception as exc:  # noqa: BLE001 - the outcome is what the tests compare
            results[i] = exc
        finally:
            connections.close_all()

    threads = [threading.Thread(target=runner, args=(i, job)) for i, job in enumerate(jobs)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    return results
