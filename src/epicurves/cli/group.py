"""The ``epicurves`` command group and what every command shares: settings, one-line errors, consoles, common options.

Errors from the library become one line on stderr and exit status 1; ``--debug`` shows the
traceback instead.
"""

from __future__ import annotations

import sys
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import click
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from ..config import Settings
from ..errors import EpicurvesError, UsageError
from ..export import table_bytes, write_table
from ..formatting import fmt_cell
from ..lazy import pd
from ..model import KINDS
from ..sources import SOURCES

__all__ = [
    "EXIT_FAILED",
    "EXIT_LOCKED",
    "EXIT_OK",
    "EXIT_USAGE",
    "Context",
    "check_out_file",
    "cli",
    "count",
    "err",
    "frame_rows",
    "pass_context",
    "print_error",
    "show_table",
    "write_output",
]

#: Exit statuses of ``run`` (and the other commands), documented in the README.
EXIT_OK, EXIT_FAILED, EXIT_USAGE, EXIT_LOCKED = 0, 1, 2, 3

#: Where progress, messages and errors go; tables and data go to standard output.
err = Console(stderr=True, soft_wrap=True)


class Context:
    """What every command needs: settings and whether to show tracebacks."""

    def __init__(self, settings: Settings, debug: bool) -> None:
        self.settings = settings
        self.debug = debug


pass_context = click.make_pass_decorator(Context)


def print_error(message: str) -> None:
    """``Error: message`` on stderr, as one line."""
    err.print(f"[bold red]Error:[/] {escape(message)}", highlight=False)


class OneLineError(click.ClickException):
    """A library error shown as one line, ``Error: ...``, with exit status 1."""

    def show(self, file: Any = None) -> None:
        print_error(self.message)


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


def count(n: int, noun: str) -> str:
    """``1 signal``, ``9 signals``.

    >>> count(1, "signal"), count(1234, "value")
    ('1 signal', '1,234 values')
    """
    return f"{n:,} {noun}" + ("" if n == 1 else "s")


def show_table(
    columns: Iterable[str], rows: Iterable[Iterable[Any]], title: str
) -> None:
    """A table on standard output, each cell as :func:`~epicurves.formatting.fmt_cell` writes it."""
    table = Table(*columns, title=title, title_justify="left")
    for row in rows:
        table.add_row(*(fmt_cell(v) for v in row))
    Console(soft_wrap=True).print(table)


def frame_rows(frame: pd.DataFrame) -> Iterable[tuple[Any, ...]]:
    """The rows of ``frame`` as tuples, for :func:`show_table`."""
    return frame.itertuples(index=False)


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
out_option = click.option(
    "--out",
    default="-",
    show_default=True,
    metavar="FILE",
    help="Where to write ('-' for stdout).",
)
table_format_option = click.option(
    "--format",
    "fmt",
    type=click.Choice(["table", "csv", "json"]),
    default="table",
    show_default=True,
    help="Output format.",
)


def write_output(frame: pd.DataFrame, out: str, fmt: str) -> None:
    """Write ``frame`` to the file ``out`` whole, or to standard output for ``-``."""
    if out != "-":
        write_table(frame, out, fmt)
        return
    if fmt == "parquet":
        msg = "parquet cannot be written to stdout: give --out FILE"
        raise UsageError(msg)
    sys.stdout.buffer.write(table_bytes(frame, fmt))
    sys.stdout.flush()


def check_out_file(out: str) -> None:
    """Refuse an ``--out`` that names a folder (before anything is read)."""
    if out != "-" and Path(out).is_dir():
        msg = f"--out {out} is a folder: expected a file name"
        raise UsageError(msg)
