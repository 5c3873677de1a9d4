"""Concurrent load for the benchmarks: HTTP requests over loopback, and recorded SQL replayed
through bare psycopg connections, each by a number of threads for a fixed time.

Both generators have the same shape so that their numbers compare: every thread runs its own
list of units of work in turn (an HTTP request; or the SQL statements of one request), all
threads start together, the first `warmup` seconds are not recorded, and each unit's latency is
the wall-clock time from sending it to having read its whole answer.
"""

from __future__ import annotations

import http.client
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import psycopg


@dataclass(frozen=True)
class HttpRequest:
    method: str
    path: str
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes | None = None


@dataclass(frozen=True)
class SqlBlock:
    """Statements sent one after another; `atomic` ones inside one transaction (as Django's
    atomic block sent them), the others each in autocommit."""

    atomic: bool
    statements: tuple[str, ...]


# One unit of replayed work: the SQL of one request, in the order Django sent it.
SqlUnit = Sequence[SqlBlock]


@dataclass
class LoadResult:
    latencies: list[float]  # seconds, of the units completed after the warm-up
    seconds: float  # the measured window (after the warm-up)
    errors: list[str] = field(default_factory=list)

    @property
    def throughput(self) -> float:
        return len(self.latencies) / self.seconds if self.seconds else 0.0


def percentile(samples: Sequence[float], fraction: float) -> float:
    """Nearest-rank percentile."""
    ordered = sorted(samples)
    rank = max(1, -(-len(ordered) * fraction // 1))
    return ordered[int(rank) - 1]


def _run_threads(
    clients: int,
    duration: float,
    warmup: float,
    make_worker: Callable[[int], Callable[[], None]],
    setup: Callable[[int], Any],
    teardown: Callable[[Any], None],
) -> LoadResult:
    """Run `clients` threads; each calls its worker's unit repeatedly until the end time and
    records the latency of units that started after the warm-up."""
    barrier = threading.Barrier(clients + 1)
    result = LoadResult(latencies=[], seconds=duration)
    lock = threading.Lock()
    times: dict[str, float] = {}

    def thread_main(index: int) -> None:
        state = setup(index)
        unit = make_worker(index)
        local: list[float] = []
        try:
            barrier.wait()
            measure_from, stop_at = times["measure_from"], times["stop_at"]
            while True:
                started = time.perf_counter()
                if started >= stop_at:
                    break
                try:
                    unit()
                except Exception as exc:  # reported, and the run fails
                    with lock:
                        result.errors.append(f"{type(exc).__name__}: {exc}")
                    return
                if started >= measure_from:
                    local.append(time.perf_counter() - started)
        finally:
            teardown(state)
            with lock:
                result.latencies.extend(local)

    threads = [threading.Thread(target=thread_main, args=(i,), daemon=True) for i in range(clients)]
    for thread in threads:
        thread.start()
    now = time.perf_counter()
    times["measure_from"] = now + warmup
    times["stop_at"] = now + warmup + duration
    barrier.wait()
    for thread in threads:
        thread.join()
    return result


def http_load(
    host: str,
    port: int,
    plans: Sequence[Sequence[HttpRequest]],
    *,
    duration: float,
    warmup: float,
    expect_status: int = 200,
) -> LoadResult:
    """One thread per plan, each with its own keep-alive `http.client` connection (reopened
    when the server closes it, as gunicorn's sync workers do after each response), sending its
    plan's requests in turn and reading each answer to the end."""
    connections: dict[int, http.client.HTTPConnection] = {}

    def setup(index: int) -> http.client.HTTPConnection:
        connections[index] = http.client.HTTPConnection(host, port, timeout=120)
        return connections[index]

    def make_worker(index: int) -> Callable[[], None]:
        plan, turn = plans[index], [0]

        def unit() -> None:
            request = plan[turn[0] % len(plan)]
            turn[0] += 1
            connection = connections[index]
            connection.request(request.method, request.path, request.body, request.headers)
            response = connection.getresponse()
            response.read()
            if response.status != expect_status:
                raise RuntimeError(f"{request.method} {request.path}: {response.status}")

        return unit

    def teardown(connection: Any) -> None:
        connection.close()

    return _run_threads(len(plans), duration, warmup, make_worker, setup, teardown)


def run_unit(connection: psycopg.Connection[Any], unit: SqlUnit) -> None:
    """Send one unit's statements and fetch every row they return."""
    for block in unit:
        if block.atomic:
            with connection.transaction():
                _execute_all(connection, block.statements)
        else:
            _execute_all(connection, block.statements)


def _execute_all(connection: psycopg.Connection[Any], statements: Sequence[str]) -> None:
    with connection.cursor() as cursor:
        for statement in statements:
            cursor.execute(statement.encode())
            if cursor.description is not None:
                cursor.fetchall()


def bare_connection(conninfo: str) -> psycopg.Connection[Any]:
    """A psycopg connection with what Django sets on its own (UTC, autocommit between
    transactions); statements arrive with their values already in the text, as Django's
    client-side binding sends them."""
    connection = psycopg.connect(conninfo, autocommit=True)
    connection.execute("SET TIME ZONE 'UTC'")
    return connection


def sql_load(
    conninfo: str,
    plans: Sequence[Sequence[SqlUnit]],
    *,
    duration: float,
    warmup: float,
) -> LoadResult:
    """One thread per plan, each with its own bare connection, replaying its units in turn."""
    connections: dict[int, psycopg.Connection[Any]] = {}

    def setup(index: int) -> psycopg.Connection[Any]:
        connections[index] = bare_connection(conninfo)
        return connections[index]

    def make_worker(index: int) -> Callable[[], None]:
        plan, turn = plans[index], [0]

        def unit() -> None:
            run_unit(connections[index], plan[turn[0] % len(plan)])
            turn[0] += 1

        return unit

    def teardown(connection: Any) -> None:
        connection.close()

    return _run_threads(len(plans), duration, warmup, make_worker, setup, teardown)
