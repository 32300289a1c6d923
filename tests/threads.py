"""Run calls at the same instant, each in its own thread and database connection."""

import threading

from django.db import connections


def run_at_once(*calls, timeout: float = 60):
    """Return, for each call, ("ok", result) or ("error", exception); a barrier releases them together."""
    barrier = threading.Barrier(len(calls))
    results: list = [None] * len(calls)

    def worker(index, call):
        try:
            barrier.wait()
            results[index] = ("ok", call())
        except Exception as exc:  # the test inspects what each thread met
            results[index] = ("error", exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker, args=(i, c)) for i, c in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=timeout)
    return results
