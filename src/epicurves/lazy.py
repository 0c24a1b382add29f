"""pandas, NumPy and Arrow, imported when first used.

Every module of epicurves takes them from here (``from .lazy import np, pd``) instead of
importing them at its top, so that what needs none of them does not pay for them: importing
pandas takes about 0.4 s, most of ``epicurves --help`` and of a ``run`` that finds nothing new
to do. Each name stands for its module until one of its attributes is first read: that imports
the module (imports hold Python's import lock, so threads that read at the same moment each get
it whole) and puts the module itself in the stand-in's place, here and in every module of
epicurves imported so far, so that from then on its names are read as fast as any module's (a
read through the stand-in takes twice as long: a build reads them millions of times).
``tests/test_api.py`` checks that no module of the package imports them at its top.

A process pool's fork server imports them ahead of its workers
(:data:`epicurves.site.build.PRELOAD`).
"""

from __future__ import annotations

import importlib
import sys
from types import ModuleType
from typing import TYPE_CHECKING, Any

__all__ = ["LazyModule", "np", "npt", "pa", "pa_csv", "pc", "pd", "pq"]


class LazyModule(ModuleType):
    """Module ``name``, imported when one of its attributes is first read, which then puts the
    module in its place in the modules of epicurves (and keeps the attribute, for whoever holds
    the stand-in).

    >>> json = LazyModule("json")
    >>> json.dumps([1])
    '[1]'
    >>> "dumps" in vars(json)
    True
    """

    def __getattr__(self, attr: str) -> Any:
        # Called only for an attribute not yet kept (``vars(self)`` holds the kept ones, and
        # those every module has: ``__name__``, ``__spec__``...).
        module = importlib.import_module(self.__name__)
        _replace(self, module)
        value = getattr(module, attr)
        setattr(self, attr, value)
        return value


def _replace(stand_in: LazyModule, module: ModuleType) -> None:
    """``module`` wherever ``stand_in`` is a global: here first (a module imported from now on
    takes the module), then in every module of epicurves imported so far."""
    for namespace in [globals()] + [
        vars(m)
        for name, m in list(sys.modules.items())
        if name.startswith("epicurves") and isinstance(m, ModuleType)
    ]:
        for key, value in list(namespace.items()):
            if value is stand_in:
                namespace[key] = module


if TYPE_CHECKING:
    import numpy as np
    import numpy.typing as npt
    import pandas as pd
    import pyarrow as pa
    import pyarrow.compute as pc
    import pyarrow.csv as pa_csv
    import pyarrow.parquet as pq
else:
    np = LazyModule("numpy")
    npt = LazyModule("numpy.typing")
    pd = LazyModule("pandas")
    pa = LazyModule("pyarrow")
    pc = LazyModule("pyarrow.compute")
    pa_csv = LazyModule("pyarrow.csv")
    pq = LazyModule("pyarrow.parquet")
