"""The tidy data model: column names and dtypes of the tables, and how parsed rows become tidy ones (the rules they obey: :mod:`epicurves.rules`).

Observations, one row per (source, region, day)::

    source, region_id, date, cases, deaths, new_cases, new_deaths, flags

``cases`` and ``deaths`` are cumulative counts as published; ``new_*`` are day-to-day differences
(the first day of a series counts from zero). Missing values stay missing (``<NA>``): a region
without deaths data has no deaths, not zeros. A decrease of a cumulative series is kept as
published and flagged (``cases-decrease``/``deaths-decrease`` in ``flags``), not "fixed".

Regions, one row per (source, region)::

    region_id, name, kind, parent, population, source

Signals, one row per (source, region, signal, pathogen, age group, estimate, date)::

    source, region_id, signal, pathogen, resolution, date, value, lo, hi, unit, age_group, estimate

A signal is a measure of a pathogen (wastewater viral load of SARS-CoV-2, the hospitalisation
incidence, weekly deaths) that a source declares (:class:`epicurves.sources.Signal`). ``date`` is
as the source gives it: a day, or for ``resolution == "week"`` the day the source dates the week
by (AMELAG: the Wednesday of the sampling week; ISO-week files: the week's Monday). ``lo``/``hi``
bound the value where the source gives an interval (else missing); ``estimate`` says what the
value is (:data:`ESTIMATES`). Rows without a value are not stored.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Protocol

from .errors import ValidationError
from .lazy import np, pa, pc, pd


class Signal(Protocol):
    """What the rules need of a signal's declaration (:class:`epicurves.sources.Signal`)."""

    @property
    def name(self) -> str: ...
    @property
    def unit(self) -> str: ...
    @property
    def resolution(self) -> str: ...
    @property
    def pathogens(self) -> tuple[str, ...]: ...
    @property
    def estimates(self) -> tuple[str, ...]: ...
    @property
    def units(self) -> tuple[str, ...]: ...


__all__ = [
    "COLUMN_HELP",
    "ESTIMATES",
    "KINDS",
    "OBSERVATION_COLUMNS",
    "REGION_COLUMNS",
    "SIGNAL_COLUMNS",
    "add_daily",
    "empty_observations",
    "empty_regions",
    "empty_signals",
    "pick_shown",
    "tidy_signals",
]

#: Kinds of region: ``other`` holds rows that are not places (ships, Olympics, unknown district).
#:
#: >>> KINDS
#: ('country', 'state', 'district', 'other')
#: >>> load_regions(kind="state")["kind"].unique().tolist()
#: ['state']
KINDS: tuple[str, ...] = ("country", "state", "district", "other")

#: The columns of the observations table, in order, with their dtypes: one row per (source,
#: region, day), as :func:`epicurves.load_observations` and :func:`epicurves.read_observations`
#: return it.
#:
#: >>> list(OBSERVATION_COLUMNS)
#: ['source', 'region_id', 'date', 'cases', 'deaths', 'new_cases', 'new_deaths', 'flags']
#: >>> load_observations(["DE"]).dtypes.astype(str).to_dict() == OBSERVATION_COLUMNS
#: True
OBSERVATION_COLUMNS: dict[str, str] = {
    "source": "string",
    "region_id": "string",
    "date": "datetime64[s]",
    "cases": "Int64",
    "deaths": "Int64",
    "new_cases": "Int64",
    "new_deaths": "Int64",
    "flags": "string",
}

#: The columns of the regions table, in order, with their dtypes: one row per (source,
#: region), as :func:`epicurves.load_regions` returns it.
#:
#: >>> list(REGION_COLUMNS)
#: ['region_id', 'name', 'kind', 'parent', 'population', 'source']
#: >>> load_regions().dtypes.astype(str).to_dict() == REGION_COLUMNS
#: True
REGION_COLUMNS: dict[str, str] = {
    "region_id": "string",
    "name": "string",
    "kind": "string",
    "parent": "string",
    "population": "Int64",
    "source": "string",
}

