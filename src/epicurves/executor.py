"""One executor interface, two engines: a local process pool, or a Dask distributed cluster.

An executor runs a pure, module-level function over a list of inputs and yields the results as
they complete. The caller's code path is the same for every engine:

- :class:`InlineExecutor` runs in the calling process (little work, or one core);
- :class:`ProcessExecutor` is a :class:`concurrent.futures.ProcessPoolExecutor` whose workers
  start with ``forkserver`` (``spawn`` where that is missing): nothing is inherited from the
  caller, every input is passed explicitly;
- :class:`DaskExecutor` submits to a Dask distributed scheduler (``epicurves[dask]``): an address
  such as ``tcp://10.0.0.5:8786``, or ``local`` for a :class:`distributed.LocalCluster` on this
  machine. Its workers need this package installed and the store's folder at the same path.

:func:`make_executor` picks one: Dask when a scheduler is given, else a process pool when there is
enough work for it to pay off, else inline.
"""

from __future__ import annotations

import itertools
import multiprocessing
import os
import queue
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from typing import Any, Generic, Protocol, TypeVar

from .errors import UsageError

__all__ = [
    "DaskExecutor",
    "Executor",
    "InlineExecutor",
    "ProcessExecutor",
    "make_executor",
    "warm_up",
]

T = TypeVar("T")
R = TypeVar("R")

#: A process pool starts only for at least this many items of work (its start costs ~1 s).
MIN_ITEMS_FOR_POOL = 96
#: Items in flight per worker of a process pool.
WINDOW = 2
#: How long the caller waits for a worker to take an item before it takes one itself.
GRACE_SECONDS = 0.25


class Executor(Protocol):
    """Runs ``fn`` over items, yielding results as they complete (in any order). The work is
    submitted when ``map_unordered`` is called, so the caller can do other work meanwhile."""

    name: str
    workers: int

    def map_unordered(
        self, fn: Callable[[T], R], items: Iterable[T]
    ) -> Iterator[R]: ...

    def close(self) -> None: ...


class InlineExecutor:
    """Runs every item in the calling process, one after the other."""

    name = "inline"
    workers = 1

    def map_unordered(self, fn: Callable[[T], R], items: Iterable[T]) -> Iterator[R]:
        for item in items:
            yield fn(item)

    def close(self) -> None:
        return None


class ProcessExecutor:
    """A local pool of worker processes started by ``forkserver`` (or ``spawn``).

    ``preload`` names modules the fork server imports once, so that each worker starts with them;
    the program's main module too, as multiprocessing's default does (a worker would otherwise
    import it on start: the ``epicurves`` script imports the whole command line).
    While the workers start, until one has taken something, the calling process runs items too.
    """

    name = "processes"

    def __init__(self, workers: int, preload: Iterable[str] = ()) -> None:
        from concurrent.futures import ProcessPoolExecutor

        methods = multiprocessing.get_all_start_methods()
        method = "forkserver" if "forkserver" in methods else "spawn"
        context = multiprocessing.get_context(method)
        if method == "forkserver":
            _preload(context, preload)
        self.workers = workers
        self._pool = ProcessPoolExecutor(max_workers=workers, mp_context=context)

    def map_unordered(self, fn: Callable[[T], R], items: Iterable[T]) -> Iterator[R]:
        work = _Queue(items)
        flow = _Flow()
        # The workers are fed from a thread: they go on while the caller does other work
        # (a full build writes the assets), not only as the caller takes results.
        threading.Thread(
            target=self._feed,
            args=(fn, work, flow),
            name="epicurves-pool-feed",
            daemon=True,
        ).start()
        return self._drain(fn, work, flow)

    def _feed(self, fn: Callable[[T], R], work: _Queue[T], flow: _Flow) -> None:
        """Keep a window of work in flight: one more item each time one is done. The first
        submission starts the workers, which takes a while (they import what they need):
        done here, so that the caller can work meanwhile."""
        from concurrent.futures import FIRST_COMPLETED, wait

        try:
            try:
                for item in work.take(WINDOW * self.workers):
                    flow.add(self._pool.submit(fn, item))
            finally:
                flow.started.set()
            while pending := flow.pending():
                done, _ = wait(pending, return_when=FIRST_COMPLETED)
                for future in done:
                    if not flow.stopped.is_set():
                        for item in work.take(1):
                            flow.add(self._pool.submit(fn, item))
                    flow.finish(future)
        except BaseException as exc:  # re-raised by _drain
            flow.fail(exc)
        finally:
            flow.results.put(None)

    def _drain(self, fn: Callable[[T], R], work: _Queue[T], flow: _Flow) -> Iterator[R]:
        try:
            # If the workers are slow to start (a cold fork server imports what they need),
            # this process takes work too, until one has taken something.
            while not _taken(flow, GRACE_SECONDS):
                taken = work.take(1)
                if not taken:
                    break
                yield fn(taken[0])
            # Results as the workers finish them; results waiting for the caller stay few
            # (a window's worth, more only while the caller is busy).
            while (future := flow.results.get()) is not None:
                yield future.result()
            if flow.failure:
                raise flow.failure[0]
        finally:
            flow.stopped.set()
            for future in flow.pending():
                future.cancel()

    def close(self) -> None:
        self._pool.shutdown(wait=True, cancel_futures=True)


