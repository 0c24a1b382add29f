"""The commands that make and show the website: ``build``, ``serve`` and ``run``, the daily job."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click
from rich.markup import escape

from ..changes import ChangeSet
from ..config import Settings
from ..errors import LockError
from ..locks import acquire, writing
from .group import (
    EXIT_FAILED,
    EXIT_LOCKED,
    Context,
    cli,
    err,
    pass_context,
    print_error,
)
from .store import run_update

if TYPE_CHECKING:
    from collections.abc import Callable

    from ..forecast.runs import BacktestReport, Progress
    from ..site.build import BuildReport

__all__ = ["build_command", "run_command", "serve_command"]


def _build_options(command: Any) -> Any:
    """The options ``build`` and ``run`` share."""
    for option in reversed((
        click.option("--threshold", type=float, metavar="N",
                     help="Highlight incidence-table rows at or above this 7-day incidence "
                     "per 100k [default: the last build's, else 50]."),
        click.option("--full", is_flag=True,
                     help="Rebuild every file, not only what changed since the last build."),
        click.option("--scheduler", metavar="ADDRESS", envvar="EPICURVES_SCHEDULER",
                     help="Render the regions on this Dask scheduler ('local': a LocalCluster "
                     "here; needs epicurves[dask]) [env EPICURVES_SCHEDULER]."),
        click.option("--workers", type=click.IntRange(1, None), metavar="N",
                     help="Worker processes for the regions (default: every core)."),
    )):  # fmt: skip
        command = option(command)
    return command


@cli.command("build")
@click.option("--out", type=click.Path(file_okay=False, path_type=Path), default=Path("site"),
              show_default=True, help="Folder of the site (switched to the new build at once).")  # fmt: skip
@_build_options
@pass_context
def build_command(
    obj: Context,
    out: Path,
    threshold: float | None,
    full: bool,
    scheduler: str | None,
    workers: int | None,
) -> None:
    """Build the static website from the store, rewriting only what changed.

    The site is switched to the new build at once; a failed build keeps the last good site.
    """
    _build(
        obj.settings, out, threshold, full=full, scheduler=scheduler, workers=workers
    )


def _build(
    settings: Settings,
    out: Path,
    threshold: float | None,
    *,
    full: bool = False,
    scheduler: str | None = None,
    workers: int | None = None,
    changes: ChangeSet | None = None,
    quiet: bool = False,
    refresh: Callable[[], object] | None = None,
) -> BuildReport:
    from ..site.build import build_site

    with err.status("building the site") as status:
        if quiet:
            status.stop()
        report = build_site(
            settings,
            out,
            threshold=threshold,
            full=full,
            changes=changes,
            scheduler=scheduler,
            workers=workers,
            progress=lambda step: status.update(step),
            refresh=refresh,
        )
    if not quiet:
        kind = "full" if report.full else "incremental"
        per_page = 1000 * report.region_seconds / max(report.region_pages, 1)
        err.print(
            f"built {out} (generation {report.generation}, {kind}: {report.reason}) in "
            f"{report.seconds:.1f} s: {report.files_written:,} of {report.files_total:,} files "
            f"written, {report.region_pages:,} regions' pages ({per_page:.1f} ms each, "
            f"{report.executor}); open {out / 'index.html'} or run `epicurves serve {out}`",
            highlight=False,
        )
    for warning in report.warnings:
        err.print(f"[yellow]Warning:[/] {escape(warning)}", highlight=False)
    return report


@cli.command("serve")
@click.argument(
    "directory", type=click.Path(exists=True, file_okay=False, path_type=Path)
)
@click.option(
    "--port",
    type=click.IntRange(0, 65535),
    default=8000,
    show_default=True,
    help="Port (0: any free one).",
)
@click.option("--host", default="127.0.0.1", show_default=True,
              help="Address to listen on (loopback by default: only this machine).")  # fmt: skip
def serve_command(directory: Path, port: int, host: str) -> None:
    """Preview a built site: read-only, serves nothing outside DIRECTORY."""
    from ..site.serve import make_server

    with make_server(directory, host, port) as server:
        address = server.server_address
        err.print(
            f"serving {directory} at http://{address[0]!s}:{address[1]}/ (Ctrl-C stops)"
        )
        try:
            server.serve_forever()
        except KeyboardInterrupt:
            err.print("stopped")


class _WarmUp:
    """What ``run`` starts while the update parses, once a source has new files: the import of
    scipy.special (the build's R needs it, and it takes a third of a second to import), the
    chart layouts a full build needs if they are not cached (seconds of Bokeh, in a process of
    their own), and — when there is a pool, and once the sources with new files held enough
    regions for the build to use it — the pool's fork server, so that its workers start at
    once. A day of one national file leaves the fork server unstarted: its build runs inline,
    and the server's imports would only take a core from the update (a tenth of a second of
    such a run)."""

    def __init__(self, pool: bool, settings: Settings, *, full: bool = False) -> None:
        self.settings = settings
        self.started = False  # the import and the layouts
        self.pool_waits = pool  # a pool's fork server not started yet
        self.full = full  # ``run --full``: every region is built again
        self.regions = 0  # held by the sources with new files so far
        self.stored: dict[str, int] | None = None  # source -> its regions in the store

    def __call__(self, source: str) -> None:
        if not self.started:
            import importlib
            import threading

            from ..site.assets import prewarm

            threading.Thread(
                target=importlib.import_module, args=("scipy.special",), daemon=True
            ).start()
            prewarm(self.settings.layout_cache)
            self.started = True
        if not self.pool_waits:
            return
        from .. import executor
        from ..site.build import PRELOAD

        if not self.full:  # else every region is built: no need to count
            self.regions += self._regions_of(source)
        if self.full or self.regions >= executor.MIN_ITEMS_FOR_POOL:
            executor.warm_up(PRELOAD)
            self.pool_waits = False

    def _regions_of(self, source: str) -> int:
        """How many regions ``source`` held in the store the update started from (a source new
        to the store: all its regions are new, counted as many as a pool is started for)."""
        from ..executor import MIN_ITEMS_FOR_POOL
        from ..store import Store

        if self.stored is None:
            manifest = Store(self.settings.store_dir).manifest()
            self.stored = {
                name: int(entry["meta"]["regions"])
                for name, entry in manifest["sources"].items()
            }
        return self.stored.get(source, MIN_ITEMS_FOR_POOL)


class _Refresh:
    """The daily run's refresh of a stored backtest (the series that changed forecast again),
    handed to the build, which does it while its workers render the regions' pages; an error
    is kept for the run to report once the site is built from the forecasts stored before."""

    def __init__(
        self, settings: Settings, scheduler: str | None, workers: int | None
    ) -> None:
        self.settings, self.scheduler, self.workers = settings, scheduler, workers
        self.report: BacktestReport | None = None
        self.error: Exception | None = None

    def __call__(self, progress: Progress | None = None) -> None:
        from ..forecast.runs import refresh_backtest

        try:
            self.report = refresh_backtest(
                self.settings,
                scheduler=self.scheduler,
                workers=self.workers,
                progress=progress,
            )
        except Exception as exc:  # the build goes on: the site shows the data anyway
            self.error = exc

    def done(self, *, quiet: bool) -> None:
        """Say how many series were redone, or raise the refresh's error (saying first that
        the site shows the forecasts stored before)."""
        if self.error is not None:
            if not quiet:
                err.print(
                    "[yellow]The forecasts could not be brought up to date: the site shows "
                    "those stored before.[/]"
                )
            raise self.error
        if self.report is not None and not quiet:
            made = sum(self.report.redone.values())
            err.print(
                f"forecasts: {made:,} of {sum(self.report.series.values()):,} series "
                "redone (the others had not changed)"
            )


@cli.command("run")
@click.option("--mirror", type=click.Path(file_okay=False, path_type=Path), envvar="EPICURVES_MIRROR",
              help="Read upstream files from this folder instead of downloading.")  # fmt: skip
@click.option("--out", type=click.Path(file_okay=False, path_type=Path), default=Path("site"),
              show_default=True, help="Folder of the site.")  # fmt: skip
@click.option("--quiet", "-q", is_flag=True,
              help="Print only problems (failed sources, a failed build, stale sources): for cron.")  # fmt: skip
@click.option("--forecasts/--no-forecasts", default=None,
              help="Bring the forecasts and their scores up to date for the series that changed "
                   "(default: when the home holds a backtest, `epicurves backtest`).")  # fmt: skip
@_build_options
@pass_context
def run_command(
    obj: Context,
    mirror: Path | None,
    out: Path,
    quiet: bool,
    forecasts: bool | None,
    threshold: float | None,
    full: bool,
    scheduler: str | None,
    workers: int | None,
) -> None:
    """Update every source, then rebuild what changed on the site: the daily job.

    Exit status: 0 done; 1 a source failed (the site was built from its last good data) or
    the build failed (the last good site is kept); 2 wrong usage; 3 another run of this home
    is still going (nothing was done). Stale live sources are warned about, exit status 0.
    """
    settings = Settings.from_env(home=obj.settings.home, mirror=mirror)
    try:
        with writing(settings.home):
            lock = acquire(settings.home / "run.lock", holder="another `epicurves run`")
    except LockError as exc:
        print_error(str(exc))
        sys.exit(EXIT_LOCKED)
    pool = (
        not (scheduler or settings.scheduler) and (workers or os.cpu_count() or 1) > 1
    )
    try:
        report = run_update(
            obj,
            settings,
            (),
            force=False,
            quiet=quiet,
            on_parse=_WarmUp(pool, settings, full=full),
        )
        if report.failed and not quiet:
            err.print(
                "[yellow]Building from the last good data of the failed sources.[/]"
            )
        from ..forecast.summary import has_backtest

        refresh = overlap = None
        if forecasts or (forecasts is None and has_backtest(settings)):
            refresh = _Refresh(settings, scheduler, workers)
            if scheduler or settings.scheduler:  # a cluster: one job after the other
                from .forecasts import progress_bar

                with progress_bar("forecasts", quiet=quiet) as moved:
                    refresh(moved)
            else:  # done by the build while its workers render the pages
                overlap = refresh
        _build(
            settings, out, threshold, full=full, scheduler=scheduler, workers=workers,
            changes=report.changes, quiet=quiet, refresh=overlap,
        )  # fmt: skip
        if refresh is not None:
            refresh.done(quiet=quiet)
    finally:
        lock.release()
    if report.failed:
        sys.exit(EXIT_FAILED)
