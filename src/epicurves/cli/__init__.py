"""The ``epicurves`` command line: a thin layer over the library, one module per group of commands.

:mod:`.group` holds the command group and what every command shares; :mod:`.store` the
commands that fill and describe the store (``update``, ``info``), :mod:`.data` those that
write its tables (``regions``, ``export``, ``signals``, ``summary``), :mod:`.site` the website
(``build``, ``serve``, ``run``), :mod:`.notebooks` the notebooks (``notebook``,
``recipes``) and :mod:`.forecasts` the forecasts (``forecast``, ``backtest``, ``scores``). Errors from the library become one line on stderr and exit status 1;
``--debug`` shows the traceback instead.
"""

from __future__ import annotations

import contextlib
import os
import sys
from collections.abc import Sequence

from . import data, forecasts, notebooks, site, store
from .group import EXIT_FAILED, EXIT_LOCKED, EXIT_OK, EXIT_USAGE, cli

__all__ = [
    "EXIT_FAILED",
    "EXIT_LOCKED",
    "EXIT_OK",
    "EXIT_USAGE",
    "cli",
    "main",
    "script",
    "use_system_allocator",
]

#: The modules whose commands the group holds (imported for their ``@cli.command``).
COMMANDS = (data, forecasts, notebooks, site, store)


def main(argv: Sequence[str] | None = None) -> None:
    """Run the command line in this process (it ends with :class:`SystemExit`, as click does)."""
    cli.main(args=argv, prog_name="epicurves")


def use_system_allocator() -> None:
    """Make the C library's allocator Arrow's in this process and in every process it starts
    (``ARROW_DEFAULT_MEMORY_POOL=system``, inherited), unless the environment names one. Arrow
    reads that variable when it is first imported; where it has been imported already, its
    pool is set here too.

    pyarrow's default, mimalloc, takes its memory from the kernel in huge pages, each zeroed
    whole when first touched: on the scale mirror a full run spent about a CPU-second of its
    18 zeroing them, and took 0.4-1 s longer (docs: explanations/benchmarks.md).
    """
    if "ARROW_DEFAULT_MEMORY_POOL" in os.environ:
        return
    os.environ["ARROW_DEFAULT_MEMORY_POOL"] = "system"
    if "pyarrow" in sys.modules:
        import pyarrow as pa

        pa.set_memory_pool(pa.system_memory_pool())


def script() -> None:
    """Entry point of the ``epicurves`` script and of ``python -m epicurves``.

    The command's work is done when :func:`main` returns: everything it opened is closed. Its
    output is flushed here, and the process then ends at once, without the interpreter's
    teardown of every module (pandas and pyarrow take a few tenths of a second to take apart),
    which a daily job, or a user waiting at a prompt, would pay on every run.
    """
    use_system_allocator()
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
