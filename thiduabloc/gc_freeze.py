"""Keep the cyclic garbage collector's full collections short in a long-running server process.

A full collection (generation 2) walks every container object the process holds: with the app warm, some
140,000 of them, 76 ms on the slower 2-core development machine, and on the heavier pages it came about once in
20 requests; that request paid for it (the bench's p99). Most of those objects live as long as the process
(modules, models, URL patterns, compiled templates, translation catalogues), so once the app is warm they are
moved out of the collector's sight with ``gc.freeze()``: a full collection then walks only what requests left
behind (20,000 objects, 8 ms, measured in-process).

The freeze happens after the process has answered its first requests (the templates and caches of the pages
it served are built by then), and once more later for the pages asked less often. It runs when the response
has been sent (the WSGI ``close()``), after a full collection, so that the finished request's own cycles are
collected and not frozen.

At the first freeze the youngest generation's threshold is raised from Python's 700 allocations to
YOUNG_THRESHOLD. A page builds tens of thousands of short-lived containers (querysets, model instances,
template contexts): at 700, each request ran some seventy young collections. Paired in-process A/B on the bench
database, 300 requests a page after the freeze: p95 CPU 17.7 -> 16.3 ms on the secretary's dashboard,
16.3 -> 15.2 on the city overview, 9.2 -> 8.4 on the reviewer queue. The garbage that waits longer before a
young collection is at most that many objects, under a few MB.

Only the server's WSGI entry (thiduabloc/wsgi.py) is wrapped: the test client and management commands keep the
collector as Python sets it.
"""

import gc
import threading
from collections.abc import Iterable

from django.conf import settings

# The youngest generation's threshold once the process is warm (Python's default: 700); the older two keep
# theirs.
YOUNG_THRESHOLD = 10_000


def freeze() -> None:
    """Collect what is garbage now, then move every object left to the permanent generation; from then on,
    young collections only once YOUNG_THRESHOLD more objects are allocated than freed."""
    gc.collect()
    gc.freeze()
    young, middle, old = gc.get_threshold()
    gc.set_threshold(max(YOUNG_THRESHOLD, young), middle, old)


class _ThenFreeze:
    """The response of the request after which the process freezes: passed through, then the freeze on close."""

    def __init__(self, response: Iterable[bytes]):
        self.response = response

    def __iter__(self):
        return iter(self.response)

    def close(self) -> None:
        try:
            close = getattr(self.response, "close", None)
            if close is not None:
                close()
        finally:
            self.response = None
            freeze()


class FreezeWhenWarm:
    """A WSGI application that freezes the process's objects after its ``after``-th requests (e.g. 100, 1000).

    Counted per process (each gunicorn worker loads this module on its own); with several threads, the
    requests still running in the others at that moment are frozen too, which keeps their cycles in memory
    once: bounded by the number of freezes, not by the requests served."""

    def __init__(self, application, after: Iterable[int]):
        self.application = application
        self.pending = sorted({n for n in after if n > 0})
        self.served = 0
        self.lock = threading.Lock()

    def __call__(self, environ, start_response):
        response = self.application(environ, start_response)
        if not self.pending:
            return response
        with self.lock:
            self.served += 1
            due = bool(self.pending) and self.served >= self.pending[0]
            if due:
                self.pending.pop(0)
        return _ThenFreeze(response) if due else response


def wrap(application):
    """The server's application, freezing after settings.GC_FREEZE_AFTER_REQUESTS requests (none: unwrapped)."""
    after = settings.GC_FREEZE_AFTER_REQUESTS
    return FreezeWhenWarm(application, after) if after else application
