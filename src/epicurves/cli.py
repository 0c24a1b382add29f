"""The ``epicurves`` command line: a thin layer over the library.

Errors from the library become one line on stderr and exit status 1; ``--debug`` shows the
traceback instead.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import sys
import tempfile
import traceback
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click
import numpy as np
import pandas as pd
from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from .analysis import METRIC_COLUMNS
from .catalog import load_metrics, load_regions, load_signals, load_summary
from .changes import ChangeSet
from .config import Settings
from .errors import EpicurvesError, UsageError
from .model import KINDS, pick_shown
from .pipeline import STEPS, UpdateReport, select_sources, update, writing
from .sources import SOURCES
from .store import Store

if TYPE_CHECKING:
    from .site.build import BuildReport

__all__ = ["EXPORT_COLUMNS", "main", "script"]

#: Columns of ``epicurves export``, in order. A contract: add columns, never rename them.
_BASE_COLUMNS = (
    "region_id", "name", "kind", "source", "date", "cases", "deaths", "new_cases", "new_deaths",
    "flags", "parent", "population",
)  # fmt: skip
#: The metrics an export leads with; the other metric columns follow in METRIC_COLUMNS order.
_FIRST_METRICS = (
    "incidence_7d", "r_rki", "r_cori", "r_cori_lo", "r_cori_hi", "doubling_time_days",
    "week_change_pct",
)  # fmt: skip
EXPORT_COLUMNS: tuple[str, ...] = (
    _BASE_COLUMNS
    + _FIRST_METRICS
    + tuple(c for c in METRIC_COLUMNS if c not in _FIRST_METRICS)
)

err = Console(stderr=True, soft_wrap=True)


class Context:
    """What every command needs: settings and whether to show tracebacks."""

    def __init__(self, settings: Settings, debug: bool) -> None:
        self.settings = settings
        self.debug = debug


pass_context = click.make_pass_decorator(Context)


class OneLineError(click.ClickException):
    """A library error shown as one line, ``Error: ...``, with exit status 1."""

    def show(self, file: Any = None) -> None:
        err.print(f"[bold red]Error:[/] {escape(self.message)}", highlight=False)


class Group(click.Group):
    """The command group: library errors become one line unless ``--debug`` is given."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except (EpicurvesError, OSError, OverflowError) as exc:
            if isinstance(ctx.obj, Context) and ctx.obj.debug:
                raise
            text = " ".join((str(exc) or type(exc).__name__).split())
            raise OneLineError(text) from exc


@click.group(
    cls=Group,
    context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100},
)
@click.option(
    "--home",
    type=click.Path(file_okay=False, path_type=Path),
    envvar="EPICURVES_HOME",
    help="Folder of the store and download cache [env EPICURVES_HOME].",
)
@click.option(
    "--debug", is_flag=True, help="Show tracebacks instead of one-line errors."
)
@click.version_option(package_name="epicurves")
@click.pass_context
def cli(ctx: click.Context, home: Path | None, debug: bool) -> None:
    """epicurves: epidemic curves from public data, in a tidy local store."""
    settings = Settings.from_env(home=home)
    for name in settings.precedence:
        if name not in SOURCES:
            msg = f"EPICURVES_PRECEDENCE names {name!r}: expected source names from {', '.join(SOURCES)}"
            raise UsageError(msg)
    ctx.obj = Context(settings, debug)


@cli.command("update")
@click.option(
    "--source",
    "sources",
    multiple=True,
    metavar="NAME",
    help=f"Update only this source (repeatable): {', '.join(SOURCES)}.",
)
@click.option(
    "--mirror",
    type=click.Path(file_okay=False, path_type=Path),
    envvar="EPICURVES_MIRROR",
    help="Read upstream files from DIR/<folder>/<file>[.gz] instead of downloading "
    "[env EPICURVES_MIRROR].",
)
@click.option(
    "--force", is_flag=True, help="Parse and store even unchanged upstream files."
)
@pass_context
def update_command(
    obj: Context, sources: tuple[str, ...], mirror: Path | None, force: bool
) -> None:
    """Fetch what is new upstream, validate it, and store it.

    A source that fails keeps its last good data; the exit status is then 1.
    """
    settings = Settings.from_env(home=obj.settings.home, mirror=mirror)
    report = _update(obj, settings, sources, force=force, quiet=False)
    if report.failed:
        sys.exit(EXIT_FAILED)


