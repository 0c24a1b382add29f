"""The forecast commands: ``forecast``, ``backtest``, ``scores``."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import TYPE_CHECKING

import click
from rich.progress import BarColumn, MofNCompleteColumn, TextColumn, TimeElapsedColumn
from rich.progress import Progress as RichProgress

from ..errors import UsageError
from ..export import file_format
from ..forecast.series import FORECAST_TARGETS
from ..lazy import pd
from .group import (
    Context,
    check_out_file,
    cli,
    count,
    err,
    file_format_option,
    frame_rows,
    out_option,
    pass_context,
    regions_option,
    show_table,
    table_format_option,
    write_output,
)

if TYPE_CHECKING:
    from ..forecast.runs import Progress

__all__ = ["backtest_command", "forecast_command", "progress_bar", "scores_command"]

target_option = click.option(
    "--target",
    "targets",
    multiple=True,
    metavar="NAME",
    help=f"Only this target (repeatable; default all): {', '.join(FORECAST_TARGETS)}.",
)
model_option = click.option(
    "--model",
    "models",
    multiple=True,
    metavar="NAME",
    help="Only this model (repeatable): baseline, the models, ensemble.",
)


@contextlib.contextmanager
def progress_bar(what: str, *, quiet: bool = False) -> Iterator[Progress]:
    """A progress bar on stderr (not for ``quiet`` or a pipe), and the callback to move it:
    ``callback(done, total)``."""
    with RichProgress(
        TextColumn(what),
        BarColumn(),
        MofNCompleteColumn(),  # "0/?" while the work is being planned
        TimeElapsedColumn(),
        console=err,
        transient=True,
        disable=quiet or not err.is_terminal,
    ) as bar:
        task = bar.add_task(what, total=None)
        yield lambda done, total: bar.update(task, completed=done, total=total)


def _dated(frame: pd.DataFrame) -> pd.DataFrame:
    """Dates as ``YYYY-MM-DD`` texts, as the hubs' files write them."""
    out = frame.copy()
    for column in ("reference_date", "target_end_date"):
        if column in out:
            out[column] = pd.to_datetime(out[column]).dt.strftime("%Y-%m-%d")
    return out


@cli.command("forecast")
@model_option
@click.option(
    "--reference-date",
    metavar="DATE",
    help="The forecast's reference date, a Saturday (default: each target's newest).",
)
@regions_option
@target_option
@file_format_option
@out_option
@pass_context
def forecast_command(
    obj: Context,
    models: tuple[str, ...],
    reference_date: str | None,
    regions: tuple[str, ...],
    targets: tuple[str, ...],
    fmt: str | None,
    out: str,
) -> None:
    """Forecast every live weekly series (default model: ensemble), in the hubs' format.

    Columns: reference_date, location, horizon, target, target_end_date, output_type,
    output_type_id (the quantile level), value, region_id, model. For CDC's series, target and
    location are the hub's own (wk inc covid hosp, two-digit FIPS codes), so the file can be
    submitted as it is. Uses only what was published by the Wednesday before the reference
    date.
    """
    from ..forecast.runs import make_forecasts  # with its models, and NumPy: when used

    fmt = file_format(out, fmt)
    check_out_file(out)
    frame = make_forecasts(
        targets or None,
        models=models or None,
        reference_date=reference_date,
        regions=regions or None,
        settings=obj.settings,
    )
    write_output(_dated(frame), out, fmt)
    if out != "-":
        made = frame.groupby(["model", "target", "region_id"]).ngroups
        err.print(f"wrote {count(made, 'forecast')} ({len(frame):,} rows) to {out}")


@cli.command("backtest")
@target_option
@model_option
@click.option(
    "--from", "start", metavar="DATE", help="First reference date (a Saturday)."
)
@click.option("--to", "end", metavar="DATE", help="Last reference date (a Saturday).")
@regions_option
@click.option(
    "--forecasts-out",
    metavar="FILE",
    help="Also write every forecast made, in the hubs' format (.csv or .parquet).",
)
@click.option(
    "--scheduler",
    metavar="ADDRESS",
    envvar="EPICURVES_SCHEDULER",
    help="Spread the work over this Dask scheduler ('local': a LocalCluster here).",
)
@click.option("--workers", type=click.IntRange(min=1), metavar="N",
              help="Worker processes (default: every core).")  # fmt: skip
