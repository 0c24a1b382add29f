"""The commands that fill and describe the store: ``update`` and ``info``."""

from __future__ import annotations

import sys
import traceback
from collections.abc import Callable, Sequence
from pathlib import Path

import click
from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from ..config import Settings
from ..errors import UsageError
from ..info import store_info
from ..pipeline import STEPS, UpdateReport, select_sources, update
from ..sources import SOURCES
from .group import EXIT_FAILED, Context, cli, err, pass_context, print_error

__all__ = ["info_command", "run_update", "update_command"]


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
    "--force",
    is_flag=True,
    help="Parse and store even unchanged upstream files; accept data that end earlier or "
    "shrank, and a release published again with other values (recorded as replaced).",
)
@pass_context
def update_command(
    obj: Context, sources: tuple[str, ...], mirror: Path | None, force: bool
) -> None:
    """Fetch what is new upstream, validate it, and store it.

    A source that fails keeps its last good data; the exit status is then 1.
    """
    settings = Settings.from_env(home=obj.settings.home, mirror=mirror)
    report = run_update(obj, settings, sources, force=force, quiet=False)
    if report.failed:
        sys.exit(EXIT_FAILED)


def run_update(
    obj: Context,
    settings: Settings,
    sources: Sequence[str],
    *,
    force: bool,
    quiet: bool,
    on_parse: Callable[[str], None] | None = None,
) -> UpdateReport:
    """Run an update with a progress bar; print its table (unless ``quiet``) and its errors.

    ``on_parse`` is called with the name of each source that turns out to have new files,
    as it starts parsing them."""
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

        def progress(source: str, step: str) -> None:
            if step == "parse" and on_parse is not None:
                on_parse(source)
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
        print_error(failed.message)
    return report


#: How each status of a source is coloured in the update's table.
_STATUS_STYLE = {
    "updated": "green",
    "unchanged": "cyan",
    "skipped": "yellow",
    "failed": "bold red",
}


def _print_update(report: UpdateReport, settings: Settings) -> None:
    table = Table(
        "source", "status", "rows", "regions", "vintage", "seconds", "detail",
        title=f"epicurves update ({settings.store_dir})", title_justify="left",
    )  # fmt: skip
    for s in report.sources:
        detail = (
            "failed, see below"
            if s.status == "failed"
            else s.message
            or (f"{len(s.notes)} notes: epicurves info --notes" if s.notes else "")
        )
        table.add_row(
            s.source, f"[{_STATUS_STYLE[s.status]}]{s.status}[/]", f"{s.rows:,}",
            f"{s.regions:,}", s.vintage, f"{s.seconds:.2f}", detail,
        )  # fmt: skip
    out = Console(soft_wrap=True)
    out.print(table)
    changes = report.changes
    out.print(
        f"store generation {changes.generation}: {changes.describe()}", highlight=False
    )


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
    info = store_info(obj.settings, region=region)
    out = Console(soft_wrap=True)
    out.print(f"store: {info.store_dir} (generation {info.generation})")
    out.print(f"precedence: {', '.join(info.precedence)}")
    for frame, title in ((info.sources, "sources"), (info.signals, "signals")):
        if not frame.empty:
            table = Table(*frame.columns, title=title, title_justify="left")
            for row in frame.itertuples(index=False):
                table.add_row(*row)
            out.print(table)
    for warning in info.warnings:
        out.print(f"[yellow]Warning:[/] {escape(warning)}", highlight=False)
    for name, description, licence in info.descriptions:
        out.print(f"{name}: {description} Licence: {licence}.", highlight=False)
    if info.empty:
        out.print("The store is empty: run `epicurves update`.")
        return
    table = Table(*info.shown.columns, title="shown regions", title_justify="left")
    for row in info.shown.itertuples(index=False):
        table.add_row(*row)
    out.print(table)
    for line in info.region:
        out.print(escape(line))  # the region's name is upstream text
    if notes:
        for name, note in info.notes:
            out.print(f"{name}: {note}", markup=False, highlight=False)
