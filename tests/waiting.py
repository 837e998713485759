"""Waiting on something another thread or process does: poll a condition until it holds or a
deadline passes. A test never sleeps a fixed time, which is either too short on a busy machine
(a flaky failure) or too long everywhere else (a slow suite)."""

import time
from collections.abc import Callable


def wait_until[T](
    predicate: Callable[[], T],
    *,
    timeout: float,
    interval: float = 0.05,
    message: str = "",
    ignore: tuple[type[BaseException], ...] = (),
) -> T:
    """Call `predicate` until it returns something truthy and return that; fail the test with
    `message` once `timeout` seconds have passed. Exceptions in `ignore` (a server not yet
    listening: OSError) count as "not yet"."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            result = predicate()
        except ignore:
            result = None
        if result:
            return result
        if time.monotonic() >= deadline:
            raise AssertionError(message or f"condition not met within {timeout} s")
        # The one pause in the suite: between two looks at a condition, never instead of one.
        time.sleep(interval)
