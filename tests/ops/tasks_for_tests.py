"""A task for the queue's own failure tests: it notes each run in a file."""

import time

from django.tasks import task


@task
def record_run(*, path: str, slow_first: bool = False) -> int:
    with open(path, "a") as handle:
        handle.write("run\n")
    with open(path) as handle:
        runs = handle.read().count("run")
    if slow_first and runs == 1:
        time.sleep(120)  # the first run is killed here
    return runs
