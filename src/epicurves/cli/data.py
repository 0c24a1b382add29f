"""The commands that read the store and write tables: ``regions``, ``export``, ``signals``, ``summary``."""

from __future__ import annotations

import click

from ..catalog import load_regions, load_signals, load_summary
from ..export import file_format, load_export, readable
from .group import (
    Context,
    check_out_file,
    cli,
    count,
    err,
    file_format_option,
    frame_rows,
    kind_option,
    out_option,
    pass_context,
    regions_option,
    show_table,
    table_format_option,
    write_output,
)

__all__ = [
    "SUMMARY_TABLE_COLUMNS",
    "export_command",
    "regions_command",
    "signals_command",
    "summary_command",
]

#: Columns of the ``summary`` table shown in a terminal (csv and json have them all).
SUMMARY_TABLE_COLUMNS = (
    "region_id", "name", "last_date", "total_cases", "total_deaths", "new_cases_last_week",
    "incidence_7d", "week_change_pct", "trend", "r_rki", "r_cori",
)  # fmt: skip


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
        write_output(frame, "-", fmt)
        return
    show_table(frame.columns, frame_rows(frame), f"{len(frame)} regions")


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
    fmt = file_format(out, fmt)
    check_out_file(out)
    frame = load_export(
        regions or None, start, end, all_sources=all_sources, settings=obj.settings
    )
    write_output(frame, out, fmt)
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
@click.option(
    "--as-of",
    "as_of",
    metavar="DATE",
    help="The data as known on DATE (YYYY-MM-DD): a source with releases as its newest "
    "release on or before DATE said; the others cut at DATE (their revisions since are "
    "not undone).",
)
@file_format_option
@out_option
@pass_context
def signals_command(
    obj: Context,
    regions: tuple[str, ...],
    signals: tuple[str, ...],
    as_of: str | None,
    fmt: str | None,
    out: str,
) -> None:
    """Export the surveillance signals (wastewater, hospitalisation, weekly deaths, SARI),
    one row per value.

    Columns: region_id, name, signal, pathogen, resolution (day or week), date (as the source
    gives it: AMELAG the Wednesday of the sampling week, ISO-week files the week's Monday),
    value, lo, hi (an interval where the source gives one), unit, age_group, estimate
    (measured, normalised, smoothed, fixed, updated, nowcast), source, vintage (the signal's
    last date in its source), release (the upstream release the value comes from, for
    sources that publish releases).
    """
    fmt = file_format(out, fmt)
    check_out_file(out)
    frame = load_signals(
        regions or None, signals or None, settings=obj.settings, as_of=as_of
    )
    for column in ("date", "release"):
        frame[column] = frame[column].dt.strftime("%Y-%m-%d")
    write_output(frame, out, fmt)
    if out != "-":
        err.print(
            f"wrote {len(frame):,} values of {count(frame['signal'].nunique(), 'signal')} "
            f"of {count(frame['region_id'].nunique(), 'region')} to {out}"
        )


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
    for column in ("last_date", "r_cori_date", "r_rki_date"):
        frame[column] = frame[column].dt.strftime("%Y-%m-%d")
    if fmt != "table":
        write_output(readable(frame), "-", fmt)
        return
    shown = frame if limit <= 0 else frame.head(limit)
    rows = frame_rows(shown[list(SUMMARY_TABLE_COLUMNS)])
    show_table(SUMMARY_TABLE_COLUMNS, rows, f"{len(shown)} of {len(frame)} regions")