#: The columns of the stored signals table, in order, with their dtypes: one row per (source,
#: region, signal, pathogen, age group, estimate, date). ``release`` is the date of the upstream
#: release the value comes from, for sources that publish releases (empty for the others). :func:`epicurves.load_signals` adds
#: the region's ``name`` and the signal's ``vintage``
#: (:data:`~epicurves.SIGNAL_EXPORT_COLUMNS`).
#:
#: >>> list(SIGNAL_COLUMNS)[:6]
#: ['source', 'region_id', 'signal', 'pathogen', 'resolution', 'date']
#: >>> sorted(set(SIGNAL_EXPORT_COLUMNS) - set(SIGNAL_COLUMNS))
#: ['name', 'vintage']
SIGNAL_COLUMNS: dict[str, str] = {
    "source": "string",
    "region_id": "string",
    "signal": "string",
    "pathogen": "string",
    "resolution": "string",
    "date": "datetime64[s]",
    "value": "float64",
    "lo": "float64",
    "hi": "float64",
    "unit": "string",
    "age_group": "string",
    "estimate": "string",
    "release": "datetime64[s]",
}
#: The key of a signal row: one value per key.
SIGNAL_KEY: tuple[str, ...] = (
    "region_id", "signal", "pathogen", "age_group", "estimate", "date",
)  # fmt: skip
#: What a signal's value can be: ``measured`` as reported or sampled; ``normalised`` measured
#: and normalised (wastewater by flow); ``smoothed`` a fitted curve; ``fixed`` as first
#: reported on that day; ``updated`` with the late reports known now; ``nowcast`` an estimate
#: of the final value; ``outlier`` measured as reported, but flagged by its source module's
#: outlier rule (kept, not dropped; a series of ``measured`` values has a gap there).
ESTIMATES: tuple[str, ...] = (
    "measured", "normalised", "smoothed", "fixed", "updated", "nowcast", "outlier",
)  # fmt: skip
#: All ages, as RKI writes it.
ALL_AGES = "00+"

#: What each column of the tables, of ``epicurves export`` and of ``epicurves signals`` holds
#: (the metrics' columns are described by :data:`epicurves.METRICS`); the documentation's
#: column reference is made from it.
COLUMN_HELP: dict[str, str] = {
    "region_id": "The region's id: ISO 3166-1 alpha-2 for countries (DE), ISO 3166-2 for "
    "states (US-CA, DE-BY), DE-<AGS> for German districts (DE-09162).",
    "name": "The region's name as its shown source gives it.",
    "kind": "country, state, district or other (rows that are not places).",
    "parent": "The id of the region it lies in (empty for countries).",
    "population": "The population the per-100,000 figures use.",
    "source": "The source the row comes from (`epicurves info` lists them).",
    "date": "The day (YYYY-MM-DD); for weekly signals the day the source dates the week by.",
    "cases": "Cumulative confirmed cases up to that day.",
    "deaths": "Cumulative deaths up to that day.",
    "new_cases": "New cases that day (the first day of a series counts everything before).",
    "new_deaths": "New deaths that day.",
    "flags": "Data notes on that day, ';'-separated (a cumulative count that fell, an "
    "outlier, ...).",
    "signal": "The signal's name (wastewater, hospitalisation, deaths-weekly, sari, ...).",
    "pathogen": "The pathogen measured (SARS-CoV-2, influenza A, RSV, ...).",
    "resolution": "day or week.",
    "value": "The value, in `unit`.",
    "lo": "The lower bound of the value's interval, where the source gives one.",
    "hi": "The upper bound of the value's interval, where the source gives one.",
    "unit": "The unit of `value`, `lo` and `hi`, row by row: the rows of one signal may have "
    "different units (ERVISS's consultation rates, by country); never compare across units.",
    "age_group": "The age group, as the source writes it (00+: all ages).",
    "estimate": "What the value is: " + ", ".join(ESTIMATES) + ".",
    "vintage": "The last date of the signal in its source (read as of a date: the last date "
    "known then).",
    "release": "The date of the upstream release the value comes from (YYYY-MM-DD), for "
    "sources that publish dated releases (cdc-covid); empty for the others.",
}