@pass_context
def backtest_command(
    obj: Context,
    targets: tuple[str, ...],
    models: tuple[str, ...],
    start: str | None,
    end: str | None,
    regions: tuple[str, ...],
    forecasts_out: str | None,
    scheduler: str | None,
    workers: int | None,
) -> None:
    """Forecast every series at every reference date and score each forecast against the
    data as known now; the scores are kept with the store, and redone only for series that
    changed. Prints the scorecard (`epicurves scores` shows it again, by other groupings)."""
    from ..forecast.runs import backtest

    fmt = None
    if forecasts_out:
        fmt = file_format(forecasts_out)
        check_out_file(forecasts_out)
    with progress_bar("backtest") as moved:
        report = backtest(
            targets or None,
            models=models or None,
            start=start,
            end=end,
            regions=regions or None,
            settings=obj.settings,
            scheduler=scheduler,
            workers=workers,
            forecasts=bool(forecasts_out),
            progress=moved,
        )
    if forecasts_out and report.forecasts is not None and fmt is not None:
        write_output(_dated(report.forecasts), forecasts_out, fmt)
        err.print(f"wrote {len(report.forecasts):,} forecast rows to {forecasts_out}")
    made = sum(report.redone.values())
    every = sum(report.series.values())
    err.print(
        f"backtest: {count(len(report.scores), 'scored forecast')}; "
        f"{made:,} of {every:,} series redone"
    )
    from ..forecast.scoring import relative_wis

    if len(report.scores):
        groups = ["target", "period", "horizon"]
        _show_card(relative_wis(report.scores, by=tuple(groups)), groups)


def _show_card(card: pd.DataFrame, groups: list[str]) -> None:
    """The scorecard as a table: its groups, then each model's numbers (3 decimals)."""
    columns = [
        *groups,
        "model",
        "n",
        "wis",
        "relative_wis",
        "coverage_50",
        "coverage_95",
    ]
    shown = _dated(card[columns])
    for column in ("wis", "relative_wis", "coverage_50", "coverage_95"):
        shown[column] = shown[column].map(lambda v: "" if pd.isna(v) else f"{v:.3f}")
    show_table(columns, frame_rows(shown), f"{len(shown)} rows")


@cli.command("scores")
@target_option
@regions_option
@click.option(
    "--period",
    type=click.Choice(["tuning", "evaluation"]),
    help="Only the tuning or the evaluation period.",
)
@click.option(
    "--by",
    default="target,period,horizon",
    show_default=True,
    metavar="COLUMNS",
    help="Group by these columns (comma-separated: target, period, horizon, region_id, "
    "reference_date).",
)
@table_format_option
@pass_context
def scores_command(
    obj: Context,
    targets: tuple[str, ...],
    regions: tuple[str, ...],
    period: str | None,
    by: str,
    fmt: str,
) -> None:
    """The scorecard of the backtest: per group and model, the number of forecasts, mean
    WIS, relative WIS against the baseline on the same forecasts (below 1 beats it), mean
    absolute error of the median, and the 50 % and 95 % intervals' coverage."""
    from ..forecast.runs import scores

    groups = [c.strip() for c in by.split(",") if c.strip()]
    allowed = {"target", "period", "horizon", "region_id", "reference_date"}
    bad = [c for c in groups if c not in allowed]
    if bad:
        msg = f"--by {bad[0]!r}: expected some of {', '.join(sorted(allowed))}"
        raise UsageError(msg)
    card = scores(
        targets or None,
        regions=regions or None,
        period=period,
        by=groups,
        settings=obj.settings,
    )
    if fmt != "table":
        write_output(_dated(card), "-", fmt)
        return
    _show_card(card, groups)
