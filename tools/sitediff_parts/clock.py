"""The pinned clock and the entry point of the child processes: what runs in every Python
process of a side. Copied into each side's driver folder as ``_sitediff.py``, which the
``sitecustomize`` written beside it imports: it imports nothing but the standard library."""

from __future__ import annotations

import datetime as _datetime
import os
import sys
import time as _time
import types
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

#: The package whose clock is pinned and whose import location is checked.
PACKAGE = "epicurves"
#: Environment of the child processes: the pinned instant, and the ``src`` they must import.
NOW_ENV = "SITEDIFF_NOW"
SRC_ENV = "SITEDIFF_SRC"
#: A child that imported the package from elsewhere exits with this status.
EXIT_WRONG_CODE = 97


def install_clock() -> None:
    """Pin the wall clock seen by the ``epicurves`` package in this process to ``$SITEDIFF_NOW``.

    Only code of the package is affected: an ``import datetime`` or ``import time`` (or a
    ``from`` import of them) made by a module named ``epicurves`` or ``epicurves.*`` gets a copy
    of the module whose ``datetime.now``/``utcnow``/``today``, ``date.today`` and
    ``time.time``/``time_ns``/``localtime``/``gmtime``/``ctime``/``strftime`` see the pinned
    instant. Everything else (pandas, pyarrow, their C type checks) keeps the real modules, and
    every ``datetime`` made is a real one. The monotonic clocks (``time.monotonic``,
    ``perf_counter``: locks, timeouts, the durations printed) are left alone. Called by the
    ``sitecustomize`` the tool puts first on ``PYTHONPATH``, so the worker processes of the
    site build (forkserver, spawn, Dask) are pinned as well.
    """
    value = os.environ.get(NOW_ENV)
    if not value:
        return
    import builtins

    pinned = _aware(_datetime.datetime.fromisoformat(value))
    fakes = _clock_modules(pinned)
    original = builtins.__import__

    def pinned_import(
        name: str,
        globals: Mapping[str, object] | None = None,
        locals: Mapping[str, object] | None = None,
        fromlist: Sequence[str] | None = (),
        level: int = 0,
    ) -> types.ModuleType:
        module = original(name, globals, locals, fromlist or (), level)
        if level == 0 and name in fakes and globals is not None:
            importer = str(globals.get("__name__", ""))
            if importer == PACKAGE or importer.startswith(PACKAGE + "."):
                return fakes[name]
        return module

    builtins.__import__ = pinned_import


def _aware(moment: _datetime.datetime) -> _datetime.datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=_datetime.UTC)


def _clock_modules(pinned: _datetime.datetime) -> dict[str, types.ModuleType]:
    """Copies of ``datetime`` and ``time`` whose clocks read ``pinned``."""
    real_datetime, real_date = _datetime.datetime, _datetime.date
    stamp = pinned.timestamp()

    class _Meta(type):
        # isinstance(real_datetime_object, fake_class) stays true, and so does issubclass.
        def __instancecheck__(cls, obj: object) -> bool:
            return isinstance(obj, cls.__mro__[1])

        def __subclasscheck__(cls, sub: type) -> bool:
            return issubclass(sub, cls.__mro__[1])

    class datetime(
        _datetime.datetime, metaclass=_Meta
    ):  # stands in for datetime.datetime
        __slots__ = ()

        def __new__(cls, *args: Any, **kwargs: Any) -> Any:
            return real_datetime(*args, **kwargs)  # every instance is a real datetime

        @classmethod
        def now(cls, tz: _datetime.tzinfo | None = None) -> Any:
            return (
                pinned.astimezone(tz)
                if tz
                else pinned.astimezone().replace(tzinfo=None)
            )

        @classmethod
        def utcnow(cls) -> Any:
            return pinned.astimezone(_datetime.UTC).replace(tzinfo=None)

        @classmethod
        def today(cls) -> Any:
            return cls.now()

    class date(_datetime.date, metaclass=_Meta):  # stands in for datetime.date
        __slots__ = ()

        def __new__(cls, *args: Any, **kwargs: Any) -> Any:
            return real_date(*args, **kwargs)

        @classmethod
        def today(cls) -> Any:
            return pinned.astimezone().date()

    def _copy(real: types.ModuleType, **names: object) -> types.ModuleType:
        module = types.ModuleType(real.__name__, real.__doc__)
        module.__dict__.update(real.__dict__)
        module.__dict__.update(names)
        return module

    def _at(secs: float | None) -> float:
        return stamp if secs is None else secs

    def _strftime(fmt: str, t: Any = None) -> str:
        return _time.strftime(fmt, _time.localtime(stamp) if t is None else t)

    return {
        "datetime": _copy(_datetime, datetime=datetime, date=date),
        "time": _copy(
            _time,
            time=lambda: stamp,
            time_ns=lambda: int(stamp * 1_000_000_000),
            localtime=lambda secs=None: _time.localtime(_at(secs)),
            gmtime=lambda secs=None: _time.gmtime(_at(secs)),
            ctime=lambda secs=None: _time.ctime(_at(secs)),
            strftime=_strftime,
        ),
    }


def child_main() -> None:
    """Run ``python -m epicurves`` with this process's arguments, after checking that the
    package is imported from ``$SITEDIFF_SRC``."""
    import runpy

    src = Path(os.environ[SRC_ENV]).resolve()
    package = __import__(PACKAGE)
    where = Path(package.__file__ or "").resolve()
    if src not in where.parents:
        print(
            f"sitediff: {PACKAGE} was imported from {where}, expected it inside {src}",
            file=sys.stderr,
        )
        raise SystemExit(EXIT_WRONG_CODE)
    sys.argv = [PACKAGE, *sys.argv[1:]]
    runpy.run_module(PACKAGE, run_name="__main__", alter_sys=True)


_SITECUSTOMIZE = '''"""Written by tools/sitediff.py: pins the clock of every Python process of a run."""

import _sitediff

_sitediff.install_clock()
'''