#: What a region id may look like: ids become file names (and URLs) of the site.
REGION_ID = r"[A-Za-z0-9-]+"

#: Flags written at ingest; the analysis layer adds its own.
FLAG_CASES_DECREASE = "cases-decrease"
FLAG_DEATHS_DECREASE = "deaths-decrease"


def empty_observations() -> pd.DataFrame:
    """An observations table with no rows and the right dtypes."""
    return pd.DataFrame({c: pd.Series(dtype=t) for c, t in OBSERVATION_COLUMNS.items()})


def empty_regions() -> pd.DataFrame:
    """A regions table with no rows and the right dtypes."""
    return pd.DataFrame({c: pd.Series(dtype=t) for c, t in REGION_COLUMNS.items()})


def empty_signals() -> pd.DataFrame:
    """A signals table with no rows and the right dtypes."""
    return pd.DataFrame({c: pd.Series(dtype=t) for c, t in SIGNAL_COLUMNS.items()})


def tidy_signals(
    frame: pd.DataFrame,
    source: str,
    declared: Sequence[Signal],
    *,
    history: bool = False,
) -> pd.DataFrame:
    """A parser's signal rows as the store keeps them: every column of :data:`SIGNAL_COLUMNS`
    (``resolution`` from the declaration, and ``unit`` where a row has none of its own), rows
    without a value dropped, sorted by
    :data:`SIGNAL_KEY` then ``release``. Columns the rules need are checked by
    :func:`validate_signals`. ``history``: the rows are a source's history of releases
    (:mod:`epicurves.releases`), whose rows without a value are kept (they say a row is gone).

    >>> from epicurves.sources import Signal
    >>> s = Signal("x", "X", "per 100,000", "week", ("SARS-CoV-2",), ("measured",), "test")
    >>> f = pd.DataFrame({"region_id": "DE", "signal": "x", "pathogen": "SARS-CoV-2",
    ...     "age_group": "00+", "estimate": "measured", "value": [2.0, None],
    ...     "date": pd.to_datetime(["2024-01-08", "2024-01-01"])})
    >>> tidy_signals(f, "s", [s])[["date", "value", "unit", "resolution"]].values.tolist()
    [[Timestamp('2024-01-08 00:00:00'), 2.0, 'per 100,000', 'week']]
    """
    check_columns(
        frame, [c for c in SIGNAL_KEY if c != "source"] + ["value"], source, "signals"
    )
    out = frame.copy() if history else frame.loc[frame["value"].notna()].copy()
    out["source"] = source
    for column in ("lo", "hi"):
        if column not in out.columns:
            out[column] = np.nan
    if "release" not in out.columns:
        out["release"] = pd.Series(pd.NaT, index=out.index, dtype="datetime64[s]")
    declared_unit = _labelled(out["signal"], {s.name: s.unit for s in declared})
    # a row's own unit (Signal.other_units), else the declared one
    if "unit" in out.columns:
        own = out["unit"].astype("category")
        labels = own.cat.categories.union(declared_unit.cat.categories)
        codes = np.where(
            own.isna().to_numpy(),
            declared_unit.cat.set_categories(labels).cat.codes.to_numpy(),
            own.cat.set_categories(labels).cat.codes.to_numpy(),
        )
        out["unit"] = pd.Categorical.from_codes(codes, labels)
    else:
        out["unit"] = declared_unit
    out["resolution"] = _labelled(
        out["signal"], {s.name: s.resolution for s in declared}
    )
    for column, dtype in SIGNAL_COLUMNS.items():
        if dtype == "string":
            out[column] = _text(out[column])
        elif dtype == "float64":
            out[column] = pd.to_numeric(out[column], errors="coerce").astype("float64")
    out = out.astype(SIGNAL_COLUMNS)[list(SIGNAL_COLUMNS)]
    return out.sort_values([*SIGNAL_KEY, "release"], kind="stable", ignore_index=True)