def _update(
    obj: Context,
    settings: Settings,
    sources: Sequence[str],
    *,
    force: bool,
    quiet: bool,
    on_parse: Callable[[], None] | None = None,
) -> UpdateReport:
    """Run an update with a progress bar; print its table (unless ``quiet``) and its errors.

    ``on_parse`` is called once, when a source turns out to have new files."""
    if settings.mirror is not None and not settings.mirror.is_dir():
        msg = f"mirror folder {settings.mirror} does not exist"
        raise UsageError(msg)
    chosen = select_sources(sources)
    total = sum(len(s.files) + len(STEPS) - 1 for s in chosen)
    with Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        TextColumn("{task.completed}/{task.total}"),
        TimeElapsedColumn(),
        console=err,
        transient=True,
        disable=quiet or not err.is_terminal,
    ) as bar:
        task = bar.add_task("update", total=total)

        pending = [on_parse] if on_parse is not None else []

        def progress(source: str, step: str) -> None:
            if step == "parse" and pending:
                pending.pop()()
            bar.update(
                task,
                advance=0 if not source else 1,
                description=f"{source} {step}".strip(),
            )

        report = update(settings, sources or None, force=force, progress=progress)
    if all(s.status == "skipped" for s in report.sources):
        msg = f"no file of any source was found in the mirror {settings.mirror}"
        raise UsageError(msg)
    if not quiet:
        _print_update(report, settings)
    for failed in report.failed:
        if obj.debug and failed.error is not None:
            traceback.print_exception(failed.error, file=sys.stderr)
        err.print(f"[bold red]Error:[/] {escape(failed.message)}", highlight=False)
    return report


def _print_update(report: UpdateReport, settings: Settings) -> None:
    table = Table(
        "source",
        "status",
        "rows",
        "regions",
        "vintage",
        "seconds",
        "detail",
        title=f"epicurves update ({settings.store_dir})",
        title_justify="left",
    )
    style = {
        "updated": "green",
        "unchanged": "cyan",
        "skipped": "yellow",
        "failed": "bold red",
    }
    for s in report.sources:
        detail = (
            "failed, see below"
            if s.status == "failed"
            else s.message
            or (f"{len(s.notes)} notes: epicurves info --notes" if s.notes else "")
        )
        table.add_row(
            s.source,
            f"[{style[s.status]}]{s.status}[/]",
            f"{s.rows:,}",
            f"{s.regions:,}",
            s.vintage,
            f"{s.seconds:.2f}",
            detail,
        )
    out = Console(soft_wrap=True)
    out.print(table)
    changes = report.changes
    out.print(
        f"store generation {changes.generation}: {changes.describe()}", highlight=False
    )


def _write(frame: pd.DataFrame, out: str, fmt: str) -> None:
    """Write ``frame`` to ``out`` ("-" for stdout) atomically, as csv, json or parquet."""
    if fmt == "json":
        records = (
            frame.astype(object).where(frame.notna(), None).to_dict(orient="records")
        )
        payload = json.dumps(records, ensure_ascii=False, default=str).encode()
    elif fmt == "csv":
        payload = frame.to_csv(index=False, lineterminator="\n").encode()
    else:
        buffer = io.BytesIO()
        frame.to_parquet(buffer, index=False)
        payload = buffer.getvalue()
    if out == "-":
        if fmt == "parquet":
            msg = "parquet cannot be written to stdout: give --out FILE"
            raise UsageError(msg)
        sys.stdout.buffer.write(payload)
        sys.stdout.flush()
        return
    target = Path(out)
    target.parent.mkdir(parents=True, exist_ok=True)
    handle, name = tempfile.mkstemp(prefix=f".{target.name}.", dir=target.parent)
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(payload)
        os.replace(name, target)
    except BaseException:
        Path(name).unlink(missing_ok=True)
        raise


