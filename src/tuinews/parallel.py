"""Parsing in worker processes, once there is enough work for them.

Feed documents (refresh) and web pages (page texts) are parsed the same way:
jobs wait in a backlog; below a threshold of work this process runs them itself,
above it a pool of processes takes them, and results arrive on one queue in
completion order, where the one writing thread picks them up.
"""

from __future__ import annotations

import contextlib
import os
import queue
import sys
import threading
from collections import deque
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Generic, TypeVar

if TYPE_CHECKING:
    from concurrent.futures import Executor, Future

# Below this much data to parse, starting worker processes costs more than it saves.
PARALLEL_THRESHOLD_BYTES = 2 * 1024 * 1024
# Jobs known to come (web feeds never fetched, pages): this many start the pool at once.
PARALLEL_THRESHOLD_NEW_FEEDS = 8

CANCEL_CHECK = 0.1  # seconds between looks at a cancel flag while waiting for results

Job = TypeVar("Job")
Result = TypeVar("Result")


class Parsers(Generic[Job, Result]):
    """Runs jobs here, or in worker processes once there is enough work for them.

    Results go to `events` in completion order. A few jobs wait at the pool, so a
    worker never idles while this process is busy writing, and few parsed results
    wait in memory for the writer. One core stays with this process, which writes
    and, whenever it would otherwise wait, runs the next job itself.

    `run` must be a module-level function (it is sent to the worker processes);
    `size` says how many bytes a job has to parse.
    """

    def __init__(
        self,
        events: queue.SimpleQueue,
        run: Callable[[Job], Result],
        size: Callable[[Job], int],
        *,
        here: bool = True,
    ) -> None:
        self._events = events
        self._here = here  # False: jobs too heavy for this process (a TUI's) run only in the pool
        self._run = run
        self._size = size
        self._backlog: deque[Job] = deque()
        self._pool: Executor | None = None
        self._cores = os.cpu_count() or 1
        # One core stays with this process when it parses too; else it only waits and writes.
        self._workers = max(self._cores - 1, 1) if here else self._cores
        self._seen_bytes = 0
        self._seen_jobs = 0
        self._expected_jobs = 0
        self._running = 0
        self._awaited = 0
        self._pool_room = self._workers * 4
        self.max_bodies = self._pool_room + 8  # web bodies fetched and not yet stored

    def __enter__(self) -> Parsers[Job, Result]:
        return self

    def __exit__(self, *exc_info: object) -> None:
        if self._pool is not None:
            self._pool.shutdown(cancel_futures=True)

    @property
    def unfinished(self) -> int:
        return len(self._backlog) + self._running

    def add(self, job: Job) -> None:
        self._backlog.append(job)
        self._seen_jobs += 1
        self._seen_bytes += self._size(job)

    def expect(self, jobs: int) -> None:
        """This many more jobs will surely come: start the pool early."""
        self._expected_jobs += jobs

    def finished(self) -> None:
        self._running -= 1

    def start_some(self) -> None:
        """Hand jobs to the pool, once it is worth one, while it has room."""
        if self._pool is None and self._worth_a_pool():
            self._pool = _process_pool(self._workers)
        while self._pool is not None and self._backlog and self._running < self._pool_room:
            self._running += 1
            self._pool.submit(self._run, self._backlog.popleft()).add_done_callback(self._deliver)

    def parse_one_here(self) -> bool:
        """Run the next waiting job in this process; False when none is waiting (or
        jobs may not run here)."""
        if not self._backlog or not self._here:
            return False
        self._running += 1
        self._events.put(self._run(self._backlog.popleft()))
        return True

    def await_answers(self, count: int) -> None:
        """This many answers (fetch results) will be put on the queue by others."""
        self._awaited += count

    def answered(self) -> None:
        self._awaited -= 1

    def events(self, cancel: threading.Event | None) -> Iterator:
        """What arrives on the queue (the answers awaited, and the results of jobs) until
        no answer is awaited and no job unfinished. Jobs go to the pool as it has room,
        and this process parses one itself whenever the queue is empty; a broken pool's
        error is raised here; `cancel` stops it all with RefreshCancelled. The caller
        calls `answered()` for each answer and `finished()` for each job result."""
        while self._awaited or self.unfinished:
            stop_if_cancelled(cancel)
            self.start_some()
            try:
                event = self._events.get_nowait()
            except queue.Empty:
                if self.parse_one_here():
                    continue
                event = next_event(self._events, cancel)
            if isinstance(event, BaseException):
                raise event
            yield event

    def _worth_a_pool(self) -> bool:
        """Below this much work, starting worker processes costs more than it saves."""
        if not self._here:
            return bool(self._backlog)
        if self._cores < 2:
            return False
        if self._expected_jobs >= PARALLEL_THRESHOLD_NEW_FEEDS:
            return True
        return self._seen_jobs >= 2 and self._seen_bytes >= PARALLEL_THRESHOLD_BYTES

    def _deliver(self, future: Future[Result]) -> None:
        try:
            self._events.put(future.result())
        except BaseException as error:  # a broken pool: the caller's loop raises it
            self._events.put(error)


def _process_pool(workers: int) -> Executor:
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor
    from multiprocessing import resource_tracker

    # A TUI stands in for sys.stderr with an object whose fileno() is -1, and the
    # resource tracker (started once, with the first pool) hands that number to its
    # process, which fails to start. Give it the real stderr for that moment.
    with contextlib.redirect_stderr(sys.__stderr__ or sys.stderr):
        resource_tracker.ensure_running()
    # forkserver: never fork a process that may be running TUI threads.
    context = multiprocessing.get_context("forkserver")
    return ProcessPoolExecutor(max_workers=workers, mp_context=context)


class RefreshCancelled(Exception):
    """The refresh was asked to stop (the user quit); what was stored stays stored."""


def stop_if_cancelled(cancel: threading.Event | None) -> None:
    if cancel is not None and cancel.is_set():
        raise RefreshCancelled("refresh cancelled")


def next_event(events: queue.SimpleQueue, cancel: threading.Event | None) -> object:
    """Wait for the next answer or result, looking up now and then to see if we must stop."""
    while True:
        stop_if_cancelled(cancel)
        try:
            return events.get(timeout=CANCEL_CHECK if cancel is not None else None)
        except queue.Empty:
            continue