def add_daily(frame: pd.DataFrame) -> pd.DataFrame:
    """Add ``new_cases``, ``new_deaths`` and ``flags`` to cumulative observations.

    The first known value of a series counts from zero (everything reported up to that day).
    ``frame`` has ``source, region_id, date, cases, deaths``; the result is sorted by source,
    region and date and has every column of :data:`OBSERVATION_COLUMNS`.

    >>> f = pd.DataFrame({"source": "s", "region_id": "X", "date": pd.date_range("2020-01-01", periods=4),
    ...                   "cases": [1, 3, 2, 5], "deaths": [pd.NA, 0, 0, 1]})
    >>> out = add_daily(f)
    >>> out["new_cases"].tolist(), out["flags"].tolist()
    ([1, 2, -1, 3], ['', '', 'cases-decrease', ''])
    >>> out["new_deaths"].tolist()
    [<NA>, 0, 0, 1]
    """
    out = frame[["source", "region_id", "date", "cases", "deaths"]].astype(
        {"date": "datetime64[s]", "cases": "Int64", "deaths": "Int64"}
    )
    source, region = ranks(out["source"]), ranks(out["region_id"])
    date = _sortable_dates(out["date"])
    order = sort_order(source, region, date)
    if order is not None:  # usually None: parsers give their rows in this order
        out = out.take(order)
        source, region = source[order], region[order]
    out = out.reset_index(drop=True)
    start = np.ones(len(out), dtype=bool)  # the first row of each series
    start[1:] = (source[1:] != source[:-1]) | (region[1:] != region[:-1])
    out["new_cases"] = _daily(out["cases"].array, start)
    out["new_deaths"] = _daily(out["deaths"].array, start)
    out["flags"] = _flags(out["new_cases"].array, out["new_deaths"].array)
    out["source"], out["region_id"] = _text(out["source"]), _text(out["region_id"])
    return out.astype(OBSERVATION_COLUMNS)


def _labelled(values: pd.Series, labels: dict[str, str]) -> pd.Series:
    """The label of each value (missing where it has none), a categorical: each distinct
    value is looked up once, not each row.

    >>> _labelled(pd.Series(["a", "b", "a", "c"]), {"a": "x", "b": "x"}).tolist()
    ['x', 'x', 'x', nan]
    """
    codes, uniques = pd.factorize(values)
    mapped = pd.Index([labels.get(str(u)) for u in uniques], dtype=object)
    inverse, found = pd.factorize(mapped)  # no label: -1
    return pd.Series(
        pd.Categorical.from_codes(np.append(inverse, -1)[codes], found),
        index=values.index,
    )


def _text(values: pd.Series) -> pd.Series:
    """Values as dtype ``string``; a categorical by its codes, not one row at a time."""
    if not (
        isinstance(values.dtype, pd.CategoricalDtype)
        and pd.api.types.is_string_dtype(values.cat.categories)
    ):
        return values.astype("string")
    labels = pa.array(values.cat.categories.to_numpy(dtype=object), type=pa.string())
    codes = values.cat.codes.to_numpy()
    text = pc.take(labels, pa.array(codes, mask=codes < 0))
    return pd.Series(pd.array(text, dtype="string"), index=values.index)


def ranks(values: pd.Series) -> np.ndarray:
    """Integer codes that sort as the values do (text in code-point order), missing last."""
    codes, uniques = pd.factorize(values)
    labels = np.array([str(u) for u in uniques], dtype=object)
    rank = np.empty(len(labels) + 1, dtype=np.int64)
    rank[np.argsort(labels, kind="stable")] = np.arange(len(labels))
    rank[-1] = len(labels)  # code -1: missing
    return rank[codes]