def _readable(frame: pd.DataFrame) -> pd.DataFrame:
    """Counts as whole numbers and other metrics to six decimals, for people and diffs."""
    out = frame.copy()
    for column in out.columns:
        if column.endswith(("_7d_sum", "_last_week")):
            out[column] = out[column].round().astype("Int64")
        elif pd.api.types.is_float_dtype(out[column]):
            out[column] = out[column].round(6)
    return out


def _format_for(out: str, fmt: str | None) -> str:
    if fmt:
        return fmt
    if out == "-":
        return "csv"
    suffix = Path(out).suffix.lower().lstrip(".")
    if suffix not in ("csv", "json", "parquet"):
        msg = f"--out {out}: name a .csv, .json or .parquet file, or give --format"
        raise UsageError(msg)
    return suffix


regions_option = click.option(
    "--region",
    "regions",
    multiple=True,
    metavar="ID",
    help="Only this region (repeatable).",
)
file_format_option = click.option(
    "--format",
    "fmt",
    type=click.Choice(["csv", "parquet", "json"]),
    help="File format (default: from the file name's suffix, else csv).",
)
kind_option = click.option(
    "--kind", type=click.Choice(KINDS), help="Only regions of this kind."
)
table_format_option = click.option(
    "--format",
    "fmt",
    type=click.Choice(["table", "csv", "json"]),
    default="table",
    show_default=True,
    help="Output format.",
)


@cli.command("regions")
@kind_option
@table_format_option
@click.option(
    "--all-sources",
    is_flag=True,
    help="One row per region and source, not only the shown one.",
)
@pass_context
def regions_command(
    obj: Context, kind: str | None, fmt: str, all_sources: bool
) -> None:
    """List the regions in the store with their id, name, kind, parent, population and source."""
    frame = load_regions(kind, all_sources=all_sources, settings=obj.settings)
    if fmt != "table":
        _write(frame, "-", fmt)
        return
    table = Table(*frame.columns, title=f"{len(frame)} regions", title_justify="left")
    for row in frame.itertuples(index=False):
        table.add_row(*(_cell(v) for v in row))
    Console(soft_wrap=True).print(table)


@cli.command("export")
@click.option(
    "--out", required=True, metavar="FILE", help="Where to write ('-' for stdout)."
)
@regions_option
@file_format_option
@click.option(
    "--all-sources",
    is_flag=True,
    help="Every source of each region, not only the shown one.",
)
@click.option("--start", metavar="DATE", help="First date (YYYY-MM-DD).")
@click.option("--end", metavar="DATE", help="Last date (YYYY-MM-DD).")
@pass_context
def export_command(
    obj: Context,
    out: str,
    regions: tuple[str, ...],
    fmt: str | None,
    all_sources: bool,
    start: str | None,
    end: str | None,
) -> None:
    """Export daily observations and metrics, one row per region, source and date.

    Columns: region_id, name, kind, source, date, cases, deaths, new_cases, new_deaths, flags,
    parent, population, then the metrics: incidence_7d, r_rki, r_cori, r_cori_lo, r_cori_hi,
    doubling_time_days, week_change_pct, 7-day sums and means, growth, CFR (see the README).
    Metrics are computed on each region's whole series before --start/--end cut it.
    """
    fmt = _format_for(out, fmt)
    if out != "-" and Path(out).is_dir():
        msg = f"--out {out} is a folder: expected a file name"
        raise UsageError(msg)
    if start and end and start > end:
        msg = f"--start {start} is after --end {end}"
        raise UsageError(msg)
    for label, value in (("--start", start), ("--end", end)):
        if value is not None and pd.isna(
            pd.to_datetime(value, format="%Y-%m-%d", errors="coerce")
        ):
            msg = f"{label} {value!r}: expected a date like 2021-03-31"
            raise UsageError(msg)
    with Store(
        obj.settings.store_dir
    ).snapshot() as pinned:  # both reads: one generation
        frame = load_metrics(
            regions or None, start, end, all_sources=all_sources,
            settings=obj.settings, snapshot=pinned,
        )  # fmt: skip
        names = load_regions(all_sources=True, settings=obj.settings, snapshot=pinned)
    frame = frame.merge(names, on=["region_id", "source"], how="left")
    frame["date"] = frame["date"].dt.strftime("%Y-%m-%d")
    frame = _readable(frame[list(EXPORT_COLUMNS)])
    _write(frame, out, fmt)
    if out != "-":
        err.print(
            f"wrote {len(frame):,} rows of {frame['region_id'].nunique():,} regions to {out}"
        )


