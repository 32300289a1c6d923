"""The load generator: threads on 127.0.0.1, each with one keep-alive connection, asking one page in a loop.

The server's own time comes from the Server-Timing header that bench.middleware adds (the whole Django stack),
the number of SQL queries from X-Bench-Queries; requests per second are counted on the client over the window.
"""

import dataclasses
import http.client
import math
import re
import threading
import time

HOST = "127.0.0.1"
TIMEOUT = 60
_TIMING = re.compile(r"app;dur=([\d.]+)")
_CPU = re.compile(r"cpu;dur=([\d.]+)")
_DB = re.compile(r"db;dur=([\d.]+)")


@dataclasses.dataclass
class Sample:
    status: int
    client_ms: float
    server_ms: float | None
    queries: int | None
    size: int
    cpu_ms: float | None = None
    db_ms: float | None = None
    slowest: str = ""


@dataclasses.dataclass
class Measure:
    samples: list[Sample]
    seconds: float  # the measured window
    errors: list[str]

    @property
    def ok(self) -> list[Sample]:
        return [s for s in self.samples if s.status == 200 and s.server_ms is not None]

    @property
    def per_second(self) -> float:
        return len(self.samples) / self.seconds if self.seconds else 0.0

    def server(self, share: float) -> float | None:
        return percentile([s.server_ms for s in self.ok], share)

    def cpu(self, share: float) -> float | None:
        return percentile([s.cpu_ms for s in self.ok if s.cpu_ms is not None], share)

    def db(self, share: float) -> float | None:
        return percentile([s.db_ms for s in self.ok if s.db_ms is not None], share)

    def client(self, share: float) -> float | None:
        return percentile([s.client_ms for s in self.ok], share)

    def __add__(self, other: "Measure") -> "Measure":
        """Two windows of the same page as one (their samples, their seconds)."""
        return Measure(self.samples + other.samples, self.seconds + other.seconds, self.errors + other.errors)

    @property
    def queries(self) -> tuple[int, int] | None:
        counts = [s.queries for s in self.ok if s.queries is not None]
        return (min(counts), max(counts)) if counts else None

    @property
    def failures(self) -> int:
        return sum(s.status != 200 for s in self.samples)


def percentile(values: list[float], share: float) -> float | None:
    """Nearest-rank percentile (share in 0..1), None for no values."""
    if not values:
        return None
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, math.ceil(share * len(ordered)) - 1))]


class Connection:
    """One keep-alive connection with a fixed cookie header; reconnects once if the server closed it."""

    def __init__(self, port: int, cookies: dict[str, str], *, slowest: bool = False):
        self.port = port
        self.headers = {"Host": f"{HOST}:{port}", "User-Agent": "thiduabloc-bench", "Accept": "text/html"}
        if slowest:
            self.headers["X-Bench-Slowest"] = "1"
        if cookies:
            self.headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in cookies.items())
        self.connection: http.client.HTTPConnection | None = None

    def get(self, path: str) -> Sample:
        for attempt in (1, 2):
            if self.connection is None:
                self.connection = http.client.HTTPConnection(HOST, self.port, timeout=TIMEOUT)
            started = time.perf_counter()
            try:
                self.connection.request("GET", path, headers=self.headers)
                response = self.connection.getresponse()
                body = response.read()
            except (http.client.RemoteDisconnected, BrokenPipeError, ConnectionResetError):
                self.close()
                if attempt == 2:
                    raise
                continue
            elapsed = (time.perf_counter() - started) * 1000
            if response.getheader("Connection", "").lower() == "close":
                self.close()
            header = response.getheader("Server-Timing", "")
            timing, cpu, db = _TIMING.search(header), _CPU.search(header), _DB.search(header)
            queries = response.getheader("X-Bench-Queries")
            return Sample(
                response.status,
                elapsed,
                float(timing.group(1)) if timing else None,
                int(queries) if queries is not None else None,
                len(body),
                float(cpu.group(1)) if cpu else None,
                float(db.group(1)) if db else None,
                response.getheader("X-Bench-Slowest", ""),
            )
        raise AssertionError("unreachable")

    def close(self) -> None:
        if self.connection is not None:
            self.connection.close()
            self.connection = None


def measure(
    port: int, path: str, cookies: dict[str, str], *, clients: int, seconds: float, warmup: float
) -> Measure:
    """``clients`` threads ask ``path`` as fast as answers come for ``warmup`` + ``seconds``; the samples of the
    warm-up (template compilation, the first connections, cold caches) are dropped."""
    samples: list[Sample] = []
    errors: list[str] = []
    lock = threading.Lock()
    begin = time.monotonic() + 0.05
    window_start = begin + warmup
    window_end = window_start + seconds

    def worker() -> None:
        connection = Connection(port, cookies)
        time.sleep(max(0.0, begin - time.monotonic()))
        try:
            while True:
                now = time.monotonic()
                if now >= window_end:
                    break
                try:
                    sample = connection.get(path)
                except (OSError, http.client.HTTPException) as exc:
                    with lock:
                        errors.append(f"{path}: {exc!r}")
                    connection.close()
                    sample = Sample(0, 0.0, None, None, 0)
                # A request counts in the window it started in and must end inside it.
                if now >= window_start and time.monotonic() <= window_end:
                    with lock:
                        samples.append(sample)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, daemon=True) for _ in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=warmup + seconds + TIMEOUT + 5)
    return Measure(samples, seconds, errors)


def probe(
    port: int, path: str, cookies: dict[str, str], *, times: int = 2, slowest: bool = False
) -> list[Sample]:
    """A few sequential requests (for query counts and the slowest statement, not timings)."""
    connection = Connection(port, cookies, slowest=slowest)
    try:
        return [connection.get(path) for _ in range(times)]
    finally:
        connection.close()