def _sortable_dates(dates: pd.Series) -> np.ndarray:
    """Dates as integers that sort as the dates do, missing (``NaT``) last."""
    values = dates.to_numpy().view(np.int64)
    return np.where(dates.isna().to_numpy(), np.iinfo(np.int64).max, values)


def sort_order(*keys: np.ndarray) -> np.ndarray | None:
    """The stable order sorting the rows by ``keys`` (the first most significant), or ``None``
    if they are in that order already (checked in one pass, without sorting)."""
    tied = np.ones(max(len(keys[0]) - 1, 0), dtype=bool)  # rows i, i+1 equal so far
    for key in keys:
        before, after = key[:-1], key[1:]
        if (tied & (after < before)).any():
            return np.lexsort(keys[::-1])
        tied &= after == before
    return None


def _daily(totals: pd.arrays.IntegerArray, start: np.ndarray) -> pd.arrays.IntegerArray:
    """Day-to-day differences of cumulative series laid end to end (``start`` marks each
    series' first row). The first known value of a series counts from zero; a value after a
    missing one has no known difference and stays missing."""
    values = totals.to_numpy(dtype=np.int64, na_value=0)
    known: np.ndarray = ~totals.isna()
    above = np.cumsum(known, dtype=np.int32) - known  # known values in the rows above
    at_start = np.maximum.accumulate(np.where(start, above, 0))  # ... above the series
    first_known = known & (above == at_start)
    follows = np.zeros(len(known), dtype=bool)  # a known value right above, same series
    follows[1:] = known[1:] & known[:-1] & ~start[1:]
    daily = np.diff(values, prepend=0)
    daily[first_known] = values[first_known]
    return pd.arrays.IntegerArray(daily, ~(first_known | follows))


#: The flags of a row, by code: 1 cases decreased, 2 deaths decreased, 3 both.
_FLAGS = [
    "",
    FLAG_CASES_DECREASE,
    FLAG_DEATHS_DECREASE,
    FLAG_CASES_DECREASE + ";" + FLAG_DEATHS_DECREASE,
]


def _flags(
    new_cases: pd.arrays.IntegerArray, new_deaths: pd.arrays.IntegerArray
) -> pd.Series:
    """``cases-decrease``/``deaths-decrease`` where a daily value is negative."""
    cases_down = new_cases.to_numpy(dtype=np.int64, na_value=0) < 0
    deaths_down = new_deaths.to_numpy(dtype=np.int64, na_value=0) < 0
    codes = cases_down.astype(np.int8) + 2 * deaths_down.astype(np.int8)
    return _text(pd.Series(pd.Categorical.from_codes(codes, pd.Index(_FLAGS))))


def check_columns(
    frame: pd.DataFrame, columns: Iterable[str], source: str, table: str
) -> None:
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        msg = f"{table} table lacks required columns {missing}"
        raise ValidationError(msg, source=source)


def pick_shown(regions: pd.DataFrame, precedence: Iterable[str]) -> pd.DataFrame:
    """One row per region: the one from the first source in ``precedence`` that has it.

    Sources missing from ``precedence`` come after those listed, in name order.

    >>> r = pd.DataFrame({"region_id": ["DE", "DE", "FR"], "source": ["jhu", "rki", "jhu"]})
    >>> pick_shown(r, ["rki", "jhu"])[["region_id", "source"]].values.tolist()
    [['DE', 'rki'], ['FR', 'jhu']]
    """
    order: dict[str, int] = {}
    for name in precedence:
        order.setdefault(name, len(order))  # a name listed twice keeps its first place
    rank = regions["source"].map(lambda s: (order.get(s, len(order)), s))
    ranked = regions.assign(_rank=rank).sort_values(
        ["region_id", "_rank"], kind="stable"
    )
    shown = ranked.drop_duplicates("region_id").drop(columns="_rank")
    return shown.reset_index(drop=True)
