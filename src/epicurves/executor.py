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
from collections.abc import Callable, Iterable, Iterator
from typing import Any, Protocol, TypeVar

from .errors import UsageError

__all__ = [
    "DaskExecutor",
    "Executor",
    "InlineExecutor",
    "ProcessExecutor",
    "make_executor",
]

T = TypeVar("T")
R = TypeVar("R")

#: A process pool starts only for at least this many items of work (its start costs ~1 s).
MIN_ITEMS_FOR_POOL = 96
#: Items in flight per worker of a process pool.
WINDOW = 2


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

    ``preload`` names modules the fork server imports once, so that each worker starts with them.
    """

    name = "processes"

    def __init__(self, workers: int, preload: Iterable[str] = ()) -> None:
        from concurrent.futures import ProcessPoolExecutor

        methods = multiprocessing.get_all_start_methods()
        method = "forkserver" if "forkserver" in methods else "spawn"
        context = multiprocessing.get_context(method)
        if method == "forkserver":
            context.set_forkserver_preload(list(preload))
        self.workers = workers
        self._pool = ProcessPoolExecutor(max_workers=workers, mp_context=context)

    def map_unordered(self, fn: Callable[[T], R], items: Iterable[T]) -> Iterator[R]:
        queue = iter(items)
        # A window of work is submitted now (not when iterated), the rest as results are
        # taken: results waiting for the caller stay few, and so does the caller's memory.
        window = {
            self._pool.submit(fn, item)
            for item in itertools.islice(queue, WINDOW * self.workers)
        }
        return self._drain(fn, queue, window)

    def _drain(
        self, fn: Callable[[T], R], queue: Iterator[T], window: set[Any]
    ) -> Iterator[R]:
        from concurrent.futures import FIRST_COMPLETED, wait

        try:
            while window:
                done, window = wait(window, return_when=FIRST_COMPLETED)
                for future in done:
                    for item in itertools.islice(queue, 1):
                        window.add(self._pool.submit(fn, item))
                    yield future.result()
        finally:
            for future in window:
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