@cli.command("signals")
@regions_option
@click.option(
    "--signal",
    "signals",
    multiple=True,
    metavar="NAME",
    help="Only this signal, e.g. wastewater (repeatable; `epicurves info` lists them).",
)
@file_format_option
@click.option(
    "--out",
    default="-",
    show_default=True,
    metavar="FILE",
    help="Where to write ('-' for stdout).",
)
@pass_context
def signals_command(
    obj: Context,
    regions: tuple[str, ...],
    signals: tuple[str, ...],
    fmt: str | None,
    out: str,
) -> None:
    """Export the surveillance signals (wastewater, hospitalisation, weekly deaths, SARI),
    one row per value.

    Columns: region_id, name, signal, pathogen, resolution (day or week), date (as the source
    gives it: AMELAG the Wednesday of the sampling week, ISO-week files the week's Monday),
    value, lo, hi (an interval where the source gives one), unit, age_group, estimate
    (measured, normalised, smoothed, fixed, updated, nowcast), source, vintage (the signal's
    last date in its source).
    """
    fmt = _format_for(out, fmt)
    if out != "-" and Path(out).is_dir():
        msg = f"--out {out} is a folder: expected a file name"
        raise UsageError(msg)
    frame = load_signals(regions or None, signals or None, settings=obj.settings)
    frame["date"] = frame["date"].dt.strftime("%Y-%m-%d")
    _write(frame, out, fmt)
    if out != "-":
        err.print(
            f"wrote {len(frame):,} values of {_count(frame['signal'].nunique(), 'signal')} "
            f"of {_count(frame['region_id'].nunique(), 'region')} to {out}"
        )


@cli.command("notebook")
@click.argument("region_ids", nargs=-1, metavar="[REGION_ID]...")
@click.option("--all", "all_regions", is_flag=True, help="Every region with a page.")
@click.option(
    "--out",
    metavar="PATH",
    help="The notebook's file for one region ('-' for stdout), else a folder "
    "[default: REGION_ID.ipynb in the current folder].",
)
@pass_context
def notebook_command(
    obj: Context, region_ids: tuple[str, ...], all_regions: bool, out: str | None
) -> None:
    """Write a region's Jupyter notebook: its page's headline numbers and charts on the
    public Python API, what each metric means, and cells to change (the same notebook as the
    site's download). It runs offline against your store and fills an empty one first."""
    from .site.notebooks import region_notebooks

    if bool(region_ids) == all_regions:
        msg = "name one or more REGION_IDs, or give --all (not both)"
        raise UsageError(msg)
    made = region_notebooks(obj.settings, None if all_regions else region_ids)
    single = len(set(region_ids)) == 1
    if out == "-":
        if not single:
            msg = "--out - writes one notebook: name one REGION_ID"
            raise UsageError(msg)
        click.echo(next(iter(made))[1])
        return
    target = Path(out or ".")
    to_file = (
        single and out is not None and not target.is_dir() and not out.endswith("/")
    )
    if not to_file and (
        (target.exists() and not target.is_dir()) or target.suffix == ".ipynb"
    ):
        msg = f"--out {out} is a file: expected a folder for several notebooks"
        raise UsageError(msg)
    written: list[Path] = []
    for region_id, text in made:
        path = target if to_file else target / f"{region_id}.ipynb"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text + "\n", "utf-8")
        written.append(path)
    where = (
        written[0] if len(written) == 1 else f"{len(written):,} notebooks to {target}"
    )
    err.print(f"wrote {where}")


