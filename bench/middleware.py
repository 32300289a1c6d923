"""Server-side time and query count of every request, in response headers the load generator reads."""

import re
import time

from django.db import connection

SLOWEST_HEADER = "HTTP_X_BENCH_SLOWEST"


class ServerTimingMiddleware:
    """Adds ``Server-Timing: app;dur=<ms>, cpu;dur=<ms>, db;dur=<ms>``: the wall-clock time of the whole Django
    stack (this middleware outermost), the CPU time of the thread that answered (what remains without the
    waits for PostgreSQL and for a core) and the time spent in SQL statements; and ``X-Bench-Queries: <n>``,
    the number of SQL statements run on the default connection. A request with ``X-Bench-Slowest: 1`` also
    gets ``X-Bench-Slowest``: the slowest statement's time and the tables it reads (for the report)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        count, in_sql = 0, 0.0
        slowest = (0.0, "")
        keep = request.META.get(SLOWEST_HEADER) == "1"

        def counter(execute, sql, params, many, context):
            nonlocal count, in_sql, slowest
            count += 1
            began = time.perf_counter()
            try:
                return execute(sql, params, many, context)
            finally:
                spent = time.perf_counter() - began
                in_sql += spent
                if keep and spent > slowest[0]:
                    slowest = (spent, sql)

        started, cpu = time.perf_counter(), time.thread_time()
        with connection.execute_wrapper(counter):
            response = self.get_response(request)
        elapsed = (time.perf_counter() - started) * 1000
        cpu = (time.thread_time() - cpu) * 1000
        response["Server-Timing"] = f"app;dur={elapsed:.2f}, cpu;dur={cpu:.2f}, db;dur={in_sql * 1000:.2f}"
        response["X-Bench-Queries"] = str(count)
        if keep and slowest[1]:
            response["X-Bench-Slowest"] = f"{slowest[0] * 1000:.1f} {describe(slowest[1])}"
        return response


def describe(sql: str) -> str:
    """What a statement reads, short enough for a header: its tables and the shape of its query."""
    tables = list(dict.fromkeys(re.findall(r'(?:FROM|JOIN) "?(\w+)"?', sql)))
    shape = [
        word
        for word in ("EXISTS", "COUNT", "SUM", "DISTINCT", "GROUP BY", "ORDER BY", "LIMIT")
        if word in sql
    ]
    text = f"{sql.split(' ', 1)[0]} {', '.join(tables)}" + (f" ({', '.join(shape)})" if shape else "")
    return text.encode("ascii", "replace").decode()[:400]