class DaskExecutor:
    """Work submitted to a Dask distributed scheduler (``local``: a new LocalCluster)."""

    name = "dask"

    def __init__(self, address: str, workers: int | None = None) -> None:
        try:
            import distributed
        except ImportError as exc:
            msg = (
                "--scheduler needs Dask distributed: pip install 'epicurves[dask]' "
                f"({exc.name or 'distributed'} is missing)"
            )
            raise UsageError(msg) from exc
        # distributed has no type hints: its classes are used as Any
        client: Any = distributed.Client
        self._cluster: Any = None
        if address == "local":
            cluster: Any = distributed.LocalCluster
            self._cluster = cluster(
                n_workers=workers or os.cpu_count() or 1,
                threads_per_worker=1,
                processes=True,
                dashboard_address=None,
                # no dashboard, and the scheduler's own HTTP server (health, metrics) on a
                # free port: two local clusters at once (parallel tests) must not both ask
                # for 8787
                scheduler_kwargs={"dashboard_address": ":0"},
            )
            self._client: Any = client(self._cluster)
        else:
            try:
                self._client = client(address, timeout=30)
            except OSError as exc:
                msg = f"no Dask scheduler answers at {address} ({exc})"
                raise UsageError(msg) from exc
        self.workers = max(len(self._client.scheduler_info().get("workers", {})), 1)

    def map_unordered(self, fn: Callable[[T], R], items: Iterable[T]) -> Iterator[R]:
        import distributed

        queue = iter(items)
        # As for a process pool: a window now, the rest as results are taken.
        first = [
            self._client.submit(fn, item, pure=False)
            for item in itertools.islice(queue, WINDOW * self.workers)
        ]
        as_completed: Any = distributed.as_completed
        completed = as_completed(first)
        return self._drain(fn, queue, completed)

    def _drain(
        self, fn: Callable[[T], R], queue: Iterator[T], completed: Any
    ) -> Iterator[R]:
        try:
            for future in completed:
                for item in itertools.islice(queue, 1):
                    completed.add(self._client.submit(fn, item, pure=False))
                yield future.result()
        finally:
            for future in list(completed.futures):
                future.cancel()

    def close(self) -> None:
        self._client.close()
        if self._cluster is not None:
            self._cluster.close()


def warm_up(preload: Iterable[str]) -> None:
    """Start the fork server of process pools now, in the background, importing ``preload``:
    a pool started later forks its workers from it at once. For a caller that expects work
    soon (``epicurves run`` once an update has found something new)."""
    if "forkserver" not in multiprocessing.get_all_start_methods():
        return
    from multiprocessing import forkserver

    _preload(multiprocessing.get_context("forkserver"), preload)
    threading.Thread(target=forkserver.ensure_running, daemon=True).start()


def _preload(context: Any, preload: Iterable[str]) -> None:
    """The modules the fork server of ``context`` imports before it forks a worker: the
    program's main module, as multiprocessing's default does, then ``preload``."""
    context.set_forkserver_preload(["__main__", *preload])


class _Flow:
    """The futures of a process pool's work, shared by its feeding thread and the caller:
    those in flight, and those done (in ``results``, in the order they finished; None
    ends them)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._pending: set[Any] = set()
        self.results: queue.SimpleQueue[Any] = queue.SimpleQueue()
        self.started = threading.Event()
        self.stopped = threading.Event()
        self.failure: list[BaseException] = []

    def add(self, future: Any) -> None:
        with self._lock:
            self._pending.add(future)

    def finish(self, future: Any) -> None:
        with self._lock:
            self._pending.discard(future)
        self.results.put(future)

    def fail(self, exc: BaseException) -> None:
        self.failure.append(exc)

    def pending(self) -> list[Any]:
        with self._lock:
            return list(self._pending)

    def busy(self) -> bool:
        """Whether a worker has taken (or finished) an item."""
        if not self.started.is_set():
            return False
        return not self.results.empty() or any(
            f.running() or f.done() for f in self.pending()
        )


def _taken(flow: _Flow, grace: float) -> bool:
    """Whether a worker has taken (or finished) an item, waiting up to ``grace`` seconds;
    also true once no more work will start (the workers failed to start)."""
    deadline = time.monotonic() + grace
    while True:
        if flow.busy() or flow.failure:
            return True
        if time.monotonic() >= deadline:
            return False
        time.sleep(0.01)


class _Queue(Generic[T]):
    """Items taken by several threads, each item once."""

    def __init__(self, items: Iterable[T]) -> None:
        self._items = iter(items)
        self._lock = threading.Lock()

    def take(self, count: int) -> list[T]:
        """Up to ``count`` items not taken yet."""
        with self._lock:
            return list(itertools.islice(self._items, count))


def make_executor(
    items: int,
    *,
    scheduler: str | None = None,
    workers: int | None = None,
    preload: Iterable[str] = (),
) -> Executor:
    """The executor for ``items`` pieces of work: Dask if ``scheduler`` is set, else a process
    pool of ``workers`` (default: every core) when there is enough work, else inline."""
    if scheduler:
        return DaskExecutor(scheduler, workers)
    workers = workers or os.cpu_count() or 1
    if workers > 1 and items >= MIN_ITEMS_FOR_POOL:
        return ProcessExecutor(workers, preload)
    return InlineExecutor()