@cli.command("recipes")
@click.argument("names", nargs=-1, metavar="[NAME]...")
@click.option(
    "--out",
    metavar="DIR",
    help="Write the recipes (all, or those named) as notebooks into this folder.",
)
def recipes_command(names: tuple[str, ...], out: str | None) -> None:
    """List the recipe collection: notebooks on the public Python API that compare regions,
    reproduce RKI's numbers, estimate R, find anomalies, export, bring your own data and
    redo OSCOVIDA's plots. With --out, write them as notebooks to open in Jupyter."""
    from .notebooks.recipes import get_recipe, recipes

    try:
        chosen = [get_recipe(n) for n in names] if names else list(recipes())
    except KeyError as exc:
        raise UsageError(exc.args[0]) from exc
    if out is None:
        table = Table(
            "name",
            "title",
            "summary",
            title=f"{len(chosen)} recipes",
            title_justify="left",
        )
        for recipe in chosen:
            table.add_row(recipe.name, recipe.title, recipe.summary)
        Console(soft_wrap=True).print(table)
        err.print("write them as notebooks: epicurves recipes --out DIR")
        return
    folder = Path(out)
    if folder.exists() and not folder.is_dir():
        msg = f"--out {out} is a file: expected a folder"
        raise UsageError(msg)
    folder.mkdir(parents=True, exist_ok=True)
    for recipe in chosen:
        (folder / recipe.filename).write_text(recipe.notebook() + "\n", "utf-8")
    err.print(f"wrote {_count(len(chosen), 'recipe')} to {folder}")


def _count(n: int, noun: str) -> str:
    """``1 signal``, ``9 signals``."""
    return f"{n:,} {noun}" + ("" if n == 1 else "s")


#: Columns of the ``summary`` table shown in a terminal (csv and json have them all).
SUMMARY_TABLE_COLUMNS = (
    "region_id", "name", "last_date", "total_cases", "total_deaths", "new_cases_last_week",
    "incidence_7d", "week_change_pct", "trend", "r_rki", "r_cori",
)  # fmt: skip


@cli.command("summary")
@kind_option
@table_format_option
@click.option(
    "--limit", type=int, default=25, show_default=True, help="Rows in a table (0: all)."
)
@click.option("--all-sources", is_flag=True, help="One row per region and source.")
@click.option("--historic", is_flag=True,
              help="Also the historic regions (ended; their cases are in their successors').")  # fmt: skip
@pass_context
def summary_command(
    obj: Context,
    kind: str | None,
    fmt: str,
    limit: int,
    all_sources: bool,
    historic: bool,
) -> None:
    """One row per current region on its last day: totals, new cases last week, 7-day
    incidence, week-on-week change, trend, R (RKI and Cori); sorted by new cases last week."""
    frame = load_summary(
        kind, all_sources=all_sources, historic=historic, settings=obj.settings
    )
    frame["last_date"] = frame["last_date"].dt.strftime("%Y-%m-%d")
    for column in ("r_cori_date", "r_rki_date"):
        frame[column] = frame[column].dt.strftime("%Y-%m-%d")
    if fmt != "table":
        _write(_readable(frame), "-", fmt)
        return
    shown = frame if limit <= 0 else frame.head(limit)
    table = Table(
        *SUMMARY_TABLE_COLUMNS,
        title=f"{len(shown)} of {len(frame)} regions",
        title_justify="left",
    )
    for row in shown[list(SUMMARY_TABLE_COLUMNS)].itertuples(index=False):
        table.add_row(*(_cell(v) for v in row))
    Console(soft_wrap=True).print(table)


def _cell(value: Any) -> str:
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return ""
    if isinstance(value, np.integer):
        value = int(value)
    if isinstance(value, np.floating):
        value = float(value)
    if isinstance(value, float):
        return (
            f"{value:,.0f}"
            if value.is_integer() and abs(value) >= 100
            else f"{value:,.2f}"
        )
    if isinstance(value, int):
        return f"{value:,}"
    return str(value)


