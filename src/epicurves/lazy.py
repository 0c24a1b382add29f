"""pandas, NumPy and Arrow, imported when first used.

Every module of epicurves takes them from here (``from .lazy import np, pd``) instead of
importing them at its top, so that what needs none of them does not pay for them: importing
pandas takes about 0.4 s, most of ``epicurves --help`` and of a ``run`` that finds nothing new
to do. Each name stands for its module: reading one of its attributes imports the module (or
finds it imported) and keeps that attribute, so that the next read is as fast as the module's
own. Imports hold Python's import lock, so threads that read one at the same moment each get the
module whole. ``tests/test_api.py`` checks that no module of the package imports them at its
top.

A process pool's fork server imports them ahead of its workers
(:data:`epicurves.site.build.PRELOAD`).
"""

from __future__ import annotations

import importlib
from types import ModuleType
from typing import TYPE_CHECKING, Any

__all__ = ["LazyModule", "np", "npt", "pa", "pa_csv", "pc", "pd", "pq"]


class LazyModule(ModuleType):
    """Module ``name``, imported when one of its attributes is first read.

    >>> json = LazyModule("json")
    >>> json.dumps([1])
    '[1]'
    >>> "dumps" in vars(json)  # kept: read without a call from now on
    True
    """

    def __getattr__(self, attr: str) -> Any:
        # Called only for an attribute not yet kept (``vars(self)`` holds the kept ones, and
        # those every module has: ``__name__``, ``__spec__``...).
        value = getattr(importlib.import_module(self.__name__), attr)
        setattr(self, attr, value)
        return value


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