def _build_options(command: Any) -> Any:
    """The options ``build`` and ``run`` share."""
    for option in reversed((
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
@click.option("--threshold", type=float, default=50.0, show_default=True,
              help="Highlight incidence-table rows at or above this 7-day incidence per 100k.")  # fmt: skip
@_build_options
@pass_context
def build_command(
    obj: Context,
    out: Path,
    threshold: float,
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
    threshold: float,
    *,
    full: bool = False,
    scheduler: str | None = None,
    workers: int | None = None,
    changes: ChangeSet | None = None,
    quiet: bool = False,
) -> BuildReport:
    from .site.build import build_site

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
    from .site.serve import make_server

    with make_server(directory, host, port) as server:
        address = server.server_address
        err.print(
            f"serving {directory} at http://{address[0]!s}:{address[1]}/ (Ctrl-C stops)"
        )
        try:
            server.serve_forever()
        except KeyboardInterrupt:
            err.print("stopped")


def _warm_up() -> None:
    """Something is new: start the fork server of the site's worker pool while the update
    parses, so that the build's workers start at once."""
    from .executor import warm_up
    from .site.build import PRELOAD

    warm_up(PRELOAD)


#: Exit statuses of ``run`` (and the other commands), documented in the README.
EXIT_OK, EXIT_FAILED, EXIT_USAGE, EXIT_LOCKED = 0, 1, 2, 3


@cli.command("run")
@click.option("--mirror", type=click.Path(file_okay=False, path_type=Path), envvar="EPICURVES_MIRROR",
              help="Read upstream files from this folder instead of downloading.")  # fmt: skip
@click.option("--out", type=click.Path(file_okay=False, path_type=Path), default=Path("site"),
              show_default=True, help="Folder of the site.")  # fmt: skip
@click.option("--quiet", "-q", is_flag=True,
              help="Print only problems (failed sources, a failed build, stale sources): for cron.")  # fmt: skip
@_build_options
@pass_context
def run_command(
    obj: Context,
    mirror: Path | None,
    out: Path,
    quiet: bool,
    full: bool,
    scheduler: str | None,
    workers: int | None,
) -> None:
    """Update every source, then rebuild what changed on the site: the daily job.

    Exit status: 0 done; 1 a source failed (the site was built from its last good data) or
    the build failed (the last good site is kept); 2 wrong usage; 3 another run of this home
    is still going (nothing was done). Stale live sources are warned about, exit status 0.
    """
    from filelock import FileLock, Timeout

    settings = Settings.from_env(home=obj.settings.home, mirror=mirror)
    lock = FileLock(str(settings.home / "run.lock"))
    try:
        with writing(settings.home):
            settings.home.mkdir(parents=True, exist_ok=True)
            lock.acquire(timeout=0)
    except Timeout:
        err.print(
            f"[bold red]Error:[/] another `epicurves run` holds {escape(lock.lock_file)}: "
            "nothing done",
            highlight=False,
        )
        sys.exit(EXIT_LOCKED)
    pool = (
        not (scheduler or settings.scheduler) and (workers or os.cpu_count() or 1) > 1
    )
    try:
        report = _update(
            obj,
            settings,
            (),
            force=False,
            quiet=quiet,
            on_parse=_warm_up if pool else None,
        )
        if report.failed and not quiet:
            err.print(
                "[yellow]Building from the last good data of the failed sources.[/]"
            )
        _build(
            settings, out, 50.0, full=full, scheduler=scheduler, workers=workers,
            changes=report.changes, quiet=quiet,
        )  # fmt: skip
    finally:
        lock.release()
    if report.failed:
        sys.exit(EXIT_FAILED)


@cli.command("info")
@click.option(
    "--region",
    metavar="ID",
    help="Show which sources cover this region and which is shown.",
)
@click.option(
    "--notes", is_flag=True, help="List the rows each source skipped or kept specially."
)
@pass_context
def info_command(obj: Context, region: str | None, notes: bool) -> None:
    """Show the sources, their vintages and row counts, and where the store is."""
    from datetime import UTC, datetime

    from .freshness import cadence, freshness

    settings = obj.settings
    store = Store(settings.store_dir)
    with store.snapshot() as snapshot:
        meta = snapshot.meta()
        regions = snapshot.load_regions()
    if region is not None and meta and region not in set(regions["region_id"]):
        msg = f"unknown region {region!r}: `epicurves regions` lists the region ids"
        raise UsageError(msg)
    out = Console(soft_wrap=True)
    out.print(f"store: {settings.store_dir} (generation {snapshot.generation})")
    out.print(f"precedence: {', '.join(settings.precedence)}")
    fresh = {f.source: f for f in freshness(meta, store.checked(), datetime.now(UTC))}
    table = Table(
        "source", "publishes", "first date", "vintage", "rows", "regions", "checked (UTC)",
        "changed (UTC)", title="sources", title_justify="left",
    )  # fmt: skip
    for name, source in SOURCES.items():
        m = meta.get(name)
        if m is None:
            table.add_row(name, cadence(source), "", "not stored", "", "", "", "")
            continue
        f = fresh[name]
        table.add_row(
            name, cadence(source), m.first_date, m.vintage + (" (stale)" if f.stale else ""),
            f"{m.rows:,}", f"{m.regions:,}", f.checked_at[:16].replace("T", " "),
            f.changed_at[:16].replace("T", " "),
        )  # fmt: skip
    out.print(table)
    signal_table = Table(
        "signal", "source", "resolution", "unit", "first date", "vintage", "values",
        "regions", title="signals", title_justify="left",
    )  # fmt: skip
    for name, source in SOURCES.items():
        for signal in source.signals:
            stored = meta[name].signals.get(signal.name) if name in meta else None
            if stored is None:
                signal_table.add_row(
                    signal.name, name, signal.resolution, signal.unit, "", "not stored",
                    "", "",
                )  # fmt: skip
                continue
            stale = name in fresh and fresh[name].stale
            signal_table.add_row(
                signal.name, name, signal.resolution, signal.unit, stored["first_date"],
                stored["vintage"] + (" (stale)" if stale else ""), f"{stored['rows']:,}",
                f"{stored['regions']:,}",
            )  # fmt: skip
    if signal_table.row_count:
        out.print(signal_table)
    for warning in (w for f in fresh.values() for w in f.warnings):
        out.print(f"[yellow]Warning:[/] {escape(warning)}", highlight=False)
    for name, source in SOURCES.items():
        out.print(
            f"{name}: {source.description} Licence: {source.licence}.", highlight=False
        )
    if not meta:
        out.print("The store is empty: run `epicurves update`.")
        return
    shown = pick_shown(regions, settings.precedence)
    counts = shown.groupby(["kind", "source"]).size()
    summary = Table(
        "kind", "shown from", "regions", title="shown regions", title_justify="left"
    )
    for key, n in counts.items():
        summary.add_row(*(str(k) for k in key), f"{n:,}")  # type: ignore[attr-defined]
    out.print(summary)
    if region is not None:
        rows = regions[regions["region_id"] == region]
        if rows.empty:
            msg = f"unknown region {region!r}: `epicurves regions` lists the region ids"
            raise UsageError(msg)
        chosen = shown.loc[shown["region_id"] == region, "source"].iloc[0]
        for row in rows.itertuples(index=False):
            mark = "shown" if row.source == chosen else "also stored"
            out.print(
                f"{region} ({row.name}): {row.source}, vintage {meta[str(row.source)].vintage} - {mark}"
            )
    if notes:
        for name, m in meta.items():
            for note in m.notes:
                out.print(f"{name}: {note}", markup=False, highlight=False)


def main(argv: Sequence[str] | None = None) -> None:
    """Run the command line in this process (it ends with :class:`SystemExit`, as click does)."""
    cli.main(args=argv, prog_name="epicurves")


def script() -> None:
    """Entry point of the ``epicurves`` script and of ``python -m epicurves``.

    The command's work is done when :func:`main` returns: everything it opened is closed. Its
    output is flushed here, and the process then ends at once, without the interpreter's
    teardown of every module (pandas and pyarrow take a few tenths of a second to take apart),
    which a daily job, or a user waiting at a prompt, would pay on every run.
    """
    try:
        main()
        code = 0
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
        if isinstance(exc.code, str):
            print(exc.code, file=sys.stderr)
    for stream in (sys.stdout, sys.stderr):
        # A reader that went away (`epicurves regions | head`) needs nothing more.
        with contextlib.suppress(OSError):
            stream.flush()
    os._exit(code)
